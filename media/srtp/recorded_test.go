package srtp_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"deskline/media/sdp"
	"deskline/media/srtp"
)

// saveStream writes a recorded SRTP stream: the sender's a=crypto value,
// then one packet per line in hex.
func saveStream(t *testing.T, name string, c *sdp.Crypto, pkts [][]byte) {
	var b strings.Builder
	b.WriteString("# SRTP that " + name + " sent in TestBaresip -capture: its a=crypto, then packets in hex.\n")
	b.WriteString(c.String() + "\n")
	for _, p := range pkts {
		b.WriteString(hex.EncodeToString(p) + "\n")
	}
	if err := os.WriteFile(filepath.Join("testdata", name+".txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadStream(t *testing.T, path string) (sdp.Crypto, [][]byte) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c sdp.Crypto
	var pkts [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || line[0] == '#':
		case c.Key == nil:
			if c, err = sdp.ParseCrypto(line); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		default:
			p, err := hex.DecodeString(line)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			pkts = append(pkts, p)
		}
	}
	return c, pkts
}

// TestRecordedBaresip decrypts SRTP that Debian's baresip 1.0 really sent
// (recorded by TestBaresip -capture) with the key from its own a=crypto
// line: the audio is its 1000 Hz tone; a flipped bit and a repeat are
// refused.
func TestRecordedBaresip(t *testing.T) {
	files, _ := filepath.Glob("testdata/baresip-*.txt")
	if len(files) == 0 {
		t.Fatal("no recorded streams in testdata")
	}
	for _, path := range files {
		c, pkts := loadStream(t, path)
		ours, _ := srtp.GenerateKey(c.Suite)
		leg, err := srtp.NewPairMKI(c.Suite, ours, c.Key, c.MKI)
		if err != nil {
			t.Fatal(err)
		}
		var heard []int16
		for i, sp := range pkts {
			if i == 5 {
				bad := bytes.Clone(sp)
				bad[len(bad)/2] ^= 0x10
				if _, err := leg.Unprotect(nil, bad); !errors.Is(err, srtp.ErrAuth) {
					t.Errorf("%s: altered packet: %v, want ErrAuth", path, err)
				}
			}
			plain, err := leg.Unprotect(nil, sp)
			if err != nil {
				t.Fatalf("%s: packet %d: %v", path, i, err)
			}
			var p rtp.Packet
			if err := p.Unmarshal(plain); err != nil || p.PayloadType != 0 {
				t.Fatalf("%s: packet %d: PT %d, %v", path, i, p.PayloadType, err)
			}
			for _, b := range p.Payload {
				heard = append(heard, g711.DecodeUlawFrame(b))
			}
			if i == 5 {
				if _, err := leg.Unprotect(nil, sp); !errors.Is(err, srtp.ErrReplay) {
					t.Errorf("%s: repeated packet: %v, want ErrReplay", path, err)
				}
			}
		}
		if f, share := dominant(heard); math.Abs(f-1000) > 20 || share < 0.8 {
			t.Errorf("%s: %.0f Hz (%.0f%% of the energy), want 1000 Hz", path, f, share*100)
		}
	}
}
