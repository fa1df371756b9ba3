package audiotest

import "math"

// Frequency range scanned by DominantFrequency: the telephone band.
const (
	minScanHz = 100
	maxScanHz = 3500
)

// silenceRMS is the level (full scale = 1) below which a stretch counts as
// silence: about -80 dBFS, under the quantisation noise of G.711.
const silenceRMS = 1e-4

// RMS returns the root mean square of samples (full scale = 1), or 0 for no
// samples.
func RMS(samples []float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range samples {
		sum += s * s
	}
	return math.Sqrt(sum / float64(len(samples)))
}

// DominantFrequency returns the frequency in Hz, between 100 and 3500 Hz (or
// just under half the rate, when lower), with the most energy in the loudest
// half-second of samples, to about 0.1 Hz. It returns 0 when that stretch is
// silent. Silence or noise at the ends of a recording (call setup, hangup)
// does not disturb it as long as the tone lasts half a second; shorter input
// is analysed whole.
//
// The cost is about 4000 multiply-adds per scanned hertz: a few tens of
// milliseconds per call.
func DominantFrequency(samples []float64, rate int) float64 {
	if rate <= 0 || len(samples) == 0 {
		return 0
	}
	seg := loudest(samples, rate/2)
	if RMS(seg) < silenceRMS {
		return 0
	}
	hi := math.Min(maxScanHz, float64(rate)/2-1)
	if hi < minScanHz {
		return 0
	}
	win := hann(seg)
	// Coarse scan in 1 Hz steps: the Hann main lobe of a 0.5 s window is
	// 8 Hz wide, so a step of 1 Hz cannot miss a peak.
	best, bestP := 0.0, -1.0
	for f := float64(minScanHz); f <= hi; f++ {
		if p := goertzel(win, f, rate); p > bestP {
			best, bestP = f, p
		}
	}
	// Fine scan around the coarse peak.
	center := best
	for f := center - 1; f <= center+1; f += 0.05 {
		if p := goertzel(win, f, rate); p > bestP {
			best, bestP = f, p
		}
	}
	return math.Round(best*10) / 10
}

// loudest returns the window of n samples (all of them if fewer) with the
// most energy, searched in steps of a quarter window.
func loudest(samples []float64, n int) []float64 {
	if n <= 0 || len(samples) <= n {
		return samples
	}
	step := max(n/4, 1)
	bestAt, bestE := 0, -1.0
	for at := 0; at+n <= len(samples); at += step {
		var e float64
		for _, s := range samples[at : at+n] {
			e += s * s
		}
		if e > bestE {
			bestAt, bestE = at, e
		}
	}
	return samples[bestAt : bestAt+n]
}

func hann(x []float64) []float64 {
	out := make([]float64, len(x))
	if len(x) == 1 {
		copy(out, x)
		return out
	}
	for i, s := range x {
		out[i] = s * 0.5 * (1 - math.Cos(2*math.Pi*float64(i)/float64(len(x)-1)))
	}
	return out
}

// goertzel returns the power of x at freq Hz (any real frequency, not only
// DFT bins).
func goertzel(x []float64, freq float64, rate int) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}
