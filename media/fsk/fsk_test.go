package fsk

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

var callTime = time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)

// parsedTime is callTime as a message carries it: no year.
var parsedTime = time.Date(0, 11, 23, 14, 5, 0, 0, time.UTC)

func TestMessageRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		sdmf bool
		in   CallerID
		want CallerID
	}{
		{"SDMF number", true, CallerID{Time: callTime, Number: "0123456789"}, CallerID{Time: parsedTime, Number: "0123456789"}},
		{"SDMF private", true, CallerID{Time: callTime, Number: "P"}, CallerID{Time: parsedTime, NumberAbsence: Private}},
		{"SDMF unavailable", true, CallerID{Time: callTime, Number: "O"}, CallerID{Time: parsedTime, NumberAbsence: Unavailable}},
		{"MDMF full", false, CallerID{Time: callTime, Number: "+33 1 23 45 67 89", Name: "Jean-Luc O'Neil Jr"}, CallerID{Time: parsedTime, Number: "+33 1 23 45 67 89", Name: "Jean-Luc O'Neil Jr"}},
		{"MDMF absences", false, CallerID{Time: callTime, NumberAbsence: Private, NameAbsence: Unavailable}, CallerID{Time: parsedTime, NumberAbsence: Private, NameAbsence: Unavailable}},
		{"MDMF number, name withheld", false, CallerID{Number: "5551234", NameAbsence: Private}, CallerID{Number: "5551234", NameAbsence: Private}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := build(t, tt.sdmf, tt.in)
			got, err := ParseMessage(msg)
			if err != nil {
				t.Fatalf("ParseMessage(%x): %v", msg, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMessage = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func build(t testing.TB, sdmf bool, c CallerID) []byte {
	t.Helper()
	var msg []byte
	var err error
	if sdmf {
		n := c.Number
		if c.NumberAbsence != 0 {
			n = string(c.NumberAbsence)
		}
		msg, err = SDMF(c.Time, n)
	} else {
		msg, err = MDMF(c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestMessageWireFormat(t *testing.T) {
	// GR-30's SDMF example layout: type, length, MMDDHHMM, number, checksum.
	msg, err := SDMF(time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), "5551234")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x04, 15}, "01020304"+"5551234"...)
	var sum byte
	for _, c := range want {
		sum += c
	}
	want = append(want, -sum)
	if !bytes.Equal(msg, want) {
		t.Errorf("SDMF = %x, want %x", msg, want)
	}
	msg, _ = MDMF(CallerID{Number: "12", Name: "A B"})
	want = []byte{0x80, 9, 0x02, 2, '1', '2', 0x07, 3, 'A', ' ', 'B'}
	sum = 0
	for _, c := range want {
		sum += c
	}
	if want = append(want, -sum); !bytes.Equal(msg, want) {
		t.Errorf("MDMF = %x, want %x", msg, want)
	}
}

func TestParseMessageErrors(t *testing.T) {
	good, _ := MDMF(CallerID{Time: callTime, Number: "123", Name: "X"})
	corrupt := bytes.Clone(good)
	corrupt[5] ^= 0x10
	badSum := bytes.Clone(good)
	badSum[len(badSum)-1]++
	withSum := func(b []byte) []byte {
		var s byte
		for _, c := range b {
			s += c
		}
		return append(b, -s)
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrLength},
		{"data bit flipped", corrupt, ErrChecksum},
		{"checksum wrong", badSum, ErrChecksum},
		{"truncated", good[:len(good)-2], ErrLength},
		{"trailing octet", append(bytes.Clone(good), 0), ErrLength},
		{"param past end", withSum([]byte{0x80, 3, 0x02, 9, '1'}), ErrLength},
		{"unknown type", withSum([]byte{0x42, 1, 0}), ErrType},
		{"bad date", withSum([]byte{0x04, 8, '1', '3', '0', '1', '0', '0', '0', '0'}), ErrField},
		{"short SDMF", withSum([]byte{0x04, 3, '1', '2', '3'}), ErrLength},
		{"long absence", withSum([]byte{0x80, 4, 0x04, 2, 'O', 'P'}), ErrLength},
	}
	for _, tt := range tests {
		if _, err := ParseMessage(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: ParseMessage(%x) = %v, want %v", tt.name, tt.b, err, tt.want)
		}
	}
	// Unknown parameters are skipped.
	b := withSum([]byte{0x80, 9, 0x0b, 1, 'x', 0x02, 2, '4', '2', 0x99, 0})
	if c, err := ParseMessage(b); err != nil || c.Number != "42" {
		t.Errorf("MDMF with unknown params: %+v, %v; want number 42", c, err)
	}
	// Builders refuse what cannot travel.
	if _, err := MDMF(CallerID{Name: "tab\there"}); !errors.Is(err, ErrField) {
		t.Errorf("MDMF with a tab in the name: %v, want ErrField", err)
	}
	if _, err := MDMF(CallerID{NameAbsence: 'X'}); !errors.Is(err, ErrField) {
		t.Errorf("MDMF with absence reason X: %v, want ErrField", err)
	}
	if _, err := SDMF(time.Time{}, "1"); !errors.Is(err, ErrField) {
		t.Errorf("SDMF without time: %v, want ErrField", err)
	}
}

// signal describes a test transmission and what the line does to it.
type signal struct {
	opts      Options
	freqScale float64 // frequency offset, 1 = none
	gainDB    float64 // line gain relative to the transmitted level
	snrDB     float64 // white noise, 0 = none
	prefix    []int16 // audio before the FSK (ringing, silence)
}

func (s signal) render(t testing.TB, msg []byte, seed uint64) []int16 {
	t.Helper()
	m := &Modulator{freqScale: s.freqScale}
	if err := m.Reset(msg, s.opts); err != nil {
		t.Fatal(err)
	}
	fsk := make([]int16, m.Samples())
	m.Read(fsk)
	out := append(append([]int16(nil), s.prefix...), make([]int16, 200)...)
	out = append(out, fsk...)
	out = append(out, make([]int16, 800)...)
	g := math.Pow(10, s.gainDB/20)
	var sigPow float64
	for _, v := range fsk {
		sigPow += float64(v) * float64(v) * g * g
	}
	sigPow /= float64(len(fsk))
	sigma := 0.0
	if s.snrDB != 0 {
		sigma = math.Sqrt(sigPow / math.Pow(10, s.snrDB/10))
	}
	r := rand.New(rand.NewPCG(seed, 7))
	start := len(s.prefix) + 200
	for i := range out {
		v := float64(out[i])
		if i >= start {
			v *= g
		}
		v += r.NormFloat64() * sigma
		out[i] = int16(max(min(math.Round(v), math.MaxInt16), math.MinInt16))
	}
	return out
}

// demodulate feeds audio in 20 ms frames and returns the messages found.
func demodulate(mode Mode, audio []int16) ([][]byte, DemodStats) {
	var got [][]byte
	d := NewDemodulator(mode, func(m []byte) { got = append(got, bytes.Clone(m)) })
	for i := 0; i < len(audio); i += 160 {
		d.Write(audio[i:min(i+160, len(audio))])
	}
	return got, d.Stats()
}

func TestModemRoundTrip(t *testing.T) {
	ids := []struct {
		name string
		sdmf bool
		c    CallerID
	}{
		{"SDMF", true, CallerID{Time: callTime, Number: "4155551234"}},
		{"SDMF private", true, CallerID{Time: callTime, NumberAbsence: Private}},
		{"MDMF", false, CallerID{Time: callTime, Number: "0612345678", Name: "DUPONT MARIE"}},
		{"MDMF absent", false, CallerID{Time: callTime, NumberAbsence: Unavailable, NameAbsence: Private}},
	}
	for _, mode := range []Mode{Bell202, V23} {
		for _, id := range ids {
			t.Run(mode.String()+"/"+id.name, func(t *testing.T) {
				msg := build(t, id.sdmf, id.c)
				audio := signal{opts: Options{Mode: mode}, freqScale: 1}.render(t, msg, 1)
				got, st := demodulate(mode, audio)
				if len(got) != 1 || !bytes.Equal(got[0], msg) {
					t.Fatalf("decoded %x (stats %+v), want %x", got, st, msg)
				}
				c, err := ParseMessage(got[0])
				if err != nil {
					t.Fatal(err)
				}
				if c.Number != id.c.Number || c.Name != id.c.Name || c.NumberAbsence != id.c.NumberAbsence || c.NameAbsence != id.c.NameAbsence {
					t.Errorf("caller ID = %+v, want %+v", c, id.c)
				}
			})
		}
	}
}

// ring is a clipped 25 Hz ringing burst at full scale, as an FXO port may
// pass it before the caller ID.
func ring(d time.Duration) []int16 {
	n := int(d.Seconds() * SampleRate)
	out := make([]int16, n)
	for i := range out {
		v := 1.4 * math.Sin(2*math.Pi*25*float64(i)/SampleRate)
		out[i] = int16(max(min(v, 1), -1) * 32000)
	}
	return out
}

func TestModemImpairments(t *testing.T) {
	msg := build(t, false, CallerID{Time: callTime, Number: "0123456789", Name: "Smith John"})
	ringThenSilence := append(ring(2*time.Second), make([]int16, 4000)...)
	tests := []struct {
		name string
		s    signal
	}{
		{"20 dB SNR", signal{snrDB: 20}},
		{"+10 dB, 20 dB SNR", signal{gainDB: 10, snrDB: 20}},
		{"-10 dB, 20 dB SNR", signal{gainDB: -10, snrDB: 20}},
		{"+2% frequency", signal{freqScale: 1.02, snrDB: 20}},
		{"-2% frequency", signal{freqScale: 0.98, snrDB: 20}},
		{"-2%, -10 dB, 20 dB SNR", signal{freqScale: 0.98, gainDB: -10, snrDB: 20}},
		{"short seizure", signal{opts: Options{SeizureBits: 30}, snrDB: 20}},
		{"no seizure", signal{opts: Options{SeizureBits: -1}, snrDB: 20}},
		{"no seizure, short mark", signal{opts: Options{SeizureBits: -1, MarkBits: 40}, snrDB: 20}},
		{"ring burst first", signal{prefix: ringThenSilence, snrDB: 20}},
		{"ring burst straight into FSK", signal{prefix: ring(time.Second), snrDB: 20}},
	}
	for _, mode := range []Mode{Bell202, V23} {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				s := tt.s
				s.opts.Mode = mode
				if s.freqScale == 0 {
					s.freqScale = 1
				}
				for seed := range uint64(5) {
					got, st := demodulate(mode, s.render(t, msg, seed))
					if len(got) != 1 || !bytes.Equal(got[0], msg) {
						t.Errorf("seed %d: decoded %x (stats %+v), want %x", seed, got, st, msg)
					}
				}
			})
		}
	}
}

