package mix_test

import (
	"fmt"

	"deskline/media/mix"
)

func Example() {
	// A queue call under supervision: caller and agent talk, the
	// supervisor whispers to the agent.
	m := mix.New(nil)
	caller := m.Add(1, mix.Talk)
	agent := m.Add(2, mix.Talk)
	supervisor := m.Add(3, mix.Whisper)
	supervisor.SetTarget(agent)

	// One 20 ms tick: the owner writes each decoded frame, mixes, and
	// sends each party its output.
	for _, p := range []*mix.Party{caller, agent, supervisor} {
		in := p.In()
		for i := range in {
			in[i] = int16(1000 * p.ID()) // a distinct level per party
		}
	}
	m.Mix()
	for _, p := range []*mix.Party{caller, agent, supervisor} {
		fmt.Printf("party %d hears level %d\n", p.ID(), p.Out()[0])
	}

	// The supervisor barges in.
	supervisor.SetMode(mix.Talk)
	caller.Put([]int16{1000}) // short frames are padded with silence
	m.Mix()
	fmt.Println("after barge-in, the agent hears", agent.Out()[0])
	// Output:
	// party 1 hears level 2000
	// party 2 hears level 4000
	// party 3 hears level 3000
	// after barge-in, the agent hears 1000
}
