package appliance

import (
	"cmp"
	"errors"
	"sync"
	"time"

	"deskline/appliance/dialplan"
	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/mix"
	"deskline/media/prompt"
	"deskline/webui"
)

// serviceVoicemail takes a message for an extension that did not answer
// (sip.Target.Fallback); it is not dialled.
const serviceVoicemail = "voicemail"

// serviceQueue puts a caller in a contact-centre queue.
const serviceQueue = "queue"

// serviceFlow runs an IVR flow for a number that reaches it.
const serviceFlow = "ivr"

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
	case dialplan.FeatureListen:
		err = a.supervise(ch, mix.Listen)
	case dialplan.FeatureWhisper:
		err = a.supervise(ch, mix.Whisper)
	case dialplan.FeatureBarge:
		err = a.supervise(ch, mix.Talk)
	case dialplan.FeatureConference:
		err = a.conference(ch)
	case dialplan.FeatureMailbox:
		err = a.checkVoicemail(ch)
	case dialplan.FeatureAgentLogin:
		err = a.agentLogin(ch)
	case dialplan.FeatureAgentLogout:
		err = a.agentLogout(ch)
	case dialplan.FeatureAgentPause:
		err = a.agentPause(ch)
	case dialplan.FeatureAgentUnpause:
		err = a.agentUnpause(ch)
	case serviceVoicemail:
		err = a.leaveVoicemail(ch)
	case serviceFlow:
		err = a.runFlow(ch)
	case serviceQueue:
		err = a.queues.run(ch, ch.Args())
	case serviceRingGroup:
		err = a.ringGroup(ch)
	default:
		a.log.Error("no such service", "service", ch.Service())
		return
	}
	if err != nil && !errors.Is(err, sip.ErrHungUp) {
		a.log.Warn("service failed", "service", ch.Service(), "caller", ch.Caller(), "err", err)
	}
}

// conference puts the caller into the conference room named by the digits
// after the feature code (room "0" when none), until the caller presses #
// or hangs up. A caller alone in the room hears music on hold.
func (a *Appliance) conference(ch *sip.Channel) error {
	room := cmp.Or(ch.Args(), "0")
	if _, err := a.sayNoWait(ch, "please-wait"); err != nil {
		return err
	}
	leave, members, err := ch.JoinRoom(room)
	if err != nil {
		return err
	}
	defer leave()
	a.log.Info("conference joined", "room", room, "extension", ch.Caller(), "members", members())
	var music *media.Feed
	defer func() {
		if music != nil {
			music.Stop()
		}
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		alone := members() < 2
		switch {
		case alone && music == nil:
			music = ch.PlayBackground(a.musicOnHold())
		case !alone && music != nil:
			music.Stop()
			music = nil
		}
		select {
		case d := <-ch.Digits():
			if d == '#' {
				return nil
			}
		case <-tick.C:
		case <-ch.Context().Done():
			return sip.ErrHungUp
		}
	}
}

// sayNoWait plays prompts by name to the end, without the pause say
// leaves after them.
func (a *Appliance) sayNoWait(ch *sip.Channel, names ...string) (byte, error) {
	p, err := a.prompts.Player(names...)
	if err != nil {
		return 0, err
	}
	return ch.Play(playback(p), false)
}

// supervisionKeys switch a supervisor between modes during a call, as in
// the PBXs supervisors know: 4 listen, 5 whisper, 6 barge in.
var supervisionKeys = map[byte]mix.Mode{'4': mix.Listen, '5': mix.Whisper, '6': mix.Talk}

// supervise joins a supervisor's phone to the call of the extension dialled
// after the feature code, until the supervisor presses # or hangs up, or
// the call ends. Only extensions marked as supervisors may; every start,
// switch and refusal is in the audit log.
func (a *Appliance) supervise(ch *sip.Channel, mode mix.Mode) error {
	sup, ext := ch.Caller(), ch.Args()
	audit := func(action, detail string) {
		a.recordAudit(webui.AuditRecord{Actor: "extension " + sup, Action: action, Object: "extension " + ext, Detail: detail})
	}
	dir := directory{exts: a.exts}
	if !dir.isSupervisor(sup) {
		a.log.Warn("supervision refused: not a supervisor", "extension", sup, "target", ext)
		audit("supervise-refused", "not a supervisor")
		return a.say(ch, "invalid-entry", "goodbye")
	}
	sv, err := ch.Supervise(ext, mode)
	if errors.Is(err, sip.ErrNoSuchCall) {
		return a.say(ch, "person-not-available", "goodbye")
	}
	if err != nil {
		return err
	}
	defer sv.Stop()
	audit("supervise-"+modeName(mode), "")
	for {
		select {
		case d := <-ch.Digits():
			if d == '#' {
				return nil
			}
			if m, ok := supervisionKeys[d]; ok && m != mode {
				if err := sv.SetMode(m); err != nil {
					return err
				}
				mode = m
				audit("supervise-"+modeName(mode), "switched by key "+string(d))
			}
		case <-sv.Done():
			return nil
		case <-ch.Context().Done():
			return sip.ErrHungUp
		}
	}
}

// modeName names a supervision mode for the audit log.
func modeName(m mix.Mode) string {
	switch m {
	case mix.Listen:
		return "listen"
	case mix.Whisper:
		return "whisper"
	}
	return "barge"
}

// playback adapts a prompt Player to a media Source.
func playback(p *prompt.Player) media.Source {
	return media.SourceFunc(func(dst []int16) bool { return !p.Read(dst) })
}

// say plays prompts by name, then a short pause, and lets the call end.
func (a *Appliance) say(ch *sip.Channel, names ...string) error {
	if _, err := a.sayNoWait(ch, names...); err != nil {
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
