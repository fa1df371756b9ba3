package audiotest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// ErrFormat is returned (wrapped) by [ReadWAV] when a file is not a WAV file
// holding 16-bit linear PCM.
var ErrFormat = errors.New("audiotest: unsupported WAV format")

// WriteTone writes a 16-bit mono PCM WAV file holding a sine of freqHz at
// half of full scale, lasting seconds, sampled at sampleRate (Hz). A freqHz
// of 0 writes silence. The tone starts at phase 0; the file is replaced if it
// exists.
func WriteTone(path string, freqHz, seconds float64, sampleRate int) error {
	switch {
	case sampleRate <= 0:
		return fmt.Errorf("audiotest: sample rate %d Hz is not positive", sampleRate)
	case seconds < 0 || math.IsNaN(seconds) || math.IsInf(seconds, 0):
		return fmt.Errorf("audiotest: duration %v s is invalid", seconds)
	case freqHz < 0 || freqHz >= float64(sampleRate)/2 || math.IsNaN(freqHz):
		return fmt.Errorf("audiotest: %v Hz is outside 0 to half of %d Hz", freqHz, sampleRate)
	}
	n := int(math.Round(seconds * float64(sampleRate)))
	samples := make([]float64, n)
	if freqHz > 0 {
		w := 2 * math.Pi * freqHz / float64(sampleRate)
		for i := range samples {
			samples[i] = 0.5 * math.Sin(w*float64(i))
		}
	}
	return WriteWAV(path, samples, sampleRate)
}

// WriteWAV writes samples (nominally in [-1, 1]; values outside are clipped)
// as a 16-bit mono PCM WAV file at sampleRate Hz, replacing any existing file.
func WriteWAV(path string, samples []float64, sampleRate int) error {
	if sampleRate <= 0 {
		return fmt.Errorf("audiotest: sample rate %d Hz is not positive", sampleRate)
	}
	dataLen := 2 * len(samples)
	if uint64(dataLen)+36 > math.MaxUint32 {
		return fmt.Errorf("audiotest: %d samples do not fit in a WAV file", len(samples))
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("audiotest: %w", err)
	}
	w := bufio.NewWriter(f)
	le := binary.LittleEndian
	hdr := make([]byte, 44)
	copy(hdr[0:], "RIFF")
	le.PutUint32(hdr[4:], uint32(36+dataLen))
	copy(hdr[8:], "WAVEfmt ")
	le.PutUint32(hdr[16:], 16)                   // fmt chunk size
	le.PutUint16(hdr[20:], 1)                    // PCM
	le.PutUint16(hdr[22:], 1)                    // mono
	le.PutUint32(hdr[24:], uint32(sampleRate))   // samples per second
	le.PutUint32(hdr[28:], uint32(2*sampleRate)) // bytes per second
	le.PutUint16(hdr[32:], 2)                    // block align
	le.PutUint16(hdr[34:], 16)                   // bits per sample
	copy(hdr[36:], "data")
	le.PutUint32(hdr[40:], uint32(dataLen))
	w.Write(hdr)
	var b [2]byte
	for _, s := range samples {
		v := math.Round(s * 32768)
		v = math.Max(-32768, math.Min(32767, v))
		le.PutUint16(b[:], uint16(int16(v)))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("audiotest: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audiotest: %w", err)
	}
	return nil
}

// ReadWAV reads a 16-bit linear PCM WAV file and returns its samples scaled
// to [-1, 1) and its sample rate in Hz. Files with several channels are
// mixed down to one (the mean of the channels).
//
// It skips chunks it does not know (LIST, PEAK, fact, …) and tolerates a data
// chunk whose size field is 0 or larger than the file, as found in files
// still being written (libsndfile fixes the sizes only when it closes the
// file): the data then runs to the end of the file. WAVE_FORMAT_EXTENSIBLE
// is accepted when its sub-format is PCM.
func ReadWAV(path string) (samples []float64, rate int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("audiotest: %w", err)
	}
	samples, rate, err = parseWAV(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("%w (%s)", err, path)
	}
	return samples, rate, nil
}

func parseWAV(raw []byte) ([]float64, int, error) {
	le := binary.LittleEndian
	if len(raw) < 12 || string(raw[0:4]) != "RIFF" || string(raw[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%w: no RIFF/WAVE header", ErrFormat)
	}
	var (
		haveFmt  bool
		channels int
		rate     int
		bits     int
	)
	pos := 12
	for pos+8 <= len(raw) {
		id := string(raw[pos : pos+4])
		size := int64(le.Uint32(raw[pos+4:]))
		body := pos + 8
		switch id {
		case "fmt ":
			if size < 16 || int64(body)+16 > int64(len(raw)) {
				return nil, 0, fmt.Errorf("%w: short fmt chunk", ErrFormat)
			}
			tag := le.Uint16(raw[body:])
			channels = int(le.Uint16(raw[body+2:]))
			rate = int(le.Uint32(raw[body+4:]))
			bits = int(le.Uint16(raw[body+14:]))
			if tag == 0xFFFE && size >= 40 && int64(body)+40 <= int64(len(raw)) {
				tag = le.Uint16(raw[body+24:]) // first two bytes of the sub-format GUID
			}
			if tag != 1 || bits != 16 || channels < 1 || rate <= 0 {
				return nil, 0, fmt.Errorf("%w: format tag %d, %d bits, %d channels, %d Hz (want 16-bit PCM)",
					ErrFormat, tag, bits, channels, rate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, fmt.Errorf("%w: data chunk before fmt chunk", ErrFormat)
			}
			end := int64(body) + size
			if size == 0 || end > int64(len(raw)) {
				end = int64(len(raw)) // size not written yet: read to the end
			}
			return decodePCM16(raw[body:end], channels), rate, nil
		}
		next := int64(body) + size + size&1 // chunks are padded to even sizes
		if next > int64(len(raw)) {
			break
		}
		pos = int(next)
	}
	return nil, 0, fmt.Errorf("%w: no data chunk", ErrFormat)
}

func decodePCM16(data []byte, channels int) []float64 {
	frame := 2 * channels
	n := len(data) / frame
	out := make([]float64, n)
	for i := range out {
		var sum float64
		for c := 0; c < channels; c++ {
			sum += float64(int16(binary.LittleEndian.Uint16(data[i*frame+2*c:])))
		}
		out[i] = sum / float64(channels) / 32768
	}
	return out
}
