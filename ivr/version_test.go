package ivr_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"deskline/ivr"
)

func TestExportImportRoundTrip(t *testing.T) {
	for _, js := range []string{attendant, voicemail} {
		f := mustFlow(t, js)
		f.Version = 3
		data, err := ivr.Export(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(`"format": 1`)) {
			t.Errorf("Export() has no format version:\n%s", data)
		}
		got, err := ivr.Import(data)
		if err != nil {
			t.Fatalf("Import(Export(f)) error = %v", err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("Import(Export(f)) = %+v, want %+v", got, f)
		}
		again, _ := ivr.Export(got)
		if !bytes.Equal(again, data) {
			t.Errorf("a second export differs:\n%s\nwant\n%s", again, data)
		}
	}
}

func TestImportRejects(t *testing.T) {
	cases := map[string]string{
		"not JSON":        `{"format":1,`,
		"no format":       `{"flow":{"id":"a"}}`,
		"future format":   `{"format":2,"flow":{"id":"a"}}`,
		"unknown field":   `{"format":1,"flow":{"id":"a","colour":"red"}}`,
		"unknown in body": `{"format":1,"flow":{"id":"a","blocks":{"b":{"kind":"play","play":{"prompt":"x"}}}}}`,
		"two documents":   `{"format":1,"flow":{}} {}`,
		"too large":       `{"format":1,"flow":{"name":"` + strings.Repeat("x", 2*ivr.MaxJSONBytes) + `"}}`,
	}
	for name, doc := range cases {
		if _, err := ivr.Import([]byte(doc)); !errors.Is(err, ivr.ErrFormat) {
			t.Errorf("%s: Import() = %v, want ErrFormat", name, err)
		}
	}
}

func TestPublishedIsImmutable(t *testing.T) {
	f := mustFlow(t, attendant)
	p := mustPublish(t, f)
	f.Blocks["sales"].Goto.To = "changed"
	got := p.Flow()
	got.Blocks["menu"].Menu.Options["1"] = "bye"
	if again := p.Flow(); again.Blocks["sales"].Goto.To != "sales" || again.Blocks["menu"].Menu.Options["1"] != "sales" {
		t.Error("changing the draft or a copy changed the published version")
	}
	if p.ID() != "main" || p.Version() != 1 {
		t.Errorf("published %s v%d, want main v1", p.ID(), p.Version())
	}
	if _, err := ivr.Load(f, ivr.ValidateOptions{}); err == nil {
		t.Error("Load accepted a flow never published (version 0)")
	}
	var lib ivr.Library
	l, err := ivr.Load(p.Flow(), ivr.ValidateOptions{})
	if err != nil || lib.Add(l) != nil || lib.Add(l) == nil {
		t.Errorf("Load and Add of v1: %v; adding it twice must fail", err)
	}
	next, err := lib.Publish(mustFlow(t, attendant), ivr.ValidateOptions{})
	if err != nil || next.Version() != 2 {
		t.Errorf("publishing after a loaded v1: %v, %v", next, err)
	}
}
