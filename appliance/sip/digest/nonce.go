package digest

import (
	"container/heap"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
)

// A nonce is base64url (no padding) of
//
//	issued (8 bytes, Unix nanoseconds, big-endian) | random (12 bytes) | mac (16 bytes)
//
// where mac is HMAC-SHA-256(secret, "deskline digest nonce" | realm |
// len(client) | client | issued | random): a nonce is good only for the
// client address it was issued to.
// truncated to 16 bytes.
const (
	nonceIDLen  = 8 + 12
	nonceMACLen = 16
	nonceRawLen = nonceIDLen + nonceMACLen
)

var nonceEncoding = base64.RawURLEncoding

var nonceStrLen = nonceEncoding.EncodedLen(nonceRawLen)

// nonceID is the authenticated part of a nonce: issue time and random bytes.
type nonceID [nonceIDLen]byte

func (id *nonceID) issued() int64 { return int64(binary.BigEndian.Uint64(id[:8])) }

// mintNonce returns a fresh nonce issued at now (Unix nanoseconds) to
// client (an address, or "" for nonces bound to no client).
func (s *Server) mintNonce(now int64, client string) string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(now))
	rand.Read(raw[8:nonceIDLen])
	s.sealNonce((*nonceID)(raw[:nonceIDLen]), raw[nonceIDLen:], client)
	return nonceEncoding.EncodeToString(raw[:])
}

func (s *Server) sealNonce(id *nonceID, mac []byte, client string) {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.secret)
	}
	m.Reset()
	m.Write([]byte("deskline digest nonce"))
	m.Write([]byte(s.realm))
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(client)))
	m.Write(n[:])
	m.Write([]byte(client))
	m.Write(id[:])
	var sum [sha256.Size]byte
	copy(mac, m.Sum(sum[:0]))
	s.macs.Put(m)
}

// openNonce checks that nonce was minted by this server (under its secret
// and realm) for client, and returns its identity.
func (s *Server) openNonce(nonce, client string) (nonceID, bool) {
	var id nonceID
	if len(nonce) != nonceStrLen {
		return id, false
	}
	var raw [nonceRawLen]byte
	n, err := nonceEncoding.Decode(raw[:], []byte(nonce))
	if err != nil || n != nonceRawLen {
		return id, false
	}
	copy(id[:], raw[:nonceIDLen])
	var want [nonceMACLen]byte
	s.sealNonce(&id, want[:], client)
	if !hmac.Equal(want[:], raw[nonceIDLen:]) {
		return id, false
	}
	return id, true
}

// ncTable remembers the highest nonce count accepted per nonce, for at most
// max nonces. It evicts the oldest-issued nonce first and raises floor past
// it: a nonce issued before floor that is not in the table has been
// forgotten and must not be taken as new. Not safe for concurrent use.
type ncTable struct {
	max     int
	floor   int64 // nonces issued before floor and absent are forgotten
	entries map[nonceID]*ncEntry
	byAge   ncHeap
}

type ncEntry struct {
	id nonceID
	nc uint32
}

func newNCTable(max int, floor int64) *ncTable {
	return &ncTable{max: max, floor: floor, entries: make(map[nonceID]*ncEntry)}
}

// ncVerdict is the table's answer to one use of a nonce.
type ncVerdict int

const (
	ncAccepted  ncVerdict = iota // recorded
	ncReplay                     // nc not above the last accepted one
	ncForgotten                  // nonce evicted or issued before this table
)

// use records nc for the nonce id if it is higher than any seen before.
// Entries whose nonce was issued before expiredBefore are dropped first.
func (t *ncTable) use(id nonceID, nc uint32, expiredBefore int64) ncVerdict {
	for len(t.byAge) > 0 && t.byAge[0].id.issued() < expiredBefore {
		t.evictOldest()
	}
	if e, ok := t.entries[id]; ok {
		if nc <= e.nc {
			return ncReplay
		}
		e.nc = nc
		return ncAccepted
	}
	if id.issued() < t.floor {
		return ncForgotten
	}
	for len(t.entries) >= t.max {
		t.evictOldest()
	}
	e := &ncEntry{id: id, nc: nc}
	t.entries[id] = e
	heap.Push(&t.byAge, e)
	return ncAccepted
}

func (t *ncTable) evictOldest() {
	e := heap.Pop(&t.byAge).(*ncEntry)
	delete(t.entries, e.id)
	if after := e.id.issued() + 1; after > t.floor {
		t.floor = after
	}
}

func (t *ncTable) len() int { return len(t.entries) }

// ncHeap orders entries by nonce issue time, oldest first.
type ncHeap []*ncEntry

func (h ncHeap) Len() int           { return len(h) }
func (h ncHeap) Less(i, j int) bool { return h[i].id.issued() < h[j].id.issued() }
func (h ncHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ncHeap) Push(x any)        { *h = append(*h, x.(*ncEntry)) }
func (h *ncHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
