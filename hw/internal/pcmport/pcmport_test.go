package pcmport

import (
	"errors"
	"testing"

	"deskline/hw"
	"deskline/hw/alsa"
)

type name string

func (n name) String() string { return string(n) }

type brokenPCM struct{ alsa.PCM }

var errUnplugged = errors.New("unplugged")

func (brokenPCM) ReadFrame(*hw.Frame) error  { return errUnplugged }
func (brokenPCM) WriteFrame(*hw.Frame) error { return alsa.ErrClosed }

func TestErrors(t *testing.T) {
	var b Base
	b.Init(name("port{1}"), brokenPCM{})
	var f hw.Frame
	if err := b.ReadFrame(&f); !errors.Is(err, errUnplugged) || err.Error() != "port{1}: read frame: unplugged" {
		t.Errorf("ReadFrame = %v, want the PCM's error named after the port", err)
	}
	if err := b.WriteFrame(&f); !errors.Is(err, hw.ErrHalted) {
		t.Errorf("WriteFrame on a closed PCM = %v, want ErrHalted", err)
	}
	if err := b.NotFXO("seize"); !errors.Is(err, hw.ErrUnsupported) {
		t.Errorf("NotFXO = %v, want ErrUnsupported", err)
	}
	if !b.SetHalted() || b.SetHalted() {
		t.Error("SetHalted does not report the first call alone")
	}
	if err := b.ReadFrame(&f); !errors.Is(err, hw.ErrHalted) {
		t.Errorf("ReadFrame after halt = %v", err)
	}
	if err := b.NotFXO("seize"); !errors.Is(err, hw.ErrHalted) {
		t.Errorf("NotFXO after halt = %v", err)
	}
}
