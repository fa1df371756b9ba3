package wav

import (
	"encoding/binary"
	"math"
)

// header describes a WAV file to build in tests.
type header struct {
	tag      uint16
	channels int
	rate     int
	bits     int
	ext      bool   // wrap in WAVE_FORMAT_EXTENSIBLE
	dataSize uint32 // declared; 0 means len(data) unless forceSize
	force    bool   // write dataSize even when 0
	before   []byte // chunks inserted between fmt and data
}

// build returns a WAV file holding data.
func build(h header, data []byte) []byte {
	le := binary.LittleEndian
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt ")
	block := h.channels * h.bits / 8
	fmtc := le.AppendUint16(nil, h.tag)
	if h.ext {
		fmtc = le.AppendUint16(nil, formatExtensible)
	}
	fmtc = le.AppendUint16(fmtc, uint16(h.channels))
	fmtc = le.AppendUint32(fmtc, uint32(h.rate))
	fmtc = le.AppendUint32(fmtc, uint32(h.rate*block))
	fmtc = le.AppendUint16(fmtc, uint16(block))
	fmtc = le.AppendUint16(fmtc, uint16(h.bits))
	if h.ext {
		fmtc = le.AppendUint16(fmtc, 22)
		fmtc = le.AppendUint16(fmtc, uint16(h.bits))
		fmtc = le.AppendUint32(fmtc, 0)
		fmtc = le.AppendUint16(fmtc, h.tag)
		fmtc = append(fmtc, extSuffix[:]...)
	}
	b = le.AppendUint32(b, uint32(len(fmtc)))
	b = append(b, fmtc...)
	b = append(b, h.before...)
	size := h.dataSize
	if size == 0 && !h.force {
		size = uint32(len(data))
	}
	b = append(b, "data"...)
	b = le.AppendUint32(b, size)
	b = append(b, data...)
	le.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// chunk returns a RIFF chunk with its pad byte.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// encodeSamples stores x in the given sample format.
func encodeSamples(x []int16, tag uint16, bits int) []byte {
	le := binary.LittleEndian
	var b []byte
	for _, v := range x {
		switch {
		case tag == formatFloat:
			b = le.AppendUint32(b, math.Float32bits(float32(v)/32768))
		case bits == 8:
			b = append(b, byte(v>>8)+128)
		case bits == 16:
			b = le.AppendUint16(b, uint16(v))
		case bits == 24:
			b = append(b, 0x5a, byte(v), byte(uint16(v)>>8))
		case bits == 32:
			b = le.AppendUint32(b, uint32(v)<<16|0x1234)
		}
	}
	return b
}
