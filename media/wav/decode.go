package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/zaf/g711"
)

// Errors returned (wrapped with detail) by Decode.
var (
	// ErrNotWAV: the bytes do not start with a RIFF/WAVE header.
	ErrNotWAV = errors.New("wav: not a WAV file")
	// ErrUnsupported: a well-formed WAV file whose encoding, sample size,
	// channel count or rate the media engine does not play.
	ErrUnsupported = errors.New("wav: unsupported")
	// ErrMalformed: a WAV file whose structure is broken (no fmt chunk, a
	// short fmt chunk, no data chunk, inconsistent fields).
	ErrMalformed = errors.New("wav: malformed file")
	// ErrTooLong: the audio is longer than DecodeOptions.MaxSeconds.
	ErrTooLong = errors.New("wav: audio too long")
)

// The WAVE format tags this package knows.
const (
	formatPCM        = 1
	formatFloat      = 3
	formatALaw       = 6
	formatULaw       = 7
	formatExtensible = 0xfffe
)

// formatNames names common format tags we refuse, for readable errors.
var formatNames = map[uint16]string{
	0x0002: "Microsoft ADPCM",
	0x0011: "IMA ADPCM",
	0x0031: "GSM 6.10",
	0x0040: "G.721 ADPCM",
	0x0050: "MPEG",
	0x0055: "MP3",
	0x0064: "G.726 ADPCM",
	0x0065: "G.722 ADPCM",
	0x0161: "WMA",
	0x00ff: "AAC",
	0x1610: "AAC",
	0xf1ac: "FLAC",
}

// extSuffix is the tail shared by the KSDATAFORMAT_SUBTYPE GUIDs of the
// basic format tags: the first two bytes of SubFormat hold the tag.
var extSuffix = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}

// Rate and channel limits of Decode.
const (
	MinRate     = 8000
	MaxRate     = 48000
	MaxChannels = 2
)

// DefaultMaxSeconds is the duration limit when DecodeOptions.MaxSeconds is 0.
const DefaultMaxSeconds = 3600

// hint ends every refusal: what a user can upload instead.
const hint = "upload 8-bit G.711 or 16-bit PCM WAV"

// Audio is decoded audio: 16-bit linear samples, interleaved when
// Channels is 2.
type Audio struct {
	Rate     int // samples per second per channel
	Channels int // 1 or 2
	Samples  []int16
}

// Duration returns the length of a in seconds.
func (a *Audio) Duration() float64 {
	if a.Rate <= 0 || a.Channels <= 0 {
		return 0
	}
	return float64(len(a.Samples)/a.Channels) / float64(a.Rate)
}

// DecodeOptions limits what Decode accepts. The zero value is valid.
type DecodeOptions struct {
	// MaxSeconds refuses audio longer than this many seconds with
	// ErrTooLong; 0 means DefaultMaxSeconds.
	MaxSeconds float64
	// MaxBytes refuses inputs larger than this many bytes with ErrTooLong;
	// 0 means no limit beyond MaxSeconds.
	MaxBytes int
}

// Decode decodes a WAV file with the default options.
func Decode(b []byte) (*Audio, error) { return DecodeOptions{}.Decode(b) }

// fmtInfo is the content of a fmt chunk that matters to decoding.
type fmtInfo struct {
	tag      uint16
	channels int
	rate     int
	bits     int // container bits per sample
}

