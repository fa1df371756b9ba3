package appliance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/record"
	"deskline/media/wav"
	"deskline/webui"
)

// recordingsDir holds call recordings under the data directory's files, so
// that backups carry them.
const recordingsDir = "recordings"

// recordingBytesPerSecond is the size of a second of our recordings: stereo
// G.711 µ-law at 8 kHz, the calls' own quality in half the space of PCM.
const recordingBytesPerSecond = 2 * 8000

// stereoFrame is 20 ms of a call: what the caller and the callee sent.
type stereoFrame [2][media.FrameSamples]int16

// recorders records calls on demand: the media scheduler hands each 20 ms
// of a call to a recording's own goroutine, which writes and syncs the
// file, so a slow disk never holds up anybody's audio.
type recorders struct {
	a      *Appliance
	dir    string
	mu     sync.Mutex
	active map[string]*activeRecording // by call id
}

type activeRecording struct {
	name    string
	callID  string
	started time.Time
	tap     *sip.Tap
	rec     *record.Recorder
	frames  chan stereoFrame
	stop    chan struct{}
	done    chan struct{} // closed when the file is finished
	dropped atomic.Int64  // frames the writer could not keep up with
	result  webui.Recording
	err     error
}

func newRecorders(a *Appliance) *recorders {
	r := &recorders{a: a, dir: filepath.Join(a.db.Dir(), "files", recordingsDir), active: map[string]*activeRecording{}}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		a.log.Error("recordings folder unusable", "dir", r.dir, "err", err)
	}
	// Recordings cut by a power loss are playable up to their last sync.
	if names, err := record.Recover(r.dir); err != nil {
		a.log.Warn("unfinished recordings not recovered", "err", err)
	} else if len(names) > 0 {
		a.log.Info("recordings cut by a restart recovered", "files", len(names))
	}
	return r
}

// StartRecording implements webui.RecordingBackend.
func (r *recorders) StartRecording(ctx context.Context, callID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.active[callID]; ok {
		return fmt.Errorf("%w: call %s is already being recorded", webui.ErrConflict, callID)
	}
	if strings.ContainsAny(callID, `/\.`) || callID == "" {
		return fmt.Errorf("%w: no call %q", webui.ErrNotFound, callID)
	}
	now := r.a.now().UTC()
	name := now.Format("20060102T150405Z") + "-" + callID
	rec, err := record.Create(r.dir, name, record.Options{Encoding: wav.ULaw})
	if errors.Is(err, record.ErrDiskFull) {
		r.a.log.Warn("recording refused: storage full", "call", callID, "err", err)
		return fmt.Errorf("%w: %v", webui.ErrNoSpace, err)
	}
	if err != nil {
		return err
	}
	ar := &activeRecording{name: name + ".wav", callID: callID, started: now, rec: rec,
		frames: make(chan stereoFrame, 250), stop: make(chan struct{}), done: make(chan struct{})}
	ar.tap, err = r.a.sip.TapCall(callID, func(caller, callee []int16) {
		var f stereoFrame
		copy(f[0][:], caller)
		copy(f[1][:], callee)
		select {
		case ar.frames <- f:
		default:
			ar.dropped.Add(1)
		}
	})
	if err != nil {
		rec.Abort()
		if errors.Is(err, sip.ErrNoSuchCall) {
			return fmt.Errorf("%w: no connected call %q", webui.ErrNotFound, callID)
		}
		return err
	}
	r.active[callID] = ar
	go r.write(ar)
	r.a.log.Info("recording started", "call", callID, "file", ar.name)
	r.a.auditChange(ctx, "recording-started", "call "+callID, ar.name)
	return nil
}