func TestModulatorSpectrum(t *testing.T) {
	// A seizure-free all-mark transmission is a steady tone at the mark
	// frequency and at the requested level.
	for _, mode := range []Mode{Bell202, V23} {
		mark, space := mode.Freqs()
		out, err := Modulate(nil, nil, Options{Mode: mode, SeizureBits: -1, MarkBits: 600, Level: -10})
		if err != nil {
			t.Fatal(err)
		}
		pm, ps := goertzel(out, mark), goertzel(out, space)
		if pm < 100*ps {
			t.Errorf("%v mark signal: power at %v Hz %.3g, at %v Hz %.3g", mode, mark, pm, space, ps)
		}
		var peak int16
		for _, v := range out {
			peak = max(peak, v)
		}
		if want := ZeroDBm0 * math.Pow(10, -10.0/20); math.Abs(float64(peak)-want) > 0.01*want {
			t.Errorf("%v peak at -10 dBm0 = %d, want %.0f", mode, peak, want)
		}
		if len(out) != 4000 {
			t.Errorf("600 bits = %d samples, want 4000", len(out))
		}
	}
	// Phase continuity: no sample-to-sample step beyond what the higher
	// frequency allows.
	msg := build(t, false, CallerID{Number: "0123456789", Name: "x"})
	out, _ := Modulate(nil, msg, Options{Mode: Bell202, Level: 3})
	amp := ZeroDBm0 * math.Pow(10, 3.0/20)
	maxStep := amp * 2 * math.Sin(math.Pi*2200/SampleRate) * 1.01
	for i := 1; i < len(out); i++ {
		if d := math.Abs(float64(out[i]) - float64(out[i-1])); d > maxStep {
			t.Fatalf("step of %.0f at sample %d exceeds %.0f: phase discontinuity", d, i, maxStep)
		}
	}
}

