package ivr_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deskline/ivr"
)

// loop is a menu whose option 1 plays a prompt and comes back: two blocks
// per key the caller presses.
const loop = `{"id":"loop","name":"Loop","entry":"menu","blocks":{
 "menu":{"kind":"menu","menu":{"prompts":["choose"],"options":{"1":"play"},"retries":1}},
 "play":{"kind":"play","play":{"prompts":["thanks"],"next":"menu"}}}}`

var errDone = errors.New("done")

// presser presses 1 n times, then hangs up; it records nothing.
type presser struct{ n int }

func (p *presser) Play([]string, bool) (byte, error) { return 0, nil }
func (p *presser) ReadDigit(time.Duration) (byte, error) {
	if p.n == 0 {
		return 0, errDone
	}
	p.n--
	return '1', nil
}
func (p *presser) Record(time.Duration, bool) (string, error) { return "", nil }
func (p *presser) Transfer(ivr.TargetKind, string, ivr.TransferOptions) error {
	return nil
}

func runLoop(tb testing.TB, p *ivr.Published, keys int, onStep func(ivr.Step)) ivr.Result {
	res, err := ivr.Run(context.Background(), p, &presser{n: keys}, ivr.RunOptions{MaxSteps: 2*keys + 2, OnStep: onStep})
	if !errors.Is(err, errDone) {
		tb.Fatalf("Run() = %v, want the hang-up", err)
	}
	return res
}

// TestStepsAllocateNothing: the per-step path (menu, play, trace callback)
// allocates nothing; what a Run allocates does not grow with its steps.
func TestStepsAllocateNothing(t *testing.T) {
	p := mustPublish(t, mustFlow(t, loop))
	onStep := func(ivr.Step) {}
	short := testing.AllocsPerRun(20, func() { runLoop(t, p, 10, onStep) })
	long := testing.AllocsPerRun(20, func() { runLoop(t, p, 1000, onStep) })
	if long > short {
		t.Errorf("a Run of 2000 steps allocates %.0f times, one of 20 steps %.0f: steps allocate", long, short)
	}
}

// BenchmarkSteps measures blocks executed per second over a channel that
// answers at once; ns/op and allocs/op are per block.
func BenchmarkSteps(b *testing.B) {
	p := mustPublish(b, mustFlow(b, loop))
	b.ReportAllocs()
	b.ResetTimer()
	res := runLoop(b, p, b.N/2+1, func(ivr.Step) {})
	b.ReportMetric(float64(res.Steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkValidate measures checking the attendant flow, as on each save.
func BenchmarkValidate(b *testing.B) {
	f := mustFlow(b, attendant)
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
