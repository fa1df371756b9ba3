package appliance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/prompt"
	"deskline/media/record"
	"deskline/media/wav"
)

// Voicemail lives in the data directory's files (so backups carry it):
// voicemail/<extension>/new and voicemail/<extension>/saved hold one µ-law
// WAV per message, named <unix time>-<caller>.wav.
const (
	voicemailDir    = "voicemail"
	maxMessage      = 3 * time.Minute
	minMessage      = time.Second // shorter is a hang-up at the beep, not a message
	greetingName    = "greeting.wav"
	messageFolderNS = "new"
	messageFolderS  = "saved"
)

func (a *Appliance) mailbox(ext string) string {
	return filepath.Join(a.db.Dir(), "files", voicemailDir, ext)
}

// leaveVoicemail takes a message for an extension that did not answer: its
// greeting (the admin's recording, or prompts saying why), a beep, then
// what the caller says until # or hang-up, kept when it lasts a second or
// more. A full disk is said and logged; the caller is not left hanging.
func (a *Appliance) leaveVoicemail(ch *sip.Channel) error {
	return a.leaveVoicemailFor(ch, ch.Args())
}

// leaveVoicemailFor takes a message for box.
func (a *Appliance) leaveVoicemailFor(ch *sip.Channel, box string) error {
	greeting := []string{"person-not-available"}
	if ch.Reason() == "busy" {
		greeting = []string{"person-busy"}
	}
	if clip, err := a.loadClip(filepath.Join(a.mailbox(box), greetingName)); err == nil {
		if _, err := ch.Play(playback(prompt.NewPlayer(clip)), true); err != nil {
			return err
		}
		greeting = nil
	}
	greeting = append(greeting, "leave-message-after-tone")
	d, err := a.sayNoWait(ch, greeting...)
	if err != nil {
		return err
	}
	if d == '#' { // skip the greeting, as callers expect
		ch.ReadDigit(0)
	}
	dir := filepath.Join(a.mailbox(box), messageFolderNS)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	name := fmt.Sprintf("%d-%s", a.now().Unix(), ch.Caller())
	rec, err := record.Create(dir, name, record.Options{Mono: true, Encoding: wav.ULaw})
	if err != nil {
		a.log.Warn("voicemail not taken", "box", box, "caller", ch.Caller(), "err", err)
		return a.say(ch, "please-try-again", "goodbye")
	}
	if _, err := a.sayNoWait(ch, "beep"); err != nil {
		rec.Abort()
		return err
	}
	// The caller's audio arrives on the media goroutine; the file is
	// written here.
	frames := make(chan []int16, 100)
	var mu sync.Mutex
	open := true
	ch.OnAudio(func(pcm []int16) {
		mu.Lock()
		defer mu.Unlock()
		if open {
			select {
			case frames <- slices.Clone(pcm):
			default:
			}
		}
	})
	stop := func() {
		ch.OnAudio(nil)
		mu.Lock()
		open = false
		close(frames)
		mu.Unlock()
	}
	limit := time.NewTimer(maxMessage)
	defer limit.Stop()
	var werr error
	silence := make([]int16, media.FrameSamples)
	hungUp := false
loop:
	for {
		select {
		case pcm := <-frames:
			if len(silence) < len(pcm) {
				silence = make([]int16, len(pcm))
			}
			if werr == nil {
				werr = rec.Write(pcm, silence[:len(pcm)])
			}
		case d := <-ch.Digits():
			if d == '#' {
				break loop
			}
		case <-limit.C:
			break loop
		case <-ch.Context().Done():
			hungUp = true
			break loop
		}
	}
	stop()
	for pcm := range frames {
		if werr == nil {
			werr = rec.Write(pcm, silence[:len(pcm)])
		}
	}
	dur := rec.Duration()
	if dur < minMessage {
		rec.Abort()
		a.log.Info("voicemail: nothing said", "box", box, "caller", ch.Caller())
	} else {
		cerr := rec.Close()
		if err := errors.Join(werr, cerr); err != nil {
			a.log.Error("voicemail cut short; what was said before is kept", "box", box, "err", err)
		}
		a.log.Info("voicemail left", "box", box, "caller", ch.Caller(), "seconds", int(dur.Seconds()))
	}
	if hungUp {
		return sip.ErrHungUp
	}
	return a.say(ch, "message-saved", "goodbye")
}

