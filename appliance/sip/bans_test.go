package sip

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type memBans struct {
	mu   sync.Mutex
	list []Ban
}

func (m *memBans) SaveBans(b []Ban) error {
	m.mu.Lock()
	m.list = append([]Ban(nil), b...)
	m.mu.Unlock()
	return nil
}
func (m *memBans) LoadBans() ([]Ban, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Ban(nil), m.list...), nil
}

func startBanServer(t *testing.T, clock *fakeClock, store BanStore, p BanPolicy) *Server {
	t.Helper()
	return startServerWith(t, nil, []digest.Algorithm{digest.MD5}, func(o *Options) {
		o.Bans, o.BanPolicy, o.Now = store, p, clock.Now
		o.Directory, o.Router = fakeDir(rawPasswords), exts(rawPasswords)
	})
}

// uacFrom is a bare SIP client on a given loopback address.
func uacFrom(t *testing.T, s *Server, ip string) *uac {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot bind %s (loopback aliases are needed): %v", ip, err)
		}
		t.Skipf("cannot bind %s: %v", ip, err)
	}
	t.Cleanup(func() { c.Close() })
	// Loopback answers come within milliseconds; a second means silence.
	return &uac{t: t, c: c, srv: s.Addr().String(), wait: time.Second}
}

// guess sends one REGISTER with a wrong password, as a brute-forcer does.
func guess(t *testing.T, u *uac, user string) string {
	res := u.do("REGISTER", "sip:127.0.0.1", user, "Contact: <sip:"+user+"@"+u.local()+">")
	if res == "" {
		return ""
	}
	return u.do("REGISTER", "sip:127.0.0.1", user, "Contact: <sip:"+user+"@"+u.local()+">",
		authorize(t, res, "MD5", "REGISTER", "sip:127.0.0.1", user, "guess-"+u.local(), 1))
}

func answers(u *uac) bool { return status(u.do("OPTIONS", "sip:127.0.0.1", "probe")) == "200 OK" }

// TestBruteForceBan: the fourth wrong password in ten minutes goes
// unanswered, and the source hears nothing more for thirty minutes; others
// are unaffected; the ban ends on time, and a second offence lasts twice as
// long.
func TestBruteForceBan(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	store := &memBans{}
	s := startBanServer(t, clock, store, BanPolicy{})
	attacker, office := uacFrom(t, s, "127.0.0.2"), uacFrom(t, s, "127.0.0.1")
	for i := 0; i < 3; i++ {
		if res := guess(t, attacker, "1001"); status(res) != "401 Unauthorized" {
			t.Fatalf("guess %d answered %q, want 401", i+1, status(res))
		}
		clock.add(2 * time.Second)
	}
	if !answers(attacker) {
		t.Fatal("banned after three failures; the policy says four")
	}
	if res := guess(t, attacker, "1002"); res != "" { // unknown or known users count alike
		t.Errorf("fourth failure answered %q, want silence", status(res))
	}
	if answers(attacker) {
		t.Fatal("a banned source still gets answers")
	}
	if !answers(office) {
		t.Fatal("another source was caught by the ban")
	}
	bans := s.Bans()
	if len(bans) != 1 || bans[0].Addr != netip.MustParseAddr("127.0.0.2") || bans[0].Until.Sub(bans[0].Since) != 30*time.Minute {
		t.Fatalf("Bans() = %+v, want 127.0.0.2 for 30 min", bans)
	}
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		store.mu.Lock()
		n := len(store.list)
		store.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ban was not saved: %+v", store.list)
		}
	}

	clock.add(31 * time.Minute)
	if !answers(attacker) {
		t.Fatal("still banned after the ban ended")
	}
	for i := 0; i < 4; i++ {
		guess(t, attacker, "1001")
		clock.add(2 * time.Second)
	}
	if bans := s.Bans(); len(bans) != 1 || bans[0].Offences != 2 || bans[0].Until.Sub(bans[0].Since) != time.Hour {
		t.Fatalf("second offence: Bans() = %+v, want a one-hour ban", bans)
	}
	if !s.Unban(netip.MustParseAddr("127.0.0.2")) || !answers(attacker) {
		t.Error("Unban did not let the source back in")
	}
}

// TestFailuresOutsideWindowDoNotBan: four failures, then the window passes.
func TestFailuresOutsideWindowDoNotBan(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{})
	u := uacFrom(t, s, "127.0.0.2")
	for i := 0; i < 3; i++ {
		guess(t, u, "1001")
		clock.add(2 * time.Second)
	}
	clock.add(11 * time.Minute)
	if res := guess(t, u, "1001"); status(res) != "401 Unauthorized" {
		t.Errorf("failure after the window answered %q, want 401 (not banned)", status(res))
	}
}

// TestAllowListNeverBanned: the office LAN is never banned.
func TestAllowListNeverBanned(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/30")}})
	u := uacFrom(t, s, "127.0.0.2")
	for i := 0; i < 8; i++ {
		guess(t, u, "1001")
	}
	if !answers(u) || len(s.Bans()) != 0 {
		t.Errorf("an allow-listed source was banned: %+v", s.Bans())
	}
}

