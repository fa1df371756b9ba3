package ports

import (
	"context"
	"time"

	"deskline/hw"
	"deskline/hw/line"
	"deskline/media/fsk"
)

// newRinger is the ring cadence as the port plays it, to find the
// caller-ID moment.
func newRinger(c hw.Cadence, start time.Time) (*line.Ringer, error) {
	return line.NewRinger(c, start, nil)
}

// eventLoop follows the port's events.
func (e *endpoint) eventLoop() {
	defer e.wg.Done()
	for ev := range e.port.Events() {
		if e.kind == hw.FXO {
			e.fxoEvent(ev)
		} else {
			e.fxsEvent(ev)
		}
	}
}

func (e *endpoint) fxsEvent(ev hw.Event) {
	switch ev.Type {
	case hw.OffHook:
		e.mu.Lock()
		defer e.mu.Unlock()
		e.offHook = true
		switch {
		case e.state == stRinging && e.call != nil:
			e.cidAt, e.snd = time.Time{}, sndSilence
			e.call.signalAnswer()
		case e.state == stIdle:
			e.dialTone()
		}
	case hw.OnHook:
		e.mu.Lock()
		c := e.call
		e.offHook, e.call, e.state, e.snd, e.digits = false, nil, stIdle, sndSilence, e.digits[:0]
		e.mu.Unlock()
		if c != nil {
			e.hangup(c)
		}
	case hw.Flash:
		// A flash after a failed or ended call gives a new dial tone;
		// during a call it does nothing yet (no hold or transfer).
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.state == stBusy {
			e.dialTone()
		}
	case hw.Digit:
		e.digit(ev.Digit)
	}
}

// dialTone starts dialling. Call with e.mu held.
func (e *endpoint) dialTone() {
	e.state, e.digits, e.offHookAt = stDialTone, e.digits[:0], e.g.o.Now()
	e.setTone(e.g.dial)
	e.det.Reset()
}

// digit takes a dialled digit, from the audio or from the port.
func (e *endpoint) digit(d byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stDialTone && e.state != stDialling {
		return
	}
	e.state, e.snd = stDialling, sndSilence
	e.lastDigit = e.g.o.Now()
	if d == '#' && len(e.digits) > 0 {
		e.placeCall()
		return
	}
	e.digits = append(e.digits, d)
}

// tick runs the dialling timeouts on the port's clock.
func (e *endpoint) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.g.o.Now()
	switch {
	case e.state == stDialling && now.Sub(e.lastDigit) >= e.g.o.DigitTimeout:
		e.placeCall()
	case e.state == stDialTone && now.Sub(e.offHookAt) >= e.g.o.FirstDigitTimeout:
		e.state = stBusy
		e.setTone(e.g.congestion)
	}
}

// placeCall calls the digits dialled. Call with e.mu held.
func (e *endpoint) placeCall() {
	number := string(e.digits)
	ctx, cancel := context.WithCancel(e.ctx)
	c := &call{cancel: cancel, answered: make(chan struct{})}
	e.call, e.state, e.snd = c, stCalling, sndSilence
	e.log.Info("dialled", "extension", e.ext, "number", number)
	e.wg.Add(1)
	go e.invite(ctx, c, number, e.ext, "")
}

func (e *endpoint) fxoEvent(ev hw.Event) {
	switch ev.Type {
	case hw.CallerIDReceived:
		if ev.CallerID != nil {
			cid := *ev.CallerID
			e.mu.Lock()
			e.lineCID = &cid
			e.mu.Unlock()
		}
	case hw.RingStart:
		e.mu.Lock()
		defer e.mu.Unlock()
		if ev.Count == 1 && e.state == stIdle {
			e.lineCID = nil
		}
		if e.state != stIdle || e.call != nil || ev.Count < e.line.AnswerAfterRings {
			return
		}
		if err := e.port.Seize(); err != nil {
			e.log.Warn("seize failed", "err", err)
			return
		}
		num, name := "anonymous", ""
		if e.lineCID != nil && e.lineCID.Number != "" {
			num, name = e.lineCID.Number, e.lineCID.Name
		}
		ctx, cancel := context.WithCancel(e.ctx)
		c := &call{cancel: cancel, answered: make(chan struct{})}
		e.call, e.state, e.snd = c, stCalling, sndSilence
		e.log.Info("line rings in", "did", e.line.DID, "caller", num)
		e.wg.Add(1)
		go e.invite(ctx, c, e.line.DID, num, name)
	case hw.PolarityReversal, hw.LineDown:
		e.mu.Lock()
		c := e.call
		if c != nil {
			e.call, e.state, e.snd, e.lineCID = nil, stIdle, sndSilence, nil
			e.port.Release()
		}
		e.mu.Unlock()
		if c != nil {
			e.log.Info("line disconnected", "by", ev.Type)
			e.hangup(c)
		}
	}
}

// lineCallerID takes a caller-ID message decoded from the line audio.
func (e *endpoint) lineCallerID(msg []byte) {
	c, err := fsk.ParseMessage(msg)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lineCID = &hw.CallerID{Number: c.Number, Name: c.Name, Time: c.Time}
}
