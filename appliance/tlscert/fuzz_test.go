package tlscert

import (
	"testing"
	"time"
)

// FuzzParse: uploaded PEM never panics Parse, and what it accepts serves.
func FuzzParse(f *testing.F) {
	c, k, _ := Generate(testNames, t0)
	f.Add(c, k)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), k)
	f.Add(c, []byte("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, cert, key []byte) {
		tc, info, err := Parse(cert, key, t0)
		if err == nil && (tc == nil || tc.Leaf == nil || info.Fingerprint == "") {
			t.Fatalf("accepted without a certificate: %+v", info)
		}
	})
}

func BenchmarkGetCertificate(b *testing.B) {
	s, _, err := Open(b.TempDir(), testNames, func() time.Time { return time.Now() })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.GetCertificate(nil)
	}
}
