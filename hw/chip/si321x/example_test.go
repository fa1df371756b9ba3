package si321x_test

import (
	"fmt"
	"log"

	"deskline/hw/chip/si321x"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/spi/spitest"
)

// New probes the chip first: on an empty bus (every byte reads 0xff) it
// returns ErrNoChip and no port. On a board, p comes from
// spireg.Open("SPI0.0") after host.Init.
func ExampleNew() {
	var io []conntest.IO
	io = append(io, conntest.IO{W: []byte{0x80}}, conntest.IO{W: []byte{0}, R: []byte{0xff}})
	p := &spitest.Playback{Playback: conntest.Playback{Ops: io}}
	d, err := si321x.New(p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Halt()
	log.Print(d)
	// Output:
	// si321x(playback): si321x: no ProSLIC found: ID register reads 0xff
}
