package srtp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	psrtp "github.com/pion/srtp/v3"
	"github.com/pion/transport/v5/replaydetector"
)

// Suite names as SDES writes them in a=crypto (RFC 4568, RFC 6188, RFC 7714).
const (
	AESCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	AESCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
	AES256CMHMACSHA1_80 = "AES_256_CM_HMAC_SHA1_80"
	AEADAES128GCM       = "AEAD_AES_128_GCM"
	AEADAES256GCM       = "AEAD_AES_256_GCM"
)

// MaxOverhead is the most bytes Protect or ProtectRTCP add to a packet
// (GCM tag of 16 plus the 4-byte SRTCP index). A dst of capacity
// len(packet)+MaxOverhead never makes them allocate.
const MaxOverhead = 20

// ReplayWindow is the number of packets behind the newest one that the
// inbound side still accepts once (RFC 3711 asks for at least 64).
const ReplayWindow = 128

// Errors returned by this package. Callers test them with errors.Is.
var (
	// ErrSuite is returned by NewPair, GenerateKey and KeyLen's callers
	// for a suite name this package does not support.
	ErrSuite = errors.New("srtp: unsupported suite")

	// ErrKeyLen is returned by NewPair for a key whose length is not
	// KeyLen(suite).
	ErrKeyLen = errors.New("srtp: wrong key length for suite")

	// ErrAuth is returned by Unprotect and UnprotectRTCP when a packet
	// fails authentication: it was altered, or sent with another key. It
	// wraps pion's ErrFailedToVerifyAuthTag. Drop the packet.
	ErrAuth error = &pionError{"srtp: authentication failed", psrtp.ErrFailedToVerifyAuthTag}

	// ErrReplay is returned by Unprotect and UnprotectRTCP for a packet
	// already received, or too old to tell (more than ReplayWindow
	// behind). The error wraps pion's duplicate-packet error too. Drop the
	// packet; duplicates are normal on some networks.
	ErrReplay = errors.New("srtp: replayed packet")

	// ErrMalformed is returned by Unprotect and UnprotectRTCP for a packet
	// too short or not RTP/RTCP, and by Protect and ProtectRTCP for a
	// plaintext that is not a valid packet. It wraps pion's error.
	ErrMalformed = errors.New("srtp: malformed packet")
)

// pionError is a sentinel of ours that wraps one of pion's, so that a
// caller may test for either.
type pionError struct {
	msg   string
	cause error
}

func (e *pionError) Error() string { return e.msg }
func (e *pionError) Unwrap() error { return e.cause }

// wrapped carries one of our sentinels and the error pion returned.
type wrapped struct {
	kind, cause error
}

func (e *wrapped) Error() string   { return e.kind.Error() + ": " + e.cause.Error() }
func (e *wrapped) Unwrap() []error { return []error{e.kind, e.cause} }

// suite describes one supported suite.
type suite struct {
	name    string
	profile psrtp.ProtectionProfile
}

// suites in our order of preference for offers and answers.
var suites = [...]suite{
	{AESCM128HMACSHA1_80, psrtp.ProtectionProfileAes128CmHmacSha1_80},
	{AESCM128HMACSHA1_32, psrtp.ProtectionProfileAes128CmHmacSha1_32},
	{AEADAES128GCM, psrtp.ProtectionProfileAeadAes128Gcm},
	{AEADAES256GCM, psrtp.ProtectionProfileAeadAes256Gcm},
	{AES256CMHMACSHA1_80, psrtp.ProtectionProfileAes256CmHmacSha1_80},
}

func lookup(name string) (psrtp.ProtectionProfile, bool) {
	for _, s := range suites {
		if s.name == name {
			return s.profile, true
		}
	}
	return 0, false
}

// Suites returns the names of the supported suites in our order of
// preference: AES_CM_128_HMAC_SHA1_80 first.
func Suites() []string {
	out := make([]string, len(suites))
	for i, s := range suites {
		out[i] = s.name
	}
	return out
}

// Supported reports whether suite (as named in a=crypto, case-sensitive as
// RFC 4568 defines it) can be used with NewPair.
func Supported(suite string) bool {
	_, ok := lookup(suite)
	return ok
}

// KeyLen returns the length of suite's master key||salt in bytes, or 0 for
// an unsupported suite.
func KeyLen(suite string) int {
	p, ok := lookup(suite)
	if !ok {
		return 0
	}
	k, _ := p.KeyLen()
	s, _ := p.SaltLen()
	return k + s
}

