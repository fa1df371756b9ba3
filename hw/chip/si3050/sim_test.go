package si3050

import (
	"sync"
	"time"

	"deskline/hw"
	"deskline/hw/line"

	"periph.io/x/conn/v3"
)

// chip is a register-level Si3050 simulator on an exchange line: a
// conn.Conn that decodes the three-byte framing and models the probe
// signature, soft reset, the ISOcap link coming up, the hook bit, the ring
// detector (alternating RDTP/RDTN at 20 Hz during ring bursts), the line
// voltage (48 V on-hook, 8 V off-hook, signed by polarity) and the loop
// current while off-hook.
type simChip struct {
	mu      sync.Mutex
	regs    [64]byte
	step    int // 0: control byte; 1: register; 2: data
	read    bool
	reg     byte
	battery bool
	rev     bool
	ringing bool // ring voltage on the line right now
	phase   bool // which half wave
	ringer  *line.Ringer
}

func newChip() *simChip {
	c := &simChip{battery: true}
	c.reset()
	return c
}

func (c *simChip) reset() {
	c.regs = [64]byte{}
	c.regs[regControl2] = control2Reset
	c.regs[regDAA2] = 0x10 // line side powered down
}

func (c *simChip) String() string      { return "simdaa" }
func (c *simChip) Duplex() conn.Duplex { return conn.Full }

// far moves the exchange to now: ring cadence and ring half waves.
func (c *simChip) far(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ringing = false
	if c.ringer != nil {
		c.ringing, _ = c.ringer.At(now)
	}
	c.phase = now.UnixMilli()/25%2 == 0
}

func (c *simChip) ring(cad hw.Cadence, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ringer, _ = line.NewRinger(cad, now, nil)
}

func (c *simChip) stopRing()            { c.mu.Lock(); c.ringer = nil; c.mu.Unlock() }
func (c *simChip) setBattery(on bool)   { c.mu.Lock(); c.battery = on; c.mu.Unlock() }
func (c *simChip) setReversed(rev bool) { c.mu.Lock(); c.rev = rev; c.mu.Unlock() }
func (c *simChip) set(reg, v byte)      { c.mu.Lock(); c.regs[reg] = v; c.mu.Unlock() }
func (c *simChip) get(reg byte) byte    { c.mu.Lock(); defer c.mu.Unlock(); return c.regs[reg] }
func (c *simChip) offHook() bool        { return c.get(regDAA1)&daaOffHook != 0 }

func (c *simChip) value(reg byte) byte {
	off := c.regs[regDAA1]&daaOffHook != 0
	linked := c.regs[regDAA2]&0x10 == 0
	switch reg {
	case regRevision:
		if linked {
			return 0x30
		}
		return 0
	case regDAA1:
		v := c.regs[regDAA1]
		if c.ringing && !off && linked {
			if c.phase {
				v |= daaRingPos
			} else {
				v |= daaRingNeg
			}
		}
		return v
	case regLineV:
		v := 0
		if c.battery && linked {
			v = 48
			if off {
				v = 8
			}
			if c.rev {
				v = -v
			}
		}
		return byte(int8(v))
	case regLoopI:
		if c.battery && off && linked {
			return 30
		}
		return 0
	}
	return c.regs[reg]
}

func (c *simChip) Tx(w, r []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.step {
	case 0:
		c.read = w[0] == ctlRead
		c.step = 1
	case 1:
		c.reg = w[0] & 0x3f
		c.step = 2
	case 2:
		c.step = 0
		if c.read {
			if len(r) > 0 {
				r[0] = c.value(c.reg)
			}
			return nil
		}
		if c.reg == regControl1 && w[0]&softReset != 0 {
			c.reset()
			return nil
		}
		c.regs[c.reg] = w[0]
	}
	return nil
}
