package webuitest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// TestMemoryTrunks: the password is write-only and kept on an update
// without one; a trunk is listed with a status; bad input names its
// field; deletion is refused while a route names the trunk.
func TestMemoryTrunks(t *testing.T) {
	ctx := context.Background()
	m := webuitest.NewMemoryTrunks()
	r := webuitest.NewMemoryRouting(m)
	got, err := m.CreateTrunk(ctx, webui.Trunk{Name: "voip", Host: "sip.example", Password: "secret-1", Register: true, Username: "4420"})
	if err != nil || got.Password != "" || !got.PasswordSet || got.Status == nil || got.Status.Up {
		t.Fatalf("CreateTrunk = %+v, %v", got, err)
	}
	if _, err := m.UpdateTrunk(ctx, "voip", webui.Trunk{Name: "voip", Host: "sip2.example", Register: true, Username: "4420"}); err != nil || m.Password("voip") != "secret-1" {
		t.Errorf("update without a password: %v, password %q", err, m.Password("voip"))
	}
	var fe *webui.FieldError
	if _, err := m.CreateTrunk(ctx, webui.Trunk{Name: "b", Host: "h", Transport: "sctp"}); !errors.As(err, &fe) || fe.Field != "transport" {
		t.Errorf("bad transport: %v", err)
	}
	if _, err := m.CreateTrunk(ctx, webui.Trunk{Name: "voip", Host: "h"}); !errors.Is(err, webui.ErrConflict) {
		t.Errorf("duplicate: %v", err)
	}
	m.SetStatus("voip", webui.TrunkStatus{Up: true, Calls: 2})
	if l, _ := m.ListTrunks(ctx); len(l) != 1 || !l[0].Status.Up || l[0].Status.Calls != 2 {
		t.Errorf("ListTrunks = %+v", l)
	}
	if _, err := r.SetRouting(ctx, "outbound", json.RawMessage(`{"routes":[{"name":"out","patterns":[{"pattern":"_X."}],"trunks":["voip"]}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteTrunk(ctx, "voip"); !errors.Is(err, webui.ErrInvalid) || !strings.Contains(err.Error(), "out") {
		t.Errorf("deleting a routed trunk: %v", err)
	}
	if _, err := r.SetRouting(ctx, "outbound", json.RawMessage(`{"routes":[]}`)); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteTrunk(ctx, "voip"); err != nil {
		t.Errorf("deleting an unused trunk: %v", err)
	}
	if err := m.DeleteTrunk(ctx, "voip"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
}

// TestMemoryRouting: documents are checked, refused with problems naming
// their paths, stored otherwise, with warnings for a repeated pattern.
func TestMemoryRouting(t *testing.T) {
	ctx := context.Background()
	m := webuitest.NewMemoryTrunks()
	if _, err := m.CreateTrunk(ctx, webui.Trunk{Name: "voip", Host: "sip.example"}); err != nil {
		t.Fatal(err)
	}
	r := webuitest.NewMemoryRouting(m)
	for _, c := range []struct {
		part, doc, path string
	}{
		{"outbound", `{"routes":[{"name":"a","patterns":[{"pattern":"_0Q"}],"trunks":["voip"]}]}`, "outbound[0].patterns[0].pattern"},
		{"outbound", `{"routes":[{"name":"a","patterns":[{"pattern":"1"}],"trunks":["voip","gone"]}]}`, "outbound[0].trunks[1]"},
		{"outbound", `{"routes":[{"name":"a","patterns":[{"pattern":"1"}],"trunks":["voip"],"time_condition":{"weekly":[{"days":["mon"],"from":"8","to":"18:00"}]}}]}`, "outbound[0].time_condition.weekly[0].from"},
		{"outbound", `{"routes":[],"extra":1}`, "outbound"},
		{"inbound", `{"routes":[{"did":"1","destination":{"kind":"queue"}}],"default":{"kind":"hangup"}}`, "inbound[0].destination.target"},
		{"inbound", `{"routes":[],"default":{"kind":"fax"}}`, "default_inbound.kind"},
		{"blacklist", `{"blacklist":[{"number":"1","action":"reject","code":200}],"outbound_block":[]}`, "blacklist[0].code"},
		{"limits", `{"burst_calls":-3}`, "limits.burst_calls"},
	} {
		_, err := r.SetRouting(ctx, c.part, json.RawMessage(c.doc))
		var re *webui.RoutingErrors
		if !errors.As(err, &re) || !errors.Is(err, webui.ErrInvalid) || re.Problems[0].Path != c.path {
			t.Errorf("%s %s: %v, want a problem at %s", c.part, c.doc, err, c.path)
		}
	}
	if raw, _ := r.Routing(ctx, "outbound"); string(raw) != `{"routes":[]}` {
		t.Errorf("refused documents changed the routes: %s", raw)
	}
	w, err := r.SetRouting(ctx, "outbound", json.RawMessage(`{"routes":[{"name":"a","patterns":[{"pattern":"_0X."}],"trunks":["voip"]},{"name":"b","patterns":[{"pattern":"_0X."}],"trunks":["voip"]}]}`))
	if err != nil || len(w) != 1 || w[0].Path != "outbound[1].patterns[0]" || w[0].Severity != "warning" {
		t.Errorf("shadowed route: %+v, %v", w, err)
	}
	r.Suspend("102", "burst")
	if err := r.LiftSuspension(ctx, "102"); err != nil {
		t.Error(err)
	}
	if err := r.LiftSuspension(ctx, "102"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("lifting twice: %v", err)
	}
}
