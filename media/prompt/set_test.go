package prompt

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"deskline/media/internal/sigtest"
	"deskline/media/wav"
)

var nameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// manifest reads sounds/en/prompts.txt.
func manifest(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("sounds/en/prompts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, text, ok := strings.Cut(line, "|")
		if !ok || !nameRE.MatchString(name) || text == "" {
			t.Errorf("prompts.txt:%d: %q is not name|text with a lowercase-dashed name", n, line)
			continue
		}
		if _, dup := m[name]; dup {
			t.Errorf("prompts.txt:%d: %q listed twice", n, name)
		}
		m[name] = text
	}
	return m
}

func TestManifestMatchesFiles(t *testing.T) {
	m := manifest(t)
	files, _ := filepath.Glob("sounds/en/*")
	onDisk := make(map[string]bool)
	for _, f := range files {
		base := filepath.Base(f)
		if base == "prompts.txt" {
			continue
		}
		name, ok := strings.CutSuffix(base, ".wav")
		if !ok {
			t.Errorf("stray file %s", f)
			continue
		}
		onDisk[name] = true
		if _, ok := m[name]; !ok {
			t.Errorf("%s is not in prompts.txt", f)
		}
	}
	for name := range m {
		if !onDisk[name] {
			t.Errorf("prompts.txt lists %q but sounds/en/%s.wav is missing: run gen-prompts.sh", name, name)
		}
	}
	if got := len(Default().Names()); got != len(m) {
		t.Errorf("Default() has %d prompts, manifest %d", got, len(m))
	}
}