// Decode decodes a RIFF/WAVE file: PCM of 8, 16, 24 or 32 bits, 32-bit
// float, A-law or µ-law, plain or WAVE_FORMAT_EXTENSIBLE, 1 or 2 channels
// at 8000–48000 Hz. Unknown chunks are skipped. A data chunk whose size is
// 0, 0xFFFFFFFF or larger than the file (a recording cut short or written
// by a streaming writer) yields the samples actually present. Decode never
// allocates more than the input's size justifies.
func (o DecodeOptions) Decode(b []byte) (*Audio, error) {
	if o.MaxBytes > 0 && len(b) > o.MaxBytes {
		return nil, fmt.Errorf("%w: file of %d bytes exceeds the limit of %d bytes", ErrTooLong, len(b), o.MaxBytes)
	}
	if len(b) < 12 || string(b[8:12]) != "WAVE" || (string(b[:4]) != "RIFF" && string(b[:4]) != "RIFX" && string(b[:4]) != "RF64") {
		return nil, fmt.Errorf("%w: no RIFF/WAVE header; %s", ErrNotWAV, hint)
	}
	if string(b[:4]) != "RIFF" {
		return nil, fmt.Errorf("%w %s container: %s", ErrUnsupported, b[:4], hint)
	}
	var (
		fi       fmtInfo
		haveFmt  bool
		data     []byte
		haveData bool
	)
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int64(binary.LittleEndian.Uint32(b[p+4:]))
		body := p + 8
		rest := int64(len(b) - body)
		if id == "data" && !haveData { // a second data chunk is ignored
			haveData = true
			if size == 0 || size == 0xffffffff || size > rest {
				data = b[body:] // cut short or streamed: take what is there
				break
			}
			data = b[body : body+int(size)]
		} else if size > rest {
			if haveData && haveFmt {
				break // trailing junk after the audio
			}
			return nil, fmt.Errorf("%w: chunk %q of %d bytes runs past the end of the file", ErrMalformed, id, size)
		} else if id == "fmt " {
			if haveFmt {
				return nil, fmt.Errorf("%w: two fmt chunks", ErrMalformed)
			}
			var err error
			if fi, err = parseFmt(b[body : body+int(size)]); err != nil {
				return nil, err
			}
			haveFmt = true
		}
		p = body + int(size) + int(size&1) // chunks are padded to even size
	}
	if !haveFmt {
		return nil, fmt.Errorf("%w: no fmt chunk", ErrMalformed)
	}
	if !haveData {
		return nil, fmt.Errorf("%w: no data chunk", ErrMalformed)
	}
	block := fi.channels * fi.bits / 8
	frames := len(data) / block
	maxSec := o.MaxSeconds
	if maxSec <= 0 {
		maxSec = DefaultMaxSeconds
	}
	if float64(frames) > maxSec*float64(fi.rate) {
		return nil, fmt.Errorf("%w: %.1f s exceeds the limit of %.1f s", ErrTooLong, float64(frames)/float64(fi.rate), maxSec)
	}
	a := &Audio{Rate: fi.rate, Channels: fi.channels, Samples: make([]int16, frames*fi.channels)}
	convert(a.Samples, data, fi)
	return a, nil
}

