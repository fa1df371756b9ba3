package prompt

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"deskline/media/internal/sigtest"
)

// numbered returns a clip of n samples counting up from start, so that
// every sample of a playback can be traced to its source.
func numbered(start, n int) []int16 {
	x := make([]int16, n)
	for i := range x {
		x[i] = int16(start + i)
	}
	return x
}

// readAll reads p in frames of random sizes until done (or max samples).
func readAll(p *Player, r *rand.Rand, max int) (out []int16, doneAt int) {
	doneAt = -1
	for len(out) < max {
		dst := make([]int16, 1+r.IntN(400))
		for i := range dst {
			dst[i] = 12345 // must be overwritten
		}
		if p.Read(dst) && doneAt < 0 {
			doneAt = len(out) + len(dst)
		}
		out = append(out, dst...)
		if doneAt >= 0 {
			break
		}
	}
	return out, doneAt
}

func TestPlayerConcatenates(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b, c := numbered(1, 1000), numbered(2000, 7), numbered(3000, 333)
	for _, gap := range []time.Duration{0, 10 * time.Millisecond} {
		p := NewPlayer(a, nil, b, c)
		p.Gap = gap
		g := int(gap / (time.Second / SampleRate))
		var want []int16
		for i, clip := range [][]int16{a, nil, b, c} {
			if i > 0 {
				want = append(want, make([]int16, g)...)
			}
			want = append(want, clip...)
		}
		if p.Len() != len(want) {
			t.Errorf("gap %v: Len() = %d, want %d", gap, p.Len(), len(want))
		}
		for round := range 2 {
			got, doneAt := readAll(p, r, 1<<20)
			if doneAt < len(want) {
				t.Fatalf("gap %v round %d: done after %d samples, want at least %d", gap, round, doneAt, len(want))
			}
			if !slices.Equal(got[:len(want)], want) {
				t.Fatalf("gap %v round %d: playback differs from the clips", gap, round)
			}
			if slices.ContainsFunc(got[len(want):], func(v int16) bool { return v != 0 }) {
				t.Fatalf("gap %v round %d: last frame not padded with silence", gap, round)
			}
			if !p.Read(make([]int16, 10)) {
				t.Errorf("Read after the end is not done")
			}
			p.Reset()
		}
	}
}

func TestPlayerDoneOnExactEnd(t *testing.T) {
	p := NewPlayer(numbered(1, 320))
	f := make([]int16, 160)
	if p.Read(f) {
		t.Error("done after the first of two frames")
	}
	if !p.Read(f) || f[159] != 320 {
		t.Errorf("second frame: not done or wrong samples (last %d)", f[159])
	}
	if e := NewPlayer(); !e.Read(f) || f[0] != 0 {
		t.Error("empty player is not done at once with silence")
	}
}

func TestPlayerLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, b := numbered(1, 500), numbered(1000, 260)
	p := NewPlayer(a, b)
	p.Loop = true
	p.Gap = time.Millisecond // 8 samples after each clip, also before the wrap
	one := slices.Concat(a, make([]int16, 8), b, make([]int16, 8))
	got, doneAt := readAll(p, r, 10*len(one))
	if doneAt >= 0 {
		t.Fatal("looping player reported done")
	}
	for i, v := range got {
		if v != one[i%len(one)] {
			t.Fatalf("sample %d = %d, want %d", i, v, one[i%len(one)])
		}
	}
	// Nothing but empty clips loops as silence instead of spinning.
	q := NewPlayer(nil, []int16{})
	q.Loop = true
	if dst := []int16{5, 5}; q.Read(dst) || dst[0] != 0 {
		t.Error("loop of empty clips: not silence")
	}
}

