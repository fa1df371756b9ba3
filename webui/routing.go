package webui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// RoutingProblem is one finding about a routing document: the field it is
// about ("outbound[2].patterns[0].pattern"), "error" or "warning", and
// what is wrong.
type RoutingProblem struct {
	Path     string `json:"path"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// RoutingErrors refuses a routing document; it wraps ErrInvalid.
type RoutingErrors struct {
	Problems []RoutingProblem
}

func (e *RoutingErrors) Error() string {
	if len(e.Problems) == 0 {
		return "invalid routing"
	}
	p := e.Problems[0]
	return p.Path + ": " + p.Message
}

func (e *RoutingErrors) Unwrap() error { return ErrInvalid }

// Suspension is an extension whose outside calls the toll-fraud limiter
// suspended.
type Suspension struct {
	Extension string    `json:"extension"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
}

// RoutingBackend stores the box's call routing. Documents travel as the
// JSON the routing configuration defines, by part: "outbound" ({"routes":
// […]}, tried in order), "inbound" ({"routes": […], "default": {…}}),
// "blacklist" ({"blacklist": […], "outbound_block": […]}) and "limits".
// It is optional: without it the endpoints below do not exist.
//
//	GET/PUT /api/v1/routes/outbound, /api/v1/routes/inbound,
//	        /api/v1/blacklist, /api/v1/routing/limits
//	GET /api/v1/routing/suspended, DELETE /api/v1/routing/suspended/{ext}
type RoutingBackend interface {
	Routing(ctx context.Context, part string) (json.RawMessage, error)
	// SetRouting validates and stores a part and applies it to new calls.
	// A document with errors is refused with *RoutingErrors and nothing
	// changes; warnings (a route shadowed by an earlier one) are returned
	// with the saved document.
	SetRouting(ctx context.Context, part string, doc json.RawMessage) (warnings []RoutingProblem, err error)
	Suspended(ctx context.Context) ([]Suspension, error)
	// LiftSuspension lets a suspended extension dial out again (ErrNotFound
	// when it is not suspended).
	LiftSuspension(ctx context.Context, ext string) error
}

func (s *Server) routingRoutes(mux *http.ServeMux) {
	for path, part := range map[string]string{
		"/api/v1/routes/outbound": "outbound", "/api/v1/routes/inbound": "inbound",
		"/api/v1/blacklist": "blacklist", "/api/v1/routing/limits": "limits",
	} {
		mux.Handle(path, methods{
			http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
				doc, err := s.routing.Routing(r.Context(), part)
				if err != nil {
					s.backendError(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, doc)
			},
			http.MethodPut: func(w http.ResponseWriter, r *http.Request) {
				var doc json.RawMessage
				if !decodeJSON(w, r, &doc) {
					return
				}
				warnings, err := s.routing.SetRouting(r.Context(), part, doc)
				var re *RoutingErrors
				if errors.As(err, &re) {
					writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": re.Error(), "problems": re.Problems})
					return
				}
				if err != nil {
					s.backendError(w, r, err)
					return
				}
				saved, err := s.routing.Routing(r.Context(), part)
				if err != nil {
					s.backendError(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, map[string]any{"saved": saved, "warnings": orEmpty(warnings)})
			},
		})
	}
	mux.Handle("/api/v1/routing/suspended", methods{http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
		l, err := s.routing.Suspended(r.Context())
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, orEmpty(l))
	}})
	mux.Handle("/api/v1/routing/suspended/{ext}", methods{http.MethodDelete: func(w http.ResponseWriter, r *http.Request) {
		if err := s.routing.LiftSuspension(r.Context(), r.PathValue("ext")); err != nil {
			s.backendError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}})
}
