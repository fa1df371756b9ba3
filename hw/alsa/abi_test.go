package alsa

import (
	"testing"
	"unsafe"
)

// The layout of the kernel structs is fixed by the ABI; a wrong size or
// offset would make every ioctl fail with ENOTTY or corrupt memory.
func TestABILayout(t *testing.T) {
	var hp hwParams
	var sp swParams
	var x xferi
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(snd_mask)", unsafe.Sizeof(mask{}), 32},
		{"sizeof(snd_interval)", unsafe.Sizeof(interval{}), 12},
		{"sizeof(snd_pcm_hw_params)", unsafe.Sizeof(hp), wantHWParamsSize},
		{"hw_params.masks", unsafe.Offsetof(hp.Masks), 4},
		{"hw_params.mres", unsafe.Offsetof(hp.Mres), 100},
		{"hw_params.intervals", unsafe.Offsetof(hp.Intervals), 260},
		{"hw_params.ires", unsafe.Offsetof(hp.Ires), 404},
		{"hw_params.rmask", unsafe.Offsetof(hp.Rmask), 512},
		{"hw_params.fifo_size", unsafe.Offsetof(hp.FifoSize), wantHWFifoSize},
		{"hw_params.reserved", unsafe.Offsetof(hp.Reserved), wantHWReserved},
		{"sizeof(snd_pcm_sw_params)", unsafe.Sizeof(sp), wantSWParamsSize},
		{"sw_params.avail_min", unsafe.Offsetof(sp.AvailMin), wantSWAvailMin},
		{"sw_params.start_threshold", unsafe.Offsetof(sp.StartThreshold), wantSWStart},
		{"sw_params.stop_threshold", unsafe.Offsetof(sp.StopThreshold), wantSWStop},
		{"sw_params.boundary", unsafe.Offsetof(sp.Boundary), wantSWBoundary},
		{"sw_params.proto", unsafe.Offsetof(sp.Proto), wantSWProto},
		{"sizeof(snd_xferi)", unsafe.Sizeof(x), wantXferiSize},
		{"xferi.buf", unsafe.Offsetof(x.Buf), wantXferiBuf},
		{"xferi.frames", unsafe.Offsetof(x.Frames), wantXferiFrames},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		// Independent of word size.
		{"PVERSION", ioctlPVersion, 0x80044100},
		{"HW_FREE", ioctlHWFree, 0x4112},
		{"PREPARE", ioctlPrepare, 0x4140},
		{"START", ioctlStart, 0x4142},
		{"DROP", ioctlDrop, 0x4143},
		// Per word size (abi_32_test.go, abi_64_test.go).
		{"HW_REFINE", ioctlHWRefine, wantIoctlHWRefine},
		{"HW_PARAMS", ioctlHWParams, wantIoctlHWParams},
		{"SW_PARAMS", ioctlSWParams, wantIoctlSWParams},
		{"WRITEI_FRAMES", ioctlWriteIFrames, wantIoctlWriteI},
		{"READI_FRAMES", ioctlReadIFrames, wantIoctlReadI},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func TestHWParamsHelpers(t *testing.T) {
	var p hwParams
	p.any()
	if !p.maskHas(paramFormat, formatS16LE) || !p.maskHas(paramFormat, 200) {
		t.Fatal("any() leaves format values out")
	}
	p.setMask(paramFormat, formatS16LE)
	if !p.maskHas(paramFormat, formatS16LE) || p.maskHas(paramFormat, 1) || p.maskHas(paramFormat, 34) {
		t.Errorf("setMask(format, S16_LE) = %v", p.Masks[paramFormat].Bits)
	}
	p.setRange(paramRate, 8000, 8000)
	if iv := p.get(paramRate); iv.Min != 8000 || iv.Max != 8000 || iv.Flags&intervalInteger == 0 {
		t.Errorf("rate interval = %+v", iv)
	}
}
