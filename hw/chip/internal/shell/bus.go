package shell

import "periph.io/x/conn/v3"

// Bus moves single bytes, each in its own chip-select cycle (one Tx), as
// the Silicon Labs chips want. The first error sticks in Err until the
// driver clears it; after it, reads return 0 and writes are skipped. It
// allocates nothing.
type Bus struct {
	C    conn.Conn
	Err  error
	w, r [1]byte
}

// Byte sends out and, when in is true, returns the byte clocked in.
func (b *Bus) Byte(out byte, in bool) byte {
	if b.Err != nil {
		return 0
	}
	b.w[0] = out
	var r []byte
	if in {
		b.r[0] = 0
		r = b.r[:]
	}
	if err := b.C.Tx(b.w[:], r); err != nil {
		b.Err = err
		return 0
	}
	return b.r[0]
}