// write is a recording's goroutine: it writes frames until the recording
// is stopped or the call ends, then finishes the file.
func (r *recorders) write(ar *activeRecording) {
	defer close(ar.done)
	var werr error
	put := func(f *stereoFrame) {
		if werr == nil {
			werr = ar.rec.Write(f[0][:], f[1][:])
		}
	}
loop:
	for {
		select {
		case f := <-ar.frames:
			put(&f)
		case <-ar.stop:
			break loop
		case <-ar.tap.Done():
			break loop
		}
	}
	ar.tap.Stop()
	for len(ar.frames) > 0 {
		f := <-ar.frames
		put(&f)
	}
	dur := ar.rec.Duration()
	cerr := ar.rec.Close()
	ar.err = errors.Join(werr, cerr)
	r.mu.Lock()
	delete(r.active, ar.callID)
	r.mu.Unlock()
	fi, _ := os.Stat(filepath.Join(r.dir, ar.name))
	ar.result = webui.Recording{Name: ar.name, CallID: ar.callID, Created: ar.started, Duration: dur.Seconds()}
	if fi != nil {
		ar.result.Size = fi.Size()
	}
	log := r.a.log.With("call", ar.callID, "file", ar.name, "seconds", int(dur.Seconds()), "dropped_frames", ar.dropped.Load())
	if ar.err != nil {
		log.Error("recording ended with an error; what was written before it is kept", "err", ar.err)
		return
	}
	log.Info("recording finished")
}

// StopRecording implements webui.RecordingBackend.
func (r *recorders) StopRecording(ctx context.Context, callID string) (webui.Recording, error) {
	r.mu.Lock()
	ar := r.active[callID]
	r.mu.Unlock()
	if ar == nil {
		return webui.Recording{}, fmt.Errorf("%w: call %s is not being recorded", webui.ErrNotFound, callID)
	}
	select {
	case <-ar.stop:
	default:
		close(ar.stop)
	}
	<-ar.done
	r.a.auditChange(ctx, "recording-stopped", "call "+callID, ar.name)
	if errors.Is(ar.err, record.ErrDiskFull) {
		return ar.result, fmt.Errorf("%w: the recording stopped early: %v", webui.ErrNoSpace, ar.err)
	}
	return ar.result, ar.err
}

// closeAll finishes every recording, for shutdown.
func (r *recorders) closeAll() {
	r.mu.Lock()
	list := make([]*activeRecording, 0, len(r.active))
	for _, ar := range r.active {
		list = append(list, ar)
	}
	r.mu.Unlock()
	for _, ar := range list {
		select {
		case <-ar.stop:
		default:
			close(ar.stop)
		}
		<-ar.done
	}
}

// Recordings implements webui.RecordingBackend.
func (r *recorders) Recordings(ctx context.Context) ([]webui.Recording, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, err
	}
	var out []webui.Recording
	for _, e := range entries {
		if rec, ok := r.describe(e.Name()); ok {
			out = append(out, rec)
		}
	}
	slices.SortFunc(out, func(x, y webui.Recording) int { return strings.Compare(y.Name, x.Name) })
	return out, nil
}

// describe tells what a finished recording's file is, from its name and
// size; ok is false for anything else in the folder.
func (r *recorders) describe(name string) (webui.Recording, bool) {
	base, ok := strings.CutSuffix(name, ".wav")
	if !ok || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return webui.Recording{}, false
	}
	stamp, callID, ok := strings.Cut(base, "-")
	if !ok {
		return webui.Recording{}, false
	}
	created, err := time.Parse("20060102T150405Z", stamp)
	if err != nil {
		return webui.Recording{}, false
	}
	fi, err := os.Stat(filepath.Join(r.dir, name))
	if err != nil || !fi.Mode().IsRegular() {
		return webui.Recording{}, false
	}
	dur := float64(max(fi.Size()-wavHeaderBytes, 0)) / recordingBytesPerSecond
	return webui.Recording{Name: name, CallID: callID, Created: created, Size: fi.Size(), Duration: dur}, true
}

// wavHeaderBytes is about what precedes the audio in a µ-law WAV; the
// durations listed are to the nearest few milliseconds.
const wavHeaderBytes = 58

// OpenRecording implements webui.RecordingBackend.
func (r *recorders) OpenRecording(ctx context.Context, name string) (io.ReadSeekCloser, webui.Recording, error) {
	rec, ok := r.describe(name)
	if !ok {
		return nil, webui.Recording{}, fmt.Errorf("%w: no recording %q", webui.ErrNotFound, name)
	}
	f, err := os.Open(filepath.Join(r.dir, name))
	if err != nil {
		return nil, webui.Recording{}, fmt.Errorf("%w: %v", webui.ErrNotFound, err)
	}
	return f, rec, nil
}
