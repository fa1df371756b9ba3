package srtp_test

import (
	"encoding/base64"
	"testing"

	"deskline/media/sdp"
	"deskline/media/srtp"
)

// media/sdp keeps its own table of suites and key lengths (it imports no
// crypto); it must agree with this package on every suite either knows.
func TestSDPAgrees(t *testing.T) {
	for _, s := range srtp.Suites() {
		n := srtp.KeyLen(s)
		line := func(n int) string {
			return "1 " + s + " inline:" + base64.StdEncoding.EncodeToString(make([]byte, n))
		}
		if _, err := sdp.ParseCrypto(line(n)); err != nil {
			t.Errorf("media/sdp refuses %s with a %d-byte key: %v", s, n, err)
		}
		if _, err := sdp.ParseCrypto(line(n - 1)); err == nil {
			t.Errorf("media/sdp accepts %s with a %d-byte key", s, n-1)
		}
	}
	// Whatever media/sdp negotiates by default, this package can run.
	for _, s := range []string{sdp.AESCM128HMACSHA1_80, sdp.AESCM128HMACSHA1_32, sdp.AEADAES128GCM, sdp.AEADAES256GCM, sdp.AES256CMHMACSHA1_80} {
		if !srtp.Supported(s) {
			t.Errorf("media/sdp negotiates %s, media/srtp does not support it", s)
		}
	}
}
