package usbphone

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// headset is a report descriptor laid out like a certified headset's
// telephony collection: report 2 holds hook switch, flash and mute bits
// and a 4-bit keypad array (index 1-12 = keys 0-9, *, #); output report 3
// holds the Off-Hook, Ring and Mute LEDs.
var headset = []byte{
	0x05, 0x0B, // Usage Page (Telephony)
	0x09, 0x05, // Usage (Headset)
	0xA1, 0x01, // Collection (Application)
	0x85, 0x02, //   Report ID (2)
	0x15, 0x00, 0x25, 0x01, // Logical Minimum (0), Maximum (1)
	0x75, 0x01, 0x95, 0x03, // Report Size (1), Count (3)
	0x09, 0x20, 0x09, 0x21, 0x09, 0x2F, // Usage: Hook Switch, Flash, Phone Mute
	0x81, 0x02, //   Input (Data, Variable, Absolute)
	0x95, 0x05, 0x81, 0x03, // 5 bits of padding (Constant)
	0x15, 0x01, 0x25, 0x0C, // Logical Minimum (1), Maximum (12)
	0x19, 0xB0, 0x29, 0xBB, // Usage Minimum (Phone Key 0), Maximum (Phone Key #)
	0x75, 0x04, 0x95, 0x01, 0x81, 0x00, // one 4-bit slot: Input (Data, Array)
	0x81, 0x03, //   4 bits of padding
	0x05, 0x08, //   Usage Page (LED)
	0x85, 0x03, //   Report ID (3)
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x03,
	0x09, 0x17, 0x09, 0x18, 0x09, 0x09, // Usage: Off-Hook, Ring, Mute
	0x91, 0x02, //   Output (Data, Variable, Absolute)
	0x95, 0x05, 0x91, 0x03, // padding
	0xC0, // End Collection
}

// handset has unnumbered reports: 12 keypad buttons as bits, the hook
// switch, and a telephony Ringer output.
var handset = []byte{
	0x05, 0x0B, 0x09, 0x01, 0xA1, 0x01, // Telephony, Phone, Collection
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
	0x19, 0xB0, 0x29, 0xBB, 0x95, 0x0C, 0x81, 0x02, // 12 key bits
	0x09, 0x20, 0x95, 0x01, 0x81, 0x06, // Hook Switch (Variable, Relative flag ignored)
	0x95, 0x03, 0x81, 0x01, // padding
	0x09, 0x9E, 0x95, 0x01, 0x91, 0x02, // Ringer output
	0x95, 0x07, 0x91, 0x01,
	0xC0,
}

func TestParseHeadset(t *testing.T) {
	d, err := ParseDescriptor(headset)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Numbered() || d.ReportBytes(InputField, 2) != 2 || d.ReportBytes(OutputField, 3) != 1 {
		t.Fatalf("numbered %v, input 2 %d bytes, output 3 %d bytes; want true, 2, 1",
			d.Numbered(), d.ReportBytes(InputField, 2), d.ReportBytes(OutputField, 3))
	}
	if f, ok := d.Find(InputField, PageTelephony, UsageKey0+5); !ok || !f.Array || f.Offset != 8 || f.Size != 4 {
		t.Errorf("keypad field %+v, found %v", f, ok)
	}
	tel, err := NewTelephony(d)
	if err != nil {
		t.Fatal(err)
	}
	var got []Control
	for _, r := range [][]byte{
		{2, 0x01, 0x00}, // off-hook
		{2, 0x03, 0x00}, // flash pressed
		{2, 0x01, 0x00}, // flash released
		{2, 0x01, 0x04}, // key 3
		{2, 0x01, 0x04}, // still held
		{2, 0x01, 0x00}, // released
		{2, 0x01, 0x0B}, // *
		{2, 0x01, 0x0C}, // #
		{2, 0x05, 0x00}, // mute on
		{7, 0x00, 0x00}, // another report: ignored
		{2, 0x00, 0x00}, // on-hook, mute off
	} {
		got = tel.Decode(r, got)
	}
	want := []Control{
		{Type: Hook, On: true}, {Type: FlashKey}, {Type: Key, Key: '3'}, {Type: Key, Key: '*'},
		{Type: Key, Key: '#'}, {Type: Mute, On: true}, {Type: Hook}, {Type: Mute},
	}
	if !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	if !tel.HasRinger() {
		t.Fatal("LED Ring output not found")
	}
	if r := tel.OutputReports(true, true); len(r) != 1 || !bytes.Equal(r[0], []byte{3, 0x03}) {
		t.Errorf("OutputReports(ringing, off-hook) = %x, want [0303]", r)
	}
	if r := tel.OutputReports(false, false); len(r) != 1 || !bytes.Equal(r[0], []byte{3, 0x00}) {
		t.Errorf("OutputReports(quiet, on-hook) = %x, want [0300]", r)
	}
}

