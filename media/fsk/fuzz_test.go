package fsk

import (
	"encoding/binary"
	"testing"
)

// FuzzParseMessage: ParseMessage never panics, and whatever it accepts
// has a good checksum and builds back into a message it accepts again.
func FuzzParseMessage(f *testing.F) {
	m1, _ := SDMF(callTime, "0123456789")
	m2, _ := MDMF(CallerID{Time: callTime, Number: "555", Name: "A B", NameAbsence: Private})
	f.Add(m1)
	f.Add(m2)
	f.Add([]byte{0x80, 0, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseMessage(b)
		if err != nil {
			return
		}
		if !Checksum(b) {
			t.Fatalf("accepted %x with a bad checksum", b)
		}
		if b[0] != TypeMDMF {
			return
		}
		// Absence reasons the builder refuses may arrive from a line.
		if c.NumberAbsence != 0 && c.NumberAbsence != Unavailable && c.NumberAbsence != Private ||
			c.NameAbsence != 0 && c.NameAbsence != Unavailable && c.NameAbsence != Private ||
			len(c.Number) > maxField || len(c.Name) > maxField {
			return
		}
		again, err := MDMF(c)
		if err != nil {
			t.Fatalf("MDMF(%+v) of a parsed message: %v", c, err)
		}
		c2, err := ParseMessage(again)
		if err != nil || c2 != c {
			t.Fatalf("rebuilt %x parses to %+v, %v; want %+v", again, c2, err, c)
		}
	})
}

// FuzzDemodulate feeds arbitrary audio (little-endian int16 samples) in
// chunks of arbitrary size: the demodulator must never panic, and what it
// delivers must be a whole message with a good checksum.
func FuzzDemodulate(f *testing.F) {
	msg, _ := MDMF(CallerID{Number: "1", Name: "x"})
	audio, _ := Modulate(nil, msg, Options{SeizureBits: -1, MarkBits: 20})
	raw := make([]byte, 2*len(audio))
	for i, v := range audio {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
	}
	f.Add(raw, uint8(160), false)
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, uint8(1), true)
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, v23 bool) {
		x := make([]int16, len(data)/2)
		for i := range x {
			x[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		mode := Bell202
		if v23 {
			mode = V23
		}
		d := NewDemodulator(mode, func(m []byte) {
			if len(m) < 3 || len(m) != MessageLen(m[1]) || !Checksum(m) {
				t.Fatalf("delivered malformed message %x", m)
			}
		})
		n := max(1, int(chunk))
		for i := 0; i < len(x); i += n {
			d.Write(x[i:min(i+n, len(x))])
		}
	})
}
