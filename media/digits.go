package media

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/rtp"

	"deskline/media/dtmf"
	"deskline/media/sched"
	"deskline/media/srtp"
)

// ErrNotDigit is returned by SendDigit for a byte that is no DTMF key.
var ErrNotDigit = errors.New("media: not a DTMF key")

// SendDigit sends DTMF key digit (0-9 * # A-D) to the Session's peer for
// dur (at least 40 ms): as RFC 4733 telephone-events with the payload type
// the peer negotiated, or, when it negotiated none, as tones in the audio.
// While the key sounds it has the outgoing stream to itself. It returns at
// once; the key is paced by sc.
func (s *Session) SendDigit(sc *sched.Scheduler, digit byte, dur time.Duration) error {
	event, ok := DigitEvent(digit)
	if !ok {
		return ErrNotDigit
	}
	dur = max(dur, 40*time.Millisecond)
	s.mu.Lock()
	pt := s.format.DTMFPT
	s.mu.Unlock()
	if pt == 0 {
		g := dtmf.NewGenerator(nil)
		if err := g.Play(string(digit), dur, 0); err != nil {
			return err
		}
		s.Play(sc, SourceFunc(func(dst []int16) bool { g.Read(dst); return !g.Done() }), nil)
		return nil
	}
	d := &digitFeed{s: s, event: event, frames: int(dur / (20 * time.Millisecond)),
		ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
	d.pkt.Version = 2
	s.claim(d)
	d.remove = sc.Add(d)
	return nil
}

// digitFeed sends one key as RFC 4733 events: a packet every 20 ms with
// the duration so far, then the end packet three times (RFC 4733 §2.5.1.4).
type digitFeed struct {
	s      *Session
	event  uint8
	frames int
	remove func()

	mu   sync.Mutex
	done bool
	sent int

	ssrc    uint32
	seq     uint16
	ts      uint32
	pkt     rtp.Packet
	payload [4]byte
	out     [64 + srtp.MaxOverhead]byte
}

const endRepeats = 3

// Frame implements sched.Stream.
func (d *digitFeed) Frame(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return
	}
	end := d.sent >= d.frames
	units := min(d.sent+1, d.frames) * FrameSamples
	d.payload[0] = d.event
	d.payload[1] = 10 // volume: -10 dBm0
	if end {
		d.payload[1] |= 0x80
	}
	binary.BigEndian.PutUint16(d.payload[2:], uint16(units))
	h := &d.pkt.Header
	h.Marker = d.sent == 0
	h.SSRC, h.SequenceNumber, h.Timestamp = d.ssrc, d.seq, d.ts
	d.seq++
	d.pkt.Payload = d.payload[:]
	if to, _, ok := d.s.prepareOut(h, kindDTMF, 0, len(d.payload), d, time.Now()); ok {
		m, err := d.pkt.MarshalTo(d.out[:len(d.out)-srtp.MaxOverhead])
		var wire []byte
		if err == nil {
			wire, err = d.s.protect(d.out[:m])
		}
		if err == nil {
			d.s.sent(d.s.conn.WriteToUDPAddrPort(wire, to))
		}
	}
	d.sent++
	if d.sent >= d.frames+endRepeats {
		d.done = true
		d.remove()
		d.s.unclaim(d)
	}
}