func TestParseHandset(t *testing.T) {
	d, err := ParseDescriptor(handset)
	if err != nil {
		t.Fatal(err)
	}
	tel, err := NewTelephony(d)
	if err != nil {
		t.Fatal(err)
	}
	var got []Control
	for _, r := range [][]byte{
		{0x00, 0x10}, // hook (bit 12)
		{0x02, 0x10}, // key 1 (bit 1)
		{0x00, 0x18}, // key # (bit 11)
		{0x00, 0x00},
	} {
		got = tel.Decode(r, got)
	}
	want := []Control{{Type: Hook, On: true}, {Type: Key, Key: '1'}, {Type: Key, Key: '#'}, {Type: Hook}}
	if !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	if r := tel.OutputReports(true, false); len(r) != 1 || !bytes.Equal(r[0], []byte{0x01}) {
		t.Errorf("OutputReports(ringing) = %x, want [01]", r)
	}
}

func TestParseErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"truncated item":   {0x05},
		"truncated long":   {0xFE, 0x05},
		"pop without push": {0xB4},
		"report ID 0":      {0x85, 0x00},
		"oversized report": {0x75, 0x20, 0x96, 0xFF, 0x7F, 0x09, 0x01, 0x81, 0x02},
		"too long":         make([]byte, maxDescriptor+1),
	} {
		if _, err := ParseDescriptor(b); !errors.Is(err, ErrDescriptor) {
			t.Errorf("%s: err = %v, want ErrDescriptor", name, err)
		}
	}
	// A mouse has no telephony controls.
	mouse := []byte{0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x05, 0x09, 0x19, 0x01, 0x29, 0x03,
		0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0xC0}
	d, err := ParseDescriptor(mouse)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTelephony(d); !errors.Is(err, ErrDescriptor) {
		t.Errorf("mouse: NewTelephony = %v, want ErrDescriptor", err)
	}
}

func TestDecodeAllocs(t *testing.T) {
	d, _ := ParseDescriptor(headset)
	tel, _ := NewTelephony(d)
	out := make([]Control, 0, 8)
	reports := [][]byte{{2, 0x01, 0x04}, {2, 0x00, 0x00}}
	i := 0
	if n := testing.AllocsPerRun(100, func() {
		out = tel.Decode(reports[i%2], out[:0])
		i++
	}); n != 0 {
		t.Errorf("Decode allocates %v times per report", n)
	}
}

func BenchmarkDecode(b *testing.B) {
	d, _ := ParseDescriptor(headset)
	tel, _ := NewTelephony(d)
	out := make([]Control, 0, 8)
	reports := [][]byte{{2, 0x01, 0x04}, {2, 0x00, 0x00}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out = tel.Decode(reports[i%2], out[:0])
		i++
	}
}

// The Off-Hook indicator is set even on a device without a ringer, and a
// ringer in another report gets its own report.
func TestOutputReportsSplit(t *testing.T) {
	in := []byte{0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01,
		0x85, 0x01, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x09, 0x20, 0x81, 0x02, 0x95, 0x07, 0x81, 0x03}
	offHookLED := []byte{0x05, 0x08, 0x85, 0x04, 0x95, 0x01, 0x09, 0x17, 0x91, 0x02, 0x95, 0x07, 0x91, 0x03}
	ringer := []byte{0x05, 0x0B, 0x85, 0x05, 0x95, 0x07, 0x91, 0x03, 0x95, 0x01, 0x09, 0x9E, 0x91, 0x02}
	for _, c := range []struct {
		name   string
		desc   []byte
		ringer bool
		want   [][]byte
	}{
		{"LED only", slices.Concat(in, offHookLED, []byte{0xC0}), false, [][]byte{{4, 0x01}}},
		{"LED and ringer", slices.Concat(in, offHookLED, ringer, []byte{0xC0}), true, [][]byte{{4, 0x01}, {5, 0x80}}},
	} {
		d, err := ParseDescriptor(c.desc)
		if err != nil {
			t.Fatal(err)
		}
		tel, err := NewTelephony(d)
		if err != nil {
			t.Fatal(err)
		}
		if tel.HasRinger() != c.ringer {
			t.Errorf("%s: HasRinger() = %v", c.name, tel.HasRinger())
		}
		got := tel.OutputReports(true, true)
		if !slices.EqualFunc(got, c.want, bytes.Equal) {
			t.Errorf("%s: OutputReports(ringing, off-hook) = %x, want %x", c.name, got, c.want)
		}
	}
}
