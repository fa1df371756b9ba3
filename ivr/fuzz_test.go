package ivr_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deskline/ivr"
	"deskline/ivr/ivrtest"
)

// FuzzFlowJSON feeds arbitrary documents to Import and the validator:
// neither may panic; a flow that validates must publish, export and import
// back to an equal flow, and run on a scripted caller to an end without
// exceeding the step cap's error unless a goto-flow loops.
func FuzzFlowJSON(f *testing.F) {
	for _, js := range []string{attendant, voicemail} {
		doc, err := ivr.Export(mustFlow(f, js))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc, "1")
	}
	f.Add([]byte(`{"format":1,"flow":{"id":"x","name":"x","entry":"a","blocks":{"a":{"kind":"hangup"}}}}`), "")
	f.Add([]byte(`{"format":1,"flow":{"id":"x","name":"x","entry":"a","blocks":{"a":{"kind":"play","play":{"prompts":["p"],"next":"a"}}}}}`), "")
	f.Fuzz(func(t *testing.T, doc []byte, keys string) {
		fl, err := ivr.Import(doc)
		if err != nil {
			if !errors.Is(err, ivr.ErrFormat) {
				t.Fatalf("Import() = %v, not ErrFormat", err)
			}
			return
		}
		err = fl.Validate()
		var ve *ivr.ValidationError
		if err != nil {
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("Validate() = %v, want a *ValidationError with problems", err)
			}
			return
		}
		p, err := ivr.Publish(fl, nil, ivr.ValidateOptions{})
		if err != nil {
			t.Fatalf("a valid flow did not publish: %v", err)
		}
		out, err := ivr.Export(p.Flow())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ivr.Import(out); err != nil {
			t.Fatalf("re-import of an export: %v", err)
		}
		if len(keys) > 64 {
			keys = keys[:64]
		}
		ch := &ivrtest.Fake{Keys: keys}
		res, err := ivr.Run(context.Background(), p, ch, ivr.RunOptions{
			Sayer: words{}, Now: func() time.Time { return time.Unix(1795000000, 0) },
			ExtensionExists: func(n string) bool { return n == "123" }, MaxSteps: 10000,
		})
		if errors.Is(err, ivr.ErrStepLimit) {
			// Validation forbids loops without a wait, and each wait takes
			// a key from a script of at most 64: the cap cannot be hit.
			t.Fatalf("a valid flow ran %d steps: %v", res.Steps, err)
		}
	})
}
