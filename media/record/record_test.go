package record

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"deskline/media/internal/sigtest"
	"deskline/media/wav"
)

const frame = SampleRate / 50

// plenty reports a roomy disk, so tests do not depend on the machine's.
func plenty(string) (int64, error) { return 1 << 40, nil }

// tones returns seconds of the caller's 1 kHz and the callee's 600 Hz.
func tones(seconds float64) (left, right []int16) {
	n := int(seconds * SampleRate)
	return sigtest.Sine(n, 1000, SampleRate, 8000), sigtest.Sine(n, 600, SampleRate, 8000)
}

// record writes left/right frame by frame.
func record(t *testing.T, r *Recorder, left, right []int16) {
	t.Helper()
	for i := 0; i < len(left); i += frame {
		if err := r.Write(left[i:min(i+frame, len(left))], right[min(i, len(right)):min(i+frame, len(right))]); err != nil {
			t.Fatalf("Write at sample %d: %v", i, err)
		}
	}
}

func decode(t *testing.T, path string) *wav.Audio {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(b)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return a
}

func split(a *wav.Audio) (l, r []int16) {
	for i := 0; i+1 < len(a.Samples); i += 2 {
		l = append(l, a.Samples[i])
		r = append(r, a.Samples[i+1])
	}
	return l, r
}

