package fsk_test

import (
	"fmt"
	"time"

	"deskline/media/fsk"
)

func Example() {
	// FXS side: caller ID for the phone, sent between the first and the
	// second ring.
	msg, err := fsk.MDMF(fsk.CallerID{
		Time:   time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC),
		Number: "0123456789",
		Name:   "DUPONT MARIE",
	})
	if err != nil {
		panic(err)
	}
	mod, err := fsk.NewModulator(msg, fsk.Options{Mode: fsk.V23})
	if err != nil {
		panic(err)
	}
	// FXO side: a demodulator listening to the line.
	demod := fsk.NewDemodulator(fsk.V23, func(m []byte) {
		c, err := fsk.ParseMessage(m)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %q from %s\n", c.Time.Format("Jan 2 15:04"), c.Name, c.Number)
	})
	frame := make([]int16, 160)
	for done := false; !done; {
		done = mod.Read(frame)
		demod.Write(frame)
	}
	// Output:
	// Nov 23 09:30 "DUPONT MARIE" from 0123456789
}
