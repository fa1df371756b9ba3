package appliance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"deskline/storage"
	"deskline/webui"
)

// pendingRestore is the archive an admin chose to restore, waiting in the
// data directory for the restart that applies it.
const pendingRestore = "restore-pending.tar.gz"

// restoreAPI is the web panel's RestoreBackend.
type restoreAPI struct{ a *Appliance }

// receive stores an uploaded archive in the data directory (the same
// filesystem as the store, so staging it is a rename) and validates it.
func (r restoreAPI) receive(archive io.Reader) (string, storage.Manifest, error) {
	f, err := os.CreateTemp(r.a.cfg.DataDir, ".restore-upload-*.tar.gz")
	if err != nil {
		return "", storage.Manifest{}, err
	}
	path := f.Name()
	fail := func(err error) (string, storage.Manifest, error) {
		f.Close()
		os.Remove(path)
		if errors.Is(err, syscall.ENOSPC) {
			return "", storage.Manifest{}, fmt.Errorf("%w: no room for the archive: %v", webui.ErrNoSpace, err)
		}
		return "", storage.Manifest{}, err
	}
	if _, err := io.Copy(f, archive); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	m, err := storage.InspectBackup(f)
	if err != nil {
		return fail(&webui.FieldError{Field: "archive", Problem: "not a Deskline backup this box can restore: " + err.Error()})
	}
	if m.SchemaVersion > r.a.db.SchemaVersion() {
		return fail(&webui.FieldError{Field: "archive", Problem: fmt.Sprintf("made by a newer Deskline (schema %d; this box has %d): update the box first", m.SchemaVersion, r.a.db.SchemaVersion())})
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", storage.Manifest{}, err
	}
	return path, m, nil
}

func (r restoreAPI) preview(m storage.Manifest) (webui.RestorePreview, error) {
	current, err := r.a.db.Counts()
	if err != nil {
		return webui.RestorePreview{}, err
	}
	p := webui.RestorePreview{Created: m.Created, SchemaVersion: m.SchemaVersion, Files: len(m.Files)}
	for _, f := range m.Files {
		p.FileBytes += f.Size
	}
	names := map[string]bool{}
	for n := range current {
		names[n] = true
	}
	for n := range m.Buckets {
		names[n] = true
	}
	for n := range names {
		p.Changes = append(p.Changes, webui.RestoreChange{Collection: n, Current: current[n], Backup: m.Buckets[n]})
	}
	slices.SortFunc(p.Changes, func(a, b webui.RestoreChange) int { return strings.Compare(a.Collection, b.Collection) })
	return p, nil
}

func (r restoreAPI) PreviewRestore(ctx context.Context, archive io.Reader) (webui.RestorePreview, error) {
	path, m, err := r.receive(archive)
	if err != nil {
		return webui.RestorePreview{}, err
	}
	os.Remove(path)
	return r.preview(m)
}

// StageRestore keeps a valid archive as the pending restore and restarts
// the box on it a moment later (after the answer has gone out).
func (r restoreAPI) StageRestore(ctx context.Context, archive io.Reader) (webui.RestorePreview, error) {
	path, m, err := r.receive(archive)
	if err != nil {
		return webui.RestorePreview{}, err
	}
	p, err := r.preview(m)
	if err != nil {
		os.Remove(path)
		return webui.RestorePreview{}, err
	}
	if err := os.Rename(path, filepath.Join(r.a.cfg.DataDir, pendingRestore)); err != nil {
		os.Remove(path)
		return webui.RestorePreview{}, err
	}
	if err := storage.SyncDir(r.a.cfg.DataDir); err != nil {
		return webui.RestorePreview{}, err
	}
	r.a.auditChange(ctx, "restore.staged", "backup of "+m.Created.Format(time.RFC3339), fmt.Sprintf("schema %d; %d files", m.SchemaVersion, len(m.Files)))
	p.Staged = true
	r.a.requestRestart("restoring a backup")
	return p, nil
}

// applyPendingRestore replaces the store in dir with a staged backup
// before the store is opened. An archive that fails to restore is kept
// aside (restore-failed-….tar.gz) and the box starts on the store it had.
// It says what happened, for the audit log, or "" when nothing was staged.
func applyPendingRestore(dir string, log *slog.Logger) string {
	path := filepath.Join(dir, pendingRestore)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		log.Error("staged restore not readable", "err", err)
		return "staged restore not readable: " + err.Error()
	}
	err = storage.RestoreBackup(f, dir)
	f.Close()
	if err != nil {
		failed := filepath.Join(dir, "restore-failed-"+time.Now().UTC().Format("20060102-150405")+".tar.gz")
		os.Rename(path, failed)
		log.Error("staged restore failed: starting on the previous store", "err", err, "kept", failed)
		return "restore failed, the previous store kept: " + err.Error()
	}
	os.Remove(path)
	storage.SyncDir(dir)
	log.Info("backup restored", "dir", dir)
	return "backup restored"
}

// requestRestart asks Run to restart the box in a moment.
func (a *Appliance) requestRestart(why string) {
	a.restartOnce.Do(func() {
		a.log.Info("restarting", "why", why)
		go func() {
			time.Sleep(500 * time.Millisecond) // let the answer reach the admin
			close(a.restart)
		}()
	})
}

// Restarting is closed when the box asked to be restarted (to apply a
// restored backup): Run then closes it and starts it again.
func (a *Appliance) Restarting() <-chan struct{} { return a.restart }
