//go:build arm || 386

package alsa

// Expected layout and ioctl numbers for 32-bit Linux (ILP32: long is 4
// bytes), the same on arm and 386. Computed from the structs in
// include/uapi/sound/asound.h and include/uapi/asm-generic/ioctl.h; the
// numbers agree with the SNDRV_PCM_IOCTL_* values strace prints for aplay on
// 32-bit ARM (HW_PARAMS 0xc25c4111, SW_PARAMS 0xc0684113).
const (
	wantHWParamsSize  = 604
	wantHWFifoSize    = 536
	wantHWReserved    = 540
	wantSWParamsSize  = 104
	wantSWAvailMin    = 12
	wantSWStart       = 20
	wantSWStop        = 24
	wantSWBoundary    = 36
	wantSWProto       = 40
	wantXferiSize     = 12
	wantXferiBuf      = 4
	wantXferiFrames   = 8
	wantIoctlHWRefine = 0xc25c4110
	wantIoctlHWParams = 0xc25c4111
	wantIoctlSWParams = 0xc0684113
	wantIoctlWriteI   = 0x400c4150
	wantIoctlReadI    = 0x800c4151
)
