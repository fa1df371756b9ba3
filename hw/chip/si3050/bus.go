package si3050

import "deskline/hw/chip/internal/shell"

// bus frames DAA register access: a control byte (0x20 write, 0x60 read),
// the register number, then the data byte, each its own chip-select cycle.
type bus struct{ shell.Bus }

const (
	ctlWrite = 0x20
	ctlRead  = 0x60
)

func (b *bus) write(reg, v byte) {
	b.Byte(ctlWrite, false)
	b.Byte(reg&0x7f, false)
	b.Byte(v, false)
}

func (b *bus) read(reg byte) byte {
	b.Byte(ctlRead, false)
	b.Byte(reg&0x7f, false)
	return b.Byte(0, true)
}
