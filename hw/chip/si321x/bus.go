package si321x

import "deskline/hw/chip/internal/shell"

// bus frames ProSLIC register access: a write is the register number with
// bit 7 clear, then the value; a read is the register number with bit 7
// set, then one byte clocked in; every byte is its own chip-select cycle.
type bus struct {
	shell.Bus
	last byte // last value read
}

func (b *bus) write(reg, v byte) {
	b.Byte(reg&0x7f, false)
	b.Byte(v, false)
}

func (b *bus) read(reg byte) byte {
	b.Byte(reg|0x80, false)
	b.last = b.Byte(0, true)
	return b.last
}
