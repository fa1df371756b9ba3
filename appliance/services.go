package appliance

import (
	"errors"
	"sync"
	"time"

	"deskline/appliance/dialplan"
	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/prompt"
)

// runService runs a feature the box answers itself on a caller's channel.
func (a *Appliance) runService(ch *sip.Channel) {
	var err error
	switch ch.Service() {
	case dialplan.FeatureEcho:
		err = a.echoTest(ch)
	case dialplan.FeatureClock:
		err = a.say(ch, append(append([]string{"the-time-is"}, prompt.SayTime(a.now().Local())...), append([]string{"today-is"}, prompt.SayDate(a.now().Local())...)...)...)
	case dialplan.FeatureWhoAmI:
		err = a.say(ch, append([]string{"your-extension-is"}, prompt.SayDigits(ch.Caller())...)...)
	default:
		a.log.Error("no such service", "service", ch.Service())
		return
	}
	if err != nil && !errors.Is(err, sip.ErrHungUp) {
		a.log.Warn("service failed", "service", ch.Service(), "caller", ch.Caller(), "err", err)
	}
}

// playback adapts a prompt Player to a media Source.
func playback(p *prompt.Player) media.Source {
	return media.SourceFunc(func(dst []int16) bool { return !p.Read(dst) })
}

// say plays prompts by name, then a short pause, and lets the call end.
func (a *Appliance) say(ch *sip.Channel, names ...string) error {
	p, err := a.prompts.Player(names...)
	if err != nil {
		return err
	}
	if _, err := ch.Play(playback(p), false); err != nil {
		return err
	}
	return ch.Wait(500 * time.Millisecond)
}

// echoTest plays the introduction and a beep, then plays back what the
// caller says, until the caller presses # or hangs up: installers use it
// to hear a phone's audio both ways, and its delay.
func (a *Appliance) echoTest(ch *sip.Channel) error {
	p, err := a.prompts.Player("echo-test", "beep")
	if err != nil {
		return err
	}
	if _, err := ch.Play(playback(p), true); err != nil {
		return err
	}
	var echo echoBuffer
	ch.OnAudio(echo.write)
	defer ch.OnAudio(nil)
	for {
		d, err := ch.Play(media.SourceFunc(echo.read), true)
		if err != nil {
			return err
		}
		if _, err := ch.ReadDigit(0); err != nil {
			return err
		}
		if d == '#' {
			return a.say(ch, "goodbye")
		}
	}
}

// echoBuffer carries a caller's audio back to them: what the caller sends
// is written as it arrives and read at the stream's pace. At most half a
// second waits; older audio is dropped so the delay stays short.
type echoBuffer struct {
	mu  sync.Mutex
	buf []int16
}

const echoMax = 4000 // half a second at 8 kHz

func (e *echoBuffer) write(pcm []int16) {
	e.mu.Lock()
	e.buf = append(e.buf, pcm...)
	if over := len(e.buf) - echoMax; over > 0 {
		e.buf = append(e.buf[:0], e.buf[over:]...)
	}
	e.mu.Unlock()
}

func (e *echoBuffer) read(dst []int16) bool {
	e.mu.Lock()
	n := copy(dst, e.buf)
	e.buf = append(e.buf[:0], e.buf[n:]...)
	e.mu.Unlock()
	clear(dst[n:])
	return true
}
