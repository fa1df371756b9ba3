// Package sigtest measures audio in tests of the media packages: the level
// of one frequency, the RMS level, and sine generation at any rate.
//
// Imports: the standard library only. Importers: tests under media/.
package sigtest

import "math"

// Power returns the mean power of x at frequency f (Hz, at sample rate
// rate) through a Hann window, normalised so that a sine of amplitude A
// at exactly f reads A²/2, like its mean square.
func Power(x []int16, f, rate float64) float64 {
	n := len(x)
	if n < 2 {
		return 0
	}
	w := 2 * math.Pi * f / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for i, v := range x {
		h := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		s1, s2 = h*float64(v)+c*s1-s2, s1
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	a := 2 * math.Hypot(re, im) / (0.5 * float64(n)) // Hann coherent gain 0.5
	return a * a / 2
}

// RMS returns the root mean square of x.
func RMS(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

// DB returns 10·log10(p/ref), the ratio of two powers in decibels.
func DB(p, ref float64) float64 { return 10 * math.Log10(p/ref) }

// Sine returns n samples of a sine of frequency f (Hz) and amplitude amp at
// sample rate rate.
func Sine(n int, f, rate, amp float64) []int16 {
	x := make([]int16, n)
	for i := range x {
		x[i] = int16(math.Round(amp * math.Sin(2*math.Pi*f*float64(i)/rate)))
	}
	return x
}

// Peak returns the frequency among candidates with the most power in x.
func Peak(x []int16, rate float64, candidates ...float64) float64 {
	best, bp := 0.0, -1.0
	for _, f := range candidates {
		if p := Power(x, f, rate); p > bp {
			best, bp = f, p
		}
	}
	return best
}
