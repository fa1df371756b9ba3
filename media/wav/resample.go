package wav

import (
	"math"
	"sync"
)

// OutRate is the rate of To8kMono's output, in Hz.
const OutRate = 8000

// The anti-alias filter of To8kMono: a Kaiser-windowed sinc with its
// cut-off (the -6 dB point) at cutoffHz, spanning zeroCross zero crossings
// of the output rate on each side. With β = 8.6 the stop band is about
// 85 dB down and begins near 3.9 kHz; the pass band is flat to about
// 3.1 kHz, the whole telephone band.
const (
	cutoffHz   = 3500
	zeroCross  = 32
	kaiserBeta = 8.6
	oversample = 256 // kernel table entries per output sample period
)

// kernel returns the filter's impulse response sampled oversample times
// per output sample period, from the centre outwards (it is symmetric),
// with one extra zero entry for interpolation at the edge.
var kernel = sync.OnceValue(func() []float64 {
	n := zeroCross * oversample
	k := make([]float64, n+2)
	fc := 2 * float64(cutoffHz) / OutRate // normalised to the output rate
	i0b := besselI0(kaiserBeta)
	for i := 0; i <= n; i++ {
		u := float64(i) / oversample
		s := fc
		if i > 0 {
			s = math.Sin(math.Pi*fc*u) / (math.Pi * u)
		}
		r := u / zeroCross
		k[i] = s * besselI0(kaiserBeta*math.Sqrt(max(0, 1-r*r))) / i0b
	}
	return k
})

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2 / float64(k)) * (x / 2 / float64(k))
		sum += term
		if term < sum*1e-16 {
			break
		}
	}
	return sum
}

// To8kMono returns a's audio as 8 kHz mono: stereo is averaged to mono,
// and other rates are resampled through a windowed-sinc low-pass that
// removes everything above the 4 kHz band before decimating, so that no
// high frequency folds back into the telephone band. 8 kHz mono audio is
// returned as a copy.
func (a *Audio) To8kMono() []int16 {
	ch := max(a.Channels, 1)
	frames := len(a.Samples) / ch
	mono := make([]float64, frames)
	for i := range mono {
		var s float64
		for c := range ch {
			s += float64(a.Samples[i*ch+c])
		}
		mono[i] = s / float64(ch)
	}
	if a.Rate == OutRate || a.Rate <= 0 || frames == 0 {
		out := make([]int16, frames)
		for i, v := range mono {
			out[i] = clip16(v)
		}
		return out
	}
	return resample(mono, a.Rate)
}

// resample converts x from rate (> OutRate) to OutRate. The position of
// output sample n is n·rate/OutRate input samples, kept as an exact
// fraction.
func resample(x []float64, rate int) []int16 {
	k := kernel()
	ratio := float64(rate) / OutRate
	half := int(math.Ceil(zeroCross * ratio))
	step := oversample / ratio // kernel entries per input sample
	n := int(int64(len(x)) * OutRate / int64(rate))
	out := make([]int16, n)
	for j := range out {
		num := int64(j) * int64(rate)
		c := int(num / OutRate)                // input sample at or before the position
		frac := float64(num%OutRate) / OutRate // position - c, in input samples
		var acc float64
		for i := max(c-half, 0); i <= min(c+half, len(x)-1); i++ {
			d := math.Abs(float64(i-c)-frac) * step // distance in kernel entries
			ix := int(d)
			if ix >= len(k)-1 {
				continue
			}
			f := d - float64(ix)
			acc += x[i] * (k[ix] + (k[ix+1]-k[ix])*f)
		}
		out[j] = clip16(acc / ratio)
	}
	return out
}

// clip16 rounds v to the nearest int16, saturating.
func clip16(v float64) int16 {
	switch {
	case v != v:
		return 0
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}
