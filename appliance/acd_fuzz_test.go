package appliance

import (
	"encoding/json"
	"errors"
	"testing"

	"deskline/webui"
)

// FuzzACDQueue saves arbitrary queue JSON, as the API would after decoding
// it: the box never panics, refuses with a field-naming ErrInvalid or a
// conflict, and whatever it accepts the engine runs and serves back the
// same. Seeds are in testdata/fuzz/FuzzACDQueue.
func FuzzACDQueue(f *testing.F) {
	f.Add([]byte(`{"name":"support","number":"601","strategy":"ring-all","members":[{"agent":"201"}]}`))
	f.Add([]byte(`{"name":"q","strategy":"skills-based","tiers":[{"after":10,"max_penalty":1},{"after":5}],"ring_timeout":-3}`))
	f.Add([]byte(`{"name":"sales","number":"600","strategy":"linear"}`))
	fx := newACDFixture(f, "", nil)
	fx.salesSetup()
	f.Fuzz(func(t *testing.T, body []byte) {
		var in webui.Queue
		if json.Unmarshal(body, &in) != nil {
			return
		}
		q, err := fx.b.CreateQueue(fx.ctx, in)
		var fe *webui.FieldError
		switch {
		case err == nil:
			if q.Name != in.Name {
				t.Fatalf("created %q from %q", q.Name, in.Name)
			}
			if _, ok := fx.cc.queueStats(q.Name); !ok {
				t.Fatalf("queue %q accepted but unknown to the engine", q.Name)
			}
			if err := fx.b.DeleteQueue(fx.ctx, q.Name); err != nil {
				t.Fatalf("deleting %q: %v", q.Name, err)
			}
		case errors.Is(err, webui.ErrConflict):
		case errors.As(err, &fe) && fe.Field != "":
		default:
			t.Fatalf("CreateQueue(%s) = %v, want success, a conflict or a FieldError", body, err)
		}
	})
}
