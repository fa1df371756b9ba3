// Package mix sums the audio of the parties of a conference or a supervised
// call, so that each party hears what it should: the conference members,
// a supervisor listening in, whispering to the agent, or barging in.
//
// # Who hears whom
//
// Each Party has a Mode:
//
//   - Talk: a conference member (and a supervisor who barges in). Heard by
//     every other party; hears every other Talk party.
//   - Listen: a supervisor monitoring a call. Hears every Talk party; heard
//     by nobody.
//   - Whisper: a supervisor coaching one party, its target (SetTarget).
//     Heard by the target only; hears every Talk party.
//   - Mute: a member who may not speak. Hears every Talk party; heard by
//     nobody.
//
// No party ever hears itself. A whisper also reaches a target that is not
// in Talk mode (a whisper to a listening party is heard).
//
// # How a tick is mixed
//
// The owner, paced by media/sched every 20 ms, writes each party's decoded
// input frame (Party.In or Party.Put; a party whose input was not given
// this tick counts as silent), calls Mixer.Mix, and reads each party's
// output frame (Party.Out) to encode and send. Mix works in int32: it sums
// the inputs of all Talk parties once into a total, adds each whisper into
// its target's whisper sum, and then gives each party the total minus its
// own contribution plus the whispers aimed at it, clipped once to int16.
// The cost is O(parties + whisperers) per tick, and Mix allocates nothing
// once the parties have been added.
//
// # Level handling
//
// Each party has a gain (Party.SetGain, in dB, within ±24 dB) applied to
// its input before it is summed; 0 dB costs nothing. In a large conference
// the background noise of every line adds up: Options.MaxTalkers, when set
// to K > 0, mixes only the K loudest Talk parties of each tick. Loudness is
// each input's frame energy smoothed with a fast attack and a slow release
// (a party that has just spoken keeps its place for a few hundred ms), so
// the set of mixed talkers does not flap from one word to the next.
// Whispers are always mixed. The default (0) mixes every Talk party.
//
// # Concurrency
//
// A Mixer and its Parties are not safe for concurrent use: the owner (one
// goroutine per conference) serialises every call, including mode, target
// and gain changes, which take effect at the next Mix.
//
// Imports: the standard library only. Importers: the media engine.
package mix