// parseFmt validates a fmt chunk's body.
func parseFmt(c []byte) (fmtInfo, error) {
	if len(c) < 16 {
		return fmtInfo{}, fmt.Errorf("%w: fmt chunk of %d bytes, want at least 16", ErrMalformed, len(c))
	}
	le := binary.LittleEndian
	fi := fmtInfo{
		tag:      le.Uint16(c[0:]),
		channels: int(le.Uint16(c[2:])),
		rate:     int(le.Uint32(c[4:])),
		bits:     int(le.Uint16(c[14:])),
	}
	if fi.tag == formatExtensible {
		if len(c) < 40 || le.Uint16(c[16:]) < 22 {
			return fi, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes, want 40", ErrMalformed, len(c))
		}
		if [14]byte(c[26:40]) != extSuffix {
			return fi, fmt.Errorf("%w extensible sub-format %x: %s", ErrUnsupported, c[24:40], hint)
		}
		fi.tag = le.Uint16(c[24:])
		if fi.tag == formatExtensible {
			return fi, fmt.Errorf("%w: extensible sub-format %x", ErrMalformed, c[24:40])
		}
	}
	switch fi.tag {
	case formatPCM:
		if fi.bits != 8 && fi.bits != 16 && fi.bits != 24 && fi.bits != 32 {
			return fi, fmt.Errorf("%w %d-bit PCM: %s", ErrUnsupported, fi.bits, hint)
		}
	case formatFloat:
		if fi.bits != 32 {
			return fi, fmt.Errorf("%w %d-bit float: %s", ErrUnsupported, fi.bits, hint)
		}
	case formatALaw, formatULaw:
		if fi.bits != 8 {
			return fi, fmt.Errorf("%w %d-bit G.711: %s", ErrUnsupported, fi.bits, hint)
		}
	default:
		name := formatNames[fi.tag]
		if name == "" {
			name = "unknown"
		}
		return fi, fmt.Errorf("%w format %d (%s): %s", ErrUnsupported, fi.tag, name, hint)
	}
	if fi.channels < 1 || fi.channels > MaxChannels {
		return fi, fmt.Errorf("%w %d channels: upload mono or stereo", ErrUnsupported, fi.channels)
	}
	if fi.rate < MinRate || fi.rate > MaxRate {
		return fi, fmt.Errorf("%w sample rate %d Hz: upload %d to %d Hz", ErrUnsupported, fi.rate, MinRate, MaxRate)
	}
	return fi, nil
}

// convert decodes len(dst) samples from src, which holds at least that many.
func convert(dst []int16, src []byte, fi fmtInfo) {
	le := binary.LittleEndian
	switch {
	case fi.tag == formatULaw:
		for i := range dst {
			dst[i] = g711.DecodeUlawFrame(src[i])
		}
	case fi.tag == formatALaw:
		for i := range dst {
			dst[i] = g711.DecodeAlawFrame(src[i])
		}
	case fi.tag == formatFloat:
		for i := range dst {
			dst[i] = floatSample(math.Float32frombits(le.Uint32(src[4*i:])))
		}
	case fi.bits == 8: // unsigned, offset 128
		for i := range dst {
			dst[i] = int16(src[i]-128) << 8
		}
	case fi.bits == 16:
		for i := range dst {
			dst[i] = int16(le.Uint16(src[2*i:]))
		}
	case fi.bits == 24: // keep the 16 most significant bits
		for i := range dst {
			dst[i] = int16(le.Uint16(src[3*i+1:]))
		}
	case fi.bits == 32:
		for i := range dst {
			dst[i] = int16(le.Uint16(src[4*i+2:]))
		}
	}
}

// floatSample converts a nominal -1..1 float sample, clipping.
func floatSample(f float32) int16 { return clip16(float64(f) * 32768) }

// Encoding is how samples are stored in a file.
type Encoding uint8

// The encodings Writer and DecodeRaw support. The zero value is Linear16.
const (
	Linear16 Encoding = iota // 16-bit signed little-endian linear PCM
	ULaw                     // G.711 µ-law, 8 bits per sample
	ALaw                     // G.711 A-law, 8 bits per sample
)

// String names e.
func (e Encoding) String() string {
	switch e {
	case Linear16:
		return "PCM16"
	case ULaw:
		return "µ-law"
	case ALaw:
		return "A-law"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Law is the encoding of a headerless file; see DecodeRaw.
type Law = Encoding

// DecodeRaw decodes a headerless 8 kHz mono file: µ-law (.ul), A-law (.al)
// or 16-bit little-endian linear (.sln; an odd last byte is dropped). An
// unknown law yields nil.
func DecodeRaw(b []byte, law Law) []int16 {
	var fi fmtInfo
	n := len(b)
	switch law {
	case ULaw:
		fi.tag = formatULaw
	case ALaw:
		fi.tag = formatALaw
	case Linear16:
		fi.tag, fi.bits = formatPCM, 16
		n /= 2
	default:
		return nil
	}
	dst := make([]int16, n)
	convert(dst, b, fi)
	return dst
}
