package alsa

import (
	"errors"
	"math"
	"testing"
	"time"

	"deskline/hw"
)

func TestNegotiation(t *testing.T) {
	for _, c := range []struct {
		name     string
		rates    []int
		channels []int
		periods  []int
		opts     *Opts
		want     Config
	}{
		{"8 kHz mono", []int{8000, 48000}, []int{1, 2}, nil, nil, Config{8000, 1, 160, 640}},
		{"48 kHz stereo only", []int{44100, 48000}, []int{2}, nil, nil, Config{48000, 2, 960, 3840}},
		{"16 kHz mono", []int{16000, 48000}, []int{1}, nil, nil, Config{16000, 1, 320, 1280}},
		{"only 2 periods", []int{8000}, []int{1}, []int{2}, nil, Config{8000, 1, 160, 320}},
		{"smallest buffer it takes", []int{8000}, []int{1}, []int{16, 6}, nil, Config{8000, 1, 160, 960}},
		{"only 12 periods", []int{8000}, []int{1}, []int{12}, nil, Config{8000, 1, 160, 1920}},
		{"preferred rate order", []int{8000, 48000}, []int{1}, nil, &Opts{Rates: []int{48000, 8000}, Periods: 3}, Config{48000, 1, 960, 2880}},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := newKernel(c.rates, c.channels)
			k.periods = c.periods
			s, err := newStream("model", Capture, k, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Config(); got != c.want {
				t.Errorf("Config() = %+v, want %+v", got, c.want)
			}
			if k.sw.AvailMin != uint(c.want.PeriodFrames) || k.sw.StopThreshold != uint(c.want.BufferFrames) {
				t.Errorf("sw params avail_min %d stop %d, want %d and %d", k.sw.AvailMin, k.sw.StopThreshold, c.want.PeriodFrames, c.want.BufferFrames)
			}
			if k.prepared != 1 {
				t.Errorf("prepared %d times, want once", k.prepared)
			}
		})
	}
}

func TestNegotiationFails(t *testing.T) {
	k := newKernel([]int{44100}, []int{2})
	if _, err := newStream("model", Capture, k, nil); !errors.Is(err, ErrNoConfig) {
		t.Errorf("a 44.1 kHz-only device: err = %v, want ErrNoConfig", err)
	}
	for _, o := range []*Opts{{Rates: []int{44100}}, {Rates: []int{-8000}}, {Periods: 1}, {Periods: 100}} {
		if _, err := newStream("model", Capture, newKernel([]int{8000}, []int{1}), o); !errors.Is(err, ErrInvalid) {
			t.Errorf("Opts %+v: err = %v, want ErrInvalid", o, err)
		}
	}
}

