package usbphone

import (
	"encoding/binary"
	"slices"
	"testing"
	"unsafe"
)

func TestABI(t *testing.T) {
	if inputEventSize != wantInputEventSize {
		t.Errorf("sizeof(input_event) = %d, want %d", inputEventSize, wantInputEventSize)
	}
	// HIDIOCGRDESCSIZE and HIDIOCGRDESC from include/uapi/linux/hidraw.h,
	// the same on every word size (their arguments hold no longs).
	if hidiocGRDescSize != 0x80044801 || hidiocGRDesc != 0x90044802 {
		t.Errorf("HIDIOCGRDESCSIZE %#x, HIDIOCGRDESC %#x; want 0x80044801, 0x90044802", hidiocGRDescSize, hidiocGRDesc)
	}
	if s := unsafe.Sizeof(hidrawReportDescriptor{}); s != 4100 {
		t.Errorf("sizeof(hidraw_report_descriptor) = %d, want 4100", s)
	}
}

// events encodes input_event records as the kernel writes them.
func events(evs ...[3]int) []byte {
	var b []byte
	w := 2 * int(unsafe.Sizeof(uint(0)))
	for _, e := range evs {
		rec := make([]byte, inputEventSize)
		binary.LittleEndian.PutUint16(rec[w:], uint16(e[0]))
		binary.LittleEndian.PutUint16(rec[w+2:], uint16(e[1]))
		binary.LittleEndian.PutUint32(rec[w+4:], uint32(int32(e[2])))
		b = append(b, rec...)
	}
	return b
}

// A Yealink P1K: pickup, dial 1, 0, #, *, hang up; a keypad with the HID
// telephony keys; mute toggling.
func TestKeyMap(t *testing.T) {
	const evSyn = 0
	var m keyMap
	buf := events(
		[3]int{evKey, keyEnter, 1}, [3]int{evKey, keyEnter, 0}, [3]int{evSyn, 0, 0},
		[3]int{evKey, key1, 1}, [3]int{evKey, key1, 2}, [3]int{evKey, key1, 0}, // held: repeat ignored
		[3]int{evKey, key0, 1}, [3]int{evKey, key0, 0},
		[3]int{evKey, keyLeftShift, 1}, [3]int{evKey, key3, 1}, [3]int{evKey, key3, 0}, [3]int{evKey, keyLeftShift, 0},
		[3]int{evKey, keyKPAsterisk, 1},
		[3]int{evKey, keyNumeric0 + 7, 1}, [3]int{evKey, keyNumPound, 1},
		[3]int{evKey, keyMicMute, 1}, [3]int{evKey, keyMicMute, 1},
		[3]int{evKey, 30, 1}, // KEY_A: not a telephone key
		[3]int{evKey, keyEsc, 1},
	)
	got := m.decodeEvents(append(buf, 1, 2, 3), nil) // a torn record is ignored
	want := []Control{
		{Type: Hook, On: true}, {Type: Key, Key: '1'}, {Type: Key, Key: '0'}, {Type: Key, Key: '#'},
		{Type: Key, Key: '*'}, {Type: Key, Key: '7'}, {Type: Key, Key: '#'},
		{Type: Mute, On: true}, {Type: Mute, On: false}, {Type: Hook},
	}
	if !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
}
