package audiotest

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestToneFrequency(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		freq float64
		rate int
	}{
		{1000, 8000}, {600, 8000}, {440, 8000}, {1234.5, 8000}, {3300, 8000}, {150, 8000}, {1000, 16000},
	} {
		path := filepath.Join(dir, "tone.wav")
		if err := WriteTone(path, tc.freq, 1, tc.rate); err != nil {
			t.Fatal(err)
		}
		s, rate, err := ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		if rate != tc.rate || len(s) != tc.rate {
			t.Fatalf("ReadWAV(%v Hz tone) = %d samples at %d Hz, want %d at %d", tc.freq, len(s), rate, tc.rate, tc.rate)
		}
		if got := DominantFrequency(s, rate); math.Abs(got-tc.freq) > 1 {
			t.Errorf("DominantFrequency(%v Hz tone at %d Hz) = %v", tc.freq, tc.rate, got)
		}
		if got, want := RMS(s), 0.5/math.Sqrt2; math.Abs(got-want) > 0.005 {
			t.Errorf("RMS(%v Hz tone) = %v, want %v", tc.freq, got, want)
		}
	}
}

func TestSilenceAtTheEnds(t *testing.T) {
	const rate = 8000
	s := make([]float64, 3*rate)
	for i := rate; i < 2*rate; i++ { // one second of 600 Hz in the middle
		s[i] = 0.3 * math.Sin(2*math.Pi*600*float64(i)/rate)
	}
	// Quiet noise around it, as a decoded G.711 stream has.
	seed := uint32(1)
	for i := range s {
		seed = seed*1664525 + 1013904223
		s[i] += 0.001 * (float64(seed>>16)/65536 - 0.5)
	}
	if got := DominantFrequency(s, rate); math.Abs(got-600) > 1 {
		t.Errorf("DominantFrequency(600 Hz between noise) = %v, want 600", got)
	}
}

func TestSilence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "silence.wav")
	if err := WriteTone(path, 0, 2, 8000); err != nil {
		t.Fatal(err)
	}
	s, rate, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := DominantFrequency(s, rate); got != 0 {
		t.Errorf("DominantFrequency(silence) = %v, want 0", got)
	}
	if got := RMS(s); got != 0 {
		t.Errorf("RMS(silence) = %v, want 0", got)
	}
	if got := DominantFrequency(nil, 8000); got != 0 {
		t.Errorf("DominantFrequency(nil) = %v, want 0", got)
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt.wav")
	in := []float64{0, 0.5, -0.5, 0.999, -1, 0.25, -0.125, 2 /* clipped */}
	if err := WriteWAV(path, in, 8000); err != nil {
		t.Fatal(err)
	}
	out, rate, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 || len(out) != len(in) {
		t.Fatalf("ReadWAV = %d samples at %d Hz, want %d at 8000", len(out), rate, len(in))
	}
	for i := range in {
		want := math.Max(-1, math.Min(in[i], 32767.0/32768))
		if math.Abs(out[i]-want) > 1.0/32768 {
			t.Errorf("sample %d = %v, want %v", i, out[i], want)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Size() != 44+2*int64(len(in)) {
		t.Errorf("file size = %d, want %d", fi.Size(), 44+2*len(in))
	}
}

// wavBytes builds a WAV file by hand: a 16-bit PCM fmt chunk with channels,
// the extra chunks, and a data chunk whose size field is dataSize.
func wavBytes(channels int, extra []byte, data []int16, dataSize uint32) []byte {
	le := binary.LittleEndian
	var b []byte
	b = append(b, "RIFF\x00\x00\x00\x00WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, 8000)
	b = le.AppendUint32(b, uint32(8000*2*channels))
	b = le.AppendUint16(b, uint16(2*channels))
	b = le.AppendUint16(b, 16)
	b = append(b, extra...)
	b = append(b, "data"...)
	b = le.AppendUint32(b, dataSize)
	for _, v := range data {
		b = le.AppendUint16(b, uint16(v))
	}
	return b
}

func TestParseTolerance(t *testing.T) {
	le := binary.LittleEndian
	// An odd-sized LIST chunk (padded) before the data, as some writers add.
	list := append([]byte("LIST"), le.AppendUint32(nil, 3)...)
	list = append(list, 'a', 'b', 'c', 0)
	for _, tc := range []struct {
		name string
		raw  []byte
		want []float64
	}{
		{"stereo is mixed", wavBytes(2, nil, []int16{16384, 0, -16384, -16384}, 8), []float64{0.25, -0.5}},
		{"padded extra chunk", wavBytes(1, list, []int16{16384}, 2), []float64{0.5}},
		{"size not yet written", wavBytes(1, nil, []int16{16384, -16384}, 0), []float64{0.5, -0.5}},
		{"size past the end", wavBytes(1, nil, []int16{16384, -16384}, 0xFFFFFFFF), []float64{0.5, -0.5}},
	} {
		got, rate, err := parseWAV(tc.raw)
		if err != nil || rate != 8000 || len(got) != len(tc.want) {
			t.Errorf("%s: parseWAV = %v, %d, %v; want %v, 8000", tc.name, got, rate, err, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: sample %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	bad := wavBytes(1, nil, []int16{1}, 2)
	le.PutUint16(bad[34:], 8) // 8 bits per sample
	if _, _, err := parseWAV(bad); !errors.Is(err, ErrFormat) {
		t.Errorf("parseWAV(8-bit) error = %v, want ErrFormat", err)
	}
	if _, _, err := parseWAV([]byte("not a wav")); !errors.Is(err, ErrFormat) {
		t.Errorf("parseWAV(garbage) error = %v, want ErrFormat", err)
	}
}

func TestWriteToneRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.wav")
	for _, tc := range []struct {
		f, s float64
		r    int
	}{{1000, 1, 0}, {4000, 1, 8000}, {-1, 1, 8000}, {1000, -1, 8000}} {
		if err := WriteTone(path, tc.f, tc.s, tc.r); err == nil {
			t.Errorf("WriteTone(%v Hz, %v s, %d Hz) = nil, want an error", tc.f, tc.s, tc.r)
		}
	}
}

func FuzzParseWAV(f *testing.F) {
	f.Add(wavBytes(1, nil, []int16{1, 2, 3}, 6))
	f.Add(wavBytes(2, nil, []int16{1, 2}, 0))
	f.Fuzz(func(t *testing.T, raw []byte) {
		parseWAV(raw) // must not panic
	})
}
