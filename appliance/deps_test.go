package appliance_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// forbidden lists, for each top-level package, the packages of ours it must
// not import and why. DESIGN.md's dependency direction, written as a test:
//
//	appliance ──> webui, ivr, acd, media, hw, storage   (composition root)
//	webui ──> acd (read-only types)   ivr ──> acd (agent actions)
//	acd, media, hw, storage ──> nothing of ours          image ──> nothing
var forbidden = map[string]map[string]string{
	"webui": {
		"appliance": "the panel reaches the box only through webui.Backend, which appliance implements",
		"ivr":       "flows are edited as data through webui.Backend, not by running the interpreter",
		"media":     "audio work (prompt conversion, monitoring) is asked of appliance through webui.Backend",
		"hw":        "port state comes through webui.Backend; only appliance drives hardware",
		"storage":   "persistence belongs to appliance; the panel gets stores as interfaces it declares",
	},
	"ivr": {
		"appliance": "appliance provides ivr.Channel; ivr must not know SIP or legs",
		"webui":     "the interpreter has no user interface",
		"media":     "playing and collecting goes through ivr.Channel, so flows run over any leg",
		"hw":        "an analog port is just another leg behind ivr.Channel",
		"storage":   "flows are loaded and saved by appliance; ivr keeps its own types",
	},
	"acd": {
		"appliance": "acd is a deterministic engine; appliance executes its decisions",
		"webui":     "acd decides routing; it must not depend on how it is shown",
		"ivr":       "ivr drives agent actions into acd, never the other way",
		"media":     "acd decides who gets a call, not how audio flows",
		"hw":        "agents are reached through legs that appliance creates",
		"storage":   "acd emits queue-log events; appliance persists them",
	},
	"media": {
		"appliance": "the media engine knows nothing of SIP or calls",
		"webui":     "the media engine has no user interface",
		"ivr":       "ivr uses media through appliance's channel, not the other way",
		"acd":       "the media engine knows nothing of queues",
		"hw":        "ports hand audio frames to appliance, which feeds media",
		"storage":   "prompts and recordings reach media as readers and writers",
	},
	"hw": {
		"appliance": "a port reports events; appliance decides what they mean",
		"webui":     "hardware has no user interface",
		"ivr":       "a port is a leg; flows run over legs in appliance",
		"acd":       "hardware knows nothing of queues",
		"media":     "DTMF, caller ID and tones run in media on audio that appliance routes",
		"storage":   "port configuration is given to drivers by appliance",
	},
	"storage": {
		"appliance": "storage knows no domain rules; domain packages keep their own types",
		"webui":     "storage knows no domain rules",
		"ivr":       "storage knows no domain rules",
		"acd":       "storage knows no domain rules",
		"media":     "storage knows no domain rules",
		"hw":        "storage knows no domain rules",
	},
	"image": {
		"appliance": "image is build configuration and a boot test; it talks to the box over the network",
		"webui":     "image talks to the panel over HTTP like a user",
		"ivr":       "image has no runtime code",
		"acd":       "image has no runtime code",
		"media":     "image has no runtime code",
		"hw":        "image has no runtime code",
		"storage":   "image has no runtime code",
	},
}

// thirdParty lists module prefixes that only one top-level package may import.
var thirdParty = []struct{ prefix, owner, why string }{
	{"periph.io/", "hw", "only hw drives hardware (DESIGN.md: 'Only hw imports periph')"},
	{"github.com/emiago/sipgo", "appliance", "SIP types never leave appliance"},
	{"go.etcd.io/bbolt", "storage", "the store's engine is storage's business; others use its typed collections"},
}

var tops = []string{"appliance", "media", "hw", "ivr", "acd", "storage", "webui", "image"}

func TestDependencyDirection(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// Every pair of distinct top-level packages is either allowed or has a reason.
	allowed := map[string][]string{
		"appliance": {"webui", "ivr", "acd", "media", "hw", "storage"},
		"webui":     {"acd"},
		"ivr":       {"acd"},
	}
	for _, from := range tops {
		for _, to := range tops {
			if from == to {
				continue
			}
			_, bad := reason(from, to)
			ok := slices.Contains(allowed[from], to)
			if bad == ok {
				t.Errorf("rule table: %s -> %s must be either allowed or forbidden with a reason", from, to)
			}
		}
	}

	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			base := d.Name()
			if rel != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "var" || base == "builddir") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		from := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "deskline" || strings.HasPrefix(p, "deskline/") {
				to := strings.SplitN(strings.TrimPrefix(p, "deskline/"), "/", 2)[0]
				if to == from {
					continue
				}
				if why, bad := reason(from, to); bad {
					t.Errorf("%s imports %s: %s must not import %s: %s", rel, p, from, to, why)
				}
				continue
			}
			for _, tp := range thirdParty {
				if strings.HasPrefix(p, tp.prefix) && from != tp.owner {
					t.Errorf("%s imports %s: only %s may: %s", rel, p, tp.owner, tp.why)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < len(tops) {
		t.Fatalf("checked only %d Go files; is the test running from appliance/?", checked)
	}
}

// reason tells why from must not import to, if it must not.
func reason(from, to string) (string, bool) {
	if to == "image" {
		return "image is build configuration and a boot test, not a library", true
	}
	why, bad := forbidden[from][to]
	return why, bad
}
