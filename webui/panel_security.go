package webui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// auditLimits are the choices of how many audit records the security page
// shows; defaultAuditLimit is the first choice.
var auditLimits = []int{50, 100, 200, 500, 1000}

const defaultAuditLimit = 100

// handleSecurity shows the SIP bans and the audit log, newest first.
func (s *Server) handleSecurity(w http.ResponseWriter, r *http.Request, d pageData) {
	s.securityPage(w, r, d, http.StatusOK)
}

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request, d pageData, status int) {
	d.Title, d.Limits, d.Limit = "Security", auditLimits, defaultAuditLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(auditLimits, n) {
			d.Errs = map[string]string{"limit": "Choose one of the numbers offered."}
			status = http.StatusBadRequest
		} else {
			d.Limit = n
		}
	}
	ctx := r.Context()
	var err error
	if d.Bans, err = s.backend.Bans(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Audit, err = s.backend.Audit(ctx, d.Limit); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "security", d)
}

// handleLiftBan ends the ban on the form's addr.
func (s *Server) handleLiftBan(w http.ResponseWriter, r *http.Request, d pageData) {
	if r.Method != http.MethodPost {
		seeOther(w, r, "/security")
		return
	}
	addr := strings.TrimSpace(r.PostFormValue("addr"))
	if err := s.backend.LiftBan(r.Context(), addr); err != nil {
		s.refuse(w, r, d, err, s.securityPage)
		return
	}
	seeOther(w, r, doneURL("/security", "lifted", addr))
}
