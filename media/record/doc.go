// Package record writes call recordings: the two directions of a call to
// one stereo WAV file (left = caller, right = callee) or mixed to mono,
// as 8 kHz 16-bit PCM or G.711.
//
// A recording is written to "<name>.wav.part" and becomes "<name>.wav" only
// when it is closed (fsync, rename, fsync of the directory), so a finished
// name always holds a complete file. While recording, the header is patched
// and the file synced every Options.FlushEvery of audio: after a power cut
// Recover turns the leftover .part files into playable recordings, losing
// at most the audio since the last flush. Recording refuses to start when
// the disk is nearly full and stops cleanly, keeping what was flushed,
// when a write hits ENOSPC.
//
// The owner of a Recorder (the call's media path) dejitters and aligns the
// two directions and calls Write once per 20 ms frame from one goroutine.
// Write allocates nothing.
//
// Imports: the standard library, golang.org/x/sys/unix, media/wav.
// Importers: the media engine and appliance.
package record
