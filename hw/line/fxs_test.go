package line_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// TestFXSTransitions walks the FXS line through ringing, caller ID and
// ring trip, checking the linefeed over time.
func TestFXSTransitions(t *testing.T) {
	var evs []hw.Event
	f, err := line.NewFXS(nil, nil, func(e hw.Event) { evs = append(evs, e) })
	if err != nil {
		t.Fatal(err)
	}
	us, _ := line.Cadence("us")
	now := t0
	var trace []string
	lastLF := line.Linefeed(255)
	run := func(offHook bool, d time.Duration) {
		for end := now.Add(d); now.Before(end); now = now.Add(ms) {
			lf, cid := f.Sample(offHook, now)
			if lf != lastLF {
				trace = append(trace, fmt.Sprintf("%v@%d", lf, now.Sub(t0)/ms))
				lastLF = lf
			}
			if cid {
				trace = append(trace, fmt.Sprintf("CID@%d", now.Sub(t0)/ms))
			}
		}
	}
	run(false, 100*ms)
	if err := f.Ring(us, true, now); err != nil {
		t.Fatal(err)
	}
	run(false, 7*time.Second) // ring, silence with CID, ring again
	run(true, 100*ms)         // answer: ring trip
	if err := f.Ring(us, false, now); !errors.Is(err, hw.ErrOffHook) {
		t.Errorf("Ring while off-hook = %v, want ErrOffHook", err)
	}
	run(false, time.Second) // hang up
	if err := f.Ring(hw.Cadence{time.Second}, false, now); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("Ring(bad cadence) = %v, want ErrInvalid", err)
	}
	if err := f.Ring(us, true, now); err != nil {
		t.Fatal(err)
	}
	run(false, time.Second)
	f.StopRing()
	run(false, 3*time.Second) // no CID after StopRing

	want := "Active@0 Ringing@100 OnHookTransmission@2100 CID@2600 Ringing@6100 Active@7110 " +
		"Ringing@8200 Active@9200"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("linefeed trace = %q\nwant               %q", got, want)
	}
	if got := render(evs); got != "OffHook@7110 OnHook@8000" {
		t.Errorf("events = %q, want %q", got, "OffHook@7110 OnHook@8000")
	}
}

// TestFXSDeadline drives the FXS line only at Deadline and checks it sees
// every cadence change and the caller-ID moment.
func TestFXSDeadline(t *testing.T) {
	f, err := line.NewFXS(nil, nil, func(hw.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	us, _ := line.Cadence("us")
	f.Sample(false, t0)
	if err := f.Ring(us, true, t0); err != nil {
		t.Fatal(err)
	}
	now := t0
	var got []string
	for range 6 {
		dl, ok := f.Deadline()
		if !ok || !dl.After(now) {
			t.Fatalf("Deadline() = %v, %v after %v", dl, ok, now)
		}
		now = dl
		lf, cid := f.Sample(false, now)
		got = append(got, fmt.Sprintf("%v%s@%d", lf, map[bool]string{true: "+CID"}[cid], now.Sub(t0)/ms))
	}
	want := "OnHookTransmission@2000 OnHookTransmission+CID@2500 Ringing@6000 OnHookTransmission@8000 Ringing@12000 OnHookTransmission@14000"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("samples at Deadline = %q\nwant %q", s, want)
	}
}