func goertzel(x []int16, f float64) float64 {
	w := 2 * math.Cos(2*math.Pi*f/SampleRate)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+w*s1-s2, s1
	}
	return s1*s1 + s2*s2 - w*s1*s2
}

func TestModulatorFrames(t *testing.T) {
	msg := build(t, true, CallerID{Time: callTime, Number: "1"})
	whole, _ := Modulate(nil, msg, Options{Mode: V23})
	m, err := NewModulator(msg, Options{Mode: V23})
	if err != nil {
		t.Fatal(err)
	}
	var framed []int16
	frame := make([]int16, 160)
	for done := false; !done; {
		done = m.Read(frame)
		framed = append(framed, frame...)
	}
	if !slicesEqualPrefix(framed, whole) {
		t.Error("frame-by-frame output differs from Modulate")
	}
	for _, v := range framed[len(whole):] {
		if v != 0 {
			t.Fatal("non-silent sample after the end of the signal")
		}
	}
	if _, err := NewModulator(msg, Options{Level: 4}); err == nil {
		t.Error("level +4 dBm0 accepted")
	}
}

func slicesEqualPrefix(a, prefix []int16) bool {
	return len(a) >= len(prefix) && reflect.DeepEqual(a[:len(prefix)], prefix)
}

func TestNoFalseMessages(t *testing.T) {
	// Noise, ringing and tones never produce a message.
	r := rand.New(rand.NewPCG(1, 2))
	audio := ring(2 * time.Second)
	for range 16000 {
		audio = append(audio, int16(r.NormFloat64()*3000))
	}
	for i := range 16000 {
		audio = append(audio, int16(8000*math.Sin(2*math.Pi*1200*float64(i)/SampleRate)))
	}
	for _, mode := range []Mode{Bell202, V23} {
		if got, _ := demodulate(mode, audio); len(got) != 0 {
			t.Errorf("%v: messages from noise and tones: %x", mode, got)
		}
	}
}

