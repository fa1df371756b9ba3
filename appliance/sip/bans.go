package sip

import (
	"context"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"
)

// Ban is a source address the box no longer answers. For IPv6 it is the
// source's /64 (Addr is the prefix's first address).
type Ban struct {
	Addr     netip.Addr `json:"addr"`
	Since    time.Time  `json:"since"`
	Until    time.Time  `json:"until"`
	Reason   string     `json:"reason"`
	Offences int        `json:"offences"` // bans this address has earned; each doubles the next
}

// BanStore persists bans so that a restart does not pardon an attacker.
// Save is called with every ban (also expired ones still remembered for
// repeat offences) after each change; Load once at start.
type BanStore interface {
	SaveBans(b []Ban) error
	LoadBans() ([]Ban, error)
}

// BanPolicy says when a source is banned and for how long. The zero value is
// the default policy: the 4th failure in 10 minutes bans for 30 minutes,
// doubling for each repeat offence up to a day. The request that reaches
// the threshold is already unanswered, so a password guesser never hears
// the answer to its 4th guess and never gets to make a 5th.
//
// A retry burst counts once: baresip's SIP stack, for one, answers each
// challenge to a wrong password with another try within a fraction of a
// millisecond, a dozen times and more, and a mistyped password must not ban
// the office on its first try. Failures less than RetryGap after the
// previous one belong to its burst. Guessing tools wait for each answer and
// then some (SIPVicious's svcrack polls every 5 ms), so each of their
// guesses counts. Burst failures within the window ban all the same.
type BanPolicy struct {
	Failures int           // failed authentications (bursts counting once) that earn a ban; 0 = 4
	Window   time.Duration // ... within this time; 0 = 10 min
	RetryGap time.Duration // a failure this soon after the previous one is a retry; 0 = 2 ms
	Burst    int           // failures within the window that ban however fast they came; 0 = 20
	BanFor   time.Duration // first ban; 0 = 30 min
	MaxBan   time.Duration // longest ban; 0 = 24 h
	// Allow lists sources that are never banned (the office LAN, the
	// provider's addresses).
	Allow []netip.Prefix
}

func (p BanPolicy) withDefaults() BanPolicy {
	if p.Failures == 0 {
		p.Failures = 4
	}
	if p.RetryGap == 0 {
		p.RetryGap = 2 * time.Millisecond
	}
	if p.Burst == 0 {
		p.Burst = 20
	}
	if p.Window == 0 {
		p.Window = 10 * time.Minute
	}
	if p.BanFor == 0 {
		p.BanFor = 30 * time.Minute
	}
	if p.MaxBan == 0 {
		p.MaxBan = 24 * time.Hour
	}
	return p
}

// maxTracked bounds the sources whose failures are counted at once.
const maxTracked = 10000

// bans counts failed authentications and keeps the ban list.
type bans struct {
	s      *Server
	p      BanPolicy
	mu     sync.RWMutex
	fails  map[netip.Addr][]time.Time // recent failures per source
	users  map[string][]time.Time     // recent failures per user
	banned map[netip.Addr]Ban
	saveMu sync.Mutex

	// Saving and OnBan happen on run's goroutine: a ban can be decided on
	// the UDP read path (a flood), which must never wait for the disk.
	kick   chan struct{} // a save is due
	events chan Ban      // bans to report to OnBan
}

// maxBans bounds the bans remembered; spoofed floods could otherwise grow
// the list without end.
const maxBans = 10000

func newBans(s *Server, p BanPolicy) *bans {
	return &bans{s: s, p: p.withDefaults(), fails: map[netip.Addr][]time.Time{}, users: map[string][]time.Time{},
		banned: map[netip.Addr]Ban{}, kick: make(chan struct{}, 1), events: make(chan Ban, 256)}
}

// run saves changed bans and reports new ones until ctx ends, then saves a
// last time. The server starts it in Start and waits for it in Close.
func (b *bans) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			b.save()
			return
		case <-b.kick:
			b.save()
		case ban := <-b.events:
			if b.s.o.OnBan != nil {
				b.s.o.OnBan(ban)
			}
		}
	}
}

// changed asks run to save and, for a new ban, to report it. It never blocks.
func (b *bans) changed(ban *Ban) {
	select {
	case b.kick <- struct{}{}:
	default: // a save is already due
	}
	if ban != nil {
		select {
		case b.events <- *ban:
		default:
			b.s.log.Warn("too many bans at once: not all reach the audit log", "addr", ban.Addr)
		}
	}
}

// roomLocked makes room for one more ban: expired ones go first; when all
// are in force, the one ending soonest goes.
func (b *bans) roomLocked(now time.Time) {
	if len(b.banned) < maxBans {
		return
	}
	var soonest netip.Addr
	for a, ban := range b.banned {
		if now.After(ban.Until) {
			delete(b.banned, a)
		} else if !soonest.IsValid() || ban.Until.Before(b.banned[soonest].Until) {
			soonest = a
		}
	}
	if len(b.banned) >= maxBans {
		delete(b.banned, soonest)
	}
}

func (b *bans) load() error {
	if b.s.o.Bans == nil {
		return nil
	}
	list, err := b.s.o.Bans.LoadBans()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ban := range list {
		if ban.Addr.IsValid() {
			b.banned[ban.Addr] = ban
		}
	}
	return nil
}

