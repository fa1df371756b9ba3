package usbphone

import "fmt"

// ControlType says which control of the telephone changed.
type ControlType uint8

const (
	// Hook: the hook switch (or pickup/hang-up keys); On is off-hook.
	Hook ControlType = iota + 1
	// FlashKey: the flash (recall) key was pressed.
	FlashKey
	// Key: a keypad key was pressed; Key is '0'-'9', '*' or '#'.
	Key
	// Mute: the phone mute control; On is muted.
	Mute
)

// Control is one change on the telephone's controls.
type Control struct {
	Type ControlType
	On   bool
	Key  byte
}

func (c Control) String() string {
	switch c.Type {
	case Hook:
		return fmt.Sprintf("hook off=%v", c.On)
	case FlashKey:
		return "flash"
	case Key:
		return fmt.Sprintf("key %c", c.Key)
	case Mute:
		return fmt.Sprintf("mute %v", c.On)
	}
	return fmt.Sprintf("control(%d)", c.Type)
}

// keyOf maps a telephony-page keypad usage to its digit.
func keyOf(usage uint16) (byte, bool) {
	switch {
	case usage >= UsageKey0 && usage <= UsageKey0+9:
		return byte('0' + usage - UsageKey0), true
	case usage == UsageKeyStar:
		return '*', true
	case usage == UsageKeyPound:
		return '#', true
	}
	return 0, false
}

// Telephony is the telephony part of a HID report descriptor: where the
// hook switch, flash, mute and keypad sit in input reports and where the
// ringer and off-hook indicator sit in output reports. Decode turns input
// reports into Controls. Not safe for concurrent use.
type Telephony struct {
	numbered bool
	tracked  []tracked
	ringer   Field // output: telephony Ringer or LED Ring
	offHook  Field // output: LED Off-Hook
	hasRing  bool
	hasOff   bool
	outLen   map[uint8]int // output report lengths with the ID byte
}

type tracked struct {
	f    Field
	what ControlType
	prev uint32
}

// NewTelephony picks the telephony controls out of d. It fails with
// ErrDescriptor when d has neither a hook switch nor a keypad.
func NewTelephony(d *Descriptor) (*Telephony, error) {
	t := &Telephony{numbered: d.Numbered()}
	for _, f := range d.Fields {
		if f.Kind != InputField || f.Page != PageTelephony {
			continue
		}
		switch {
		case !f.Array && f.Usage == UsageHookSwitch:
			t.tracked = append(t.tracked, tracked{f: f, what: Hook})
		case !f.Array && f.Usage == UsageFlash:
			t.tracked = append(t.tracked, tracked{f: f, what: FlashKey})
		case !f.Array && f.Usage == UsagePhoneMute:
			t.tracked = append(t.tracked, tracked{f: f, what: Mute})
		case f.Usage <= UsageKeyPound && f.UsageMax >= UsageKey0:
			t.tracked = append(t.tracked, tracked{f: f, what: Key})
		}
	}
	if len(t.tracked) == 0 {
		return nil, fmt.Errorf("%w: no telephony hook switch or keypad", ErrDescriptor)
	}
	if f, ok := d.Find(OutputField, PageTelephony, UsageRinger); ok && !f.Array {
		t.ringer, t.hasRing = f, true
	} else if f, ok := d.Find(OutputField, PageLED, UsageLEDRing); ok && !f.Array {
		t.ringer, t.hasRing = f, true
	}
	if f, ok := d.Find(OutputField, PageLED, UsageLEDOffHook); ok && !f.Array {
		t.offHook, t.hasOff = f, true
	}
	t.outLen = map[uint8]int{}
	for _, f := range []struct {
		f   Field
		has bool
	}{{t.ringer, t.hasRing}, {t.offHook, t.hasOff}} {
		if f.has {
			n := d.ReportBytes(OutputField, f.f.ReportID)
			if t.numbered {
				n++
			}
			t.outLen[f.f.ReportID] = n
		}
	}
	return t, nil
}

// HasRinger reports whether the device has a ringer (or ring indicator)
// output.
func (t *Telephony) HasRinger() bool { return t.hasRing }

// Decode appends to out the controls that changed with input report r (as
// read from hidraw: with the report ID first when the device numbers its
// reports) and returns it. Keys count when pressed, not when released.
func (t *Telephony) Decode(r []byte, out []Control) []Control {
	id := uint8(0)
	if t.numbered {
		if len(r) == 0 {
			return out
		}
		id, r = r[0], r[1:]
	}
	for i := range t.tracked {
		tr := &t.tracked[i]
		if tr.f.ReportID != id {
			continue
		}
		v := tr.f.value(r)
		old := tr.prev
		tr.prev = v
		switch tr.what {
		case Hook, Mute:
			if (v != 0) != (old != 0) {
				out = append(out, Control{Type: tr.what, On: v != 0})
			}
		case FlashKey:
			if v != 0 && old == 0 {
				out = append(out, Control{Type: FlashKey})
			}
		case Key:
			u := tr.f.Usage
			if tr.f.Array {
				// The slot holds an index into the usage range counted
				// from LogicalMin; values outside the logical range mean
				// no key.
				idx := int64(v) - int64(tr.f.LogicalMin)
				if v == old || int64(v) > int64(tr.f.LogicalMax) || idx < 0 || idx > int64(tr.f.UsageMax-tr.f.Usage) {
					continue
				}
				u += uint16(idx)
			} else if v == 0 || old != 0 {
				continue
			}
			if k, ok := keyOf(u); ok {
				out = append(out, Control{Type: Key, Key: k})
			}
		}
	}
	return out
}

// OutputReports are the output reports that set the ringer (or ring
// indicator) and the off-hook indicator, one per report that holds either,
// in report ID order; nil when the device has neither. Other fields of
// those reports are written as zero.
func (t *Telephony) OutputReports(ringing, offHook bool) [][]byte {
	var out [][]byte
	for id := range 256 {
		n, ok := t.outLen[uint8(id)]
		if !ok {
			continue
		}
		r := make([]byte, n)
		body := r
		if t.numbered {
			r[0] = uint8(id)
			body = r[1:]
		}
		if t.hasRing && t.ringer.ReportID == uint8(id) {
			t.ringer.set(body, b2u(ringing))
		}
		if t.hasOff && t.offHook.ReportID == uint8(id) {
			t.offHook.set(body, b2u(offHook))
		}
		out = append(out, r)
	}
	return out
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
