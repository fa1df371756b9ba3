//go:build arm || 386

package usbphone

// sizeof(struct input_event) on 32-bit Linux: an 8-byte timeval, then
// type, code and value (include/uapi/linux/input.h).
const wantInputEventSize = 16
