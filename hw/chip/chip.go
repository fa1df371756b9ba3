// Package chip holds what the hw/chip drivers (si321x for FXS, si3050 for
// FXO) share: Board, how a chip is wired to the board (SPI port name, PCM
// time slot, /RESET and /INT pins, audio path, clock), which each driver's
// Opts embeds.
//
// Imports: hw and periph.io/x/conn. Importers: the drivers and appliance.
package chip

import (
	"fmt"
	"time"

	"deskline/hw"

	"periph.io/x/conn/v3/gpio"
)

// Clock is a driver's time source: Now stamps samples and events, After
// paces sampling. A clockwork.Clock (as periph's gpiotest uses) satisfies
// it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Law is the PCM sample format on the bus.
type Law uint8

const (
	// MuLaw is 8-bit G.711 µ-law (the default).
	MuLaw Law = iota
	// ALaw is 8-bit G.711 A-law.
	ALaw
	// Linear is 16-bit linear PCM.
	Linear
)

func (l Law) String() string {
	switch l {
	case MuLaw:
		return "µ-law"
	case ALaw:
		return "A-law"
	case Linear:
		return "linear"
	}
	return fmt.Sprintf("Law(%d)", uint8(l))
}

// Board is how one chip is wired. The zero value is valid: µ-law in the
// first time slot, no reset or interrupt pin, sampled every 4 ms on the
// wall clock, silence for audio.
type Board struct {
	// Name goes into the port's String, e.g. "si3050(Name)". Default: the
	// SPI connection's name.
	Name string
	// Audio carries the port's PCM time slot, converted to linear frames;
	// nil delivers silence paced by Clock and discards what is written.
	Audio hw.Audio
	// Clock defaults to the wall clock. Sleep waits during initialisation
	// (reset pulse, power-up, calibration or link polls); default
	// time.Sleep.
	Clock Clock
	Sleep func(time.Duration)
	// Reset is the chip's /RESET pin (active low); nil when the board
	// resets the chip itself. New pulses it low for 1 ms, then waits 10 ms.
	Reset gpio.PinOut
	// IRQ is the chip's /INT pin (active low); nil to poll. With it the
	// driver samples on falling edges, at its line machines' deadlines and
	// at least every IRQIdle (default 50 ms); Halt may then take up to
	// IRQIdle, since a pin's edge wait cannot be interrupted.
	IRQ     gpio.PinIn
	IRQIdle time.Duration
	// Poll is the sampling interval without IRQ. Default 4 ms: pulse
	// dialling needs better than 10 ms.
	Poll time.Duration
	// Health is how often the slower health checks run (chip reset,
	// battery, line-side link). Default 500 ms.
	Health time.Duration
	// Law is the PCM format; TXStart and RXStart place the port's audio on
	// the bus, counted in PCLK bits from frame sync (8 × slot for 8-bit
	// slots, as DAHDI does). At most 1023.
	Law              Law
	TXStart, RXStart uint16
}
