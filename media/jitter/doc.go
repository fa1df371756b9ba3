// Package jitter is an adaptive jitter buffer for 8 kHz 16-bit linear
// audio, with packet loss concealment. It sits where the media engine
// terminates a call's audio (IVR, conference mixer, recorder), never on
// the RTP-to-RTP relay path.
//
// # Use
//
// The owner decodes each RTP packet of a stream and calls Buffer.Put with
// its sequence number, timestamp, SSRC, marker bit, arrival time and
// samples (10 to 60 ms). At each 20 ms tick of media/sched it calls
// Buffer.Get for the next 160 samples to play. Both come from the owner's
// one goroutine per stream; a Buffer is not safe for concurrent use. The
// Buffer reads no clock and starts no goroutine: time comes in with Put
// (arrival) and with the Get calls themselves (one per 20 ms). Neither
// allocates.
//
// # Timeline
//
// Packets are placed on an internal sample timeline: the RTP timestamp
// plus an offset, unwrapped to 64 bits, so sequence and timestamp
// wraparound are invisible. The play cursor moves 160 samples per Get. A
// new SSRC, a sequence jump of more than 3000, a timestamp jump signalled
// by the marker bit (the packet's transit time, arrival minus timestamp,
// moves by more than Max), or a packet far outside the buffer (more than a
// second ahead or behind) starts a new segment: the offset is chosen so
// that the new audio follows what is still buffered, or starts after the
// target delay when nothing is, so there is neither a long gap nor a burst.
// So does a run of 25 late packets while nothing is left to play: the
// cursor has run ahead of the sender (after an overflow) and would
// otherwise drop every packet.
//
// # Delay
//
// For each packet the buffer records its transit (arrival minus timestamp,
// in samples) and its arrival on the Get clock (arrival minus 160 × the
// number of Gets), over the last 64 packets. From these:
//
//   - the delay the network needs is the spread of transit, from the
//     smallest to the second largest in the window (about the 97th
//     percentile), plus 10 ms for the 20 ms granularity of Get;
//   - the current playout delay is how far the play cursor lags the
//     fastest packet: the smallest arrival on the Get clock minus the
//     smallest transit, corrected for the cursor's own moves.
//
// The target delay starts at Options.Target. It rises at once to the
// needed delay whenever a packet needs more (so it grows quickly when
// packets come late), and otherwise falls back by 2 samples per Get,
// 12.5 ms per second, never below the need, and always within
// [Options.Min, Options.Max]. The RFC 3550 interarrival jitter is computed
// too, for Stats.
//
// The playout delay follows the target with a 10 ms dead band:
//
//   - to grow, when the frame due is missing and the delay is below
//     target, the buffer plays a concealment frame without moving the
//     cursor (waiting for the late packet);
//   - to shrink, when the delay is above target, it drops the frame due if
//     it is near silence (mean level below about -50 dBov), or otherwise
//     time-compresses it: 160 + r samples are played as 160, r between 2.5
//     and 10 ms chosen where the signal best matches itself (one or more
//     pitch periods) and cross-faded over 5 ms;
//   - above Options.Max it drops a whole frame per Get (counted as
//     overflow), and when more than the buffer's capacity (512 ms) arrives
//     the oldest audio is dropped (also counted as overflow).
//
// # Loss and concealment
//
// Missing samples (a whole frame, or the part of one a lost packet leaves
// out) are concealed by repeating the last pitch period played (the lag,
// between 2.5 and 20 ms, at which the last 10 ms best match earlier
// audio), fading linearly to silence over 60 ms. Wherever received audio
// follows concealment it is cross-faded in over 5 ms, and audio after
// silence fades in over 5 ms, so there are no clicks. After the fade, with nothing buffered (the sender is in
// DTX or the network is down) Get returns Empty frames of silence, and the
// cursor keeps moving so a resumed stream plays with the same delay.
// Duplicates (the same sequence number again) and late packets (all
// samples behind the cursor) are dropped and counted. Loss is counted as
// in RFC 3550: packets expected from the sequence numbers minus packets
// received.
//
// Imports: the standard library only. Importers: the media engine.
package jitter