// TestBansSurviveRestart: a restart does not pardon an attacker.
func TestBansSurviveRestart(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	store := &memBans{}
	s := startBanServer(t, clock, store, BanPolicy{Failures: 2})
	u := uacFrom(t, s, "127.0.0.2")
	guess(t, u, "1001")
	clock.add(2 * time.Second)
	guess(t, u, "1001")
	s.Close()
	s2 := startBanServer(t, clock, store, BanPolicy{Failures: 2})
	u2 := uacFrom(t, s2, "127.0.0.2")
	if answers(u2) {
		t.Error("a banned source was answered after a restart")
	}
	if len(s2.Bans()) != 1 {
		t.Errorf("Bans() after restart = %+v", s2.Bans())
	}
}

// TestRetryBurstIsOneFailure: a phone that retries a wrong password five
// times at once (as baresip does, within a fraction of a millisecond) has
// made one mistake, not five; twenty failures at once ban all the same.
func TestRetryBurstIsOneFailure(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{})
	u := uacFrom(t, s, "127.0.0.2")
	for i := 0; i < 5; i++ {
		guess(t, u, "1001")
	}
	if !answers(u) {
		t.Fatal("a burst of five retries banned the phone")
	}
	for i := 0; i < 15; i++ {
		guess(t, u, "1001")
	}
	if answers(u) {
		t.Error("twenty guesses at once did not ban the source")
	}
}

// TestIPv6SourcesCountPerSlash64: stepping through addresses of one /64
// does not escape a ban; another /64 is not caught.
func TestIPv6SourcesCountPerSlash64(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{})
	for i := 1; i <= 5; i++ {
		s.bans.failed(netip.MustParseAddr(fmt.Sprintf("2001:db8:1:2::%x", i)), "1001")
		clock.add(2 * time.Second)
	}
	if !s.bans.isBanned(netip.MustParseAddr("2001:db8:1:2:ffff::9")) {
		t.Error("an address of the guessing /64 is not banned")
	}
	if s.bans.isBanned(netip.MustParseAddr("2001:db8:1:3::1")) {
		t.Error("a neighbouring /64 was banned")
	}
	if bans := s.Bans(); len(bans) != 1 || bans[0].Addr.String() != "2001:db8:1:2::" {
		t.Errorf("Bans() = %+v, want the /64 2001:db8:1:2::", bans)
	}
	if !s.Unban(netip.MustParseAddr("2001:db8:1:2::77")) || s.bans.isBanned(netip.MustParseAddr("2001:db8:1:2::1")) {
		t.Error("lifting the ban by any address of the /64 did not work")
	}
	if got := holder(netip.MustParseAddr("::ffff:192.0.2.7")); got.String() != "192.0.2.7" {
		t.Errorf("holder(IPv4-mapped) = %v", got)
	}
}

// TestInventedNoncesNeverBan: credentials on a nonce the box never issued to
// the sender (what a spoofed source address can send, since it never sees
// our challenges) are answered with a stale challenge and never count.
func TestInventedNoncesNeverBan(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{})
	u := uacFrom(t, s, "127.0.0.2")
	for i := 0; i < 30; i++ {
		res := u.do("REGISTER", "sip:127.0.0.1", "1001", "Contact: <sip:1001@"+u.local()+">",
			`Authorization: Digest username="1001", realm="deskline", nonce="bm9uY2UtaW52ZW50ZWQ", uri="sip:127.0.0.1", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"`)
		if status(res) != "401 Unauthorized" || !strings.Contains(hdr(res, "WWW-Authenticate"), "stale=true") {
			t.Fatalf("attempt %d with an invented nonce answered %q %q, want a stale challenge", i+1, status(res), hdr(res, "WWW-Authenticate"))
		}
		clock.add(2 * time.Second)
	}
	if len(s.Bans()) != 0 {
		t.Errorf("invented nonces earned a ban: %+v", s.Bans())
	}
}

// TestGuessesAFewMillisecondsApartEachCount: a tool that waits a few
// milliseconds between guesses (svcrack polls every 5 ms) is not a retry
// burst: its fourth wrong guess goes unanswered and bans it, while the same
// four failures as retries within RetryGap of each other do not.
func TestGuessesAFewMillisecondsApartEachCount(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := startBanServer(t, clock, nil, BanPolicy{})
	retrier, guesser := uacFrom(t, s, "127.0.0.3"), uacFrom(t, s, "127.0.0.4")
	for i := 0; i < 4; i++ {
		guess(t, retrier, "1001")
		clock.add(time.Millisecond)
	}
	if !answers(retrier) {
		t.Fatal("four retries 1 ms apart banned the phone")
	}
	for i := 1; i <= 4; i++ {
		res := guess(t, guesser, "1001")
		if got, want := res != "", i < 4; got != want {
			t.Fatalf("guess %d answered=%v, want %v", i, got, want)
		}
		clock.add(6 * time.Millisecond)
	}
	if bans := s.Bans(); len(bans) != 1 || bans[0].Addr.String() != "127.0.0.4" {
		t.Errorf("Bans() = %+v, want 127.0.0.4", bans)
	}
}

func TestSpread(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, c := range []struct {
		ts   []time.Time
		want int
	}{
		{nil, 0}, {at(0), 1}, {at(0, 0, 1, 1), 1}, {at(0, 1, 2, 3, 4, 5), 1}, // a chain of retries is one burst
		{at(0, 6, 12, 18), 4}, {at(0, 1, 1000, 1001, 5000), 3},
	} {
		if got := spread(c.ts, 2*time.Millisecond); got != c.want {
			t.Errorf("spread(%v) = %d, want %d", c.ts, got, c.want)
		}
	}
}
