package tone

import (
	"testing"
	"time"
)

// The countries the first slice of the media-engine issue requires.
var required = []string{"US", "UK", "FR", "DE", "IT", "ES", "NL", "AU", "CH", "BE"}

// Frequencies outside 300–3400 Hz (the telephone band) must be listed here
// with a reason. None are used yet; E.180's high tones (e.g. BE's 1400 Hz
// call waiting) are inside the band.
var bandExceptions = map[string]string{}

func TestTablesComplete(t *testing.T) {
	for _, c := range required {
		for _, k := range Kinds() {
			if _, ok := Lookup(c, k); !ok {
				t.Errorf("Lookup(%q, %v) missing", c, k)
			}
		}
	}
	if _, ok := Lookup("XX", Dial); ok {
		t.Error(`Lookup("XX", Dial) found a table`)
	}
}

func TestTablesSane(t *testing.T) {
	for _, c := range Countries() {
		for _, k := range Kinds() {
			tn, ok := Lookup(c, k)
			if !ok {
				t.Errorf("%s %v: missing", c, k)
				continue
			}
			name := c + " " + k.String()
			if tn.Level < -25 || tn.Level > -5 {
				t.Errorf("%s: level %v dBm0 outside -25..-5", name, tn.Level)
			}
			if k == Dial && !tn.Continuous() && c != "IT" {
				t.Errorf("%s: dial tone is not continuous (only IT has a cadenced dial tone)", name)
			}
			if k != Dial && tn.Continuous() {
				t.Errorf("%s: continuous; every tone but dial must have a cadence", name)
			}
			if p := tn.Period(); !tn.Continuous() && (p < 300*time.Millisecond || p > 16*time.Second) {
				t.Errorf("%s: period %v outside 0.3..16 s", name, p)
			}
			for i, s := range tn.Segments {
				if s.On < 50*time.Millisecond || s.On > 5*time.Second {
					t.Errorf("%s seg %d: on %v outside 50 ms..5 s", name, i, s.On)
				}
				if s.Off < 0 || s.Off > 15*time.Second {
					t.Errorf("%s seg %d: off %v outside 0..15 s", name, i, s.Off)
				}
				if s.Gain > 0 || s.Gain < -20 {
					t.Errorf("%s seg %d: gain %v dB outside -20..0", name, i, s.Gain)
				}
				if s.On%time.Millisecond != 0 || s.Off%time.Millisecond != 0 {
					t.Errorf("%s seg %d: durations not whole milliseconds", name, i)
				}
				fs := []float64{s.Freqs[0]}
				if s.Freqs[1] != 0 {
					fs = append(fs, s.Freqs[1])
				}
				if s.Mod != 0 {
					if s.Mod < 10 || s.Mod > 150 {
						t.Errorf("%s seg %d: modulation %v Hz outside 10..150", name, i, s.Mod)
					}
					fs = append(fs, s.Freqs[0]-s.Mod, s.Freqs[0]+s.Mod)
				}
				for _, f := range fs {
					if (f < 300 || f > 3400) && bandExceptions[c+" "+k.String()] == "" {
						t.Errorf("%s seg %d: %v Hz outside 300..3400 Hz and not a documented exception", name, i, f)
					}
				}
			}
			if _, err := NewGenerator(tn); err != nil {
				t.Errorf("%s: NewGenerator: %v", name, err)
			}
		}
	}
}

func TestLookupCopies(t *testing.T) {
	a, _ := Lookup("DE", Busy)
	a.Segments[0].Freqs[0] = 1000
	b, _ := Lookup("DE", Busy)
	if b.Segments[0].Freqs[0] != 425 {
		t.Fatalf("Lookup returned shared segments: modified table reads %v Hz", b.Segments[0].Freqs[0])
	}
}

func TestNewGeneratorRejects(t *testing.T) {
	bad := []Tone{
		{},
		{Segments: []Segment{{Freqs: [2]float64{425}, On: 0}}},
		{Segments: []Segment{{Freqs: [2]float64{425}, On: time.Second, Off: -1}}},
		{Segments: []Segment{{Freqs: [2]float64{4000}, On: time.Second}}},
		{Segments: []Segment{{On: time.Second}}},
		{Segments: []Segment{{Freqs: [2]float64{425}, On: time.Second, Gain: 1}}},
		{Level: 10, Segments: []Segment{{Freqs: [2]float64{425}, On: time.Second}}},
	}
	for i, tn := range bad {
		if _, err := NewGenerator(tn); err == nil {
			t.Errorf("NewGenerator(bad[%d]) = nil error, want ErrInvalid", i)
		}
	}
}
