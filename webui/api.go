package webui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CDR listing limits of GET /api/v1/cdr.
const (
	defaultCDRLimit = 100
	maxCDRLimit     = 1000
)

// apiError is the body of every API error response.
type apiError struct {
	Error string `json:"error"`
}

// writeJSON encodes v first, so that an encoding failure is a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{msg})
}

// backendError answers for an error from Backend or UserStore.
func (s *Server) backendError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, ErrNoSpace):
		writeError(w, http.StatusInsufficientStorage, err.Error())
	default:
		s.log.Error("webui: api", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

// apiAuth guards the API: 503 in first-boot mode, then HTTP Basic or a
// session cookie with, for state-changing methods, its CSRF token.
func (s *Server) apiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.firstBoot() {
			writeError(w, http.StatusServiceUnavailable, "setup required")
			return
		}
		if name, pw, ok := r.BasicAuth(); ok {
			_, err := s.checkLogin(r.Context(), r, name, pw)
			var te *throttledError
			switch {
			case err == nil:
				next.ServeHTTP(w, withActor(r, name))
			case errors.As(err, &te):
				w.Header().Set("Retry-After", te.retryAfter())
				writeError(w, http.StatusTooManyRequests, te.Error())
			case errors.Is(err, errBadCredentials):
				w.Header().Set("WWW-Authenticate", `Basic realm="Deskline"`)
				writeError(w, http.StatusUnauthorized, err.Error())
			case errors.Is(err, errNotPermitted):
				writeError(w, http.StatusForbidden, err.Error())
			default:
				s.backendError(w, r, err)
			}
			return
		}
		if _, sess, ok := s.currentSession(r); ok {
			r = withActor(r, sess.user)
			if sess.role != RoleAdmin {
				writeError(w, http.StatusForbidden, errNotPermitted.Error())
				return
			}
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			default:
				if !tokenEqual(r.Header.Get("X-CSRF-Token"), sess.csrf) {
					writeError(w, http.StatusForbidden, "missing or wrong X-CSRF-Token header")
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Deskline"`)
		writeError(w, http.StatusUnauthorized, "authentication required")
	})
}

// methods dispatches on the request method, answering 405 with Allow for
// any other.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allowed := make([]string, 0, len(m))
	for k := range m {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	allowMethods(w, r, allowed...)
}

