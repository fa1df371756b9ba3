package wav

import (
	"math"
	"strconv"
	"testing"

	"deskline/media/internal/sigtest"
)

func TestTo8kMonoKeepsTone(t *testing.T) {
	for _, rate := range []int{8000, 11025, 16000, 22050, 32000, 44100, 48000} {
		in := sigtest.Sine(rate/2, 1000, float64(rate), 10000)
		out := (&Audio{Rate: rate, Channels: 1, Samples: in}).To8kMono()
		if want := len(in) * OutRate / rate; len(out) != want {
			t.Errorf("%d Hz: %d output samples, want %d", rate, len(out), want)
			continue
		}
		mid := out[500:3500] // away from the edges, where the filter sees zeros
		if f := sigtest.Peak(mid, OutRate, 700, 900, 1000, 1100, 1300); f != 1000 {
			t.Errorf("%d Hz: loudest frequency %v Hz, want 1000", rate, f)
		}
		want := 10000 / math.Sqrt2
		if r := sigtest.RMS(mid); math.Abs(20*math.Log10(r/want)) > 0.2 {
			t.Errorf("%d Hz: 1 kHz level %.0f RMS, want %.0f ±0.2 dB", rate, r, want)
		}
	}
}

func TestTo8kMonoAntiAlias(t *testing.T) {
	for _, c := range []struct {
		rate int
		f    float64
	}{{48000, 6000}, {48000, 4500}, {44100, 5000}, {44100, 12000}, {16000, 6000}, {16000, 4400}, {32000, 7000}} {
		in := sigtest.Sine(c.rate/2, c.f, float64(c.rate), 20000)
		out := (&Audio{Rate: c.rate, Channels: 1, Samples: in}).To8kMono()
		att := 20 * math.Log10(sigtest.RMS(out[500:3500])/sigtest.RMS(in))
		if att > -40 {
			t.Errorf("%v Hz at %d Hz: attenuated %.1f dB, want at least 40", c.f, c.rate, -att)
		}
	}
}

func TestTo8kMonoDownmix(t *testing.T) {
	// Left 1 kHz, right 600 Hz: both appear at half level.
	l := sigtest.Sine(24000, 1000, 48000, 16000)
	r := sigtest.Sine(24000, 600, 48000, 16000)
	st := make([]int16, 0, 2*len(l))
	for i := range l {
		st = append(st, l[i], r[i])
	}
	out := (&Audio{Rate: 48000, Channels: 2, Samples: st}).To8kMono()
	mid := out[500:3500]
	for _, f := range []float64{600, 1000} {
		a := math.Sqrt(2 * sigtest.Power(mid, f, OutRate))
		if math.Abs(a-8000) > 200 {
			t.Errorf("%v Hz amplitude %.0f, want 8000", f, a)
		}
	}
	// Opposite-phase channels cancel.
	inv := []int16{1000, -1000, -5, 5}
	if out := (&Audio{Rate: 8000, Channels: 2, Samples: inv}).To8kMono(); out[0] != 0 || out[1] != 0 {
		t.Errorf("downmix of opposite samples = %v, want zeros", out)
	}
}

func TestTo8kMonoEdgeCases(t *testing.T) {
	for _, a := range []*Audio{{}, {Rate: 48000, Channels: 2}, {Rate: 44100, Channels: 1, Samples: []int16{32767}}, {Rate: 48000, Channels: 2, Samples: []int16{1}}} {
		_ = a.To8kMono() // must not panic
	}
	full := make([]int16, 4800)
	for i := range full {
		full[i] = 32767
		if i%12 < 6 {
			full[i] = -32768
		}
	}
	out := (&Audio{Rate: 48000, Channels: 1, Samples: full}).To8kMono()
	if len(out) != 800 {
		t.Fatalf("%d samples, want 800", len(out))
	}
}

func BenchmarkTo8kMono(b *testing.B) {
	for _, rate := range []int{16000, 44100, 48000} {
		a := &Audio{Rate: rate, Channels: 1, Samples: sigtest.Sine(rate, 440, float64(rate), 10000)}
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.To8kMono()
			}
		})
	}
}
