package dtmf

import (
	"errors"
	"math"
	"testing"
	"time"

	cpt "deskline/media/tone"
)

// goertzelAmp returns the amplitude of frequency f in x (a whole number of
// cycles is not needed for the tolerance used here).
func goertzelAmp(x []int16, f float64) float64 {
	w := 2 * math.Pi * f / SampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	re, im := s1-s2*math.Cos(w), s2*math.Sin(w)
	return 2 * math.Hypot(re, im) / float64(len(x))
}

func TestGeneratorLevelsAndTiming(t *testing.T) {
	g := NewGenerator(nil)
	if err := g.Play("5", 100*time.Millisecond, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	x := make([]int16, 1400)
	g.Read(x)
	if !g.Done() {
		t.Error("Done() = false after the digit and its pause")
	}
	for i, v := range x[800:] {
		if v != 0 {
			t.Fatalf("sample %d = %d after the 100 ms tone, want silence", 800+i, v)
		}
	}
	lo, hi, _ := Freqs('5')
	for _, c := range []struct{ f, dB float64 }{{lo, -9}, {hi, -7}} {
		got := 20 * math.Log10(goertzelAmp(x[:800], c.f)/ZeroDBm0)
		if math.Abs(got-c.dB) > 0.3 {
			t.Errorf("%v Hz at %.2f dBm0, want %v", c.f, got, c.dB)
		}
	}
	if err := g.Play("1", 0, 0); !errors.Is(err, ErrDuration) {
		t.Errorf("Play with on=0: %v, want ErrDuration", err)
	}
	if err := g.Play("1x", time.Second, 0); !errors.Is(err, ErrDigit) {
		t.Errorf("Play(\"1x\"): %v, want ErrDigit", err)
	}
}

// TestCallProgressTonesAreNotDigits: no country's call-progress tone (some
// contain 350+440 or 480+620 Hz pairs) is taken for a digit.
func TestCallProgressTonesAreNotDigits(t *testing.T) {
	x := make([]int16, 6*SampleRate)
	for _, c := range cpt.Countries() {
		for _, k := range cpt.Kinds() {
			tn, _ := cpt.Lookup(c, k)
			g, err := cpt.NewGenerator(tn)
			if err != nil {
				t.Fatal(err)
			}
			g.Read(x)
			if evs := detect(nil, x); len(evs) > 0 {
				t.Errorf("%s %v: detected %+v", c, k, evs[0])
			}
		}
	}
}