// loadClip reads a WAV file as 8 kHz samples.
func (a *Appliance) loadClip(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	au, err := wav.Decode(b)
	if err != nil {
		return nil, err
	}
	return au.To8kMono(), nil
}

// messages lists a mailbox folder's messages, oldest first.
func (a *Appliance) messages(box, folder string) []string {
	entries, _ := os.ReadDir(filepath.Join(a.mailbox(box), folder))
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".wav") && !strings.HasPrefix(n, ".") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// checkVoicemail lets an extension's phone hear its mailbox: how many new
// messages, then each (new first, then saved) with 2 to keep it, 3 to
// delete it, 4 to hear it again, # for the next. A message heard is saved.
func (a *Appliance) checkVoicemail(ch *sip.Channel) error {
	box := ch.Caller()
	fresh, saved := a.messages(box, messageFolderNS), a.messages(box, messageFolderS)
	switch n := len(fresh); n {
	case 0:
		if _, err := a.sayNoWait(ch, "no-new-messages"); err != nil {
			return err
		}
	default:
		names := append([]string{"you-have"}, prompt.SayNumber(int64(n))...)
		if n == 1 {
			names = append(names, "new-message")
		} else {
			names = append(names, "new-messages")
		}
		if _, err := a.sayNoWait(ch, names...); err != nil {
			return err
		}
	}
	type msg struct{ folder, name string }
	var all []msg
	for _, n := range fresh {
		all = append(all, msg{messageFolderNS, n})
	}
	for _, n := range saved {
		all = append(all, msg{messageFolderS, n})
	}
	for _, m := range all {
		if err := a.hearMessage(ch, box, m.folder, m.name); err != nil {
			return err
		}
	}
	return a.say(ch, "goodbye")
}

// hearMessage plays one message and takes the caller's choice: 2 keep, 3
// delete, 4 again, # (or nothing) next. A new message heard is saved.
func (a *Appliance) hearMessage(ch *sip.Channel, box, folder, name string) error {
	for {
		path := filepath.Join(a.mailbox(box), folder, name)
		clip, err := a.loadClip(path)
		if err != nil {
			a.log.Warn("voicemail message unreadable", "file", path, "err", err)
			return nil
		}
		if _, err := a.sayNoWait(ch, "beep"); err != nil {
			return err
		}
		d, err := ch.Play(playback(prompt.NewPlayer(clip)), true)
		if err != nil {
			return err
		}
		if folder == messageFolderNS && a.moveMessage(box, name, messageFolderNS, messageFolderS) == nil {
			folder = messageFolderS
			path = filepath.Join(a.mailbox(box), folder, name)
		}
		if d == 0 {
			if d, err = a.sayNoWait(ch, "press-2-to-save", "press-3-to-delete", "press-4-to-replay"); err != nil {
				return err
			}
		}
		if d == 0 {
			if d, err = ch.ReadDigit(5 * time.Second); err != nil {
				return err
			}
		} else {
			ch.ReadDigit(0) // the key that interrupted is the choice
		}
		switch d {
		case '3':
			if err := os.Remove(path); err != nil {
				return err
			}
			a.log.Info("voicemail deleted", "box", box, "message", name)
			_, err := a.sayNoWait(ch, "message-deleted")
			return err
		case '4':
			continue
		case '2':
			_, err := a.sayNoWait(ch, "message-saved")
			return err
		}
		return nil
	}
}

// moveMessage moves a message between a mailbox's folders.
func (a *Appliance) moveMessage(box, name, from, to string) error {
	dst := filepath.Join(a.mailbox(box), to)
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	return os.Rename(filepath.Join(a.mailbox(box), from, name), filepath.Join(dst, name))
}
