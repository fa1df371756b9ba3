package alsa

import "unsafe"

// The kernel's PCM ABI (include/uapi/sound/asound.h). The Go types below
// mirror the C structs field by field; C's long and unsigned long
// (snd_pcm_sframes_t, snd_pcm_uframes_t) are Go's int and uint, which have
// the same size and alignment on every Linux GOARCH we build for, so one
// definition serves 32-bit arm and 64-bit arm64/amd64. abi_test.go checks
// the sizes and offsets against figures for each word size.

// Mask and interval indices of snd_pcm_hw_params (SNDRV_PCM_HW_PARAM_*).
const (
	paramAccess    = 0 // mask
	paramFormat    = 1 // mask
	paramSubformat = 2 // mask

	paramFirstInterval = 8
	paramSampleBits    = 8
	paramFrameBits     = 9
	paramChannels      = 10
	paramRate          = 11
	paramPeriodTime    = 12
	paramPeriodSize    = 13
	paramPeriodBytes   = 14
	paramPeriods       = 15
	paramBufferTime    = 16
	paramBufferSize    = 17
	paramBufferBytes   = 18
	paramTickTime      = 19
	paramLastInterval  = 19
)

// Values of the masks we set.
const (
	accessRWInterleaved = 3 // SNDRV_PCM_ACCESS_RW_INTERLEAVED
	formatS16LE         = 2 // SNDRV_PCM_FORMAT_S16_LE
	subformatStd        = 0 // SNDRV_PCM_SUBFORMAT_STD
)

// intervalInteger is the integer bit of snd_interval's bit fields
// (openmin:1, openmax:1, integer:1, empty:1, allocated from bit 0 on
// little-endian ABIs).
const (
	intervalOpenMin = 1 << 0
	intervalOpenMax = 1 << 1
	intervalInteger = 1 << 2
	intervalEmpty   = 1 << 3
)

// mask is struct snd_mask: SNDRV_MASK_MAX (256) bits.
type mask struct {
	Bits [8]uint32
}

// interval is struct snd_interval.
type interval struct {
	Min, Max uint32
	Flags    uint32 // intervalOpenMin | intervalOpenMax | intervalInteger | intervalEmpty
}

// hwParams is struct snd_pcm_hw_params.
type hwParams struct {
	Flags     uint32
	Masks     [3]mask // ACCESS, FORMAT, SUBFORMAT
	Mres      [5]mask
	Intervals [paramLastInterval - paramFirstInterval + 1]interval
	Ires      [9]interval
	Rmask     uint32
	Cmask     uint32
	Info      uint32
	Msbits    uint32
	RateNum   uint32
	RateDen   uint32
	FifoSize  uint // snd_pcm_uframes_t
	Reserved  [64]byte
}

// swParams is struct snd_pcm_sw_params.
type swParams struct {
	TstampMode       int32
	PeriodStep       uint32
	SleepMin         uint32
	AvailMin         uint // snd_pcm_uframes_t, like the rest up to Boundary
	XferAlign        uint
	StartThreshold   uint
	StopThreshold    uint
	SilenceThreshold uint
	SilenceSize      uint
	Boundary         uint
	Proto            uint32
	TstampType       uint32
	Reserved         [56]byte
}

// xferi is struct snd_xferi, the argument of READI_FRAMES and
// WRITEI_FRAMES. Buf is a pointer so that the garbage collector keeps the
// buffer alive while the kernel holds its address.
type xferi struct {
	Result int            // snd_pcm_sframes_t: frames moved (or -errno)
	Buf    unsafe.Pointer // void *
	Frames uint           // snd_pcm_uframes_t: frames requested
}

// Linux's generic ioctl number encoding (include/uapi/asm-generic/ioctl.h),
// used by arm, arm64 and x86: direction in bits 30-31, argument size in
// bits 16-29, type in bits 8-15, number in bits 0-7.
const (
	iocNone  = 0
	iocWrite = 1
	iocRead  = 2
)

func ioc(dir, typ, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | typ<<8 | nr
}

// PCM ioctl requests ('A' is the sound PCM type).
var (
	ioctlPVersion     = ioc(iocRead, 'A', 0x00, unsafe.Sizeof(int32(0)))
	ioctlHWRefine     = ioc(iocRead|iocWrite, 'A', 0x10, unsafe.Sizeof(hwParams{}))
	ioctlHWParams     = ioc(iocRead|iocWrite, 'A', 0x11, unsafe.Sizeof(hwParams{}))
	ioctlHWFree       = ioc(iocNone, 'A', 0x12, 0)
	ioctlSWParams     = ioc(iocRead|iocWrite, 'A', 0x13, unsafe.Sizeof(swParams{}))
	ioctlPrepare      = ioc(iocNone, 'A', 0x40, 0)
	ioctlStart        = ioc(iocNone, 'A', 0x42, 0)
	ioctlDrop         = ioc(iocNone, 'A', 0x43, 0)
	ioctlWriteIFrames = ioc(iocWrite, 'A', 0x50, unsafe.Sizeof(xferi{}))
	ioctlReadIFrames  = ioc(iocRead, 'A', 0x51, unsafe.Sizeof(xferi{}))
)

// any resets p to the full configuration space, as alsa-lib's
// snd_pcm_hw_params_any does: every mask bit set, every interval unbounded,
// every parameter requested for refinement.
func (p *hwParams) any() {
	*p = hwParams{}
	for i := range p.Masks {
		for j := range p.Masks[i].Bits {
			p.Masks[i].Bits[j] = ^uint32(0)
		}
	}
	for i := range p.Intervals {
		p.Intervals[i] = interval{Min: 0, Max: ^uint32(0)}
	}
	p.Rmask = ^uint32(0)
	p.Info = ^uint32(0)
}

// setMask restricts mask parameter n to the single value v.
func (p *hwParams) setMask(n int, v uint) {
	m := &p.Masks[n-paramAccess]
	*m = mask{}
	m.Bits[v/32] = 1 << (v % 32)
}

// maskHas reports whether value v is still allowed in mask parameter n.
func (p *hwParams) maskHas(n int, v uint) bool {
	return p.Masks[n-paramAccess].Bits[v/32]&(1<<(v%32)) != 0
}

// setRange restricts interval parameter n to the integers in [lo, hi].
func (p *hwParams) setRange(n int, lo, hi uint32) {
	p.Intervals[n-paramFirstInterval] = interval{Min: lo, Max: hi, Flags: intervalInteger}
}

// get is interval parameter n.
func (p *hwParams) get(n int) interval {
	return p.Intervals[n-paramFirstInterval]
}
