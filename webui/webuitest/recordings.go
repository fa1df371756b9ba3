package webuitest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"

	"deskline/webui"
)

// MemoryRecordings is a webui.RecordingBackend in memory over the calls of
// a MemoryBackend. A stopped recording is a short stereo WAV file of
// silence, as long as the recording lasted by the backend's clock. Starting
// and stopping are audited in the backend's log like its other changes. It
// is safe for concurrent use.
type MemoryRecordings struct {
	b *MemoryBackend

	mu     sync.Mutex
	active map[string]recording // by call id
	done   []storedRecording    // oldest first
}

type recording struct{ started int64 } // unix nanoseconds by the backend's clock

type storedRecording struct {
	webui.Recording
	wav []byte
}

// NewMemoryRecordings returns recordings of b's calls.
func NewMemoryRecordings(b *MemoryBackend) *MemoryRecordings {
	return &MemoryRecordings{b: b, active: make(map[string]recording)}
}

// StartRecording implements webui.RecordingBackend.
func (m *MemoryRecordings) StartRecording(ctx context.Context, callID string) error {
	calls, _ := m.b.Calls(ctx)
	if !slices.ContainsFunc(calls, func(c webui.Call) bool { return c.ID == callID }) {
		return fmt.Errorf("call %s: %w", callID, webui.ErrNotFound)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.active[callID]; ok {
		return fmt.Errorf("call %s is being recorded: %w", callID, webui.ErrConflict)
	}
	m.active[callID] = recording{m.b.now().UnixNano()}
	m.b.mu.Lock()
	m.b.auditChange(ctx, "recording-started", "call "+callID, callID+".wav")
	m.b.mu.Unlock()
	return nil
}

// StopRecording implements webui.RecordingBackend.
func (m *MemoryRecordings) StopRecording(ctx context.Context, callID string) (webui.Recording, error) {
	now := m.b.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.active[callID]
	if !ok {
		return webui.Recording{}, fmt.Errorf("call %s is not being recorded: %w", callID, webui.ErrNotFound)
	}
	delete(m.active, callID)
	secs := float64(now.UnixNano()-r.started) / 1e9
	wav := silentWAV(int(secs * 8000))
	rec := webui.Recording{Name: callID + ".wav", CallID: callID, Created: now, Size: int64(len(wav)), Duration: secs}
	m.done = append(m.done, storedRecording{rec, wav})
	m.b.mu.Lock()
	m.b.auditChange(ctx, "recording-stopped", "call "+callID, rec.Name)
	m.b.mu.Unlock()
	return rec, nil
}

// Recordings implements webui.RecordingBackend: newest first.
func (m *MemoryRecordings) Recordings(ctx context.Context) ([]webui.Recording, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := make([]webui.Recording, 0, len(m.done))
	for i := len(m.done) - 1; i >= 0; i-- {
		l = append(l, m.done[i].Recording)
	}
	return l, nil
}

// OpenRecording implements webui.RecordingBackend.
func (m *MemoryRecordings) OpenRecording(ctx context.Context, name string) (io.ReadSeekCloser, webui.Recording, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.done {
		if r.Name == name {
			return nopCloser{bytes.NewReader(r.wav)}, r.Recording, nil
		}
	}
	return nil, webui.Recording{}, fmt.Errorf("recording %q: %w", name, webui.ErrNotFound)
}

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

// silentWAV is a 16-bit stereo 8 kHz WAV file of frames frames of silence.
func silentWAV(frames int) []byte {
	data := frames * 4
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + data))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))        // PCM
	w(uint16(2))        // channels
	w(uint32(8000))     // sample rate
	w(uint32(8000 * 4)) // bytes per second
	w(uint16(4))        // block align
	w(uint16(16))       // bits per sample
	b.WriteString("data")
	w(uint32(data))
	b.Write(make([]byte, data))
	return b.Bytes()
}

var _ webui.RecordingBackend = (*MemoryRecordings)(nil)
