package webui

import (
	"context"
	"net/http"
)

// RingGroupFallback is where a ring group's caller goes when nobody
// answers: "extension", "voicemail" (a mailbox), "queue", or "hangup"
// (the default).
type RingGroupFallback struct {
	Kind   string `json:"kind,omitempty"`
	Target string `json:"target,omitempty"`
}

// RingGroup is a number that rings several extensions: all at once
// ("ringall", the default) or one after another ("hunt"), each for
// RingTime seconds (default 20).
type RingGroup struct {
	Name     string            `json:"name"`
	Number   string            `json:"number"`
	Members  []string          `json:"members"`
	Strategy string            `json:"strategy,omitempty"`
	RingTime int               `json:"ring_time,omitempty"`
	Fallback RingGroupFallback `json:"fallback,omitzero"`
}

// RingGroupBackend stores ring groups. It is optional: without it the
// endpoints below do not exist. Errors wrap ErrNotFound, ErrConflict or
// ErrInvalid (a *FieldError naming the field).
//
//	GET/POST /api/v1/ring-groups, GET/PUT/DELETE /api/v1/ring-groups/{name}
type RingGroupBackend interface {
	ListRingGroups(ctx context.Context) ([]RingGroup, error)
	GetRingGroup(ctx context.Context, name string) (RingGroup, error)
	CreateRingGroup(ctx context.Context, in RingGroup) (RingGroup, error)
	UpdateRingGroup(ctx context.Context, name string, in RingGroup) (RingGroup, error)
	DeleteRingGroup(ctx context.Context, name string) error
}

func (s *Server) ringGroupRoutes(mux *http.ServeMux) {
	b := s.ringGroups
	acdCRUD(s, mux, "/api/v1/ring-groups", "name", b.ListRingGroups, b.GetRingGroup, b.CreateRingGroup, func(g RingGroup) string { return g.Name },
		b.UpdateRingGroup, func(in *RingGroup) *string { return &in.Name }, b.DeleteRingGroup)
}
