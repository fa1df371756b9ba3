package sip

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
)

func startDirServer(t *testing.T, dir fakeDir) *Server {
	t.Helper()
	return startServerWith(t, nil, []digest.Algorithm{digest.MD5}, func(o *Options) {
		o.Directory, o.Router = dir, exts(dir)
	})
}

// TestOfficeBehindOneAddress: 50 phones behind one NAT address boot at the
// same moment (after a power cut) and all register; then a flood from
// another address is cut off and banned while the office keeps working.
func TestOfficeBehindOneAddress(t *testing.T) {
	dir := fakeDir{}
	for i := 0; i < 50; i++ {
		dir[fmt.Sprint(2000+i)] = fmt.Sprintf("office-secret-%d", i)
	}
	s := startDirServer(t, dir)
	var wg sync.WaitGroup
	failed := make(chan string, 50)
	start := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(user string) {
			defer wg.Done()
			u := uacFrom(t, s, "127.0.0.3")
			u.wait = 3 * time.Second
			<-start
			contact := "Contact: <sip:" + user + "@" + u.local() + ">"
			res := u.do("REGISTER", "sip:127.0.0.1", user, contact)
			if status(res) != "401 Unauthorized" {
				failed <- user + ": " + status(res)
				return
			}
			if res = u.do("REGISTER", "sip:127.0.0.1", user, contact, authorize(t, res, "MD5", "REGISTER", "sip:127.0.0.1", user, dir[user], 1)); status(res) != "200 OK" {
				failed <- user + ": " + status(res)
			}
		}(fmt.Sprint(2000 + i))
	}
	close(start)
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Errorf("phone %s", f)
	}
	if n := len(s.Registrations()); n != 50 {
		t.Fatalf("%d of 50 phones registered", n)
	}

	// A flood of OPTIONS from 127.0.0.4.
	fl := uacFrom(t, s, "127.0.0.4")
	dst, _ := net.ResolveUDPAddr("udp", s.Addr().String())
	var answered atomic.Int32
	go func() {
		buf := make([]byte, 4096)
		for {
			fl.c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, _, err := fl.c.ReadFromUDP(buf); err != nil {
				return
			}
			answered.Add(1)
		}
	}()
	for i := 0; i < 1000; i++ {
		msg := fmt.Sprintf("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKf%d\r\nMax-Forwards: 70\r\nFrom: <sip:x@127.0.0.4>;tag=f\r\nTo: <sip:127.0.0.1>\r\nCall-ID: flood-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", fl.local(), i, i)
		fl.c.WriteToUDP([]byte(msg), dst)
	}
	time.Sleep(300 * time.Millisecond)
	bans := s.Bans()
	if len(bans) != 1 || bans[0].Addr.String() != "127.0.0.4" || bans[0].Reason != "request flood" {
		t.Errorf("after 1000 OPTIONS at once: Bans() = %+v, want 127.0.0.4 for a request flood", bans)
	}
	office := uacFrom(t, s, "127.0.0.3")
	if !answers(office) {
		t.Error("the office was caught by another source's flood")
	}
	t.Logf("flood of 1000 OPTIONS: %d answered before the cut", answered.Load())
}

// TestScannersGetSilence: requests from known scanners are dropped
// unanswered; ordinary phones are answered.
func TestScannersGetSilence(t *testing.T) {
	s := startDirServer(t, fakeDir{"1001": "alice-secret-1"})
	u := uacFrom(t, s, "127.0.0.5")
	if res := u.do("OPTIONS", "sip:127.0.0.1", "100", "User-Agent: friendly-scanner"); res != "" {
		t.Errorf("friendly-scanner got %q", status(res))
	}
	if res := u.do("OPTIONS", "sip:127.0.0.1", "100", "user-agent: SIPVicious 0.3.4"); res != "" {
		t.Errorf("sipvicious got %q", status(res))
	}
	if res := u.do("OPTIONS", "sip:127.0.0.1", "100", "User-Agent: Yealink SIP-T46S 66.86.0.15"); status(res) != "200 OK" {
		t.Errorf("a Yealink phone got %q", status(res))
	}
}

func TestIndexFold(t *testing.T) {
	for _, tt := range []struct {
		s, sub string
		want   int
	}{
		{"abc", "abc", 0}, {"xxABC", "abc", 2}, {"ab", "abc", -1}, {"", "a", -1}, {"User-Agent: X", "user-agent:", 0},
	} {
		if got := indexFold([]byte(tt.s), []byte(tt.sub)); got != tt.want {
			t.Errorf("indexFold(%q, %q) = %d, want %d", tt.s, tt.sub, got, tt.want)
		}
	}
}
