package webui

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// AuditRecord is one entry of the audit log: who did what, when and from
// where. webui reports logins, failed logins, logouts and the first-boot
// setup through Options.Audit; the Backend records the changes it makes.
type AuditRecord struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`  // user name, or "system"
	Source string    `json:"source"` // client IP address, or "" for the box itself
	Action string    `json:"action"` // e.g. "login", "login-failed", "extension-created", "ban"
	Object string    `json:"object,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

type actorKey struct{}

type actor struct{ user, source string }

// withActor records in the request's context who made it; Backend methods
// read it with ActorFrom to fill their audit records.
func withActor(r *http.Request, user string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, actor{user, sourceAddr(r)}))
}

// ActorFrom returns the authenticated user and the client address of the
// request a Backend method serves; empty strings outside a request.
func ActorFrom(ctx context.Context) (user, source string) {
	a, _ := ctx.Value(actorKey{}).(actor)
	return a.user, a.source
}

// audit reports a record to Options.Audit, if set.
func (s *Server) audit(r *http.Request, user, action, object, detail string) {
	if s.auditFn == nil {
		return
	}
	if len(user) > 64 { // failed logins carry names an attacker chose
		user = strings.ToValidUTF8(user[:64], "")
	}
	s.auditFn(AuditRecord{Time: s.now(), Actor: user, Source: sourceAddr(r), Action: action, Object: object, Detail: detail})
}
