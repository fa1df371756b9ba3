//go:build linux

package alsa

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fdDevice is a PCM device file opened non-blocking, with an eventfd that
// wake signals so that a poll in wait returns.
type fdDevice struct {
	fd, ev    int
	closeOnce sync.Once
}

func openDevice(path string) (*fdDevice, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	ev, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &fdDevice{fd: fd, ev: ev}, nil
}

func (d *fdDevice) ioctl(req uintptr, arg unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(d.fd), req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

func (d *fdDevice) wait(out bool) error {
	ev := int16(unix.POLLIN)
	if out {
		ev = unix.POLLOUT
	}
	fds := [2]unix.PollFd{{Fd: int32(d.fd), Events: ev}, {Fd: int32(d.ev), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds[:], -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if fds[1].Revents != 0 {
			return ErrClosed
		}
		if fds[0].Revents != 0 {
			// Ready, or POLLERR after an xrun: the next transfer reports
			// EPIPE and recovers.
			return nil
		}
	}
}

func (d *fdDevice) wake() {
	var one = [8]byte{1}
	unix.Write(d.ev, one[:])
}

func (d *fdDevice) close() error {
	var err error
	d.closeOnce.Do(func() {
		err = unix.Close(d.fd)
		unix.Close(d.ev)
	})
	return err
}

// OpenStream opens the PCM device file at path (e.g.
// "/dev/snd/pcmC1D0c") for dir and sets it up: 16-bit little-endian
// interleaved samples, the first of opts.Rates the device takes with 1 or
// 2 channels, 20 ms periods; then it prepares the stream.
func OpenStream(path string, dir Direction, opts *Opts) (*Stream, error) {
	dev, err := openDevice(path)
	if err != nil {
		return nil, fmt.Errorf("alsa(%s %v): open: %w", path, dir, err)
	}
	s, err := newStream(path, dir, dev, opts)
	if err != nil {
		dev.close()
		return nil, err
	}
	return s, nil
}
