package digest

import "testing"

// The worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1: the package's
// HA1 and response must agree with the independent helpers of this file's
// package tests, and those with the responses printed in the RFCs.
func TestRFCExamples(t *testing.T) {
	tests := []struct {
		name string
		c    creds
		want string // response printed in the RFC
	}{
		{
			name: "RFC 2617 §3.5 MD5",
			c: creds{
				alg: MD5, user: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life",
				method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
				nc: "00000001", cnonce: "0a4f113b", qop: "auth",
			},
			want: "6629fae49393a05397450978507c4ef1",
		},
		{
			name: "RFC 7616 §3.9.1 MD5",
			c: creds{
				alg: MD5, user: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life",
				method: "GET", uri: "/dir/index.html", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				nc: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop: "auth",
			},
			want: "8ca523f5e9506fed4657c9700eebdbec",
		},
		{
			name: "RFC 7616 §3.9.1 SHA-256",
			c: creds{
				alg: SHA256, user: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life",
				method: "GET", uri: "/dir/index.html", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				nc: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop: "auth",
			},
			want: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			if got, want := HA1(c.alg, c.user, c.realm, c.password), hashHex(c.alg, c.user+":"+c.realm+":"+c.password); got != want {
				t.Errorf("HA1 = %s, want %s", got, want)
			}
			if got := c.response(); got != tt.want {
				t.Errorf("test helper response = %s, want %s (RFC)", got, tt.want)
			}
			ha1 := HA1(c.alg, c.user, c.realm, c.password)
			if got := string(response(nil, c.alg, ha1, c.nonce, c.nc, c.cnonce, c.qop, c.method, c.uri)); got != tt.want {
				t.Errorf("response = %s, want %s (RFC)", got, tt.want)
			}
		})
	}
}

func TestRFC2069Response(t *testing.T) {
	c := creds{alg: MD5, user: "u", realm: "r", password: "p", method: "INVITE", uri: "sip:1@x", nonce: "n"}
	if got, want := string(response(nil, MD5, HA1(MD5, "u", "r", "p"), "n", "", "", "", "INVITE", "sip:1@x")), c.response(); got != want {
		t.Errorf("response without qop = %s, want %s", got, want)
	}
}

func TestHA1UnknownAlgorithm(t *testing.T) {
	if got := HA1("SHA-512-256", "u", "r", "p"); got != "" {
		t.Errorf(`HA1("SHA-512-256", ...) = %q, want ""`, got)
	}
}
