package record

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"deskline/media/wav"

	"golang.org/x/sys/unix"
)

// Errors of this package.
var (
	// ErrDiskFull: Create found less than Options.MinFree bytes free, or a
	// write failed with ENOSPC (the recording keeps the audio flushed
	// before the failure).
	ErrDiskFull = errors.New("record: disk full")
	// ErrClosed: Write after Close, Abort or a failed Write.
	ErrClosed = errors.New("record: recorder closed")
	// ErrInvalid: Create with a bad name or options.
	ErrInvalid = errors.New("record: invalid argument")
)

// SampleRate is the rate of recordings, in Hz.
const SampleRate = wav.OutRate

// Defaults of Options.
const (
	DefaultFlushEvery = time.Second
	DefaultMinFree    = 50 << 20 // bytes
)

// Suffixes of recording files.
const (
	PartSuffix  = ".wav.part"
	FinalSuffix = ".wav"
)

// File is the file a Recorder writes; *os.File is one.
type File interface {
	io.Writer
	io.Seeker
	Sync() error
	Close() error
}

// Options configure a Recorder. The zero value records stereo 16-bit PCM,
// flushing every second, refusing to start with less than 50 MB free.
type Options struct {
	// Mono mixes both directions into one channel instead of recording
	// them as the left and right channels of a stereo file.
	Mono bool
	// Encoding is wav.Linear16 (the zero value), wav.ULaw or wav.ALaw.
	Encoding wav.Encoding
	// FlushEvery is how much audio is written between flushes (header
	// patched and file synced): at most this much is lost on power loss.
	// 0 means DefaultFlushEvery.
	FlushEvery time.Duration
	// MinFree is the free space, in bytes, the file system must have for
	// Create to start a recording; 0 means DefaultMinFree, negative means
	// no check.
	MinFree int64
	// FreeSpace returns the bytes available to unprivileged users on the
	// file system holding dir; nil means statfs(2). Tests inject it.
	FreeSpace func(dir string) (int64, error)
	// OpenFile creates the new file at path, failing if it exists; nil
	// means os.OpenFile with O_CREATE|O_EXCL. Tests inject it.
	OpenFile func(path string) (File, error)
}

// Recorder records one call. It is not safe for concurrent use: its owner
// calls Write, then Close or Abort, from one goroutine.
type Recorder struct {
	part, final string
	dir         string
	f           File
	w           *wav.Writer
	mono        bool
	buf         []int16 // interleaved or mixed frame
	flushEvery  int     // samples per channel
	unflushed   int     // samples per channel since the last flush
	err         error   // sticky write error
	done        bool    // closed or aborted
}

