package sip

import (
	"bytes"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Rate is a token bucket: Per requests per second on average, bursts of
// Burst.
type Rate struct {
	Per   float64
	Burst float64
}

// FloodPolicy limits how fast one source address may send requests, per
// kind of request. The zero value is the default, sized so that an office
// of 50 phones behind one NAT address can all boot and register at once
// after a power cut: REGISTER 50/s (bursts of 250), INVITE 20/s (60),
// OPTIONS 50/s (250), anything else 50/s (250). Requests over the limit are
// dropped unanswered; a source that goes on flooding (DropsToBan dropped
// requests within BanWindow) is banned for BanFor.
type FloodPolicy struct {
	Register, Invite, Options, Other Rate
	DropsToBan                       int           // 0 = 200
	BanWindow                        time.Duration // 0 = 10 s
	BanFor                           time.Duration // 0 = 5 min
	Off                              bool          // no limits at all
}

func (p FloodPolicy) withDefaults() FloodPolicy {
	def := func(r *Rate, per, burst float64) {
		if r.Per == 0 {
			r.Per = per
		}
		if r.Burst == 0 {
			r.Burst = burst
		}
	}
	def(&p.Register, 50, 250)
	def(&p.Invite, 20, 60)
	def(&p.Options, 50, 250)
	def(&p.Other, 50, 250)
	if p.DropsToBan == 0 {
		p.DropsToBan = 200
	}
	if p.BanWindow == 0 {
		p.BanWindow = 10 * time.Second
	}
	if p.BanFor == 0 {
		p.BanFor = 5 * time.Minute
	}
	return p
}

type bucket struct {
	tokens float64
	last   time.Time
}

// take refills the bucket for the time passed and takes one token if there
// is one.
func (b *bucket) take(r Rate, now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = r.Burst
	} else if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(r.Burst, b.tokens+d*r.Per)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

type source struct {
	buckets   [4]bucket
	drops     int
	dropsFrom time.Time
	seen      time.Time
}

// floods holds the per-source buckets. It is consulted for every UDP
// datagram, before sipgo parses it.
type floods struct {
	s   *Server
	p   FloodPolicy
	mu  sync.Mutex
	src map[netip.Addr]*source
}

func newFloods(s *Server, p FloodPolicy) *floods {
	return &floods{s: s, p: p.withDefaults(), src: map[netip.Addr]*source{}}
}

// requestClass sorts a request by its method: 0 REGISTER, 1 INVITE,
// 2 OPTIONS, 3 anything else.
func requestClass(data []byte) int {
	switch {
	case bytes.HasPrefix(data, []byte("REGISTER ")):
		return 0
	case bytes.HasPrefix(data, []byte("INVITE ")):
		return 1
	case bytes.HasPrefix(data, []byte("OPTIONS ")):
		return 2
	}
	return 3
}

// allow reports whether a request from a may be handled now. Responses
// (answers to our own requests) are never limited.
func (f *floods) allow(a netip.Addr, data []byte) bool {
	if bytes.HasPrefix(data, []byte("SIP/2.0 ")) {
		return true
	}
	return f.allowClass(a, requestClass(data))
}

// allowClass is allow for a request already sorted by its method.
func (f *floods) allowClass(a netip.Addr, class int) bool {
	if f.p.Off || !a.IsValid() || f.s.bans.allowed(a) {
		return true
	}
	a = holder(a)
	rate := [...]Rate{f.p.Register, f.p.Invite, f.p.Options, f.p.Other}[class]
	now := f.s.o.Now()
	f.mu.Lock()
	src := f.src[a]
	if src == nil {
		if len(f.src) >= maxTracked {
			f.forgetIdleLocked(now)
		}
		src = &source{}
		f.src[a] = src
	}
	src.seen = now
	if src.buckets[class].take(rate, now) {
		f.mu.Unlock()
		return true
	}
	if now.Sub(src.dropsFrom) > f.p.BanWindow {
		src.drops, src.dropsFrom = 0, now
	}
	src.drops++
	ban := src.drops == f.p.DropsToBan
	if src.drops == 1 {
		f.s.log.Warn("source over its request rate: dropping", "addr", a, "class", [...]string{"REGISTER", "INVITE", "OPTIONS", "other"}[class])
	}
	f.mu.Unlock()
	if ban {
		f.s.bans.impose(a, f.p.BanFor, "request flood")
	}
	return false
}

// forgetIdleLocked drops sources idle for a minute (their buckets are full
// again anyway), or the oldest half when all are busy.
func (f *floods) forgetIdleLocked(now time.Time) {
	for a, s := range f.src {
		if now.Sub(s.seen) > time.Minute {
			delete(f.src, a)
		}
	}
	for a := range f.src {
		if len(f.src) < maxTracked/2 {
			break
		}
		delete(f.src, a)
	}
}

// scannerAgents are User-Agent fragments of SIP scanners and attack tools;
// requests carrying them are dropped without an answer.
var scannerAgents = [][]byte{
	[]byte("friendly-scanner"), []byte("sipvicious"), []byte("sipcli"), []byte("sip-scan"),
	[]byte("sundayddr"), []byte("iwar"), []byte("vaxsipuseragent"), []byte("smap"), []byte("sipscan"), []byte("pplsip"),
}

// scannerAgent reports whether a parsed User-Agent value names a known
// scanner (TCP requests are checked after parsing).
func (s *Server) scannerAgent(ua string) bool {
	low := []byte(strings.ToLower(ua))
	for _, a := range s.scanners {
		if bytes.Contains(low, a) {
			return true
		}
	}
	return false
}

// fromScanner reports whether a request's User-Agent names a known scanner.
// It looks at the raw bytes, before parsing, case-insensitively.
func (s *Server) fromScanner(data []byte) bool {
	agents := s.scanners
	if len(agents) == 0 {
		return false
	}
	i := indexFold(data, []byte("\nuser-agent:"))
	if i < 0 {
		return false
	}
	line := data[i+len("\nuser-agent:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	for _, a := range agents {
		if indexFold(line, a) >= 0 {
			return true
		}
	}
	return false
}

// indexFold is bytes.Index ignoring ASCII case; sub must be lower case.
func indexFold(s, sub []byte) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		match := true
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
