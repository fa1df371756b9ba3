package appliance

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"DESKLINE_HTTP": "127.0.0.1:9999", "DESKLINE_RTP": "20000-20100", "DESKLINE_ADMIN_PASSWORD": "pw"}
	getenv := func(k string) string { return env[k] }
	c, err := ParseConfig([]string{"-data", "/tmp/x", "-sip", "127.0.0.1:5070", "-log-level", "debug"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/tmp/x" || c.SIPAddr != "127.0.0.1:5070" || c.HTTPAddr != "127.0.0.1:9999" ||
		c.RTPMin != 20000 || c.RTPMax != 20100 || c.LogLevel != slog.LevelDebug || c.AdminPassword != "pw" {
		t.Errorf("ParseConfig = %+v", c)
	}
	if c, err := ParseConfig([]string{"-sip-digest", "SHA256, md5"}, getenv, io.Discard); err != nil || !reflect.DeepEqual(c.SIPDigest, []string{"sha256", "md5"}) {
		t.Errorf("-sip-digest: %v, %v", c.SIPDigest, err)
	}
	if c, err := ParseConfig([]string{"-sip-allow", "192.168.1.7/24, 10.0.0.1"}, getenv, io.Discard); err != nil ||
		fmt.Sprint(c.SIPAllow) != "[192.168.1.0/24 10.0.0.1/32]" {
		t.Errorf("-sip-allow: %v, %v", c.SIPAllow, err)
	}
	// A flag wins over the environment.
	c, err = ParseConfig([]string{"-http", ":1"}, getenv, io.Discard)
	if err != nil || c.HTTPAddr != ":1" {
		t.Errorf("flag over env: %+v, %v", c, err)
	}
	d, err := ParseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil || !reflect.DeepEqual(d, DefaultConfig()) {
		t.Errorf("defaults: %+v, %v", d, err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{
		{"-rtp", "10001-20000"}, {"-rtp", "20000-10000"}, {"-rtp", "abc"}, {"-rtp", "80-100"},
		{"-rtp", "10000-10001"}, {"-log-level", "loud"}, {"-data", ""}, {"stray"}, {"-nope"}, {"-sip-digest", "sha1"}, {"-sip-allow", "office"}, {"-max-calls", "-1"}, {"-sip-digest", "md5,md5"}, {"-metrics-token", "short"},
	} {
		if _, err := ParseConfig(args, none, io.Discard); err == nil {
			t.Errorf("ParseConfig(%q) succeeded, want error", strings.Join(args, " "))
		}
	}
}

// TestParseConfigTLS: HTTPS and SIP over TLS listen by default, move with
// flags or the environment, and turn off with "" or "off".
func TestParseConfigTLS(t *testing.T) {
	env := map[string]string{"DESKLINE_HTTPS": "off", "DESKLINE_SIPS": "127.0.0.1:5071"}
	c, err := ParseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.HTTPSAddr != "" || c.SIPSAddr != "127.0.0.1:5071" {
		t.Errorf("from env: https %q sips %q, %v", c.HTTPSAddr, c.SIPSAddr, err)
	}
	c, err = ParseConfig([]string{"-https", "127.0.0.1:8443", "-sips", ""}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.HTTPSAddr != "127.0.0.1:8443" || c.SIPSAddr != "" {
		t.Errorf("flags: https %q sips %q, %v", c.HTTPSAddr, c.SIPSAddr, err)
	}
	if d := DefaultConfig(); d.HTTPSAddr != ":8443" || d.SIPSAddr != ":5061" {
		t.Errorf("defaults: https %q sips %q", d.HTTPSAddr, d.SIPSAddr)
	}
}

// TestParseConfigTimeZone: the zone phones are provisioned with comes from
// -timezone or DESKLINE_TIMEZONE, defaults to UTC, and must be one the
// phone templates know.
func TestParseConfigTimeZone(t *testing.T) {
	env := map[string]string{"DESKLINE_TIMEZONE": "Europe/Berlin"}
	c, err := ParseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.TimeZone != "Europe/Berlin" {
		t.Errorf("from env: %q, %v", c.TimeZone, err)
	}
	if c, err = ParseConfig([]string{"-timezone", "America/New_York"}, func(k string) string { return env[k] }, io.Discard); err != nil || c.TimeZone != "America/New_York" {
		t.Errorf("flag over env: %q, %v", c.TimeZone, err)
	}
	if c, err = ParseConfig(nil, func(string) string { return "" }, io.Discard); err != nil || c.TimeZone != "UTC" {
		t.Errorf("default: %q, %v", c.TimeZone, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Europe/Nowhere", "europe/berlin", "+01:00"} {
		_, err := ParseConfig([]string{"-timezone", bad}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-timezone") {
			t.Errorf("-timezone %q: %v, want an error naming -timezone", bad, err)
		}
	}
}
