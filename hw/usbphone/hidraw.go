package usbphone

import "unsafe"

// hidrawReportDescriptor is struct hidraw_report_descriptor
// (include/uapi/linux/hidraw.h).
type hidrawReportDescriptor struct {
	Size  uint32
	Value [maxDescriptor]byte
}

// ioctl numbers of include/uapi/linux/hidraw.h, encoded as in
// include/uapi/asm-generic/ioctl.h (_IOR = read direction 2 in bits 30-31,
// size in bits 16-29, type 'H', number).
var (
	hidiocGRDescSize = uintptr(2<<30 | unsafe.Sizeof(int32(0))<<16 | 'H'<<8 | 0x01)
	hidiocGRDesc     = uintptr(2<<30 | unsafe.Sizeof(hidrawReportDescriptor{})<<16 | 'H'<<8 | 0x02)
)
