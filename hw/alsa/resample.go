package alsa

import "math"

// resampler converts between 8 kHz and k times 8 kHz with one windowed-sinc
// low-pass filter (cut-off 3.5 kHz, 16k+1 taps, so the transition band is
// about 1.6 kHz wide at every k): decimating, it filters before dropping
// samples so that content above 4 kHz does not alias; interpolating, it
// filters the zero-stuffed signal so that no images of the band appear
// above 4 kHz. Buffers are sized for one frame at construction; the
// per-frame calls allocate nothing.
type resampler struct {
	k    int
	h    []float32 // filter taps
	down []float32 // decimator: history (len(h)-1) then the new block
	up   []float32 // interpolator: history (hist) then the new block
	hist int
}

func newResampler(k, frame int) *resampler {
	n := 16*k + 1
	h := make([]float32, n)
	fc := 3500.0 / float64(8000*k) // cut-off as a fraction of the high rate
	mid := float64(n-1) / 2
	var sum float64
	hf := make([]float64, n)
	for i := range hf {
		x := float64(i) - mid
		v := 2 * fc
		if x != 0 {
			v = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		v *= 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(n-1)) // Hamming
		hf[i] = v
		sum += v
	}
	for i := range h {
		h[i] = float32(hf[i] / sum) // unity gain at 0 Hz
	}
	hist := (n + k - 1) / k
	return &resampler{
		k:    k,
		h:    h,
		down: make([]float32, n-1+frame*k),
		up:   make([]float32, hist+frame),
		hist: hist,
	}
}

func clamp16(v float32) int16 {
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(float64(v)))
}

// decimate filters in (k*len(out) samples at the high rate, taken every
// stride-th sample starting at in[0]) down to out at 8 kHz.
func (r *resampler) decimate(in []int16, stride int, out []int16) {
	n := len(r.h)
	buf := r.down
	m := len(out) * r.k
	for i := range m {
		buf[n-1+i] = float32(in[i*stride])
	}
	for i := range out {
		newest := n - 1 + i*r.k + r.k - 1
		var acc float32
		for j, c := range r.h {
			acc += c * buf[newest-j]
		}
		out[i] = clamp16(acc)
	}
	copy(buf, buf[m:m+n-1])
}

// interpolate raises in (8 kHz) to k*len(in) samples at the high rate,
// written to every stride-th element of out (the same value to the stride
// consecutive channels).
func (r *resampler) interpolate(in []int16, out []int16, stride int) {
	buf := r.up
	for i, v := range in {
		buf[r.hist+i] = float32(v)
	}
	n, k := len(r.h), r.k
	gain := float32(k)
	for m := range len(in) * k {
		i, p := m/k, m%k
		var acc float32
		for j := p; j < n; j += k {
			acc += r.h[j] * buf[r.hist+i-(j-p)/k]
		}
		v := clamp16(acc * gain)
		for c := range stride {
			out[m*stride+c] = v
		}
	}
	copy(buf, buf[len(in):len(in)+r.hist])
}
