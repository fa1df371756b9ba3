package ag1171_test

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"deskline/hw/alsa"
	"deskline/hw/chip/ag1171"
)

// On a board, the pins come from ag1171.DefaultWiring().Pins() after
// host.Init, and the audio from alsa.Open; here fakes stand in.
func Example() {
	pins := ag1171.Pins{
		RM:  &gpiotest.Pin{N: "GPIO23"},
		FR:  &gpiotest.Pin{N: "GPIO24"},
		SHK: &gpiotest.Pin{N: "GPIO25", EdgesChan: make(chan gpio.Level, 1)},
	}
	port, err := ag1171.New(pins, alsa.NewFake(0, 0), &ag1171.Opts{Name: "kitchen"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer port.Halt()
	fmt.Println(port, port.Kind())
	// Output: ag1171{kitchen} FXS
}
