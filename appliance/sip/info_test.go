package sip

import (
	"fmt"
	"testing"
	"time"
)

func TestParseDTMFInfo(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		digit    byte
		dur      time.Duration
		ok       bool
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160 * time.Millisecond, true},
		{"application/dtmf-relay", "signal= #\nduration=250", '#', 250 * time.Millisecond, true},
		{"application/dtmf-relay", "Signal=*\r\n", '*', 100 * time.Millisecond, true},
		{"application/dtmf-relay", "Signal=d\r\nDuration=99999", 'D', 100 * time.Millisecond, true},
		{"application/dtmf", "7\r\n", '7', 100 * time.Millisecond, true},
		{"application/dtmf-relay", "Signal=12\r\n", 0, 0, false},
		{"application/dtmf-relay", "Signal=x\r\n", 0, 0, false},
		{"application/dtmf-relay", "", 0, 0, false},
		{"application/sdp", "Signal=5", 0, 0, false},
		{"application/dtmf", "", 0, 0, false},
	} {
		d, dur, ok := parseDTMFInfo(tc.ct, []byte(tc.body))
		if d != tc.digit || dur != tc.dur || ok != tc.ok {
			t.Errorf("parseDTMFInfo(%q, %q) = %q, %v, %v; want %q, %v, %v", tc.ct, tc.body, d, dur, ok, tc.digit, tc.dur, tc.ok)
		}
	}
}

func FuzzParseDTMFInfo(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160\r\n"))
	f.Add("application/dtmf", []byte("#"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		d, dur, ok := parseDTMFInfo(ct, body)
		if ok && (dur <= 0 || dur > 5*time.Second || d == 0) {
			t.Fatalf("accepted %q lasting %v", d, dur)
		}
	})
}

// TestInfoReachesService: a phone that sends its keys as SIP INFO drives
// a service as one that sends them in the audio.
func TestInfoReachesService(t *testing.T) {
	t.Parallel()
	got := make(chan byte, 4)
	s, _ := startCallServer(t, callOpts{service: func(ch *Channel) {
		d, _ := ch.ReadDigit(3 * time.Second)
		got <- d
	}})
	a := newRawPhone(t, s, "1001")
	a.register()
	a.invite("*9", rtpSink(t))
	ok := a.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("the service did not answer")
	}
	a.ack(ok)
	info := func(cseq int, ct, body string) string {
		return fmt.Sprintf("INFO sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKinfo%d\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d INFO\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
			a.addr(), cseq, hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID"), cseq, ct, len(body), body)
	}
	a.send(info(3, "application/json", "{}"))
	if a.wait(3*time.Second, isRes("415")) == "" {
		t.Error("an INFO of another package was not refused with 415")
	}
	a.send(info(4, "application/dtmf-relay", "Signal=#\r\nDuration=120\r\n"))
	if a.wait(3*time.Second, isRes("200")) == "" {
		t.Error("the DTMF INFO was not accepted")
	}
	select {
	case d := <-got:
		if d != '#' {
			t.Errorf("the service read %q, want #", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the service got no digit")
	}
	if bye := a.wait(3*time.Second, isReq("BYE")); bye != "" {
		a.reply(bye, "200 OK", "", "")
	}
}
