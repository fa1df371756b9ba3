package appliance_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
)

// TestBansThroughAPI: a guesser from 127.0.0.2 is banned and hears nothing;
// the admin sees the ban in the API and lifts it, and the source is answered
// again.
func TestBansThroughAPI(t *testing.T) {
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.SIPAllow = nil })
	b.addExtension(t, "1001", "Alice", pwAlice)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot bind 127.0.0.2 (loopback aliases are needed): %v", err)
		}
		t.Skipf("cannot bind 127.0.0.2: %v", err)
	}
	defer c.Close()
	srv, _ := net.ResolveUDPAddr("udp", b.sip())
	send := func(i int, extra string) string {
		msg := fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKg%d\r\nMax-Forwards: 70\r\n"+
			"From: <sip:1001@127.0.0.1>;tag=g%d\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: guess-%d\r\nCSeq: 1 REGISTER\r\n"+
			"Contact: <sip:1001@%s>\r\n%sContent-Length: 0\r\n\r\n", c.LocalAddr(), i, i, i, c.LocalAddr(), extra)
		c.WriteToUDP([]byte(msg), srv)
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return ""
		}
		return string(buf[:n])
	}
	// A guesser that sees our challenges: 20 wrong passwords in a burst.
	nonceRE := regexp.MustCompile(`nonce="([^"]+)"`)
	md5hex := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	for i := 0; i < 20; i++ {
		m := nonceRE.FindStringSubmatch(send(1000+i, ""))
		if m == nil {
			break // banned: silence
		}
		ha1 := md5hex("1001:deskline:guess-" + fmt.Sprint(i))
		resp := md5hex(ha1 + ":" + m[1] + ":00000001:x:auth:" + md5hex("REGISTER:sip:127.0.0.1"))
		send(i, fmt.Sprintf(`Authorization: Digest username="1001", realm="deskline", nonce="%s", uri="sip:127.0.0.1", response="%s", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"`+"\r\n", m[1], resp))
	}
	if res := send(99, ""); res != "" {
		t.Fatalf("a banned source was answered: %q", strings.SplitN(res, "\r\n", 2)[0])
	}
	code, body := b.api(t, "GET", "/bans", nil)
	var bans []struct {
		Addr  string    `json:"addr"`
		Until time.Time `json:"until"`
	}
	if err := json.Unmarshal(body, &bans); code != 200 || err != nil || len(bans) != 1 || bans[0].Addr != "127.0.0.2" {
		t.Fatalf("GET /bans = %d %s", code, body)
	}
	if code, body := b.api(t, "DELETE", "/bans/127.0.0.2", nil); code != 204 {
		t.Fatalf("DELETE /bans/127.0.0.2 = %d %s", code, body)
	}
	if res := send(100, ""); !strings.HasPrefix(res, "SIP/2.0 401") {
		t.Errorf("after lifting the ban the source got %q, want a 401 challenge", strings.SplitN(res, "\r\n", 2)[0])
	}
	if code, _ := b.api(t, "DELETE", "/bans/127.0.0.2", nil); code != 404 {
		t.Errorf("lifting a lifted ban = %d, want 404", code)
	}
	_, body = b.api(t, "GET", "/audit", nil)
	if !strings.Contains(string(body), `"actor":"system","source":"","action":"ban","object":"127.0.0.2"`) ||
		!strings.Contains(string(body), `"actor":"admin","source":"127.0.0.1","action":"ban-lifted","object":"127.0.0.2"`) {
		t.Errorf("audit log lacks the ban and its lifting: %s", body)
	}
}
