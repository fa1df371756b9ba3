package sip

import (
	"sync"

	"deskline/media"
	"deskline/media/mix"
)

// connectedCallOf returns the call extension ext is connected in, other
// than not; nil if none.
func (t *callTable) connectedCallOf(ext string, not *call) *call {
	for _, c := range t.list() {
		c.mu.Lock()
		callee := c.callee
		c.mu.Unlock()
		if c != not && !c.noCDR && (c.caller == ext || callee == ext) {
			return c
		}
	}
	return nil
}

// mixOn moves a connected call from its relay into a Conference, where
// supervisors and recorders can join its audio, or takes one more user of
// the Conference it is already in. The parties keep hearing each other.
// Call with c.mu held; every successful mixOn is paired with a mixOff.
func (c *call) mixOn() error {
	// The caller's leg may still wait for the ACK of our 200: its media
	// flows already.
	if c.ended || c.ending || c.a.state != LegEstablished && c.a.state != LegAnswered || c.b.state != LegEstablished {
		return ErrNoSuchCall
	}
	if c.conf == nil {
		if c.relay == nil {
			return ErrNoSuchCall
		}
		c.relay.Close()
		c.relay = nil
		conf := media.NewConference(c.s.sched)
		for _, m := range []*media.Session{c.a.media, c.b.media} {
			if err := conf.Join(m, media.JoinOptions{Mode: mix.Talk}); err != nil {
				conf.Close()
				c.relay = media.NewRelay(c.a.media, c.b.media, nil)
				c.relay.Start()
				return err
			}
		}
		c.conf = conf
	}
	c.mixUsers++
	return nil
}

// mixOff releases one user of the call's Conference; with none left, the
// parties are relayed directly again. Call with c.mu held.
func (c *call) mixOff() {
	if c.mixUsers--; c.mixUsers > 0 || c.conf == nil || c.ended || c.ending {
		return
	}
	c.conf.Close()
	c.conf = nil
	c.relay = media.NewRelay(c.a.media, c.b.media, nil)
	c.relay.Start()
}

// Tap receives a connected call's audio: see Server.TapCall.
type Tap struct {
	c      *call
	remove func()
	once   sync.Once
}

// TapCall calls fn every 20 ms with what each party of the connected call
// with this id sent in that time, dejittered: the caller's frame and the
// callee's. fn runs on the media scheduler's goroutine, must return at
// once (hand the frames to another goroutine to write them) and must not
// keep the slices. Stop ends the tap; Done is closed when the call ends.
func (s *Server) TapCall(id string, fn func(caller, callee []int16)) (*Tap, error) {
	s.calls.mu.Lock()
	c := s.calls.byID[id]
	s.calls.mu.Unlock()
	if c == nil {
		return nil, ErrNoSuchCall
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.mixOn(); err != nil {
		return nil, err
	}
	return &Tap{c: c, remove: c.conf.AddTap(c.a.media, c.b.media, fn)}, nil
}

// Done is closed when the tapped call ends.
func (t *Tap) Done() <-chan struct{} { return t.c.done }

// Stop removes the tap.
func (t *Tap) Stop() {
	t.once.Do(func() {
		t.c.mu.Lock()
		defer t.c.mu.Unlock()
		t.remove()
		t.c.mixOff()
	})
}

// rooms are the conference rooms in use, by name.
type rooms struct {
	mu    sync.Mutex
	byKey map[string]*room
}

type room struct {
	conf    *media.Conference
	members int
}

// JoinRoom puts the channel's caller into conference room name with every
// other caller who joined it: each hears all the others. Digits the caller
// presses still arrive on the channel. Leave (or the call's end) takes the
// caller out; the room closes when its last member leaves. Members tells
// how many are in the room now.
func (ch *Channel) JoinRoom(name string) (leave func(), members func() int, err error) {
	s, c := ch.c.s, ch.c
	s.rooms.mu.Lock()
	defer s.rooms.mu.Unlock()
	if s.rooms.byKey == nil {
		s.rooms.byKey = map[string]*room{}
	}
	r := s.rooms.byKey[name]
	if r == nil {
		r = &room{conf: media.NewConference(s.sched)}
		s.rooms.byKey[name] = r
	}
	c.mu.Lock()
	rcv := c.receiver
	c.mu.Unlock()
	rcv.Close()
	if err := r.conf.Join(c.a.media, media.JoinOptions{Mode: mix.Talk, OnDigit: ch.pushDigit}); err != nil {
		if r.members == 0 {
			r.conf.Close()
			delete(s.rooms.byKey, name)
		}
		return nil, nil, err
	}
	r.members++
	var once sync.Once
	leave = func() {
		once.Do(func() {
			s.rooms.mu.Lock()
			defer s.rooms.mu.Unlock()
			r.conf.Leave(c.a.media)
			if r.members--; r.members == 0 {
				r.conf.Close()
				delete(s.rooms.byKey, name)
			}
		})
	}
	members = func() int {
		s.rooms.mu.Lock()
		defer s.rooms.mu.Unlock()
		return r.members
	}
	return leave, members, nil
}
