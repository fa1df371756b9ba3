package appliance_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
)

// These tests run SIPVicious (Debian's sipvicious: svmap, svwar, svcrack),
// what attackers scanning the internet for PBXs run, against a box on
// loopback. The box does not allow-list loopback here, so the scanner can
// be banned like any other source.

// requireSIPVicious fails under CI=true, and skips elsewhere, when the
// tools are missing.
func requireSIPVicious(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"svmap", "svwar", "svcrack", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " not found; install Debian's sipvicious (.ci/install-test-deps)"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// disguise runs a SIPVicious tool with a desk phone's User-Agent in place
// of its own "friendly-scanner", which the box drops unanswered: the
// one-line change any attacker makes, and the only way to see what the
// defences behind that filter do.
const disguise = `import sys
try:
    import sipvicious
except ImportError:
    sys.path.insert(0, "/usr/share/sipvicious")
import sipvicious.libs.svhelper as h
h.makeRequest.__defaults__ = tuple("Yealink SIP-T46S 66.86.0.15" if d == "friendly-scanner" else d for d in h.makeRequest.__defaults__)
tool = sys.argv.pop(1)
sys.argv[0] = tool
__import__("sipvicious." + tool, fromlist=["main"]).main()
`

// freeUDPPort is a local port for the tool: SIPVicious binds 5060 by
// default, where other programs on this machine may be talking.
func freeUDPPort(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
}

// sipvicious runs a tool (disguised or as shipped) against the box with a
// time limit and returns what it printed.
func sipvicious(t *testing.T, b *box, disguised bool, tool string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(b.sip())
	args = append(append([]string{"-P", freeUDPPort(t), "-p", port}, args...), host)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	if disguised {
		script := filepath.Join(t.TempDir(), "disguise.py")
		if err := os.WriteFile(script, []byte(disguise), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.CommandContext(ctx, "python3", append([]string{script, tool}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, tool, args...)
	}
	cmd.Dir = t.TempDir() // session files land here
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish in time:\n%s", tool, out)
	}
	if err != nil {
		t.Logf("%s: %v", tool, err)
	}
	return string(out)
}

const pwScanned = "Tr0ub4dor-pw-x7"

func scannedBox(t *testing.T) *box {
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.SIPAllow = nil })
	b.addExtension(t, "1003", "Carol", pwScanned)
	b.addExtension(t, "1005", "Eve", pwScanned+"e")
	return b
}

// TestSIPViciousScan: svmap as shipped hears nothing (its User-Agent is
// dropped); disguised, it finds the box, which is fine. svwar over a range
// holding two real extensions identifies none, with REGISTER (its default)
// and with INVITE: known and unknown users get the same answer.
func TestSIPViciousScan(t *testing.T) {
	requireSIPVicious(t)
	t.Parallel()
	b := scannedBox(t)
	if out := sipvicious(t, b, false, "svmap"); strings.Contains(out, b.sip()) || !strings.Contains(out, "found nothing") {
		t.Errorf("svmap as shipped found the box:\n%s", out)
	}
	if out := sipvicious(t, b, true, "svmap"); !strings.Contains(out, b.sip()) || !strings.Contains(out, "Deskline") {
		t.Errorf("disguised svmap did not find the box:\n%s", out)
	}
	row := regexp.MustCompile(`(?m)^\|\s*10(0\d|10)\s*\|`)
	for _, method := range []string{"", "INVITE"} {
		args := []string{"-e", "1000-1010"}
		if method != "" {
			args = append(args, "-m", method)
		}
		out := sipvicious(t, b, true, "svwar", args...)
		if row.MatchString(out) || strings.Contains(out, "1003") || strings.Contains(out, "1005") || !strings.Contains(out, "found nothing") {
			t.Errorf("svwar %v identified extensions:\n%s", args, out)
		}
	}
	if code, body := b.api(t, "GET", "/bans", nil); code != 200 || string(body) != "[]\n" {
		t.Errorf("scanning alone got the scanner banned: %d %s", code, body)
	}
}

// TestSIPViciousCrack: svcrack finds a password that is the first word of
// its list (so it speaks our digest correctly), but one that is the fifth
// word it never finds: its fourth wrong guess bans it, unanswered, and the
// ban shows in the API with its reason.
func TestSIPViciousCrack(t *testing.T) {
	requireSIPVicious(t)
	t.Parallel()
	b := scannedBox(t)
	dir := t.TempDir()
	words := func(name string, list ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := words("first.txt", pwScanned+"e", "guess2")
	if out := sipvicious(t, b, true, "svcrack", "-u", "1005", "-d", first, "--maximumtime", "3"); !strings.Contains(out, pwScanned+"e") {
		t.Fatalf("svcrack did not find the password it tried first; it cannot be speaking our digest:\n%s", out)
	}
	fifth := words("fifth.txt", "123456", "password", "1003", "qwerty1003", pwScanned, "letmein")
	out := sipvicious(t, b, true, "svcrack", "-u", "1003", "-d", fifth, "--maximumtime", "3")
	if strings.Contains(out, pwScanned) {
		t.Fatalf("svcrack found the password on its fifth guess:\n%s", out)
	}
	code, body := b.api(t, "GET", "/bans", nil)
	var bans []struct {
		Addr   string `json:"addr"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &bans); code != 200 || err != nil || len(bans) != 1 || bans[0].Addr != "127.0.0.1" || bans[0].Reason != "failed authentication" {
		t.Fatalf("GET /bans = %d %s, want 127.0.0.1 banned for failed authentication", code, body)
	}
	if n := strings.Count(b.logs.String(), `msg="authentication failed"`); n != 4 {
		t.Errorf("%d failed guesses were processed, want 4:\n%s\n%s", n, out, b.logs.String())
	}
}
