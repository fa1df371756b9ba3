//go:build amd64 || arm64

package alsa

// Expected layout and ioctl numbers for 64-bit Linux (LP64: long is 8
// bytes). Computed from the structs in include/uapi/sound/asound.h and the
// _IOR/_IOW/_IOWR macros of include/uapi/asm-generic/ioctl.h; the numbers
// agree with the SNDRV_PCM_IOCTL_* values strace prints for aplay on
// x86_64 and with tinyalsa's 64-bit builds.
const (
	wantHWParamsSize  = 608
	wantHWFifoSize    = 536 // offset of fifo_size
	wantHWReserved    = 544 // offset of reserved (sync[16] then reserved[48] since Linux 6.x)
	wantSWParamsSize  = 136
	wantSWAvailMin    = 16
	wantSWStart       = 32
	wantSWStop        = 40
	wantSWBoundary    = 64
	wantSWProto       = 72
	wantXferiSize     = 24
	wantXferiBuf      = 8
	wantXferiFrames   = 16
	wantIoctlHWRefine = 0xc2604110
	wantIoctlHWParams = 0xc2604111
	wantIoctlSWParams = 0xc0884113
	wantIoctlWriteI   = 0x40184150
	wantIoctlReadI    = 0x80184151
)
