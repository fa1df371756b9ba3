package digest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"deskline/appliance/sip/digest"
)

// A registrar challenges a REGISTER, the phone answers, the registrar
// verifies; a replay of the same answer is refused.
func Example() {
	srv, err := digest.NewServer(digest.Options{Realm: "deskline"})
	if err != nil {
		panic(err)
	}
	// The store keeps HA1 digests made when the extension's password was set.
	stored := map[string]map[digest.Algorithm]string{
		"1001": {
			digest.SHA256: digest.HA1(digest.SHA256, "1001", "deskline", "s3cret"),
			digest.MD5:    digest.HA1(digest.MD5, "1001", "deskline", "s3cret"),
		},
	}
	lookup := func(user string) (map[digest.Algorithm]string, bool) {
		h, ok := stored[user]
		return h, ok
	}

	// 401: one WWW-Authenticate header per value.
	challenges := srv.Challenge(false)
	for _, c := range challenges {
		fmt.Println(c[:strings.Index(c, "nonce=")] + "nonce=…" + c[strings.Index(c, `", algorithm`)+1:])
	}

	// The phone picks the SHA-256 challenge and answers (RFC 7616 §3.4.1).
	p, _ := digest.ParseAuthorization(challenges[0])
	h := func(s string) string { b := sha256.Sum256([]byte(s)); return hex.EncodeToString(b[:]) }
	const uri = "sip:pbx.example.net"
	ha1 := h("1001:deskline:s3cret")
	ha2 := h("REGISTER:" + uri)
	resp := h(ha1 + ":" + p["nonce"] + ":00000001:c0ffee:auth:" + ha2)
	authz := fmt.Sprintf(`Digest username="1001", realm="deskline", nonce="%s", uri="%s", `+
		`response="%s", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c0ffee"`, p["nonce"], uri, resp)

	res, err := srv.Verify("REGISTER", uri, authz, lookup)
	fmt.Println(res.User, res.Algorithm, err)

	_, err = srv.Verify("REGISTER", uri, authz, lookup)
	fmt.Println(errors.Is(err, digest.ErrDenied), digest.Reason(err))
	// Output:
	// Digest realm="deskline", nonce=…, algorithm=SHA-256, qop="auth"
	// Digest realm="deskline", nonce=…, algorithm=MD5, qop="auth"
	// 1001 SHA-256 <nil>
	// true nc replayed or not increasing
}
