package webui

import (
	"context"
	"encoding/json"
	"net/http"
)

// IVRFlow describes a published IVR flow (auto-attendant).
type IVRFlow struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Number  string `json:"number,omitempty"` // dialled to reach it; "" when only other flows go there
	Version int    `json:"version"`          // the latest published version
	Blocks  int    `json:"blocks"`
}

// IVRFlowDoc is a flow as exchanged: the number that reaches it and the
// flow itself as an export document ({"format":1,"flow":{…}}), the same
// JSON the export download gives and the import takes.
type IVRFlowDoc struct {
	Number string          `json:"number,omitempty"`
	Flow   json.RawMessage `json:"flow"`
}

// IVRBackend stores and publishes IVR flows. It is optional: without it the
// /api/v1/ivr endpoints do not exist.
type IVRBackend interface {
	// Flows lists the flows, by id.
	Flows(ctx context.Context) ([]IVRFlow, error)
	// Flow returns one flow's latest version (ErrNotFound).
	Flow(ctx context.Context, id string) (IVRFlowDoc, error)
	// PublishFlow validates in and publishes it as the flow's next
	// version; calls already in the flow finish on the version they
	// started. Problems wrap ErrInvalid and name the block and field.
	PublishFlow(ctx context.Context, id string, in IVRFlowDoc) (IVRFlow, error)
	// DeleteFlow removes a flow (ErrNotFound).
	DeleteFlow(ctx context.Context, id string) error
}

func (s *Server) apiFlows(w http.ResponseWriter, r *http.Request) {
	l, err := s.ivr.Flows(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orEmpty(l))
}

func (s *Server) apiGetFlow(w http.ResponseWriter, r *http.Request) {
	doc, err := s.ivr.Flow(r.Context(), r.PathValue("id"))
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) apiPutFlow(w http.ResponseWriter, r *http.Request) {
	var in IVRFlowDoc
	if !decodeJSON(w, r, &in) {
		return
	}
	f, err := s.ivr.PublishFlow(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) apiDeleteFlow(w http.ResponseWriter, r *http.Request) {
	if err := s.ivr.DeleteFlow(r.Context(), r.PathValue("id")); err != nil {
		s.backendError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