func TestStereoChannels(t *testing.T) {
	for _, enc := range []wav.Encoding{wav.Linear16, wav.ULaw, wav.ALaw} {
		t.Run(enc.String(), func(t *testing.T) {
			dir := t.TempDir()
			r, err := Create(dir, "call-1", Options{Encoding: enc, FreeSpace: plenty})
			if err != nil {
				t.Fatal(err)
			}
			l, rt := tones(2)
			record(t, r, l, rt)
			if d := r.Duration(); d != 2*time.Second {
				t.Errorf("Duration() = %v, want 2s", d)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			a := decode(t, filepath.Join(dir, "call-1.wav"))
			if a.Channels != 2 || a.Rate != 8000 || a.Duration() != 2 {
				t.Fatalf("recording is %d ch %d Hz %.3f s, want stereo 8000 Hz 2 s", a.Channels, a.Rate, a.Duration())
			}
			left, right := split(a)
			if f := sigtest.Peak(left, SampleRate, 600, 1000); f != 1000 {
				t.Errorf("left channel (caller) is %v Hz, want 1000", f)
			}
			if f := sigtest.Peak(right, SampleRate, 600, 1000); f != 600 {
				t.Errorf("right channel (callee) is %v Hz, want 600", f)
			}
			if db := sigtest.DB(sigtest.Power(left, 600, SampleRate), sigtest.Power(left, 1000, SampleRate)); db > -40 {
				t.Errorf("callee leaks into the left channel at %.1f dB", db)
			}
		})
	}
}

func TestMonoMix(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(dir, "mix", Options{Mono: true, FreeSpace: plenty})
	if err != nil {
		t.Fatal(err)
	}
	l, rt := tones(1)
	record(t, r, l, rt[:len(rt)/2]) // the callee went quiet half way
	r.Write([]int16{32000}, []int16{32000})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	a := decode(t, filepath.Join(dir, "mix.wav"))
	if a.Channels != 1 || len(a.Samples) != 8001 {
		t.Fatalf("mono recording: %d channels %d samples, want 1 and 8001", a.Channels, len(a.Samples))
	}
	first, second := a.Samples[:4000], a.Samples[4000:8000]
	if sigtest.Power(first, 600, SampleRate) < 1e6 || sigtest.Power(first, 1000, SampleRate) < 1e6 {
		t.Error("first half lacks one of the two voices")
	}
	if sigtest.Power(second, 600, SampleRate) > 1e3 {
		t.Error("second half still has the callee")
	}
	if a.Samples[8000] != 32767 {
		t.Errorf("mix of 32000+32000 = %d, want clipped 32767", a.Samples[8000])
	}
}

// TestCloseRenamesAtomically: the final name appears only on Close, with
// a complete file; the .part name is gone.
func TestCloseRenamesAtomically(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(dir, "c", Options{FreeSpace: plenty})
	if err != nil {
		t.Fatal(err)
	}
	l, rt := tones(0.5)
	record(t, r, l, rt)
	final, part := filepath.Join(dir, "c.wav"), filepath.Join(dir, "c.wav.part")
	if _, err := os.Stat(final); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("final file exists before Close: %v", err)
	}
	if _, err := os.Stat(part); err != nil {
		t.Errorf("no .part file while recording: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(part); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".part file left after Close: %v", err)
	}
	if a := decode(t, final); a.Duration() != 0.5 {
		t.Errorf("final file holds %.3f s, want 0.5", a.Duration())
	}
	if err := r.Write(l[:frame], rt[:frame]); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := Create(dir, "c", Options{FreeSpace: plenty}); !errors.Is(err, os.ErrExist) {
		t.Errorf("Create over an existing recording = %v, want ErrExist", err)
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	r, _ := Create(dir, "a", Options{FreeSpace: plenty})
	l, rt := tones(0.1)
	record(t, r, l, rt)
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("Abort left %d files", len(ents))
	}
}

// TestCrashRecovery copies the .part file mid-recording, as a power cut
// would leave it, and recovers it: it plays exactly what was flushed.
func TestCrashRecovery(t *testing.T) {
	dir, crashed := t.TempDir(), t.TempDir()
	r, err := Create(dir, "call", Options{FreeSpace: plenty, FlushEvery: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	l, rt := tones(2.5) // flushes at 1 s and 2 s; 0.5 s still buffered
	record(t, r, l, rt)
	b, err := os.ReadFile(filepath.Join(dir, "call.wav.part"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(crashed, "call.wav.part"), b, 0o644)
	// Power loss may also leave the header behind the data: zero its sizes.
	z := append([]byte(nil), b...)
	copy(z[4:8], []byte{0, 0, 0, 0})
	copy(z[40:44], []byte{0, 0, 0, 0})
	os.WriteFile(filepath.Join(crashed, "zeroed.wav.part"), z, 0o644)
	os.WriteFile(filepath.Join(crashed, "empty.wav.part"), nil, 0o644) // crashed at once
	r.Abort()

	got, err := Recover(crashed)
	if err != nil || len(got) != 2 {
		t.Fatalf("Recover = %v, %v; want call.wav and zeroed.wav", got, err)
	}
	for _, p := range got {
		a := decode(t, p)
		if a.Duration() != 2 {
			t.Errorf("%s: recovered %.3f s, want the 2 s flushed", p, a.Duration())
		}
		left, right := split(a)
		if sigtest.Peak(left[8000:], SampleRate, 600, 1000) != 1000 || sigtest.Peak(right[8000:], SampleRate, 600, 1000) != 600 {
			t.Errorf("%s: recovered channels are mixed up", p)
		}
	}
	if ents, _ := os.ReadDir(crashed); len(ents) != 2 {
		t.Errorf("after Recover %d files remain, want call.wav and zeroed.wav", len(ents))
	}
	if got, err := Recover(crashed); err != nil || len(got) != 0 {
		t.Errorf("second Recover = %v, %v; want nothing", got, err)
	}
}

// TestRecoverStaleHeader: data reached the disk but the header still
// declares less (power cut between a buffer write and a flush).
func TestRecoverStaleHeader(t *testing.T) {
	dir := t.TempDir()
	r, _ := Create(dir, "s", Options{FreeSpace: plenty, Mono: true, FlushEvery: time.Hour})
	l, _ := tones(10) // 160 kB: the 64 KiB buffer spills twice, no flush
	record(t, r, l, nil)
	b, _ := os.ReadFile(filepath.Join(dir, "s.wav.part"))
	r.Abort()
	os.WriteFile(filepath.Join(dir, "s.wav.part"), b, 0o644)
	if _, err := Recover(dir); err != nil {
		t.Fatal(err)
	}
	a := decode(t, filepath.Join(dir, "s.wav"))
	if want := float64(len(b)-44) / 2 / SampleRate; a.Duration() != want || want < 8 {
		t.Errorf("recovered %.3f s, want the %.3f s on disk", a.Duration(), want)
	}
}

func TestCreateRefusesFullDisk(t *testing.T) {
	dir := t.TempDir()
	low := func(string) (int64, error) { return 10 << 20, nil }
	if _, err := Create(dir, "x", Options{FreeSpace: low}); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Create with 10 MB free = %v, want ErrDiskFull", err)
	}
	if r, err := Create(dir, "x", Options{FreeSpace: low, MinFree: 5 << 20}); err != nil {
		t.Errorf("Create with MinFree 5 MB = %v", err)
	} else {
		r.Abort()
	}
	// The real statfs works on the test's file system.
	if r, err := Create(dir, "y", Options{MinFree: 1}); err != nil {
		t.Errorf("Create with statfs = %v", err)
	} else {
		r.Abort()
	}
	for _, name := range []string{"", "..", "a/b", `a\b`} {
		if _, err := Create(dir, name, Options{FreeSpace: plenty}); !errors.Is(err, ErrInvalid) {
			t.Errorf("Create(%q) = %v, want ErrInvalid", name, err)
		}
	}
}

// fullFile accepts limit bytes, then fails like a full disk.
type fullFile struct {
	*os.File
	limit int64
}

func (f *fullFile) Write(p []byte) (int, error) {
	pos, _ := f.File.Seek(0, io.SeekCurrent)
	if room := f.limit - pos; int64(len(p)) > room {
		n, _ := f.File.Write(p[:max(room, 0)])
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

func TestWriteDiskFull(t *testing.T) {
	dir := t.TempDir()
	open := func(p string) (File, error) {
		f, err := os.Create(p)
		return &fullFile{File: f, limit: 44 + 3*32000 + 5000}, err // room for 3 s and a bit
	}
	r, err := Create(dir, "full", Options{FreeSpace: plenty, OpenFile: open})
	if err != nil {
		t.Fatal(err)
	}
	l, rt := tones(10)
	var werr error
	for i := 0; i < len(l) && werr == nil; i += frame {
		werr = r.Write(l[i:i+frame], rt[i:i+frame])
	}
	if !errors.Is(werr, ErrDiskFull) || !errors.Is(werr, syscall.ENOSPC) {
		t.Fatalf("Write on a full disk = %v, want ErrDiskFull", werr)
	}
	if err := r.Write(l[:frame], rt[:frame]); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Write after disk full = %v, want the same error", err)
	}
	if err := r.Close(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Close = %v, want the disk-full error", err)
	}
	a := decode(t, filepath.Join(dir, "full.wav"))
	if d := a.Duration(); d < 3 || d > 3.2 {
		t.Errorf("after disk full the recording holds %.3f s, want the 3 s flushed (and whole frames after)", d)
	}
}

func TestWriteAllocs(t *testing.T) {
	for _, mono := range []bool{false, true} {
		r, err := Create(t.TempDir(), "a", Options{FreeSpace: plenty, Mono: mono, FlushEvery: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		l, rt := tones(0.02)
		if n := testing.AllocsPerRun(200, func() { r.Write(l, rt) }); n != 0 {
			t.Errorf("mono %v: Write allocates %v per frame (flushes included)", mono, n)
		}
		r.Abort()
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct {
		name string
		o    Options
	}{{"stereo-pcm", Options{}}, {"stereo-ulaw", Options{Encoding: wav.ULaw}}, {"mono-pcm", Options{Mono: true}},
		{"stereo-pcm-no-fsync", Options{FlushEvery: time.Hour}}} {
		b.Run(c.name, func(b *testing.B) {
			c.o.FreeSpace = plenty
			r, err := Create(b.TempDir(), "b", c.o)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Abort()
			l, rt := tones(0.02)
			b.ReportAllocs()
			for b.Loop() {
				r.Write(l, rt)
			}
		})
	}
}