func TestAllocs(t *testing.T) {
	msg := build(t, false, CallerID{Number: "1", Name: "a b"})
	m, _ := NewModulator(msg, Options{})
	d := NewDemodulator(Bell202, func([]byte) {})
	frame := make([]int16, 160)
	n := testing.AllocsPerRun(100, func() {
		if m.Read(frame) {
			_ = m.Reset(msg, Options{})
		}
		d.Write(frame)
	})
	if n != 0 {
		t.Errorf("Read+Write allocate %v per frame, want 0", n)
	}
	if d.Stats().Messages == 0 {
		t.Error("no message decoded in the allocation test")
	}
}

func BenchmarkModulate(b *testing.B) {
	msg, _ := MDMF(CallerID{Number: "0123456789", Name: "DUPONT MARIE"})
	m, _ := NewModulator(msg, Options{})
	frame := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		if m.Read(frame) {
			_ = m.Reset(msg, Options{})
		}
	}
}

func BenchmarkDemodulate(b *testing.B) {
	msg, _ := MDMF(CallerID{Number: "0123456789", Name: "DUPONT MARIE"})
	audio, _ := Modulate(nil, msg, Options{})
	audio = audio[:len(audio)/160*160]
	d := NewDemodulator(Bell202, nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Write(audio[i : i+160])
		i = (i + 160) % len(audio)
	}
}