func TestMOHLoopsSeamlessly(t *testing.T) {
	cls, ok := DefaultClasses().Get(DefaultClass)
	if !ok || len(cls.Clips) == 0 {
		t.Fatalf("no default music class (classes %v)", DefaultClasses().Names())
	}
	one := slices.Concat(cls.Clips...)
	m1, m2 := cls.Listen(), cls.Listen()
	frame := make([]int16, FrameSamples)
	pos := 0
	for range 3 * len(one) / FrameSamples {
		m1.Read(frame)
		for i, v := range frame {
			if want := one[(pos+i)%len(one)]; v != want {
				t.Fatalf("listener 1 sample %d = %d, want %d", pos+i, v, want)
			}
		}
		pos += len(frame)
	}
	// A second listener starts at the beginning, unaffected by the first.
	m2.Read(frame)
	if !slices.Equal(frame, one[:FrameSamples]) {
		t.Error("second listener does not start at the beginning")
	}
	m1.Reset()
	m1.Read(frame)
	if !slices.Equal(frame, one[:FrameSamples]) {
		t.Error("Reset does not rewind")
	}
}

// TestMOHIsMusic checks the default music changes over time instead of
// droning one tone: the loudest note differs between chords.
func TestMOHIsMusic(t *testing.T) {
	cls, _ := DefaultClasses().Get(DefaultClass)
	x := slices.Concat(cls.Clips...)
	notes := []float64{110, 130.8, 146.8, 164.8, 174.6, 196, 220, 246.9, 261.6, 293.7, 329.6, 349.2, 392}
	peaks := make(map[float64]bool)
	for off := 0; off+3*SampleRate <= len(x); off += 3 * SampleRate {
		peaks[sigtest.Peak(x[off:off+3*SampleRate], SampleRate, notes...)] = true
		if r := sigtest.RMS(x[off : off+3*SampleRate]); r < 500 {
			t.Errorf("music at %d s: RMS %.0f, nearly silent", off/SampleRate, r)
		}
	}
	if len(peaks) < 3 {
		t.Errorf("music has only %d distinct dominant notes across its chords", len(peaks))
	}
}

func TestLoadClasses(t *testing.T) {
	dir := t.TempDir()
	jazz := filepath.Join(dir, "jazz")
	os.Mkdir(jazz, 0o755)
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	writeWAV(t, filepath.Join(jazz, "b-second.wav"), 8000, 1, sigtest.Sine(800, 600, 8000, 5000))
	writeWAV(t, filepath.Join(jazz, "a-first.wav"), 44100, 1, sigtest.Sine(44100, 1000, 44100, 5000))
	cs, err := LoadClasses(EmbeddedMusic(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Names(); !slices.Equal(got, []string{"default", "jazz"}) {
		t.Errorf("Names() = %v, want [default jazz]", got)
	}
	c, _ := cs.Get("jazz")
	if len(c.Clips) != 2 || len(c.Clips[0]) != 8000 || len(c.Clips[1]) != 800 {
		t.Fatalf("jazz: clips not in name order or not resampled")
	}
	if _, ok := cs.Get("nope"); ok {
		t.Error("Get(nope) found a class")
	}
	// A directory named "default" replaces the embedded class.
	os.Rename(jazz, filepath.Join(dir, "default"))
	cs, _ = LoadClasses(EmbeddedMusic(), dir)
	if c, _ := cs.Get("default"); len(c.Clips) != 2 {
		t.Error("disk class did not replace the embedded default")
	}
}

func TestReadAllocs(t *testing.T) {
	s := Default()
	p, _ := s.Player(SayNumber(1234)...)
	p.Loop = true
	cls, _ := DefaultClasses().Get(DefaultClass)
	m := cls.Listen()
	frame := make([]int16, FrameSamples)
	if n := testing.AllocsPerRun(1000, func() { p.Read(frame) }); n != 0 {
		t.Errorf("Player.Read allocates %v per frame", n)
	}
	if n := testing.AllocsPerRun(1000, func() { m.Read(frame) }); n != 0 {
		t.Errorf("MOH.Read allocates %v per frame", n)
	}
}

func BenchmarkPlayerRead(b *testing.B) {
	p, _ := Default().Player(SayNumber(1234)...)
	p.Loop = true
	p.Gap = 50 * time.Millisecond
	frame := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		p.Read(frame)
	}
}

func BenchmarkMOHRead(b *testing.B) {
	cls, _ := DefaultClasses().Get(DefaultClass)
	m := cls.Listen()
	frame := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		m.Read(frame)
	}
}

func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		LoadSet(EmbeddedPrompts(), "")
	}
}
