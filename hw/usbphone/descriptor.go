package usbphone

import (
	"errors"
	"fmt"
)

// ErrDescriptor is returned by ParseDescriptor for a malformed or
// oversized report descriptor, and by NewHIDInput when the device has no
// telephony controls.
var ErrDescriptor = errors.New("usbphone: bad HID report descriptor")

// HID usage pages and usages the package understands (USB HID Usage
// Tables: Telephony Device page 0x0B, LED page 0x08).
const (
	PageLED       = 0x08
	PageTelephony = 0x0B

	UsageHookSwitch = 0x20 // telephony: on/off control, 1 = off-hook
	UsageFlash      = 0x21 // telephony: momentary
	UsagePhoneMute  = 0x2F // telephony: on/off control
	UsageKey0       = 0xB0 // telephony: Phone Key 0; 0xB1-0xB9 are 1-9
	UsageKeyStar    = 0xBA
	UsageKeyPound   = 0xBB
	UsageRinger     = 0x9E // telephony: ringer output
	UsageLEDOffHook = 0x17 // LED page
	UsageLEDRing    = 0x18 // LED page
	UsageLEDMute    = 0x09 // LED page
)

// FieldKind says which report a field lives in.
type FieldKind uint8

const (
	InputField FieldKind = iota
	OutputField
	FeatureField
)

// Field is one control in a report: a variable (one usage, Size bits at
// Offset) or an array slot (Size bits at Offset holding the index of the
// usage pressed, from UsageMin; LogicalMin means none).
type Field struct {
	Kind       FieldKind
	ReportID   uint8  // 0 when the device does not number its reports
	Offset     int    // bit offset in the report, after the report ID byte
	Size       int    // bits
	Page       uint16 // usage page
	Usage      uint16 // variable: its usage; array: first usage (UsageMin)
	UsageMax   uint16 // array: last usage
	Array      bool
	LogicalMin int32
	LogicalMax int32
}

// Descriptor is a parsed report descriptor: every non-constant field, plus
// the byte length of each report (without the ID byte).
type Descriptor struct {
	Fields   []Field
	lengths  map[reportKey]int // bits
	numbered bool
}

type reportKey struct {
	kind FieldKind
	id   uint8
}

// ReportBytes is the length of report id of kind k in bytes, not counting
// the report ID byte.
func (d *Descriptor) ReportBytes(k FieldKind, id uint8) int {
	return (d.lengths[reportKey{k, id}] + 7) / 8
}

// Numbered reports whether the device prefixes its reports with an ID.
func (d *Descriptor) Numbered() bool { return d.numbered }

// Limits that keep hostile descriptors cheap.
const (
	maxDescriptor = 4096 // HID_MAX_DESCRIPTOR_SIZE
	maxFields     = 1024
	maxReportBits = 8 * 4096
	maxUsages     = 256
)

type globals struct {
	page        uint16
	logMin      int32
	logMax      int32
	size, count uint32
	id          uint8
}

// ParseDescriptor parses a HID report descriptor (as HIDIOCGRDESC returns
// it). It keeps every non-constant Input, Output and Feature field; usages
// of other pages are kept too so that offsets stay right. It fails with
// ErrDescriptor on truncated items, unbalanced Push/Pop, reports longer than
// 4 KiB or descriptors longer than 4 KiB.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	if len(b) > maxDescriptor {
		return nil, fmt.Errorf("%w: %d bytes", ErrDescriptor, len(b))
	}
	d := &Descriptor{lengths: map[reportKey]int{}}
	var g globals
	var stack []globals
	var usages []uint32 // local: usages (page<<16 | usage when extended)
	var umin, umax uint32
	var haveMin, haveMax bool
	resetLocal := func() { usages, haveMin, haveMax = usages[:0], false, false }
	for i := 0; i < len(b); {
		prefix := b[i]
		if prefix == 0xFE { // long item: skip
			if i+2 >= len(b) {
				return nil, fmt.Errorf("%w: truncated long item at %d", ErrDescriptor, i)
			}
			i += 3 + int(b[i+1])
			continue
		}
		n := int(prefix & 3)
		if n == 3 {
			n = 4
		}
		if i+1+n > len(b) {
			return nil, fmt.Errorf("%w: truncated item at %d", ErrDescriptor, i)
		}
		var u uint32
		for j := range n {
			u |= uint32(b[i+1+j]) << (8 * j)
		}
		s := int32(u) // sign-extended value for logical extents
		switch n {
		case 1:
			s = int32(int8(u))
		case 2:
			s = int32(int16(u))
		}
		typ, tag := (prefix>>2)&3, prefix>>4
		i += 1 + n
		switch typ {
		case 0: // main
			switch tag {
			case 0x8, 0x9, 0xB: // Input, Output, Feature
				kind := map[byte]FieldKind{0x8: InputField, 0x9: OutputField, 0xB: FeatureField}[tag]
				if err := d.addMain(kind, u, &g, usages, umin, umax, haveMin && haveMax); err != nil {
					return nil, err
				}
			}
			resetLocal()
		case 1: // global
			switch tag {
			case 0x0:
				g.page = uint16(u)
			case 0x1:
				g.logMin = s
			case 0x2:
				g.logMax = s
				if g.logMin >= 0 && s < 0 {
					g.logMax = int32(u) // an unsigned maximum
				}
			case 0x7:
				g.size = u
			case 0x8:
				if u == 0 || u > 255 {
					return nil, fmt.Errorf("%w: report ID %d", ErrDescriptor, u)
				}
				g.id, d.numbered = uint8(u), true
			case 0x9:
				g.count = u
			case 0xA:
				if len(stack) >= 16 {
					return nil, fmt.Errorf("%w: Push nested too deep", ErrDescriptor)
				}
				stack = append(stack, g)
			case 0xB:
				if len(stack) == 0 {
					return nil, fmt.Errorf("%w: Pop without Push", ErrDescriptor)
				}
				g, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case 2: // local
			if tag <= 2 && n < 4 {
				// A short usage takes the current page; an extended
				// (4-byte) one carries its page in the top 16 bits.
				u |= uint32(g.page) << 16
			}
			switch tag {
			case 0x0:
				if len(usages) < maxUsages {
					usages = append(usages, u)
				}
			case 0x1:
				umin, haveMin = u, true
			case 0x2:
				umax, haveMax = u, true
			}
		}
	}
	return d, nil
}

