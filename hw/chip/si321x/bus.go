package si321x

import "periph.io/x/conn/v3"

// bus frames ProSLIC register access: every byte is its own chip-select
// cycle (one Tx). A write is the register number with bit 7 clear, then
// the value; a read is the register number with bit 7 set, then one byte
// clocked in. The first error sticks in err until cleared; after it, reads
// return 0 and writes are skipped.
type bus struct {
	c    conn.Conn
	w, r [1]byte
	err  error
	last byte // last value read
}

func (b *bus) tx(out byte, in bool) byte {
	if b.err != nil {
		return 0
	}
	b.w[0] = out
	var r []byte
	if in {
		b.r[0] = 0
		r = b.r[:]
	}
	if err := b.c.Tx(b.w[:], r); err != nil {
		b.err = err
		return 0
	}
	return b.r[0]
}

func (b *bus) write(reg, v byte) {
	b.tx(reg&0x7f, false)
	b.tx(v, false)
}

func (b *bus) read(reg byte) byte {
	b.tx(reg|0x80, false)
	b.last = b.tx(0, true)
	return b.last
}
