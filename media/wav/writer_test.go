package wav

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"deskline/media/internal/sigtest"
)

func newFile(t testing.TB) *os.File {
	f, err := os.Create(filepath.Join(t.TempDir(), "rec.wav"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func decodeFile(t *testing.T, path string) *Audio {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	return a
}

func TestWriterRoundTrip(t *testing.T) {
	x := sigtest.Sine(8001, 1000, 8000, 12000) // odd length: µ-law needs a pad byte
	for _, c := range []struct {
		enc      Encoding
		channels int
		tol      int
	}{{Linear16, 1, 0}, {Linear16, 2, 0}, {ULaw, 1, 400}, {ALaw, 1, 400}, {ULaw, 2, 400}} {
		t.Run(c.enc.String(), func(t *testing.T) {
			f := newFile(t)
			w, err := NewWriter(f, c.channels, c.enc)
			if err != nil {
				t.Fatal(err)
			}
			in := x[:len(x)/c.channels*c.channels]
			for i := 0; i < len(in); i += 320 {
				if err := w.Write(in[i:min(i+320, len(in))]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(in[:2]); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after Close = %v, want ErrClosed", err)
			}
			a := decodeFile(t, f.Name())
			if a.Rate != 8000 || a.Channels != c.channels || len(a.Samples) != len(in) {
				t.Fatalf("decoded %d Hz %d ch %d samples, want 8000 Hz %d ch %d", a.Rate, a.Channels, len(a.Samples), c.channels, len(in))
			}
			for i, v := range a.Samples {
				if abs(int(v)-int(in[i])) > c.tol {
					t.Fatalf("sample %d = %d, want %d", i, v, in[i])
				}
			}
			st, _ := f.Stat()
			if st.Size()%2 != 0 {
				t.Errorf("file size %d is odd: missing RIFF pad byte", st.Size())
			}
		})
	}
}

// TestWriterCutAfterFlush simulates power loss: the file is cut anywhere
// after a Flush while more audio was being written. It must decode to at
// least everything before the Flush.
func TestWriterCutAfterFlush(t *testing.T) {
	for _, enc := range []Encoding{Linear16, ULaw} {
		t.Run(enc.String(), func(t *testing.T) {
			f := newFile(t)
			w, _ := NewWriter(f, 1, enc)
			first := sigtest.Sine(8000, 1000, 8000, 8000)
			if err := w.Write(first); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			flushed, _ := f.Stat()
			// More than a buffer's worth, so some reaches the file unpatched.
			more := sigtest.Sine(BufferSize+1000, 600, 8000, 8000)
			if err := w.Write(more); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(f.Name())
			if int64(len(b)) <= flushed.Size() {
				t.Fatalf("file did not grow past the flush: %d bytes", len(b))
			}
			for _, cut := range []int64{flushed.Size(), flushed.Size() + 1, flushed.Size() + 333, int64(len(b))} {
				a, err := Decode(b[:cut])
				if err != nil {
					t.Fatalf("cut at %d: %v", cut, err)
				}
				if len(a.Samples) != len(first) {
					t.Errorf("cut at %d: %d samples, want the %d flushed", cut, len(a.Samples), len(first))
				}
				// RepairHeader recovers every whole sample present.
				p := filepath.Join(t.TempDir(), "cut.wav")
				os.WriteFile(p, b[:cut], 0o644)
				g, _ := os.OpenFile(p, os.O_RDWR, 0)
				if err := RepairHeader(g, cut); err != nil {
					t.Fatalf("RepairHeader: %v", err)
				}
				g.Close()
				r := decodeFile(t, p)
				want := (cut - w.hdrLen) / int64(w.bytesPerSample())
				if int64(len(r.Samples)) != want {
					t.Errorf("cut at %d, repaired: %d samples, want %d", cut, len(r.Samples), want)
				}
				if sigtest.Peak(r.Samples[:8000], 8000, 600, 1000) != 1000 || (want > 8400 && sigtest.Peak(r.Samples[8000:], 8000, 600, 1000) != 600) {
					t.Errorf("cut at %d, repaired: tones out of place", cut)
				}
			}
		})
	}
}

// fullDisk accepts limit bytes, then fails like a full disk.
type fullDisk struct {
	*os.File
	limit int64
}

func (d *fullDisk) Write(p []byte) (int, error) {
	pos, _ := d.File.Seek(0, 1)
	if room := d.limit - pos; int64(len(p)) > room {
		n, _ := d.File.Write(p[:max(room, 0)])
		return n, &os.PathError{Op: "write", Path: d.Name(), Err: syscall.ENOSPC}
	}
	return d.File.Write(p)
}

func TestWriterDiskFull(t *testing.T) {
	f := newFile(t)
	d := &fullDisk{File: f, limit: 44 + 16000 + 1001} // header, 1 s flushed, then half a sample past 500
	w, _ := NewWriter(d, 1, Linear16)
	w.Write(make([]int16, 8000))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = w.Write(sigtest.Sine(160, 1000, 8000, 1000))
	}
	if err == nil {
		err = w.Flush()
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error on a full disk = %v, want ENOSPC", err)
	}
	if err2 := w.Write(make([]int16, 10)); !errors.Is(err2, syscall.ENOSPC) {
		t.Errorf("Write after failure = %v, want the same error", err2)
	}
	a := decodeFile(t, f.Name())
	if len(a.Samples) != 8500 {
		t.Errorf("after disk full: %d samples, want the 8500 whole samples on disk", len(a.Samples))
	}
}

func TestNewWriterRefuses(t *testing.T) {
	f := newFile(t)
	for _, c := range []struct {
		ch  int
		enc Encoding
	}{{0, Linear16}, {3, ULaw}, {1, Encoding(7)}} {
		if _, err := NewWriter(f, c.ch, c.enc); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("NewWriter(%d, %v) = %v, want ErrInvalidArg", c.ch, c.enc, err)
		}
	}
}

func TestWriterAllocs(t *testing.T) {
	f := newFile(t)
	for _, enc := range []Encoding{Linear16, ULaw, ALaw} {
		w, _ := NewWriter(f, 2, enc)
		frame := make([]int16, 320)
		if n := testing.AllocsPerRun(1000, func() { w.Write(frame) }); n != 0 {
			t.Errorf("%v: Write allocates %v times per frame", enc, n)
		}
		if n := testing.AllocsPerRun(10, func() { w.Write(frame); w.Flush() }); n != 0 {
			t.Errorf("%v: Flush allocates %v times", enc, n)
		}
	}
}

func BenchmarkWriterWrite(b *testing.B) {
	for _, enc := range []Encoding{Linear16, ULaw} {
		b.Run(enc.String(), func(b *testing.B) {
			f := newFile(b)
			w, _ := NewWriter(f, 2, enc)
			frame := sigtest.Sine(320, 1000, 8000, 1000)
			b.ReportAllocs()
			for b.Loop() {
				w.Write(frame)
			}
		})
	}
}
