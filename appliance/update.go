package appliance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"deskline/storage"
	"deskline/webui"
)

// updatePassword is the box's own firmware-update password (gokrazy's
// HTTP password): made on the box, never shared with another box, unlike
// the one gok bakes into an image.
type updatePassword struct {
	path string

	mu       sync.Mutex
	password string
	active   bool // gokrazy read this one at boot (it existed before we started)
}

// loadUpdatePassword reads the box's update password, making one when
// there is none yet. It takes effect at the next boot: gokrazy reads it
// before it starts the daemon.
func loadUpdatePassword(path string) (*updatePassword, bool, error) {
	u := &updatePassword{path: path}
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		u.password, u.active = strings.TrimSpace(string(b)), true
		return u, false, nil
	}
	if err != nil && !os.IsNotExist(err) {
		return nil, false, fmt.Errorf("update password %s: %w", path, err)
	}
	if err := u.write(randomCode(24)); err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// write replaces the password file atomically (a power cut leaves the old
// password or the new one, never half of one).
func (u *updatePassword) write(pw string) error {
	dir := filepath.Dir(u.path)
	f, err := os.CreateTemp(dir, ".gokr-pw-*")
	if err != nil {
		return fmt.Errorf("update password: %w", err)
	}
	tmp := f.Name()
	_, err = f.WriteString(pw + "\n")
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, u.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("update password: %w", err)
	}
	if err := storage.SyncDir(dir); err != nil {
		return fmt.Errorf("update password: %w", err)
	}
	u.mu.Lock()
	u.password, u.active = pw, false
	u.mu.Unlock()
	return nil
}

// updateAPI is the web panel's UpdateBackend.
type updateAPI struct{ a *Appliance }

func (s updateAPI) view() webui.UpdatePassword {
	u := s.a.updPw
	u.mu.Lock()
	defer u.mu.Unlock()
	return webui.UpdatePassword{User: "gokrazy", Password: u.password, Active: u.active}
}

func (s updateAPI) UpdatePassword(ctx context.Context) (webui.UpdatePassword, error) {
	s.a.auditChange(ctx, "update-password.read", "update password", "shown")
	return s.view(), nil
}

func (s updateAPI) RotateUpdatePassword(ctx context.Context) (webui.UpdatePassword, error) {
	if err := s.a.updPw.write(randomCode(24)); err != nil {
		return webui.UpdatePassword{}, err
	}
	s.a.auditChange(ctx, "update-password.rotate", "update password", "new password; active after the next reboot")
	return s.view(), nil
}

// updateBackend is nil (no endpoints) when the box keeps no password.
func (a *Appliance) updateBackend() webui.UpdateBackend {
	if a.updPw == nil {
		return nil
	}
	return updateAPI{a}
}
