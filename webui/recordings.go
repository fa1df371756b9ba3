package webui

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// ErrNoSpace is returned when the box's storage is too full for a new
// recording or voicemail. The API answers 507.
var ErrNoSpace = errors.New("storage full")

// Recording is a finished call recording: one WAV file, the caller on the
// left channel and the callee on the right.
type Recording struct {
	Name     string    `json:"name"` // the file name, for GET /api/v1/recordings/{name}
	CallID   string    `json:"call_id"`
	Created  time.Time `json:"created"`
	Size     int64     `json:"size"`     // bytes
	Duration float64   `json:"duration"` // seconds
}

// RecordingBackend records calls on demand. It is optional: without it the
// recording endpoints do not exist.
type RecordingBackend interface {
	// StartRecording starts recording the call in progress with this id:
	// ErrNotFound when there is none, ErrConflict when it is already
	// being recorded, ErrNoSpace when storage is too full.
	StartRecording(ctx context.Context, callID string) error
	// StopRecording stops it and returns the finished recording
	// (ErrNotFound when the call is not being recorded).
	StopRecording(ctx context.Context, callID string) (Recording, error)
	// Recordings lists the finished recordings, newest first.
	Recordings(ctx context.Context) ([]Recording, error)
	// OpenRecording opens one for download (ErrNotFound).
	OpenRecording(ctx context.Context, name string) (io.ReadSeekCloser, Recording, error)
}

func (s *Server) apiStartRecording(w http.ResponseWriter, r *http.Request) {
	if err := s.recs.StartRecording(r.Context(), r.PathValue("id")); err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"call_id": r.PathValue("id"), "state": "recording"})
}

func (s *Server) apiStopRecording(w http.ResponseWriter, r *http.Request) {
	rec, err := s.recs.StopRecording(r.Context(), r.PathValue("id"))
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) apiRecordings(w http.ResponseWriter, r *http.Request) {
	l, err := s.recs.Recordings(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiGetRecording(w http.ResponseWriter, r *http.Request) {
	f, rec, err := s.recs.OpenRecording(r.Context(), r.PathValue("name"))
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Length", strconv.FormatInt(rec.Size, 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rec.Name}))
	http.ServeContent(w, r, rec.Name, rec.Created, f)
}
