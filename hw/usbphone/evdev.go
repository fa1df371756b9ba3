package usbphone

import (
	"encoding/binary"
	"unsafe"
)

// inputEvent is struct input_event (include/uapi/linux/input.h): a
// timeval of two longs (Go's uint has their size on every Linux GOARCH),
// then type, code and value.
type inputEvent struct {
	Sec, Usec uint
	Type      uint16
	Code      uint16
	Value     int32
}

const inputEventSize = int(unsafe.Sizeof(inputEvent{}))

// Event types and key codes (include/uapi/linux/input-event-codes.h).
const (
	evKey = 0x01

	keyEsc        = 1
	key1          = 2 // KEY_1 .. KEY_9 are 2 .. 10
	key0          = 11
	key3          = 4
	key8          = 9
	keyEnter      = 28
	keyLeftShift  = 42
	keyKPAsterisk = 55
	keyRightShift = 54
	keyKP7        = 71
	keyKP8        = 72
	keyKP9        = 73
	keyKP4        = 75
	keyKP5        = 76
	keyKP6        = 77
	keyKP1        = 79
	keyKP2        = 80
	keyKP3        = 81
	keyKP0        = 82
	keyKPEnter    = 96
	keyMicMute    = 248
	keyNumeric0   = 0x200 // KEY_NUMERIC_0 .. _9 are 0x200 .. 0x209
	keyNumStar    = 0x20a
	keyNumPound   = 0x20b
)

var keypad = map[uint16]byte{
	keyKP0: '0', keyKP1: '1', keyKP2: '2', keyKP3: '3', keyKP4: '4',
	keyKP5: '5', keyKP6: '6', keyKP7: '7', keyKP8: '8', keyKP9: '9',
	keyKPAsterisk: '*', keyNumStar: '*', keyNumPound: '#',
}

// keyMap turns evdev key events into Controls. It covers the telephony
// keys the kernel's HID layer reports (KEY_NUMERIC_*, KEY_MICMUTE), the
// numeric keypad, and the Yealink USB-P1K map (digits on the number row,
// pickup = Enter, hang-up = Esc, '#' = Shift+3, '*' = Shift+8 or keypad *).
// Not safe for concurrent use.
type keyMap struct {
	shift int  // shift keys held
	muted bool // KEY_MICMUTE toggles
}

// control maps one key event (value 1 press, 0 release, 2 repeat).
func (m *keyMap) control(code uint16, value int32) (Control, bool) {
	if code == keyLeftShift || code == keyRightShift {
		switch value {
		case 1:
			m.shift++
		case 0:
			m.shift = max(m.shift-1, 0)
		}
		return Control{}, false
	}
	if value != 1 {
		return Control{}, false
	}
	switch {
	case code == keyEnter || code == keyKPEnter:
		return Control{Type: Hook, On: true}, true
	case code == keyEsc:
		return Control{Type: Hook, On: false}, true
	case code == keyMicMute:
		m.muted = !m.muted
		return Control{Type: Mute, On: m.muted}, true
	case m.shift > 0 && code == key3:
		return Control{Type: Key, Key: '#'}, true
	case m.shift > 0 && code == key8:
		return Control{Type: Key, Key: '*'}, true
	case code >= key1 && code <= key0:
		k := byte('1' + code - key1)
		if code == key0 {
			k = '0'
		}
		return Control{Type: Key, Key: k}, true
	case code >= keyNumeric0 && code <= keyNumeric0+9:
		return Control{Type: Key, Key: byte('0' + code - keyNumeric0)}, true
	}
	if k, ok := keypad[code]; ok {
		return Control{Type: Key, Key: k}, true
	}
	return Control{}, false
}

// decodeEvents appends the Controls in buf (whole input_event records) to
// out.
func (m *keyMap) decodeEvents(buf []byte, out []Control) []Control {
	for len(buf) >= inputEventSize {
		// After the timeval (two words): type, code, value, little-endian
		// on every GOARCH we build for.
		w := 2 * int(unsafe.Sizeof(uint(0)))
		typ := binary.LittleEndian.Uint16(buf[w:])
		code := binary.LittleEndian.Uint16(buf[w+2:])
		value := int32(binary.LittleEndian.Uint32(buf[w+4:]))
		if typ == evKey {
			if c, ok := m.control(code, value); ok {
				out = append(out, c)
			}
		}
		buf = buf[inputEventSize:]
	}
	return out
}
