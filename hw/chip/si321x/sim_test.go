package si321x

import (
	"sync"

	"periph.io/x/conn/v3"
)

// chip is a register-level Si321x simulator: a conn.Conn that decodes the
// one-byte-per-transfer framing and models what the driver relies on: the
// reset values it probes, calibration and battery that come up at once,
// the linefeed register, loop closure and ring trip from a telephone's hook
// switch, and write-one-to-clear interrupt status.
type simChip struct {
	mu      sync.Mutex
	regs    [128]byte
	pending int  // 0: expecting a command byte; 1: write data; 2: read data
	reg     byte // register of the pending access
	offHook bool // the telephone's hook switch
	history []LineState
}

func newChip() *simChip {
	c := &simChip{}
	c.regs[regID] = 0x05 // Si3210 revision 5
	c.regs[regLoopback] = loopbackReset
	c.regs[regHybrid] = hybridReset
	c.regs[regVBatHi] = 0xc8
	c.regs[regDCPeakCal] = 0x08
	return c
}

func (c *simChip) String() string      { return "simchip" }
func (c *simChip) Duplex() conn.Duplex { return conn.Full }
func (c *simChip) setHook(off bool)    { c.mu.Lock(); c.offHook = off; c.mu.Unlock() }
func (c *simChip) set(reg, v byte)     { c.mu.Lock(); c.regs[reg] = v; c.mu.Unlock() }
func (c *simChip) get(reg byte) byte   { c.mu.Lock(); defer c.mu.Unlock(); return c.regs[reg] }
func (c *simChip) linefeed() LineState { return LineState(c.get(regLinefeed) & 7) }
func (c *simChip) states() (s []LineState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(s, c.history...)
}
func (c *simChip) loopStat(lf LineState) byte {
	if !c.offHook {
		return 0
	}
	switch lf {
	case Ringing:
		return loopRTP
	case Open, TipOpen, RingOpen:
		return 0
	}
	return loopLCR
}

func (c *simChip) Tx(w, r []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.pending {
	case 0:
		c.reg = w[0] & 0x7f
		c.pending = 1
		if w[0]&0x80 != 0 {
			c.pending = 2
		}
	case 1:
		c.pending = 0
		v := w[0]
		switch c.reg {
		case regCal1:
			v = 0 // calibration finishes at once
		case regIntStatus1, regIntStatus2, regIntStatus3:
			v = c.regs[c.reg] &^ v
		case regLinefeed:
			c.history = append(c.history, LineState(v&7))
		}
		c.regs[c.reg] = v
	case 2:
		c.pending = 0
		v := c.regs[c.reg]
		if c.reg == regLoopStat {
			v = c.loopStat(LineState(c.regs[regLinefeed] & 7))
		}
		if len(r) > 0 {
			r[0] = v
		}
	}
	return nil
}