func (b *bans) allowed(a netip.Addr) bool {
	for _, p := range b.p.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isBanned reports whether a source is banned now. It is called for every
// datagram, so it only reads.
func (b *bans) isBanned(a netip.Addr) bool {
	b.mu.RLock()
	ban, ok := b.banned[holder(a)]
	b.mu.RUnlock()
	return ok && b.s.o.Now().Before(ban.Until)
}

// recent drops the times older than the window and appends now.
func recent(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	kept := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	return append(kept, now)
}

// failed records a failed authentication of user from src, and bans src
// when it has failed too often.
func (b *bans) failed(src netip.Addr, user string) {
	now := b.s.o.Now()
	b.mu.Lock()
	if len(b.users) >= maxTracked && b.users[user] == nil {
		for u, ts := range b.users { // forget users whose failures have aged out
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= b.p.Window {
				delete(b.users, u)
			}
		}
	}
	if len(b.users) < maxTracked || b.users[user] != nil {
		b.users[user] = recent(b.users[user], now, b.p.Window)
		if n := len(b.users[user]); n == b.p.Burst {
			b.s.log.Warn("many failed logins for one extension, from several sources", "user", user, "failures", n, "window", b.p.Window)
		}
	}
	if !src.IsValid() || b.allowed(src) {
		b.mu.Unlock()
		return
	}
	src = holder(src)
	if len(b.fails) >= maxTracked && b.fails[src] == nil {
		b.forgetOldestLocked()
	}
	b.fails[src] = recent(b.fails[src], now, b.p.Window)
	if ts := b.fails[src]; spread(ts, b.p.RetryGap) < b.p.Failures && len(ts) < b.p.Burst {
		b.mu.Unlock()
		return
	}
	delete(b.fails, src)
	prev := b.banned[src]
	d := b.p.BanFor
	for i := 0; i < prev.Offences && d < b.p.MaxBan; i++ {
		d *= 2
	}
	d = min(d, b.p.MaxBan)
	ban := Ban{Addr: src, Since: now, Until: now.Add(d), Reason: "failed authentication", Offences: prev.Offences + 1}
	b.roomLocked(now)
	b.banned[src] = ban
	b.mu.Unlock()
	b.s.log.Warn("source banned", "addr", src, "for", d, "offences", ban.Offences, "last_user", user)
	b.changed(&ban)
}

// impose bans a source for d (a flood), unless it is allow-listed.
func (b *bans) impose(a netip.Addr, d time.Duration, reason string) {
	if b.allowed(a) {
		return
	}
	a = holder(a)
	now := b.s.o.Now()
	b.mu.Lock()
	prev := b.banned[a]
	ban := Ban{Addr: a, Since: now, Until: now.Add(d), Reason: reason, Offences: prev.Offences + 1}
	b.roomLocked(now)
	b.banned[a] = ban
	b.mu.Unlock()
	b.s.log.Warn("source banned", "addr", a, "for", d, "reason", reason)
	b.changed(&ban)
}

// spread counts the bursts in ts: a failure less than gap after the one
// before it belongs to that one's burst.
func spread(ts []time.Time, gap time.Duration) int {
	n := 0
	for i, t := range ts {
		if i == 0 || t.Sub(ts[i-1]) >= gap {
			n++
		}
	}
	return n
}

func (b *bans) forgetOldestLocked() {
	var oldest netip.Addr
	var at time.Time
	for a, ts := range b.fails {
		if len(ts) > 0 && (at.IsZero() || ts[len(ts)-1].Before(at)) {
			oldest, at = a, ts[len(ts)-1]
		}
	}
	delete(b.fails, oldest)
}

// list returns the bans in force, oldest first.
func (b *bans) list() []Ban {
	now := b.s.o.Now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []Ban
	for _, ban := range b.banned {
		if now.Before(ban.Until) {
			out = append(out, ban)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// lift ends a ban in force now (the offence count is kept for next time);
// it reports whether there was one.
func (b *bans) lift(a netip.Addr) bool {
	a = holder(a)
	now := b.s.o.Now()
	b.mu.Lock()
	ban, ok := b.banned[a]
	ok = ok && now.Before(ban.Until)
	if ok {
		ban.Until = now
		b.banned[a] = ban
	}
	delete(b.fails, a)
	b.mu.Unlock()
	if ok {
		b.s.log.Info("ban lifted", "addr", a)
		b.changed(nil)
	}
	return ok
}

// save writes every remembered ban; offences are forgotten a day after a
// ban ended.
func (b *bans) save() {
	if b.s.o.Bans == nil {
		return
	}
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	now := b.s.o.Now()
	b.mu.Lock()
	var all []Ban
	for a, ban := range b.banned {
		if now.Sub(ban.Until) > 24*time.Hour {
			delete(b.banned, a)
			continue
		}
		all = append(all, ban)
	}
	b.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Addr.Less(all[j].Addr) })
	if err := b.s.o.Bans.SaveBans(all); err != nil {
		b.s.log.Error("bans not saved", "err", err)
	}
}

// Bans returns the sources banned now.
func (s *Server) Bans() []Ban { return s.bans.list() }

// Unban lifts a ban; it reports whether the address was banned.
func (s *Server) Unban(a netip.Addr) bool { return s.bans.lift(a.Unmap()) }

// holder is the key under which bans and limits count a source: the
// address itself for IPv4, and for IPv6 its /64, since one subscriber
// usually holds a whole /64 and could otherwise step around every limit.
func holder(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().Addr()
	}
	return a
}

// addrOf turns a transport's remote address into an IP.
func addrOf(a net.Addr) netip.Addr {
	switch v := a.(type) {
	case *net.UDPAddr:
		return v.AddrPort().Addr().Unmap()
	case *net.TCPAddr:
		return v.AddrPort().Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}
