// Package alsa plays and records telephony audio on Linux sound cards
// through the kernel's ALSA PCM interface (/dev/snd/pcmC*D*[cp]), with
// ioctls from golang.org/x/sys/unix and no cgo or alsa-lib.
//
// A Stream is one direction of a PCM device set up for 16-bit little-endian
// interleaved samples in 20 ms periods: 8 kHz mono when the card takes it,
// otherwise the first of Opts.Rates (multiples of 8 kHz: 16, 48, 32,
// 24 kHz) with one or two channels. Transfers are paced by the card: a read
// returns once the card has captured the samples, a write blocks while its
// buffer is full. An overrun or underrun (EPIPE) is recovered by preparing
// the stream again and counted in Xruns. Files are opened non-blocking and
// waited on with poll together with an eventfd, so that Close unblocks a
// transfer in progress at once.
//
// PCM is what port drivers consume: 20 ms hw.Frames of 8 kHz mono both
// ways. Device implements it over a capture and a playback Stream,
// resampling with a windowed-sinc filter when the card runs faster than
// 8 kHz and using the first channel (capture) or every channel (playback)
// of a stereo card. Fake implements it for tests, one period per Tick.
//
// The kernel structs are mirrored in abi.go for every word size (32-bit
// arm, 64-bit arm64 and amd64); abi_test.go checks sizes, offsets and ioctl
// numbers per GOARCH.
//
// Imports: deskline/hw and golang.org/x/sys/unix only. Importers: port
// drivers (hw/usbphone, hw/chip/ag1171) and appliance.
package alsa