// GenerateKey returns a fresh random master key||salt for suite from
// crypto/rand. Use a new one for every leg and every re-keying offer.
func GenerateKey(suite string) ([]byte, error) {
	n := KeyLen(suite)
	if n == 0 {
		return nil, fmt.Errorf("%w: %q", ErrSuite, suite)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("srtp: reading random key: %w", err)
	}
	return b, nil
}

// Pair is the SRTP state of one call leg: an outbound context that
// encrypts with our key and an inbound one that decrypts with the remote's.
//
// Protect and ProtectRTCP may be called from any goroutine; they are
// serialised by the outbound lock. Unprotect and UnprotectRTCP may be called
// from any goroutine; they are serialised by the inbound lock. The two
// directions never wait for each other. Typically one goroutine reads and
// unprotects, and whoever sends (relay, player) protects.
type Pair struct {
	suite string

	out struct {
		mu   sync.Mutex
		ctx  *psrtp.Context
		hdr  rtp.Header // scratch headers, so that pion does not allocate them
		rhdr rtcp.Header
	}
	in struct {
		mu       sync.Mutex
		ctx      *psrtp.Context
		hdr      rtp.Header
		rhdr     rtcp.Header
		replayed bool // set by the replay detector during a decrypt
	}
}

// NewPair returns the contexts for one leg. localKey is the key||salt we
// sent in our a=crypto line (it encrypts what we send), remoteKey the one
// the far end sent (it decrypts what we receive). Both must be
// KeyLen(suite) bytes; they are copied.
func NewPair(suite string, localKey, remoteKey []byte) (*Pair, error) {
	return NewPairMKI(suite, localKey, remoteKey, nil)
}

// NewPairMKI is NewPair for a remote a=crypto line that carried an MKI
// (RFC 4568 "|1:1"): every packet from the far end then carries remoteMKI
// (its value, big-endian, in exactly its length of bytes) before the
// authentication tag. A nil or empty remoteMKI means none. We never send an
// MKI ourselves.
func NewPairMKI(suite string, localKey, remoteKey, remoteMKI []byte) (*Pair, error) {
	prof, ok := lookup(suite)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrSuite, suite)
	}
	n := KeyLen(suite)
	if len(localKey) != n || len(remoteKey) != n {
		return nil, fmt.Errorf("%w: %s needs %d bytes, have local %d, remote %d",
			ErrKeyLen, suite, n, len(localKey), len(remoteKey))
	}
	kl, _ := prof.KeyLen()
	p := &Pair{suite: suite}
	var err error
	// pion keeps its own derived keys; the master keys are not retained,
	// but copy anyway so that the caller may reuse its slices.
	lk, rk := append([]byte(nil), localKey...), append([]byte(nil), remoteKey...)
	p.out.ctx, err = psrtp.CreateContext(lk[:kl], lk[kl:], prof,
		psrtp.SRTPNoReplayProtection(), psrtp.SRTCPNoReplayProtection())
	if err != nil {
		return nil, fmt.Errorf("srtp: outbound context: %w", err)
	}
	opts := []psrtp.ContextOption{
		psrtp.SRTPReplayDetectorFactory(func() replaydetector.ReplayDetector {
			return newDetector(1<<48-1, &p.in.replayed)
		}),
		psrtp.SRTCPReplayDetectorFactory(func() replaydetector.ReplayDetector {
			return newDetector(1<<31-1, &p.in.replayed)
		}),
	}
	if len(remoteMKI) > 0 {
		opts = append(opts, psrtp.MasterKeyIndicator(append([]byte(nil), remoteMKI...)))
	}
	p.in.ctx, err = psrtp.CreateContext(rk[:kl], rk[kl:], prof, opts...)
	if err != nil {
		return nil, fmt.Errorf("srtp: inbound context: %w", err)
	}
	return p, nil
}

// Suite returns the suite the pair was made for.
func (p *Pair) Suite() string { return p.suite }

// Protect encrypts and authenticates one RTP packet for sending and
// returns the SRTP packet, written to dst[:0] (reallocated only when
// cap(dst) < len(rtpPacket)+MaxOverhead). dst may be rtpPacket[:0] to
// work in place. rtpPacket is not modified unless it shares memory with dst.
func (p *Pair) Protect(dst, rtpPacket []byte) ([]byte, error) {
	return p.encrypt(dst, rtpPacket, false)
}

