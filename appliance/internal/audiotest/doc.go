// Package audiotest writes test tones as WAV files and measures what a phone
// heard: the dominant frequency and the level of recorded audio.
//
// It is pure Go (no sox, no cgo) and is meant for tests only: end-to-end
// tests generate a tone, let a real phone send it through the PBX and check
// the far end's recording with [DominantFrequency].
//
// Imports: the standard library only. Importers: test helpers and tests
// under appliance (notably appliance/internal/phonetest); never production
// code.
package audiotest
