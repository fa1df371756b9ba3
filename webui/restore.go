package webui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxRestoreBytes bounds an uploaded backup archive (recordings and
// voicemail make them large).
const MaxRestoreBytes = 4 << 30

// RestoreChange is what a restore would do to one kind of record.
type RestoreChange struct {
	Collection string `json:"collection"` // "extensions", "cdr", "queue_log", …
	Current    int    `json:"current"`    // records in the box now
	Backup     int    `json:"backup"`     // records in the archive
}

// RestorePreview describes a backup archive and what restoring it changes.
type RestorePreview struct {
	Created       time.Time       `json:"created"`
	SchemaVersion int             `json:"schema_version"`
	Changes       []RestoreChange `json:"changes"` // every collection, by name
	Files         int             `json:"files"`   // voicemail, recordings, prompts…
	FileBytes     int64           `json:"file_bytes"`
	// Staged is set once the restore is accepted: the box restarts on it
	// within seconds, and everything not in the archive is gone.
	Staged bool `json:"staged"`
}

// RestoreBackend checks uploaded backups and restores them. It is
// optional: without it the endpoints below do not exist. A damaged,
// foreign or too new archive is refused with ErrInvalid and a reason, and
// nothing changes.
//
//	POST /api/v1/restore/preview  (body: the archive) → RestorePreview
//	POST /api/v1/restore          (body: the archive) → 202 RestorePreview, then the box restarts on it
type RestoreBackend interface {
	PreviewRestore(ctx context.Context, archive io.Reader) (RestorePreview, error)
	StageRestore(ctx context.Context, archive io.Reader) (RestorePreview, error)
}

func (s *Server) restoreRoutes(mux *http.ServeMux) {
	handle := func(stage bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body := http.MaxBytesReader(w, r.Body, MaxRestoreBytes)
			var (
				p   RestorePreview
				err error
			)
			if stage {
				p, err = s.restore.StageRestore(r.Context(), body)
			} else {
				p, err = s.restore.PreviewRestore(r.Context(), body)
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("archive larger than %d bytes", int64(MaxRestoreBytes)))
				return
			}
			if err != nil {
				s.backendError(w, r, err)
				return
			}
			code := http.StatusOK
			if stage {
				code = http.StatusAccepted
			}
			writeJSON(w, code, p)
		}
	}
	mux.Handle("/api/v1/restore/preview", methods{http.MethodPost: handle(false)})
	mux.Handle("/api/v1/restore", methods{http.MethodPost: handle(true)})
}