// statfsFree is the default Options.FreeSpace.
func statfsFree(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

func createExcl(path string) (File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

// Create starts a recording at <dir>/<name>.wav.part. name must be a plain
// file name (no separators) and <name>.wav must not exist. It fails with
// ErrDiskFull when the file system has less than o.MinFree bytes free.
func Create(dir, name string, o Options) (*Recorder, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return nil, fmt.Errorf("%w: recording name %q", ErrInvalid, name)
	}
	if o.Encoding > wav.ALaw {
		return nil, fmt.Errorf("%w: encoding %v", ErrInvalid, o.Encoding)
	}
	if o.FlushEvery < 0 {
		return nil, fmt.Errorf("%w: FlushEvery %v", ErrInvalid, o.FlushEvery)
	}
	minFree := o.MinFree
	if minFree == 0 {
		minFree = DefaultMinFree
	}
	if minFree > 0 {
		free := o.FreeSpace
		if free == nil {
			free = statfsFree
		}
		n, err := free(dir)
		if err != nil {
			return nil, fmt.Errorf("record: free space of %s: %w", dir, err)
		}
		if n < minFree {
			return nil, fmt.Errorf("%w: %d MB free in %s, need %d MB", ErrDiskFull, n>>20, dir, minFree>>20)
		}
	}
	r := &Recorder{
		dir:   dir,
		part:  filepath.Join(dir, name+PartSuffix),
		final: filepath.Join(dir, name+FinalSuffix),
		mono:  o.Mono,
		buf:   make([]int16, 2*SampleRate/50),
	}
	if _, err := os.Lstat(r.final); err == nil {
		return nil, fmt.Errorf("record: %s: %w", r.final, os.ErrExist)
	}
	flushEvery := o.FlushEvery
	if flushEvery == 0 {
		flushEvery = DefaultFlushEvery
	}
	r.flushEvery = max(1, int(flushEvery*SampleRate/time.Second))
	open := o.OpenFile
	if open == nil {
		open = createExcl
	}
	f, err := open(r.part)
	if err != nil {
		return nil, fmt.Errorf("record: %w", diskFull(err))
	}
	channels := 2
	if o.Mono {
		channels = 1
	}
	if r.w, err = wav.NewWriter(f, channels, o.Encoding); err != nil {
		f.Close()
		os.Remove(r.part)
		return nil, fmt.Errorf("record: %w", diskFull(err))
	}
	r.f = f
	return r, nil
}

// diskFull marks an ENOSPC error as ErrDiskFull.
func diskFull(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// Write records one frame: left is the caller's audio, right the
// callee's, sample-aligned by the owner. A shorter (or nil) side is padded
// with silence. Every FlushEvery of audio the file is flushed and synced.
// After an error (wrapping ErrDiskFull when the disk is full) the
// recording stops: later Writes return the same error, and Close still
// finalises the file with the audio written so far.
func (r *Recorder) Write(left, right []int16) error {
	if r.err != nil {
		return r.err
	}
	if r.done {
		return ErrClosed
	}
	n := max(len(left), len(right))
	want := n
	if !r.mono {
		want = 2 * n
	}
	if cap(r.buf) < want {
		r.buf = make([]int16, want) // only for frames longer than 20 ms
	}
	buf := r.buf[:want]
	for i := range n {
		var l, rt int16
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			rt = right[i]
		}
		if r.mono {
			buf[i] = int16(min(max(int32(l)+int32(rt), math.MinInt16), math.MaxInt16))
		} else {
			buf[2*i], buf[2*i+1] = l, rt
		}
	}
	if err := r.w.Write(buf); err != nil {
		r.err = fmt.Errorf("record: %s: %w", r.part, diskFull(err))
		return r.err
	}
	r.unflushed += n
	if r.unflushed >= r.flushEvery {
		r.unflushed = 0
		if err := r.w.Flush(); err != nil {
			r.err = fmt.Errorf("record: %s: %w", r.part, diskFull(err))
			return r.err
		}
	}
	return nil
}

// Duration returns the length of audio recorded so far.
func (r *Recorder) Duration() time.Duration {
	return time.Duration(r.w.Samples()) * time.Second / SampleRate
}

// Close ends the recording: it flushes and syncs the file, renames it to
// <name>.wav and syncs the directory, so the final name only ever holds a
// complete file. After a failed Write it still finalises what is on disk
// and returns the write error. Close after Close or Abort does nothing.
func (r *Recorder) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	err := r.w.Close()
	if err != nil {
		err = fmt.Errorf("record: %s: %w", r.part, diskFull(err))
	}
	if r.err != nil {
		err = r.err
	}
	if e := r.f.Sync(); e != nil && err == nil {
		err = fmt.Errorf("record: %s: sync: %w", r.part, e)
	}
	if e := r.f.Close(); e != nil && err == nil {
		err = fmt.Errorf("record: %s: %w", r.part, e)
	}
	if e := os.Rename(r.part, r.final); e != nil {
		return errors.Join(err, fmt.Errorf("record: %w", e))
	}
	if e := syncDir(r.dir); e != nil && err == nil {
		err = fmt.Errorf("record: %w", e)
	}
	return err
}

// Abort ends the recording and removes its file.
func (r *Recorder) Abort() error {
	if r.done {
		return nil
	}
	r.done = true
	r.f.Close()
	if err := os.Remove(r.part); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Recover finalises the recordings a crash left in dir: every
// <name>.wav.part gets header sizes that cover the whole sample frames the
// file holds and is renamed to <name>.wav. Files too short to hold a
// header are removed. It returns the paths of the recovered recordings;
// files it could not recover are left in place and reported in the error.
// Call it at start-up, before any Recorder writes to dir.
func Recover(dir string) ([]string, error) {
	parts, err := filepath.Glob(filepath.Join(dir, "*"+PartSuffix))
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	var (
		done []string
		errs []error
	)
	for _, p := range parts {
		final, err := recoverFile(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("record: recovering %s: %w", p, err))
		case final != "":
			done = append(done, final)
		}
	}
	if len(parts) > 0 {
		if err := syncDir(dir); err != nil {
			errs = append(errs, fmt.Errorf("record: %w", err))
		}
	}
	return done, errors.Join(errs...)
}

// minHeader is the size of the smallest header wav.Writer writes.
const minHeader = 44

func recoverFile(part string) (string, error) {
	final := strings.TrimSuffix(part, PartSuffix) + FinalSuffix
	if _, err := os.Lstat(final); err == nil {
		return "", fmt.Errorf("%s: %w", final, os.ErrExist)
	}
	f, err := os.OpenFile(part, os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return "", err
	}
	if st.Size() < minHeader {
		f.Close()
		return "", os.Remove(part) // crashed before any audio: nothing to keep
	}
	err = wav.RepairHeader(f, st.Size())
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return "", err
	}
	return final, os.Rename(part, final)
}
