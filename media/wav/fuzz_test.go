package wav

import (
	"errors"
	"io"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, must
// fail only with its documented errors, and must never produce more
// samples than the input has bytes.
func FuzzDecode(f *testing.F) {
	x := ramp(64)
	f.Add(build(header{tag: 7, channels: 1, rate: 8000, bits: 8}, encodeSamples(x, 1, 8)))
	f.Add(build(header{tag: 1, channels: 1, rate: 8000, bits: 16}, encodeSamples(x, 1, 16)))
	f.Add(build(header{tag: 1, channels: 2, rate: 48000, bits: 24, ext: true}, encodeSamples(x, 1, 24)))
	f.Add(build(header{tag: 3, channels: 1, rate: 44100, bits: 32, dataSize: 0xffffffff}, encodeSamples(x, 3, 32)))
	f.Fuzz(func(t *testing.T, b []byte) {
		// RepairHeader must not panic either, whatever it is given.
		m := memFile(append([]byte(nil), b...))
		_ = RepairHeader(m, int64(len(m)))
		a, err := DecodeOptions{MaxSeconds: 10}.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrNotWAV) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		if a.Channels < 1 || a.Channels > MaxChannels || a.Rate < MinRate || a.Rate > MaxRate {
			t.Fatalf("accepted %d Hz %d channels", a.Rate, a.Channels)
		}
		if len(a.Samples)%a.Channels != 0 || len(a.Samples) > len(b) {
			t.Fatalf("%d samples of %d channels from %d bytes", len(a.Samples), a.Channels, len(b))
		}
		if len(a.Samples) < 1<<14 {
			out := a.To8kMono()
			if want := len(a.Samples) / a.Channels * OutRate / a.Rate; len(out) != want {
				t.Fatalf("To8kMono gave %d samples, want %d", len(out), want)
			}
		}
	})
}

// memFile is an in-memory file for RepairHeader.
type memFile []byte

func (m memFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m memFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > int64(len(m)) {
		return 0, io.ErrShortWrite
	}
	return copy(m[off:], p), nil
}
