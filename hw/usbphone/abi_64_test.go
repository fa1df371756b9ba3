//go:build amd64 || arm64

package usbphone

// sizeof(struct input_event) on 64-bit Linux: a 16-byte timeval, then
// type, code and value (include/uapi/linux/input.h).
const wantInputEventSize = 24