func (d *Descriptor) addMain(kind FieldKind, flags uint32, g *globals, usages []uint32, umin, umax uint32, haveRange bool) error {
	key := reportKey{kind, g.id}
	size, count := g.size, g.count
	if size > 32 || count > maxReportBits || uint64(size)*uint64(count)+uint64(d.lengths[key]) > maxReportBits {
		return fmt.Errorf("%w: report %d too long (%d × %d bits)", ErrDescriptor, g.id, count, size)
	}
	at := d.lengths[key]
	d.lengths[key] += int(size * count)
	if flags&1 != 0 || size == 0 { // constant: padding
		return nil
	}
	if flags&2 == 0 { // array
		lo, hi := umin, umax
		if !haveRange {
			if len(usages) == 0 {
				return nil
			}
			lo, hi = usages[0], usages[len(usages)-1]
		}
		for c := range int(count) {
			if len(d.Fields) >= maxFields {
				return fmt.Errorf("%w: more than %d fields", ErrDescriptor, maxFields)
			}
			d.Fields = append(d.Fields, Field{Kind: kind, ReportID: g.id, Offset: at + c*int(size), Size: int(size),
				Page: uint16(lo >> 16), Usage: uint16(lo), UsageMax: uint16(hi), Array: true,
				LogicalMin: g.logMin, LogicalMax: g.logMax})
		}
		return nil
	}
	if len(usages) == 0 && !haveRange {
		return nil
	}
	for c := range int(count) {
		var u uint32
		switch {
		case c < len(usages):
			u = usages[c]
		case haveRange && umin+uint32(c) <= umax:
			u = umin + uint32(c)
		case len(usages) > 0:
			u = usages[len(usages)-1]
		default:
			continue
		}
		if len(d.Fields) >= maxFields {
			return fmt.Errorf("%w: more than %d fields", ErrDescriptor, maxFields)
		}
		d.Fields = append(d.Fields, Field{Kind: kind, ReportID: g.id, Offset: at + c*int(size), Size: int(size),
			Page: uint16(u >> 16), Usage: uint16(u), UsageMax: uint16(u),
			LogicalMin: g.logMin, LogicalMax: g.logMax})
	}
	return nil
}

// Find returns the first field of kind k for usage page:usage (a variable,
// or an array whose range includes it).
func (d *Descriptor) Find(k FieldKind, page, usage uint16) (Field, bool) {
	for _, f := range d.Fields {
		if f.Kind == k && f.Page == page && f.Usage <= usage && usage <= f.UsageMax {
			return f, true
		}
	}
	return Field{}, false
}

// value extracts field f from report r (without its ID byte): Size bits
// from bit Offset, least significant first; a field past the end reads 0.
func (f Field) value(r []byte) uint32 {
	var v uint32
	for i := range f.Size {
		bit := f.Offset + i
		if bit/8 >= len(r) {
			break
		}
		if r[bit/8]&(1<<(bit%8)) != 0 {
			v |= 1 << i
		}
	}
	return v
}

// set writes v into field f of report r.
func (f Field) set(r []byte, v uint32) {
	for i := range f.Size {
		bit := f.Offset + i
		if bit/8 >= len(r) {
			return
		}
		if v&(1<<i) != 0 {
			r[bit/8] |= 1 << (bit % 8)
		} else {
			r[bit/8] &^= 1 << (bit % 8)
		}
	}
}
