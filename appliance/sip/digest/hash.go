package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Algorithm names a digest hash as it appears in the algorithm parameter.
type Algorithm string

// The algorithms this package implements. The -sess variants are not
// supported.
const (
	MD5    Algorithm = "MD5"
	SHA256 Algorithm = "SHA-256"
)

// hexLen is the length of the algorithm's digest in hex, 0 if unknown.
func (a Algorithm) hexLen() int {
	switch a {
	case MD5:
		return 2 * md5.Size
	case SHA256:
		return 2 * sha256.Size
	}
	return 0
}

// canonical maps a client's spelling of an algorithm (case-insensitive) to
// ours; ok is false for algorithms this package does not implement.
func canonical(name string) (Algorithm, bool) {
	switch {
	case strings.EqualFold(name, string(MD5)):
		return MD5, true
	case strings.EqualFold(name, string(SHA256)):
		return SHA256, true
	}
	return "", false
}

// HA1 returns the lower-case hex digest H(user ":" realm ":" password) that
// the server stores instead of the password. It returns "" for an algorithm
// this package does not implement.
func HA1(alg Algorithm, user, realm, password string) string {
	if alg.hexLen() == 0 {
		return ""
	}
	b := make([]byte, 0, len(user)+len(realm)+len(password)+2)
	b = append(b, user...)
	b = append(b, ':')
	b = append(b, realm...)
	b = append(b, ':')
	b = append(b, password...)
	return string(sumHex(alg, nil, b))
}

// sumHex appends the lower-case hex digest of data to dst.
func sumHex(alg Algorithm, dst, data []byte) []byte {
	switch alg {
	case MD5:
		s := md5.Sum(data)
		return hex.AppendEncode(dst, s[:])
	case SHA256:
		s := sha256.Sum256(data)
		return hex.AppendEncode(dst, s[:])
	}
	return dst
}

// response appends the expected request-digest to dst. ha1 must be
// lower-case hex. With qop empty it is the RFC 2069 form
// H(HA1:nonce:HA2); otherwise H(HA1:nonce:nc:cnonce:qop:HA2), where
// HA2 = H(method:uri).
func response(dst []byte, alg Algorithm, ha1, nonce, nc, cnonce, qop, method, uri string) []byte {
	var scratch [512]byte
	b := scratch[:0]
	b = append(b, method...)
	b = append(b, ':')
	b = append(b, uri...)
	var ha2buf [2 * sha256.Size]byte
	ha2 := sumHex(alg, ha2buf[:0], b)

	b = scratch[:0]
	b = append(b, ha1...)
	b = append(b, ':')
	b = append(b, nonce...)
	b = append(b, ':')
	if qop != "" {
		b = append(b, nc...)
		b = append(b, ':')
		b = append(b, cnonce...)
		b = append(b, ':')
		b = append(b, qop...)
		b = append(b, ':')
	}
	b = append(b, ha2...)
	return sumHex(alg, dst, b)
}
