package media

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/rtp"

	"deskline/media/sched"
	"deskline/media/srtp"
)

// FrameSamples is the number of samples in one 20 ms frame at 8 kHz: the
// unit every generated stream is produced and sent in.
const FrameSamples = 160

// Source is a stage that produces audio for a Feed: tones, a prompt, music
// on hold, a mixer's output for one listener. Read fills dst with the next
// len(dst) samples of 8 kHz 16-bit linear audio and reports whether the
// source goes on; a source that has ended fills what it has left and pads
// dst with silence. Read is called from one goroutine at a time and must
// not block.
type Source interface {
	Read(dst []int16) (more bool)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(dst []int16) bool

// Read calls f.
func (f SourceFunc) Read(dst []int16) bool { return f(dst) }

// Endless adapts a reader that never ends, such as a tone.Generator's Read
// method, to a Source.
func Endless(read func(dst []int16)) Source {
	return SourceFunc(func(dst []int16) bool { read(dst); return true })
}

// FeedOptions configures a Feed. The zero value is valid.
type FeedOptions struct {
	// OnDone, if set, is called once when the Source ends (not when the
	// Feed is stopped). It runs on the scheduler's goroutine, after the
	// Feed has stopped itself, so it must return quickly.
	OnDone func()
}

// Feed sends a generated stream — ringback, a prompt, music on hold — to a
// Session's peer, one 20 ms packet per frame, paced by a sched.Scheduler so
// that the stream neither drifts nor bursts.
//
// While it plays, a Feed has the Session's outgoing stream to itself: the
// packets of a Relay into the same Session, and of Feeds started before it,
// are held back (not counted as lost) and flow again once it stops. The
// peer sees one continuous stream across every switch (same SSRC, sequence
// numbers without a gap); the timestamp jumps and the marker bit is set at
// each switch, as for a new talkspurt.
//
// Per frame a Feed allocates nothing.
type Feed struct {
	s      *Session
	src    Source
	onDone func()
	remove func()

	mu      sync.Mutex
	stopped bool

	// Touched only by the scheduler's goroutine.
	pcm     [FrameSamples]int16
	pkt     rtp.Packet
	payload [FrameSamples]byte
	out     [maxDatagram]byte
	ssrc    uint32
	seq     uint16
	ts0     uint32
}

// Play starts sending src to s's peer on sc. Stop ends it. A Session may have
// several Feeds; the newest one is heard.
func (s *Session) Play(sc *sched.Scheduler, src Source, opts *FeedOptions) *Feed {
	f := s.newFeed(src, opts)
	f.remove = sc.Add(f)
	return f
}

// newFeed returns a Feed that has claimed s but is not paced yet: its owner
// calls Frame (a Conference does, right after mixing) or registers it with
// a Scheduler.
func (s *Session) newFeed(src Source, opts *FeedOptions) *Feed {
	f := &Feed{s: s, src: src, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts0: rand.Uint32(), remove: func() {}}
	if opts != nil {
		f.onDone = opts.OnDone
	}
	f.pkt.Version = 2
	s.claim(f)
	return f
}

// Frame implements sched.Stream: it produces and sends frame n.
func (f *Feed) Frame(n int64) {
	more := f.src.Read(f.pcm[:])
	f.mu.Lock()
	if !f.stopped {
		f.send(n)
	}
	f.mu.Unlock()
	if !more && f.stop() && f.onDone != nil {
		f.onDone()
	}
}

func (f *Feed) send(n int64) {
	codec := f.s.codec()
	codec.Encode(f.payload[:], f.pcm[:])
	h := &f.pkt.Header
	// prepareOut rewrites the header for the peer's stream: set every
	// field again.
	h.Marker = false
	h.SSRC = f.ssrc
	h.SequenceNumber = f.seq
	f.seq++
	// Frames skipped after a late wake-up leave a gap in the timestamp,
	// not in the sequence: the peer plays on in time.
	h.Timestamp = f.ts0 + uint32(n)*FrameSamples
	h.CSRC = h.CSRC[:0]
	f.pkt.Payload = f.payload[:]
	to, table, ok := f.s.prepareOut(h, kindAudio, codec, FrameSamples, f, time.Now())
	if !ok {
		return
	}
	if table != nil {
		convert(f.pkt.Payload, table)
	}
	m, err := f.pkt.MarshalTo(f.out[:maxDatagram-srtp.MaxOverhead])
	var wire []byte
	if err == nil {
		wire, err = f.s.protect(f.out[:m])
	}
	if err != nil {
		f.s.sent(0, err)
		return
	}
	f.s.sent(f.s.conn.WriteToUDPAddrPort(wire, to))
}

// Stop ends the Feed: no packet of it is sent after Stop returns, and the
// Session's peer hears whoever played before it. It is idempotent.
func (f *Feed) Stop() { f.stop() }

// stop stops the Feed and reports whether this call did it.
func (f *Feed) stop() bool {
	f.mu.Lock()
	was := f.stopped
	f.stopped = true
	f.mu.Unlock()
	if was {
		return false
	}
	f.remove()
	f.s.unclaim(f)
	return true
}
