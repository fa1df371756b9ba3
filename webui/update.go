package webui

import (
	"context"
	"net/http"
)

// UpdatePassword is the box's own firmware-update password: gokrazy's
// web interface and update API (user "gokrazy") take it instead of the one
// in the image. Active is false until the box has rebooted with it.
type UpdatePassword struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Active   bool   `json:"active"`
}

// UpdateBackend shows and renews the box's update password. It is
// optional: without it the endpoints below do not exist. Reading it is
// audited.
//
//	GET  /api/v1/system/update-password
//	POST /api/v1/system/update-password  (a new one, active after the next reboot)
type UpdateBackend interface {
	UpdatePassword(ctx context.Context) (UpdatePassword, error)
	RotateUpdatePassword(ctx context.Context) (UpdatePassword, error)
}

func (s *Server) updateRoutes(mux *http.ServeMux) {
	serve := func(f func(context.Context) (UpdatePassword, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			p, err := f(r.Context())
			if err != nil {
				s.backendError(w, r, err)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, p)
		}
	}
	mux.Handle("/api/v1/system/update-password", methods{
		http.MethodGet:  serve(s.update.UpdatePassword),
		http.MethodPost: serve(s.update.RotateUpdatePassword),
	})
}
