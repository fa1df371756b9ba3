package media

import (
	"errors"
	"sync"
	"time"

	"github.com/pion/rtp"

	"deskline/media/jitter"
	"deskline/media/mix"
	"deskline/media/sched"
)

// ErrNotMember is returned for a Session that is not in the Conference.
var ErrNotMember = errors.New("media: session is not in the conference")

// JoinOptions says how a Session takes part in a Conference.
type JoinOptions struct {
	// Mode: mix.Talk for a party of the call (and a supervisor who
	// barges in), mix.Listen for a supervisor who only listens,
	// mix.Whisper to be heard by Target alone, mix.Mute.
	Mode mix.Mode
	// Target is the member a Whisper party is heard by.
	Target *Session
	// OnDigit, if set, gets the member's DTMF keys (see ReceiverOptions).
	OnDigit func(digit byte, end bool)
}

// Conference mixes the audio of several Sessions: a conference call, or a
// call that a supervisor listens to, whispers into or barges in on. Each
// member's audio goes through a jitter buffer into a mix.Mixer, and each
// member hears the mix of the others that its mode allows, sent as one
// continuous stream. One Scheduler stream paces it: per 20 ms it takes a
// frame from every jitter buffer, mixes, and sends every member its frame.
//
// A Session in a Conference is read by it: close any Relay or Receiver on
// the Session before Join, and start them again only after Leave.
type Conference struct {
	mu      sync.Mutex
	mixer   *mix.Mixer
	members []*member
	nextID  int
	remove  func()
	closed  bool
	taps    []*tap
}

// tap hands the frames two members sent to a function, every 20 ms.
type tap struct {
	left, right *Session
	fn          func(left, right []int16)
}

// silence is what a tap gets for a member that is not (or no longer) in
// the Conference.
var silence [FrameSamples]int16

type member struct {
	s     *Session
	party *mix.Party
	rcv   *Receiver
	feed  *Feed

	jmu sync.Mutex // the jitter buffer is filled by the Receiver's goroutine
	jb  *jitter.Buffer
}

// NewConference returns an empty Conference paced by sc.
func NewConference(sc *sched.Scheduler) *Conference {
	c := &Conference{mixer: mix.New(nil)}
	c.remove = sc.Add(c)
	return c
}

// Join adds s to the Conference and starts reading it.
func (c *Conference) Join(s *Session, o JoinOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("media: conference closed")
	}
	if c.find(s) != nil {
		return errors.New("media: session already in the conference")
	}
	m := &member{s: s, jb: jitter.New(nil)}
	c.nextID++
	m.party = c.mixer.Add(c.nextID, o.Mode)
	if err := c.setTarget(m, o.Mode, o.Target); err != nil {
		c.mixer.Remove(m.party)
		return err
	}
	m.rcv = NewReceiver(s, ReceiverOptions{
		OnDigit: o.OnDigit,
		InBand:  o.OnDigit != nil,
		OnAudio: func(h *rtp.Header, pcm []int16) {
			m.jmu.Lock()
			m.jb.Put(h.SequenceNumber, h.Timestamp, h.SSRC, h.Marker, time.Now(), pcm)
			m.jmu.Unlock()
		},
	})
	m.feed = s.newFeed(SourceFunc(func(dst []int16) bool {
		copy(dst, m.party.Out())
		return true
	}), nil)
	c.members = append(c.members, m)
	m.rcv.Start()
	return nil
}

// SetMode changes how a member takes part, from the next frame on.
func (c *Conference) SetMode(s *Session, mode mix.Mode, target *Session) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.find(s)
	if m == nil {
		return ErrNotMember
	}
	if err := c.setTarget(m, mode, target); err != nil {
		return err
	}
	m.party.SetMode(mode)
	return nil
}

// setTarget points a Whisper member at its listener. c.mu must be held.
func (c *Conference) setTarget(m *member, mode mix.Mode, target *Session) error {
	if mode != mix.Whisper {
		m.party.SetTarget(nil)
		return nil
	}
	t := c.find(target)
	if t == nil || t == m {
		return errors.New("media: a whisper needs another member to be heard by")
	}
	m.party.SetTarget(t.party)
	return nil
}

// Leave removes s: the Conference stops reading it and sending to it, and
// whoever played to it before it joined is heard again. It reports whether
// s was a member.
func (c *Conference) Leave(s *Session) bool {
	c.mu.Lock()
	m := c.find(s)
	if m != nil {
		for i, x := range c.members {
			if x == m {
				c.members = append(c.members[:i], c.members[i+1:]...)
				break
			}
		}
		c.mixer.Remove(m.party)
		for _, o := range c.members {
			if o.party.Target() == m.party {
				o.party.SetTarget(nil)
			}
		}
	}
	c.mu.Unlock()
	if m == nil {
		return false
	}
	m.rcv.Close()
	m.feed.Stop()
	return true
}

// Len is the number of members.
func (c *Conference) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.members)
}

// Close removes every member and stops the Conference.
func (c *Conference) Close() {
	c.mu.Lock()
	c.closed = true
	ms := append([]*member(nil), c.members...)
	c.mu.Unlock()
	c.remove()
	for _, m := range ms {
		c.Leave(m.s)
	}
}

// Frame implements sched.Stream: one 20 ms round of mixing.
func (c *Conference) Frame(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		m.jmu.Lock()
		m.jb.Get(m.party.In())
		m.jmu.Unlock()
	}
	for _, t := range c.taps {
		l, r := silence[:], silence[:]
		if m := c.find(t.left); m != nil {
			l = m.party.In()
		}
		if m := c.find(t.right); m != nil {
			r = m.party.In()
		}
		t.fn(l, r)
	}
	c.mixer.Mix()
	for _, m := range c.members {
		m.feed.Frame(n)
	}
}

// AddTap calls fn every 20 ms, on the Conference's goroutine, with the
// frame each of left and right sent, after their jitter buffers: what a
// call recorder writes. fn must return quickly and must not keep the
// slices. The function returned removes the tap.
func (c *Conference) AddTap(left, right *Session, fn func(left, right []int16)) (remove func()) {
	t := &tap{left: left, right: right, fn: fn}
	c.mu.Lock()
	c.taps = append(c.taps, t)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.taps {
			if x == t {
				c.taps = append(c.taps[:i], c.taps[i+1:]...)
				return
			}
		}
	}
}

func (c *Conference) find(s *Session) *member {
	for _, m := range c.members {
		if m.s == s {
			return m
		}
	}
	return nil
}
