package hwtest_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/hwtest"
	"deskline/hw/sim"
)

// broken is a simulated port with one deliberate contract violation.
type broken struct {
	*sim.Port
	flaw string

	mu     sync.Mutex
	halts  int
	events chan hw.Event // for flaw "event after Halt"
}

func (b *broken) Seize() error {
	if b.flaw == "seize allowed on FXS" {
		return nil
	}
	return b.Port.Seize()
}

func (b *broken) Ring(c hw.Cadence, cid *hw.CallerID) error {
	if b.flaw == "ring allowed on FXO" {
		return nil
	}
	return b.Port.Ring(c, cid)
}

func (b *broken) ReadFrame(f *hw.Frame) error {
	if b.flaw == "frames come too fast" {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.halts > 0 {
			return hw.ErrHalted
		}
		return nil
	}
	return b.Port.ReadFrame(f)
}

func (b *broken) Events() <-chan hw.Event {
	if b.events != nil {
		return b.events
	}
	return b.Port.Events()
}

func (b *broken) Halt() error {
	b.mu.Lock()
	b.halts++
	n := b.halts
	b.mu.Unlock()
	b.Port.Halt()
	if b.flaw == "Halt not idempotent" && n > 1 {
		return errors.New("already halted")
	}
	return nil
}

var flaws = []struct{ flaw, rule string }{
	{"seize allowed on FXS", "Seize on an FXS or USB port is an error"},
	{"ring allowed on FXO", "Ring on an FXO port is an error"},
	{"Halt not idempotent", "Halt is idempotent and leaves the port inert"},
	{"event after Halt", "no events after Halt"},
	{"goroutine leak", "no goroutine leaks after Halt"},
	{"events out of order", "events arrive in order"},
	{"frames come too fast", "frames are 20 ms of device time"},
}

// TestBrokenPorts runs the suite against the broken ports; it only runs as
// the child process of TestSuiteCatchesBrokenPorts, and fails there.
func TestBrokenPorts(t *testing.T) {
	if os.Getenv("HWTEST_BROKEN_CHILD") != "1" {
		t.Skip("run by TestSuiteCatchesBrokenPorts")
	}
	for _, fl := range flaws {
		t.Run(fl.flaw, func(t *testing.T) {
			hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
				c := sim.NewClock(t0)
				var p *sim.Port
				var script func() []hw.EventType
				if strings.Contains(fl.flaw, "FXO") || fl.flaw == "frames come too fast" {
					fxo, _, err := sim.NewFXO(c, nil)
					if err != nil {
						t.Fatal(err)
					}
					p = fxo
					script = func() []hw.EventType { c.Advance(time.Second); return []hw.EventType{hw.LineUp} }
				} else {
					fxs, phone, err := sim.NewFXS(c, nil)
					if err != nil {
						t.Fatal(err)
					}
					p = fxs
					script = func() []hw.EventType {
						phone.Lift()
						c.Advance(time.Second)
						phone.Hang()
						c.Advance(time.Second)
						if fl.flaw == "events out of order" {
							return []hw.EventType{hw.OnHook, hw.OffHook}
						}
						return []hw.EventType{hw.OffHook, hw.OnHook}
					}
				}
				b := &broken{Port: p, flaw: fl.flaw}
				switch fl.flaw {
				case "event after Halt":
					b.events = make(chan hw.Event, 100)
					go func() {
						for e := range p.Events() {
							b.events <- e
						}
						b.events <- hw.Event{Type: hw.OnHook} // after Halt closed the inner channel
					}()
				case "goroutine leak":
					go func() { select {} }()
				}
				return &hwtest.Fixture{Port: b, Advance: c.Advance, Script: script, Patience: 100 * time.Millisecond}
			})
		})
	}
}

// TestSuiteCatchesBrokenPorts checks that each deliberate flaw fails the
// rule it breaks, and that the failure names the rule.
func TestSuiteCatchesBrokenPorts(t *testing.T) {
	if os.Getenv("HWTEST_BROKEN_CHILD") == "1" {
		t.Skip("in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenPorts$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "HWTEST_BROKEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("suite passed every broken port:\n%s", out)
	}
	for _, fl := range flaws {
		sub := "--- FAIL: TestBrokenPorts/" + strings.ReplaceAll(fl.flaw, " ", "_") + "/" + strings.ReplaceAll(fl.rule, " ", "_")
		if !strings.Contains(string(out), sub) {
			t.Errorf("flaw %q: no %q in the suite's output", fl.flaw, sub)
		}
		if !strings.Contains(string(out), `rule "`+fl.rule+`": `) {
			t.Errorf("flaw %q: no failure message naming rule %q", fl.flaw, fl.rule)
		}
	}
	if t.Failed() {
		t.Logf("suite output:\n%s", out)
	}
}
