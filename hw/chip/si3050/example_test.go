package si3050_test

import (
	"fmt"
	"log"

	"deskline/hw/chip/si3050"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/spi/spitest"
)

// New probes the chip first: on an empty bus (every byte reads 0xff) it
// returns ErrNoChip and no port. On a board, p comes from
// spireg.Open("SPI0.1") after host.Init.
func ExampleNew() {
	io := []conntest.IO{{W: []byte{0x60}}, {W: []byte{0x02}}, {W: []byte{0}, R: []byte{0xff}}}
	p := &spitest.Playback{Playback: conntest.Playback{Ops: io}}
	d, err := si3050.New(p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Halt()
	log.Print(d)
	// Output:
	// si3050(playback): si3050: no DAA found: register 2 reads 0xff, want 0x03
}