func TestXrunRecovery(t *testing.T) {
	k := newKernel([]int{8000}, []int{1})
	k.toneHz = 1000
	s, err := newStream("model", Capture, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f hw.Frame
	k.xrun = 2 // two overruns in a row: prepare twice, then read on
	if err := s.Read(f[:]); err != nil {
		t.Fatalf("Read across xruns = %v", err)
	}
	if got := s.Xruns(); got != 2 {
		t.Errorf("Xruns() = %d, want 2", got)
	}
	if got := k.prepared; got != 3 {
		t.Errorf("prepared %d times, want 3 (setup and two recoveries)", got)
	}
	if f == (hw.Frame{}) {
		t.Error("frame read after recovery is silent")
	}
}

func TestCloseUnblocks(t *testing.T) {
	k := newKernel([]int{8000}, []int{1})
	s, err := newStream("model", Playback, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	k.block = true
	k.again = 1 << 30 // the buffer stays full
	done := make(chan error, 1)
	go func() {
		var f hw.Frame
		done <- s.Write(f[:])
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Write across Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write still blocked after Close")
	}
	if k.count(ioctlDrop) != 1 || !k.closed {
		t.Errorf("Close: %d DROPs, closed %v; want 1 DROP and the file closed", k.count(ioctlDrop), k.closed)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	var f hw.Frame
	if err := s.Write(f[:]); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := s.Read(f[:]); !errors.Is(err, ErrInvalid) {
		t.Errorf("Read on a playback stream = %v, want ErrInvalid", err)
	}
}

// power is the Goertzel power of x at f Hz (sample rate rate), normalised
// so that a full-scale sine gives about 0.25 whatever the length.
func power(x []int16, f, rate float64) float64 {
	w := 2 * math.Pi * f / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	n := float64(len(x))
	return p / (n * n)
}

func newDeviceOn(t *testing.T, rate, channels int, tone float64) (*Device, *kernel, *kernel) {
	t.Helper()
	kc, kp := newKernel([]int{rate}, []int{channels}), newKernel([]int{rate}, []int{channels})
	kc.toneHz = tone
	c, err := newStream("model", Capture, kc, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newStream("model", Playback, kp, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDevice(c, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, kc, kp
}

// A device that only takes 48 kHz (or 16 kHz) stereo still delivers 8 kHz
// mono frames in which a 1 kHz tone is a 1 kHz tone, and plays our frames
// as the same tone at its own rate on both channels.
func TestDeviceResamples(t *testing.T) {
	for _, c := range []struct{ rate, channels int }{{8000, 1}, {8000, 2}, {16000, 1}, {48000, 2}} {
		d, _, kp := newDeviceOn(t, c.rate, c.channels, 1000)
		var in []int16
		var f hw.Frame
		for range 10 {
			if err := d.ReadFrame(&f); err != nil {
				t.Fatal(err)
			}
			in = append(in, f[:]...)
		}
		in = in[160:] // past the filter's start-up
		if p1, p2 := power(in, 1000, 8000), power(in, 2000, 8000); p1 < 0.01 || p2 > p1/1000 {
			t.Errorf("%d Hz×%d capture: power at 1 kHz %.4f, at 2 kHz %.6f", c.rate, c.channels, p1, p2)
		}
		// Play 10 frames of a 1 kHz tone.
		for i := range 10 {
			for j := range f {
				f[j] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i*160+j)/8000))
			}
			if err := d.WriteFrame(&f); err != nil {
				t.Fatal(err)
			}
		}
		var left []int16
		for i := 0; i < len(kp.played); i += c.channels {
			left = append(left, kp.played[i])
			if c.channels == 2 && kp.played[i+1] != kp.played[i] {
				t.Fatalf("%d Hz×2 playback: channels differ at %d", c.rate, i)
			}
		}
		if len(left) != 10*c.rate/50 {
			t.Fatalf("%d Hz playback: %d frames played, want %d", c.rate, len(left), 10*c.rate/50)
		}
		left = left[c.rate/50:]
		r := float64(c.rate)
		if p1, pi := power(left, 1000, r), power(left, 7000, r); p1 < 0.01 || (c.rate > 8000 && pi > p1/1000) {
			t.Errorf("%d Hz playback: power at 1 kHz %.4f, at the 7 kHz image %.6f", c.rate, p1, pi)
		}
	}
}

func TestDecimatorRejectsAliases(t *testing.T) {
	// A 5 kHz tone at 48 kHz would alias to 3 kHz at 8 kHz without the
	// filter.
	r := newResampler(6, hw.FrameSamples)
	in := make([]int16, 6*hw.FrameSamples)
	var out []int16
	var f hw.Frame
	for n := range 10 {
		for i := range in {
			in[i] = int16(16000 * math.Sin(2*math.Pi*5000*float64(n*len(in)+i)/48000))
		}
		r.decimate(in, 1, f[:])
		out = append(out, f[:]...)
	}
	if p := power(out[160:], 3000, 8000); p > 1e-5 {
		t.Errorf("5 kHz at 48 kHz leaves power %.6f at 3 kHz after decimation", p)
	}
}

func TestDeviceAllocs(t *testing.T) {
	d, _, _ := newDeviceOn(t, 48000, 2, 1000)
	var f hw.Frame
	if n := testing.AllocsPerRun(50, func() {
		d.ReadFrame(&f)
		d.WriteFrame(&f)
	}); n != 0 {
		t.Errorf("ReadFrame+WriteFrame allocate %v times per frame", n)
	}
}

func BenchmarkDevice48kStereo(b *testing.B) {
	kc, kp := newKernel([]int{48000}, []int{2}), newKernel([]int{48000}, []int{2})
	kc.toneHz = 1000
	c, _ := newStream("model", Capture, kc, nil)
	p, _ := newStream("model", Playback, kp, nil)
	d, err := NewDevice(c, p)
	if err != nil {
		b.Fatal(err)
	}
	var f hw.Frame
	b.ReportAllocs()
	for b.Loop() {
		d.ReadFrame(&f)
		d.WriteFrame(&f)
		kp.played = kp.played[:0]
	}
}

// BenchmarkResample48k is the filtering cost per 20 ms frame both ways for
// a 48 kHz card.
func BenchmarkResample48k(b *testing.B) {
	r := newResampler(6, hw.FrameSamples)
	hi := make([]int16, 6*hw.FrameSamples)
	var f hw.Frame
	b.ReportAllocs()
	for b.Loop() {
		r.decimate(hi, 1, f[:])
		r.interpolate(f[:], hi, 1)
	}
}