// Unprotect authenticates and decrypts one received SRTP packet and
// returns the RTP packet, written to dst[:0] (never larger than
// srtpPacket, so dst may be srtpPacket[:0] to work in place). Packets from
// a new SSRC are accepted once they authenticate; each SSRC has its own
// rollover counter and replay window. Errors wrap ErrAuth, ErrReplay or
// ErrMalformed; on error the packet is to be dropped and the leg goes on.
func (p *Pair) Unprotect(dst, srtpPacket []byte) ([]byte, error) {
	return p.decrypt(dst, srtpPacket, false)
}

// ProtectRTCP encrypts and authenticates one compound RTCP packet, like
// Protect.
func (p *Pair) ProtectRTCP(dst, rtcpPacket []byte) ([]byte, error) {
	return p.encrypt(dst, rtcpPacket, true)
}

// UnprotectRTCP authenticates and decrypts one received SRTCP packet, like
// Unprotect.
func (p *Pair) UnprotectRTCP(dst, srtcpPacket []byte) ([]byte, error) {
	return p.decrypt(dst, srtcpPacket, true)
}

func (p *Pair) encrypt(dst, pkt []byte, isRTCP bool) ([]byte, error) {
	var out []byte
	var err error
	p.out.mu.Lock()
	if isRTCP {
		out, err = p.out.ctx.EncryptRTCP(dst[:0], pkt, &p.out.rhdr)
	} else {
		out, err = p.out.ctx.EncryptRTP(dst[:0], pkt, &p.out.hdr)
	}
	p.out.mu.Unlock()
	if err != nil {
		return nil, &wrapped{ErrMalformed, err}
	}
	return out, nil
}

func (p *Pair) decrypt(dst, pkt []byte, isRTCP bool) ([]byte, error) {
	var out []byte
	var err error
	p.in.mu.Lock()
	p.in.replayed = false
	if isRTCP {
		out, err = p.in.ctx.DecryptRTCP(dst[:0], pkt, &p.in.rhdr)
	} else {
		out, err = p.in.ctx.DecryptRTP(dst[:0], pkt, &p.in.hdr)
	}
	replayed := p.in.replayed
	p.in.mu.Unlock()
	if err != nil {
		return nil, classify(err, replayed)
	}
	return out, nil
}

// classify maps pion's decrypt error to ours. An authentication failure
// from the AES-CM suites is pion's bare sentinel: return ours without
// allocating, as forged packets may arrive in floods.
func classify(err error, replayed bool) error {
	switch {
	case err == psrtp.ErrFailedToVerifyAuthTag:
		return ErrAuth
	case errors.Is(err, psrtp.ErrFailedToVerifyAuthTag), errors.Is(err, psrtp.ErrMKINotFound):
		return &wrapped{ErrAuth, err}
	case replayed:
		return &wrapped{ErrReplay, err}
	}
	return &wrapped{ErrMalformed, err}
}

// detector is pion's sliding-window replay detector that also records, in
// the inbound state of its Pair, that it rejected a packet: pion's own
// duplicate error is not exported. Used only under the inbound lock.
type detector struct {
	inner interface {
		replaydetector.ReplayDetector
		replaydetector.CheckAccepter
	}
	flag *bool
}

// newDetector returns a detector for indexes up to maxIndex (2^48-1 for
// SRTP, 2^31-1 for SRTCP).
func newDetector(maxIndex uint64, flag *bool) *detector {
	d := &detector{flag: flag}
	d.inner = replaydetector.New(ReplayWindow, maxIndex).(interface {
		replaydetector.ReplayDetector
		replaydetector.CheckAccepter
	})
	return d
}

func (d *detector) Check(seq uint64) (func() bool, bool) {
	accept, ok := d.inner.Check(seq)
	if !ok {
		*d.flag = true
	}
	return accept, ok
}

// CheckSeq and Accept let pion use the two-phase interface, which does not
// allocate a closure per packet.
func (d *detector) CheckSeq(seq uint64) replaydetector.Token {
	t := d.inner.CheckSeq(seq)
	if !t.Passed() {
		*d.flag = true
	}
	return t
}

func (d *detector) Accept(t replaydetector.Token) bool {
	return d.inner.Accept(t)
}
