//go:build linux

package usbphone

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// waitFile is a device file opened non-blocking whose reads wait in poll
// together with an eventfd, so that Close unblocks a read in progress.
type waitFile struct {
	name      string
	fd, ev    int
	closeOnce sync.Once
	mu        sync.RWMutex // held shared by reads and writes, exclusively by close
}

func openWait(path string, flags int) (*waitFile, error) {
	fd, err := unix.Open(path, flags|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("usbphone(%s): open: %w", path, err)
	}
	ev, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("usbphone(%s): eventfd: %w", path, err)
	}
	return &waitFile{name: path, fd: fd, ev: ev}, nil
}

// read reads once the file is readable; ErrClosed after close.
func (w *waitFile) read(b []byte) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for {
		if w.fd < 0 {
			return 0, ErrClosed
		}
		n, err := unix.Read(w.fd, b)
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EAGAIN):
			return 0, fmt.Errorf("usbphone(%s): read: %w", w.name, err)
		}
		fds := [2]unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}, {Fd: int32(w.ev), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds[:], -1); err != nil && !errors.Is(err, syscall.EINTR) {
			return 0, fmt.Errorf("usbphone(%s): poll: %w", w.name, err)
		}
		if fds[1].Revents != 0 {
			return 0, ErrClosed
		}
	}
}

// write writes b in one call (an output report).
func (w *waitFile) write(b []byte) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.fd < 0 {
		return ErrClosed
	}
	for range 100 {
		_, err := unix.Write(w.fd, b)
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EINTR) {
			if err != nil {
				return fmt.Errorf("usbphone(%s): write: %w", w.name, err)
			}
			return nil
		}
		fds := [1]unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLOUT}}
		unix.Poll(fds[:], 100)
	}
	return fmt.Errorf("usbphone(%s): write: %w", w.name, syscall.EAGAIN)
}

func (w *waitFile) ioctl(req uintptr, arg unsafe.Pointer) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

func (w *waitFile) close() error {
	var err error
	w.closeOnce.Do(func() {
		var one = [8]byte{1}
		unix.Write(w.ev, one[:])
		w.mu.Lock()
		defer w.mu.Unlock()
		err = unix.Close(w.fd)
		unix.Close(w.ev)
		w.fd = -1
	})
	return err
}

// HID is a USB telephone's HID interface read through hidraw
// (/dev/hidrawN): an Input for its hook switch, flash, mute and keypad,
// and a Ringer when its descriptor has a ringer or ring indicator output.
// It mirrors the hook state to the Off-Hook indicator, as hosts of
// certified headsets are expected to.
type HID struct {
	f       *waitFile
	tel     *Telephony
	buf     []byte
	pending []Control

	mu      sync.Mutex // guards the output state
	ringing bool
	offHook bool
	outErr  error
}

// OpenHID opens a hidraw device and parses its report descriptor. It
// fails with ErrDescriptor when the device has no telephony controls.
func OpenHID(path string) (*HID, error) {
	f, err := openWait(path, unix.O_RDWR)
	if err != nil {
		return nil, err
	}
	var size int32
	if err := f.ioctl(hidiocGRDescSize, unsafe.Pointer(&size)); err != nil {
		f.close()
		return nil, fmt.Errorf("usbphone(%s): descriptor size: %w", path, err)
	}
	var rd hidrawReportDescriptor
	rd.Size = uint32(min(max(size, 0), int32(len(rd.Value))))
	if err := f.ioctl(hidiocGRDesc, unsafe.Pointer(&rd)); err != nil {
		f.close()
		return nil, fmt.Errorf("usbphone(%s): descriptor: %w", path, err)
	}
	d, err := ParseDescriptor(rd.Value[:rd.Size])
	if err == nil {
		var tel *Telephony
		if tel, err = NewTelephony(d); err == nil {
			return &HID{f: f, tel: tel, buf: make([]byte, 4096)}, nil
		}
	}
	f.close()
	return nil, fmt.Errorf("usbphone(%s): %w", path, err)
}

// HasRinger reports whether SetRinging reaches a ringer on the device.
func (h *HID) HasRinger() bool { return h.tel.HasRinger() }

// Next implements Input.
func (h *HID) Next() (Control, error) {
	for len(h.pending) == 0 {
		n, err := h.f.read(h.buf)
		if err != nil {
			return Control{}, err
		}
		h.pending = h.tel.Decode(h.buf[:n], h.pending[:0])
	}
	c := h.pending[0]
	h.pending = h.pending[1:]
	if c.Type == Hook {
		h.mu.Lock()
		h.offHook = c.On
		if c.On {
			h.ringing = false
		}
		// A failed indicator write leaves the telephone usable: keep it
		// for OutputErr rather than ending the input.
		if err := h.output(); err != nil {
			h.outErr = err
		}
		h.mu.Unlock()
	}
	return c, nil
}

// SetRinging implements Ringer.
func (h *HID) SetRinging(on bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ringing = on
	return h.output()
}

// output writes the ringer and off-hook state; called with h.mu held.
func (h *HID) output() error {
	for _, r := range h.tel.OutputReports(h.ringing, h.offHook) {
		if err := h.f.write(r); err != nil {
			return err
		}
	}
	return nil
}

// OutputErr is the last error writing the off-hook indicator while
// reading controls, or nil.
func (h *HID) OutputErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.outErr
}

// Close implements Input.
func (h *HID) Close() error { return h.f.close() }

// Evdev is a telephone's keys read through an input device
// (/dev/input/eventN): a Yealink USB-P1K or any keypad; see keyMap for the
// keys understood. It has no ringer.
type Evdev struct {
	f       *waitFile
	m       keyMap
	buf     []byte
	pending []Control
}

// OpenEvdev opens an input device.
func OpenEvdev(path string) (*Evdev, error) {
	f, err := openWait(path, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	return &Evdev{f: f, buf: make([]byte, 64*inputEventSize)}, nil
}

// Next implements Input.
func (e *Evdev) Next() (Control, error) {
	for len(e.pending) == 0 {
		n, err := e.f.read(e.buf)
		if err != nil {
			return Control{}, err
		}
		e.pending = e.m.decodeEvents(e.buf[:n], e.pending[:0])
	}
	c := e.pending[0]
	e.pending = e.pending[1:]
	return c, nil
}

// Close implements Input.
func (e *Evdev) Close() error { return e.f.close() }
