package ports_test

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/sipfake"
	"deskline/appliance/ports"
	"deskline/hw"
	"deskline/hw/sim"
	"deskline/media"
	"deskline/media/dtmf"
)

// fakeBox is a SIP server that accepts every REGISTER and answers every
// INVITE 486 Busy Here. It reports each INVITE.
func fakeBox(t *testing.T) (addr string, invites <-chan string) {
	t.Helper()
	return sipfake.Start(t, map[string]string{"REGISTER": "200 OK", "INVITE": "486 Busy Here"})
}

func pool(t *testing.T) *media.PortPool {
	t.Helper()
	p, err := media.NewPortPool(47200, 47298)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func creds(ext string) (string, string, bool) { return ext, "secret", ext != "9999" }

// checkGoroutines fails the test if, after cleanup, more goroutines run
// than before it started.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d after, %d before\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func TestNewAndAddRefuseBadInput(t *testing.T) {
	checkGoroutines(t)
	clock := sim.NewClock(time.Now())
	fxs, _, _ := sim.NewFXS(clock, &sim.Opts{Name: "a"})
	fxo, _, _ := sim.NewFXO(clock, &sim.Opts{Name: "b"})
	defer fxs.Halt()
	defer fxo.Halt()
	for _, tc := range []struct {
		name, field string
		o           ports.Options
	}{
		{"no address", "SIPAddr", ports.Options{Media: pool(t)}},
		{"no pool", "Media", ports.Options{SIPAddr: "127.0.0.1:5060"}},
		{"unknown country", "Country", ports.Options{SIPAddr: "127.0.0.1:5060", Media: pool(t), Country: "XX"}},
	} {
		if _, err := ports.New(tc.o); !errors.Is(err, ports.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: New = %v, want ErrInvalid naming %s", tc.name, err, tc.field)
		}
	}
	addr, _ := fakeBox(t)
	g, err := ports.New(ports.Options{SIPAddr: addr, Media: pool(t), Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, tc := range []struct {
		name, field string
		err         error
	}{
		{"FXO port as FXS", "port", g.AddFXS(fxo, "2001")},
		{"extension not digits", "extension", g.AddFXS(fxs, "20a1")},
		{"no credentials", "extension", g.AddFXS(fxs, "9999")},
	} {
		if !errors.Is(tc.err, ports.ErrInvalid) || !strings.Contains(tc.err.Error(), tc.field) {
			t.Errorf("%s: %v, want ErrInvalid naming %s", tc.name, tc.err, tc.field)
		}
	}
	if _, err := g.AddFXO(fxs, ports.LineOptions{DID: "1"}); !errors.Is(err, ports.ErrInvalid) {
		t.Errorf("AddFXO(FXS port) = %v, want ErrInvalid", err)
	}
	if _, err := g.AddFXO(fxo, ports.LineOptions{DID: "12x"}); !errors.Is(err, ports.ErrInvalid) || !strings.Contains(err.Error(), "DID") {
		t.Errorf("AddFXO(bad DID) = %v, want ErrInvalid naming DID", err)
	}
	if err := g.AddFXS(fxs, "2001"); err != nil {
		t.Fatal(err)
	}
	if err := g.AddFXS(fxs, "2002"); !errors.Is(err, ports.ErrExists) {
		t.Errorf("adding a port twice = %v, want ErrExists", err)
	}
	g.Close()
	if err := g.AddFXS(fxs, "2003"); !errors.Is(err, ports.ErrClosed) {
		t.Errorf("AddFXS after Close = %v, want ErrClosed", err)
	}
}

// power is the Goertzel power of freq in s, relative to the signal's.
func power(s []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / hw.SampleRate
	var s1, s2, total float64
	for _, v := range s {
		x := float64(v)
		s0 := x + 2*math.Cos(w)*s1 - s2
		s2, s1 = s1, s0
		total += x * x
	}
	if total == 0 {
		return 0
	}
	return (s1*s1 + s2*s2 - 2*math.Cos(w)*s1*s2) / (total * float64(len(s)) / 2)
}

// TestDiallingFromAnalogPhone: lifting the handset gives dial tone,
// keypad tones in the port audio are the number the box is asked for,
// and a busy callee gives busy tone.
func TestDiallingFromAnalogPhone(t *testing.T) {
	checkGoroutines(t)
	addr, invites := fakeBox(t)
	clock := sim.NewClock(time.Now())
	g, err := ports.New(ports.Options{SIPAddr: addr, Media: pool(t), Credentials: creds, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	port, ph, _ := sim.NewFXS(clock, &sim.Opts{Name: "desk"})
	if err := g.AddFXS(port, "2001"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the port's clock, a little faster than real time
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				clock.Advance(5 * time.Millisecond)
			}
		}
	}()
	defer func() { close(stop); <-done }()

	ph.Lift()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if s := g.Status(); s[0].Registered && s[0].State == "dialtone" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not registered and in dial tone: %+v", g.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	heard := ph.Heard()
	if p350, p440, p1000 := power(heard, 350), power(heard, 440), power(heard, 1000); p350 < 0.2 || p440 < 0.2 || p1000 > 0.01 {
		t.Errorf("off-hook the phone heard 350 Hz %.2f, 440 Hz %.2f, 1000 Hz %.2f of its power; want US dial tone", p350, p440, p1000)
	}
	gen := dtmf.NewGenerator(nil)
	gen.Play("1002", 80*time.Millisecond, 80*time.Millisecond)
	var keys []int16
	var f [160]int16
	for !gen.Done() {
		gen.Read(f[:])
		keys = append(keys, f[:]...)
	}
	ph.Speak(keys)
	select {
	case inv := <-invites:
		line, _, _ := strings.Cut(inv, "\r\n")
		if !strings.HasPrefix(line, "INVITE sip:1002@") {
			t.Errorf("the box was asked for %q, want sip:1002@", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no INVITE after dialling; ports %+v", g.Status())
	}
	for deadline := time.Now().Add(5 * time.Second); g.Status()[0].State != "busy"; {
		if time.Now().After(deadline) {
			t.Fatalf("not busy after 486: %+v", g.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	ph.Heard()
	time.Sleep(600 * time.Millisecond) // 1.5 s on the port's clock: busy tone's on and off
	heard = ph.Heard()
	if p480, p620 := power(heard, 480), power(heard, 620); p480 < 0.1 || p620 < 0.1 {
		t.Errorf("after 486 the phone heard 480 Hz %.2f, 620 Hz %.2f of its power; want US busy tone", p480, p620)
	}
	ph.Hang()

	// A rotary phone: the pulses counted by the port are the number.
	for deadline := time.Now().Add(5 * time.Second); g.Status()[0].State != "idle"; { // 800 ms tells a hang-up from a flash
		if time.Now().After(deadline) {
			t.Fatalf("not idle after hanging up: %+v", g.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	ph.Lift()
	time.Sleep(200 * time.Millisecond)
	if err := ph.Dial("42"); err != nil {
		t.Fatal(err)
	}
	select {
	case inv := <-invites:
		line, _, _ := strings.Cut(inv, "\r\n")
		if !strings.HasPrefix(line, "INVITE sip:42@") {
			t.Errorf("pulse dialling asked the box for %q, want sip:42@", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no INVITE after pulse dialling; ports %+v", g.Status())
	}
	ph.Hang()
}