// TestPromptFiles checks every embedded prompt the way a listener would
// notice: 8 kHz mono µ-law, neither a click nor a monologue, audible and
// normalised.
func TestPromptFiles(t *testing.T) {
	err := fs.WalkDir(sounds, "sounds", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".wav") {
			return err
		}
		b, _ := fs.ReadFile(sounds, p)
		a, err := wav.Decode(b)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if a.Rate != 8000 || a.Channels != 1 {
			t.Errorf("%s: %d Hz %d channels, want 8000 Hz mono", p, a.Rate, a.Channels)
		}
		if tag := binary.LittleEndian.Uint16(b[20:]); tag != 7 {
			t.Errorf("%s: format %d, want 7 (µ-law)", p, tag)
		}
		lo, hi := 0.15, 8.0
		if strings.Contains(p, "/moh/") {
			lo, hi = 20, 30
		}
		if d := a.Duration(); d < lo || d > hi {
			t.Errorf("%s: %.2f s long, want %v to %v s", p, d, lo, hi)
		}
		if r := sigtest.RMS(a.Samples); r < 1000 {
			t.Errorf("%s: RMS %.0f (%.1f dBFS): too quiet", p, r, 20*math.Log10(r/32768))
		}
		peak := 0
		for _, v := range a.Samples {
			peak = max(peak, abs(int(v)))
		}
		if db := 20 * math.Log10(float64(peak)/32768); db < -9 || db > -2 {
			t.Errorf("%s: peak %.1f dBFS, want about -3 (-6 for music)", p, db)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestRequiredPrompts lists the prompts the IVR flows and queues rely on.
func TestRequiredPrompts(t *testing.T) {
	s := Default()
	var want []string
	for i := 0; i < 20; i++ {
		want = append(want, SayNumber(int64(i))...)
	}
	want = append(want, "20", "30", "40", "50", "60", "70", "80", "90", "hundred", "thousand", "million", "minus",
		"a-m", "p-m", "o-clock", "at", "and", "beep",
		"agent-enter-number", "agent-enter-pin", "followed-by-pound", "agent-logged-in", "agent-logged-out",
		"agent-login-incorrect", "agent-locked", "agent-paused", "agent-unpaused", "agent-choose-profile",
		"agent-profile-changed", "hotdesk-logged-in", "hotdesk-logged-out",
		"please-hold", "call-important", "you-are-caller-number", "estimated-hold-time", "minutes", "minute",
		"seconds", "less-than-a-minute", "all-agents-busy", "press-1-callback", "will-call-back", "thank-you-for-holding",
		"leave-message-after-tone", "you-have", "new-messages", "new-message", "no-new-messages", "main-menu",
		"press-1-to-listen", "press-2-to-save", "press-3-to-delete", "message-saved", "message-deleted",
		"person-not-available", "person-busy", "enter-mailbox", "enter-password",
		"welcome", "thank-you-for-calling", "invalid-entry", "please-try-again", "goodbye",
		"extension-does-not-exist", "transferring-call", "please-wait", "you-pressed", "extension", "queue",
		"number", "the-time-is", "today-is")
	for _, n := range want {
		if _, ok := s.Get(n); !ok {
			t.Errorf("default set lacks %q", n)
		}
	}
}

func TestBeepIsTone(t *testing.T) {
	x, _ := Default().Get("beep")
	if f := sigtest.Peak(x, SampleRate, 440, 800, 1000, 1400); f != 1000 {
		t.Errorf("beep's loudest frequency %v Hz, want 1000", f)
	}
	if p := sigtest.Power(x, 1000, SampleRate); p < 0.9*sigtest.RMS(x)*sigtest.RMS(x) {
		t.Errorf("beep is not a pure tone: 1 kHz holds %.0f%% of its power", 100*p/(sigtest.RMS(x)*sigtest.RMS(x)))
	}
}

// writeWAV writes x as a 16-bit PCM WAV file of the given rate and
// channel count.
func writeWAV(t *testing.T, path string, rate, channels int, x []int16) {
	t.Helper()
	le := binary.LittleEndian
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00")
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*2*channels))
	b = le.AppendUint16(b, uint16(2*channels))
	b = le.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(x)))
	for _, v := range x {
		b = le.AppendUint16(b, uint16(v))
	}
	le.PutUint32(b[4:], uint32(len(b)-8))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadSetOverrides(t *testing.T) {
	dir := t.TempDir()
	// An admin's 16 kHz stereo recording replaces "welcome".
	st := make([]int16, 0, 2*16000)
	for _, v := range sigtest.Sine(16000, 700, 16000, 10000) {
		st = append(st, v, v)
	}
	writeWAV(t, filepath.Join(dir, "welcome.wav"), 16000, 2, st)
	// A new prompt as raw µ-law, a broken upload and an unrelated file.
	os.WriteFile(filepath.Join(dir, "opening-hours.ul"), make([]byte, 4000), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.wav"), []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x55\x00"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)

	s, err := LoadSet(EmbeddedPrompts(), dir)
	if !errors.Is(err, ErrBadFile) || !errors.Is(err, wav.ErrMalformed) || !strings.Contains(err.Error(), "broken.wav") {
		t.Errorf("LoadSet error = %v, want ErrBadFile naming broken.wav", err)
	}
	w, _ := s.Get("welcome")
	if len(w) != 8000 || sigtest.Peak(w[1000:7000], SampleRate, 500, 700, 1000) != 700 {
		t.Errorf("welcome: %d samples, want the admin's 1 s of 700 Hz", len(w))
	}
	if x, ok := s.Get("opening-hours"); !ok || len(x) != 4000 {
		t.Errorf("opening-hours: %d samples, %v; want 4000", len(x), ok)
	}
	if _, ok := s.Get("broken"); ok {
		t.Error("broken upload was loaded")
	}
	if _, ok := s.Get("notes"); ok {
		t.Error("a text file was loaded as a prompt")
	}
	if _, ok := s.Get("goodbye"); !ok {
		t.Error("defaults lost")
	}
	if def, _ := Default().Get("welcome"); len(def) == 8000 {
		t.Error("override leaked into Default()")
	}
	// A missing override directory is no error.
	if _, err := LoadSet(EmbeddedPrompts(), filepath.Join(dir, "none")); err != nil {
		t.Errorf("LoadSet with a missing directory: %v", err)
	}
}

func TestSetPlayer(t *testing.T) {
	s := Default()
	if _, err := s.Player("welcome", "no-such-prompt"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no-such-prompt") {
		t.Errorf("Player(missing) error = %v, want ErrNotFound naming it", err)
	}
	p, err := s.Player(SayNumber(42)...)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Get("40")
	b, _ := s.Get("2")
	if p.Len() != len(a)+len(b) {
		t.Errorf("Player(42).Len() = %d, want %d", p.Len(), len(a)+len(b))
	}
}

// TestConcurrentUse plays from one Set and one Class on many goroutines;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	done := make(chan bool)
	for i := range 8 {
		go func() {
			frame := make([]int16, FrameSamples)
			p, err := Default().Player(SayNumber(int64(i * 111))...)
			ok := err == nil
			for ok && !p.Read(frame) {
			}
			c, _ := DefaultClasses().Get(DefaultClass)
			m := c.Listen()
			for range 100 {
				m.Read(frame)
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("a goroutine failed to build its player")
		}
	}
}
