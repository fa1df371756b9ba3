package wav

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"deskline/media/internal/sigtest"
	"github.com/zaf/g711"
)

// ramp is a test signal covering the whole 16-bit range.
func ramp(n int) []int16 {
	x := make([]int16, n)
	for i := range x {
		x[i] = int16(-32768 + i*65535/(n-1))
	}
	return x
}

func TestDecodeFormats(t *testing.T) {
	x := ramp(1000)
	ul := make([]byte, len(x))
	al := make([]byte, len(x))
	for i, v := range x {
		ul[i] = g711.EncodeUlawFrame(v)
		al[i] = g711.EncodeAlawFrame(v)
	}
	for _, c := range []struct {
		name string
		h    header
		data []byte
		tol  int // largest allowed |decoded - x|
	}{
		{"pcm8", header{tag: 1, channels: 1, rate: 8000, bits: 8}, encodeSamples(x, 1, 8), 256},
		{"pcm16", header{tag: 1, channels: 1, rate: 8000, bits: 16}, encodeSamples(x, 1, 16), 0},
		{"pcm24", header{tag: 1, channels: 1, rate: 44100, bits: 24}, encodeSamples(x, 1, 24), 0},
		{"pcm32", header{tag: 1, channels: 2, rate: 48000, bits: 32}, encodeSamples(x, 1, 32), 0},
		{"float32", header{tag: 3, channels: 1, rate: 16000, bits: 32}, encodeSamples(x, 3, 32), 1},
		{"ulaw", header{tag: 7, channels: 1, rate: 8000, bits: 8}, ul, 1100},
		{"alaw", header{tag: 6, channels: 1, rate: 8000, bits: 8}, al, 1100},
		{"ext-pcm16", header{tag: 1, channels: 2, rate: 8000, bits: 16, ext: true}, encodeSamples(x, 1, 16), 0},
		{"ext-ulaw", header{tag: 7, channels: 1, rate: 8000, bits: 8, ext: true}, ul, 1100},
		{"ext-float", header{tag: 3, channels: 1, rate: 32000, bits: 32, ext: true}, encodeSamples(x, 3, 32), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Decode(build(c.h, c.data))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if a.Rate != c.h.rate || a.Channels != c.h.channels {
				t.Errorf("Decode = %d Hz %d ch, want %d Hz %d ch", a.Rate, a.Channels, c.h.rate, c.h.channels)
			}
			if len(a.Samples) != len(x) {
				t.Fatalf("Decode gave %d samples, want %d", len(a.Samples), len(x))
			}
			for i, v := range a.Samples {
				if d := abs(int(v) - int(x[i])); d > c.tol {
					t.Fatalf("sample %d = %d, want %d ±%d", i, v, x[i], c.tol)
				}
			}
		})
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestDecodeChunks(t *testing.T) {
	x := []int16{1, -2, 300, -400, 5000, -6000}
	pcm := encodeSamples(x, 1, 16)
	h := header{tag: 1, channels: 1, rate: 8000, bits: 16}
	for _, c := range []struct {
		name string
		file []byte
		want int // samples
	}{
		{"odd LIST and fact before data", build(header{tag: 1, channels: 1, rate: 8000, bits: 16,
			before: append(chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00")), chunk("fact", []byte{6, 0, 0, 0})...)}, pcm), 6},
		{"chunk after data", append(build(h, pcm), chunk("LIST", []byte("xyz"))...), 6},
		{"junk after data", append(build(h, pcm), "junk\xff\xff\x00\x00ab"...), 6},
		{"data size 0 (streaming writer)", build(header{tag: 1, channels: 1, rate: 8000, bits: 16, force: true}, pcm), 6},
		{"data size 0xffffffff", build(header{tag: 1, channels: 1, rate: 8000, bits: 16, dataSize: 0xffffffff}, pcm), 6},
		{"data size past the end (cut file)", build(header{tag: 1, channels: 1, rate: 8000, bits: 16, dataSize: 1 << 30}, pcm[:11]), 5},
		{"second data chunk ignored", append(build(h, pcm[:6]), chunk("data", []byte{9, 9})...), 3},
		{"declared data shorter than bytes", build(header{tag: 1, channels: 1, rate: 8000, bits: 16, dataSize: 4}, pcm), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Decode(c.file)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !slicesEqual(a.Samples, x[:c.want]) {
				t.Errorf("Decode = %v, want %v", a.Samples, x[:c.want])
			}
		})
	}
}

func slicesEqual(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecodeRefuses(t *testing.T) {
	pcm := make([]byte, 1600)
	ok := header{tag: 1, channels: 1, rate: 8000, bits: 16}
	noFmt := []byte("RIFF\x00\x00\x00\x00WAVE")
	noFmt = append(noFmt, chunk("data", pcm)...)
	noData := build(ok, nil)[:36]
	for _, c := range []struct {
		name string
		file []byte
		opt  DecodeOptions
		want error
		msg  string
	}{
		{"empty", nil, DecodeOptions{}, ErrNotWAV, "no RIFF"},
		{"mp3 file", []byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb"), DecodeOptions{}, ErrNotWAV, "upload"},
		{"mp3 in wav", build(header{tag: 0x55, channels: 1, rate: 8000, bits: 0}, pcm), DecodeOptions{}, ErrUnsupported, "format 85 (MP3): upload 8-bit G.711 or 16-bit PCM WAV"},
		{"gsm in wav", build(header{tag: 0x31, channels: 1, rate: 8000, bits: 0}, pcm), DecodeOptions{}, ErrUnsupported, "GSM"},
		{"RIFX", append([]byte("RIFX"), build(ok, pcm)[4:]...), DecodeOptions{}, ErrUnsupported, "RIFX"},
		{"12-bit pcm", build(header{tag: 1, channels: 1, rate: 8000, bits: 12}, pcm), DecodeOptions{}, ErrUnsupported, "12-bit"},
		{"float64", build(header{tag: 3, channels: 1, rate: 8000, bits: 64}, pcm), DecodeOptions{}, ErrUnsupported, "64-bit float"},
		{"16-bit ulaw", build(header{tag: 7, channels: 1, rate: 8000, bits: 16}, pcm), DecodeOptions{}, ErrUnsupported, "G.711"},
		{"5.1 channels", build(header{tag: 1, channels: 6, rate: 8000, bits: 16}, pcm), DecodeOptions{}, ErrUnsupported, "6 channels"},
		{"zero channels", build(header{tag: 1, channels: 0, rate: 8000, bits: 16}, pcm), DecodeOptions{}, ErrUnsupported, "0 channels"},
		{"96 kHz", build(header{tag: 1, channels: 1, rate: 96000, bits: 16}, pcm), DecodeOptions{}, ErrUnsupported, "96000 Hz"},
		{"6 kHz", build(header{tag: 1, channels: 1, rate: 6000, bits: 16}, pcm), DecodeOptions{}, ErrUnsupported, "6000 Hz"},
		{"no fmt", noFmt, DecodeOptions{}, ErrMalformed, "no fmt"},
		{"no data", noData, DecodeOptions{}, ErrMalformed, "no data"},
		{"short fmt", append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunk("fmt ", []byte{1, 0, 1, 0})...), DecodeOptions{}, ErrMalformed, "fmt chunk of 4 bytes"},
		{"fmt past end", append([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), 1, 0), DecodeOptions{}, ErrMalformed, "past the end"},
		{"too long", build(ok, pcm), DecodeOptions{MaxSeconds: 0.05}, ErrTooLong, "0.1 s exceeds"},
		{"too big", build(ok, pcm), DecodeOptions{MaxBytes: 1000}, ErrTooLong, "bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := c.opt.Decode(c.file)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("Decode = %v, %v; want %v containing %q", a, err, c.want, c.msg)
			}
		})
	}
}

func TestDecodeLimitAllowsExact(t *testing.T) {
	a, err := DecodeOptions{MaxSeconds: 0.1}.Decode(build(header{tag: 1, channels: 1, rate: 8000, bits: 16}, make([]byte, 1600)))
	if err != nil || len(a.Samples) != 800 || a.Duration() != 0.1 {
		t.Fatalf("Decode of exactly MaxSeconds = %v, %v", a, err)
	}
}

func TestDecodeRaw(t *testing.T) {
	x := ramp(300)
	ul, al := make([]byte, len(x)), make([]byte, len(x))
	for i, v := range x {
		ul[i], al[i] = g711.EncodeUlawFrame(v), g711.EncodeAlawFrame(v)
	}
	for _, c := range []struct {
		law Law
		b   []byte
		tol int
	}{{ULaw, ul, 1100}, {ALaw, al, 1100}, {Linear16, append(encodeSamples(x, 1, 16), 7), 0}} {
		got := DecodeRaw(c.b, c.law)
		if len(got) != len(x) {
			t.Fatalf("DecodeRaw(%v) gave %d samples, want %d", c.law, len(got), len(x))
		}
		for i := range got {
			if abs(int(got[i])-int(x[i])) > c.tol {
				t.Fatalf("DecodeRaw(%v)[%d] = %d, want %d", c.law, i, got[i], x[i])
			}
		}
	}
	if got := DecodeRaw(ul, Encoding(9)); got != nil {
		t.Errorf("DecodeRaw(unknown) = %d samples, want nil", len(got))
	}
}

// TestDecodeSox decodes files written by sox, the tool admins and our
// prompt script use, in the formats people upload.
func TestDecodeSox(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sox is required in CI: .ci/install-test-deps installs it")
		}
		t.Skip("sox not installed")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"ulaw8k.wav", []string{"-r", "8000", "-e", "u-law", "-b", "8"}},
		{"alaw8k.wav", []string{"-r", "8000", "-e", "a-law", "-b", "8"}},
		{"pcm44k1-24.wav", []string{"-r", "44100", "-e", "signed", "-b", "24", "-c", "2"}},
		{"float48k.wav", []string{"-r", "48000", "-e", "float", "-b", "32"}},
		{"pcm16k-u8.wav", []string{"-r", "16000", "-e", "unsigned", "-b", "8"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			args := append([]string{"-n"}, c.args...)
			args = append(args, p, "synth", "0.5", "sine", "1000", "vol", "0.5")
			if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
				t.Fatalf("sox: %v\n%s", err, out)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d := a.Duration(); d < 0.49 || d > 0.51 {
				t.Errorf("duration %.3f s, want 0.5", d)
			}
			x := a.To8kMono()
			if f := sigtest.Peak(x, 8000, 500, 1000, 2000, 3000); f != 1000 {
				t.Errorf("loudest frequency %v Hz, want 1000", f)
			}
			if r := sigtest.RMS(x[400:]); r < 0.5*16384/1.5 || r > 0.5*32768/1.3 {
				t.Errorf("RMS %.0f, want about %.0f (half scale sine)", r, 0.5*32768/1.414)
			}
		})
	}
}

func TestDecodeSampleCountBounded(t *testing.T) {
	// A header claiming 4 GB of 48 kHz stereo float must not allocate for it.
	b := build(header{tag: 3, channels: 2, rate: 48000, bits: 32, dataSize: 0xfffffff0}, make([]byte, 80))
	a, err := Decode(b)
	if err != nil || len(a.Samples) != 20 {
		t.Fatalf("Decode = %v, %v; want 20 samples", a, err)
	}
	if !bytes.Equal(b[:4], []byte("RIFF")) {
		t.Fatal("build broke")
	}
}