func (s *Server) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/extensions", methods{
		http.MethodGet:  s.apiListExtensions,
		http.MethodPost: s.apiCreateExtension,
	})
	mux.Handle("/api/v1/extensions/{number}", methods{
		http.MethodGet:    s.apiGetExtension,
		http.MethodPut:    s.apiUpdateExtension,
		http.MethodDelete: s.apiDeleteExtension,
	})
	mux.Handle("/api/v1/registrations", methods{http.MethodGet: s.apiRegistrations})
	mux.Handle("/api/v1/calls", methods{http.MethodGet: s.apiCalls})
	mux.Handle("/api/v1/bans", methods{http.MethodGet: s.apiBans})
	mux.Handle("/api/v1/bans/{addr}", methods{http.MethodDelete: s.apiLiftBan})
	mux.Handle("/api/v1/cdr", methods{http.MethodGet: s.apiCDRs})
	mux.Handle("/api/v1/status", methods{http.MethodGet: s.apiStatus})
	mux.Handle("/api/v1/audit", methods{http.MethodGet: s.apiAudit})
	mux.Handle("/api/v1/backup", methods{http.MethodGet: s.apiBackup})
	if s.recs != nil {
		mux.Handle("/api/v1/calls/{id}/recording", methods{http.MethodPost: s.apiStartRecording, http.MethodDelete: s.apiStopRecording})
		mux.Handle("/api/v1/recordings", methods{http.MethodGet: s.apiRecordings})
		mux.Handle("/api/v1/recordings/{name}", methods{http.MethodGet: s.apiGetRecording})
	}
	if s.ivr != nil {
		mux.Handle("/api/v1/ivr", methods{http.MethodGet: s.apiFlows})
		mux.Handle("/api/v1/ivr/{id}", methods{http.MethodGet: s.apiGetFlow, http.MethodPut: s.apiPutFlow, http.MethodDelete: s.apiDeleteFlow})
	}
	if s.acd != nil {
		s.acdRoutes(mux)
	}
	if s.trunks != nil {
		s.trunkRoutes(mux)
	}
	if s.routing != nil {
		s.routingRoutes(mux)
	}
	if s.restore != nil {
		s.restoreRoutes(mux)
	}
	if s.update != nil {
		s.updateRoutes(mux)
	}
	if s.ringGroups != nil {
		s.ringGroupRoutes(mux)
	}
	if s.phones != nil {
		s.phoneRoutes(mux)
	}
	if s.tls != nil {
		mux.Handle("/api/v1/tls", methods{http.MethodGet: s.apiGetTLS, http.MethodPut: s.apiPutTLS})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.URL.Path)
	})
	return mux
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func (s *Server) apiListExtensions(w http.ResponseWriter, r *http.Request) {
	l, err := s.backend.ListExtensions(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiCreateExtension(w http.ResponseWriter, r *http.Request) {
	var in ExtensionInput
	if !decodeJSON(w, r, &in) {
		return
	}
	e, err := s.backend.CreateExtension(r.Context(), in)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/extensions/"+url.PathEscape(e.Number))
	writeJSON(w, http.StatusCreated, e)
}

func (s *Server) apiGetExtension(w http.ResponseWriter, r *http.Request) {
	e, err := s.backend.GetExtension(r.Context(), r.PathValue("number"))
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) apiUpdateExtension(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	var in ExtensionInput
	if !decodeJSON(w, r, &in) {
		return
	}
	if in.Number != "" && in.Number != number {
		writeError(w, http.StatusUnprocessableEntity, (&FieldError{"number", "must match the number in the path or be left out"}).Error())
		return
	}
	in.Number = number
	e, err := s.backend.UpdateExtension(r.Context(), number, in)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) apiDeleteExtension(w http.ResponseWriter, r *http.Request) {
	if err := s.backend.DeleteExtension(r.Context(), r.PathValue("number")); err != nil {
		s.backendError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiRegistrations(w http.ResponseWriter, r *http.Request) {
	l, err := s.backend.Registrations(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiBackup(w http.ResponseWriter, r *http.Request) {
	rc, name, err := s.backend.Backup(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Warn("webui: backup download cut short", "err", err)
	}
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit: want a number from 1 to 1000")
			return
		}
		limit = n
	}
	l, err := s.backend.Audit(r.Context(), limit)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiBans(w http.ResponseWriter, r *http.Request) {
	l, err := s.backend.Bans(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiLiftBan(w http.ResponseWriter, r *http.Request) {
	if err := s.backend.LiftBan(r.Context(), r.PathValue("addr")); err != nil {
		s.backendError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiCalls(w http.ResponseWriter, r *http.Request) {
	l, err := s.backend.Calls(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiCDRs(w http.ResponseWriter, r *http.Request) {
	q, err := parseCDRQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l, err := s.backend.CDRs(r.Context(), q)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

// parseCDRQuery reads from and to (RFC 3339, optional) and limit (1 to
// maxCDRLimit, default defaultCDRLimit).
func parseCDRQuery(v url.Values) (CDRQuery, error) {
	q := CDRQuery{Limit: defaultCDRLimit}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, fmt.Errorf("%s: want an RFC 3339 time such as 2025-01-31T08:00:00Z, got %q", p.name, s)
			}
			*p.t = t
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, errors.New("from: must be before to")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxCDRLimit {
			return q, fmt.Errorf("limit: want a whole number from 1 to %d, got %q", maxCDRLimit, s)
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) status(r *http.Request) (Status, error) {
	st, err := s.backend.Status(r.Context())
	if st.Version == "" {
		st.Version = s.version
	}
	if err == nil && st.TLSFingerprint == "" && s.tls != nil {
		var c TLSCertificate
		c, err = s.tls.TLSCertificate(r.Context())
		st.TLSFingerprint = c.Fingerprint
	}
	return st, err
}

// decodeJSON reads r's body, at most maxBody bytes holding exactly one JSON
// object with only fields that dst has, into dst. On failure it answers
// (400, 413 or 415) and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxBody))
		} else {
			writeError(w, http.StatusBadRequest, "reading request body failed")
		}
		return false
	}
	if msg := decodeJSONBytes(body, dst); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return false
	}
	return true
}

// decodeJSONBytes decodes one JSON object from body into dst and returns ""
// or what is wrong, for the client.
func decodeJSONBytes(body []byte, dst any) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "request body is empty; want a JSON object"
	}
	if body := bytes.TrimLeft(body, " \t\r\n"); body[0] != '{' {
		return "request body must be a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return "malformed JSON: the body ends inside the object"
		case errors.As(err, &typ):
			if typ.Field == "" {
				return "request body must be a JSON object"
			}
			return fmt.Sprintf("field %q: want a JSON %s, got %s (byte %d)", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value, typ.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return strings.TrimPrefix(err.Error(), "json: ")
		default:
			return "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
		}
	}
	off := dec.InputOffset()
	if rest := bytes.TrimLeft(body[off:], " \t\r\n"); len(rest) > 0 {
		return fmt.Sprintf("unexpected data after the JSON object at byte %d", off+int64(len(body[off:])-len(rest)))
	}
	return ""
}

// jsonKind names a Go kind the way a JSON client knows it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	default:
		return "number"
	}
}
