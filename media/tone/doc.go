// Package tone generates the call-progress tones of a country — dial,
// ringback, busy, congestion and call waiting — as 8 kHz audio frames for
// the media engine.
//
// Tones are data: a Tone is a list of Segments, each one or two frequencies
// (optionally amplitude-modulated) played for On and silent for Off, the
// list repeating for ever. The built-in tables (see Lookup and Countries)
// follow the national entries of ITU-T E.180 and the operators' published
// interface specifications; table_test.go validates them.
//
// A Generator renders one Tone. It is a stage of the media pipeline: the
// stream scheduler calls one of its Read methods once per frame (typically
// every 20 ms, 160 samples) from a single goroutine. The output is phase
// continuous across frames and cadence boundaries, and Read allocates
// nothing.
//
// Imports: the standard library and github.com/zaf/g711 only.
// Importers: the media engine and appliance.
package tone
