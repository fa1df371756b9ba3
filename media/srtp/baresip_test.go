package srtp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"deskline/media/sdp"
	"deskline/media/srtp"
)

var capture = flag.Bool("capture", false, "write what baresip sends to ../sdp/testdata and testdata (fixtures)")

// TestBaresip calls a tiny SIP answerer of ours from Debian's baresip with
// its srtp module, in both of its SDES modes: "srtp" (best effort: crypto
// lines on RTP/AVP) and "srtp-mand" (RTP/SAVP). We negotiate its offer,
// answer with a key of ours, decrypt the 1000 Hz tone it sends, and send it
// a 400 Hz tone that its sndfile module must have decrypted to disk.
//
// With -capture it rewrites the fixtures: the INVITE bodies in
// media/sdp/testdata and a recorded SRTP stream in testdata.
func TestBaresip(t *testing.T) {
	bin, err := exec.LookPath("baresip")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("baresip not found (CI=true: the interop test is required): %v", err)
		}
		t.Skipf("baresip not installed: %v", err)
	}
	for _, mode := range []string{"srtp", "srtp-mand"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			callBaresip(t, bin, mode)
		})
	}
}

func callBaresip(t *testing.T, bin, mode string) {
	dir := t.TempDir()
	sip := listenUDP(t)
	media := listenUDP(t)
	sipPort, rtpBase := freePort(t), freePort(t)
	tone := filepath.Join(dir, "tone.wav")
	writeWAV(t, tone, toneSamples(1000, 8000*4))
	snd := filepath.Join(dir, "snd")
	if err := os.Mkdir(snd, 0o755); err != nil {
		t.Fatal(err)
	}
	config := strings.Join([]string{
		"poll_method epoll",
		"net_interface 127.0.0.1",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", sipPort),
		"audio_source aufile," + tone,
		"audio_player aubridge,srtptest-play",
		"audio_alert aubridge,srtptest-alert",
		fmt.Sprintf("rtp_ports %d-%d", rtpBase&^1, rtpBase&^1+9),
		"rtcp_mux no",
		"statmode_default off",
		"module_path /usr/lib/baresip/modules",
		"module g711.so", "module aufile.so", "module aubridge.so", "module sndfile.so", "module srtp.so",
		"module_tmp account.so",
		"module_app menu.so",
		"snd_path " + snd,
		"",
	}, "\n")
	files := map[string]string{
		"config":   config,
		"accounts": "<sip:1001@127.0.0.1;transport=udp>;regint=0;mediaenc=" + mode + "\n",
		"contacts": "",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-f", dir, "-t", "20", "-e", "/dial sip:2000@"+sip.LocalAddr().String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := sync.OnceFunc(func() {
		cmd.Process.Signal(os.Interrupt) // baresip hangs up and closes its WAV files
		timeout := time.After(5 * time.Second)
		for {
			// Answer its BYE so that it need not retransmit until it gives up.
			sip.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			buf := make([]byte, 65535)
			if k, from, err := sip.ReadFromUDPAddrPort(buf); err == nil && bytes.HasPrefix(buf[:k], []byte("BYE ")) {
				head, _, _ := bytes.Cut(buf[:k], []byte("\r\n\r\n"))
				respond(t, sip, from, head, nil)
			}
			select {
			case <-exited:
				return
			case <-timeout:
				cmd.Process.Kill()
				<-exited
				return
			default:
			}
		}
	})
	defer func() {
		stop()
		if t.Failed() {
			t.Logf("baresip output:\n%s", out.String())
		}
	}()

	// The INVITE and its offer.
	invite, from := readDatagram(t, sip, 10*time.Second)
	head, body, ok := bytes.Cut(invite, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(invite, []byte("INVITE ")) {
		t.Fatalf("not an INVITE:\n%s", invite)
	}
	if *capture {
		name := filepath.Join("..", "sdp", "testdata", "baresip-1.0-"+mode+".sdp")
		if err := os.WriteFile(name, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := sdp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sdp.NegotiateWith(offer, sdp.NegotiateOptions{SRTP: sdp.SRTPRequired})
	if err != nil {
		t.Fatalf("NegotiateWith(baresip %s) = %v\n%s", mode, err, body)
	}
	ourKey, err := srtp.GenerateKey(n.SRTP.Suite)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := sdp.AnswerWith(offer, n, sdp.AnswerParams{Addr: addrPort(media), SessionID: 1, Version: 1, Key: ourKey})
	if err != nil {
		t.Fatal(err)
	}
	leg, err := srtp.NewPairMKI(n.SRTP.Suite, ourKey, n.SRTP.Key, n.SRTP.MKI)
	if err != nil {
		t.Fatal(err)
	}
	respond(t, sip, from, head, ans.Marshal())

	// Its tone, decrypted.
	var heard []int16
	var recorded [][]byte
	buf := make([]byte, 1500)
	deadline := time.Now().Add(10 * time.Second)
	for len(heard) < 8000 && time.Now().Before(deadline) {
		media.SetReadDeadline(deadline)
		k, src, err := media.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("after %d samples: %v", len(heard), err)
		}
		if src != n.Remote {
			continue
		}
		if len(recorded) < 25 {
			recorded = append(recorded, bytes.Clone(buf[:k]))
		}
		pkt, err := leg.Unprotect(buf[:0], buf[:k])
		if err != nil {
			t.Fatalf("Unprotect(packet %d from baresip) = %v", len(heard)/160, err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(pkt); err != nil || p.PayloadType != n.PT {
			t.Fatalf("decrypted packet: PT %d, %v", p.PayloadType, err)
		}
		for _, b := range p.Payload {
			heard = append(heard, g711.DecodeUlawFrame(b))
		}
	}
	if f, share := dominant(heard); math.Abs(f-1000) > 20 || share < 0.8 {
		t.Errorf("heard from baresip: %.0f Hz (%.0f%% of the energy), want 1000 Hz", f, share*100)
	}
	if *capture {
		saveStream(t, "baresip-1.0-"+mode, n.SRTP, recorded)
	}

	// Our tone, encrypted; baresip writes what it decoded to snd/.
	out400 := toneSamples(400, 8000)
	send := make([]byte, 0, 1500)
	for i := 0; i < len(out400)/160; i++ {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: n.PT, SequenceNumber: uint16(1000 + i),
			Timestamp: uint32(i * 160), SSRC: 0xDE5C, Marker: i == 0}, Payload: make([]byte, 160)}
		for j := range p.Payload {
			p.Payload[j] = g711.EncodeUlawFrame(out400[i*160+j])
		}
		plain, _ := p.Marshal()
		wire, err := leg.Protect(send, plain)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := media.WriteToUDPAddrPort(wire, n.Remote); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	decoded, _ := filepath.Glob(filepath.Join(snd, "dump-*-dec.wav"))
	if len(decoded) != 1 {
		t.Fatalf("baresip wrote %v, want one dump-*-dec.wav", decoded)
	}
	got := readWAV(t, decoded[0])
	if len(got) < 4000 {
		t.Fatalf("baresip decoded only %d samples", len(got))
	}
	if f, share := dominant(got); math.Abs(f-400) > 20 || share < 0.8 {
		t.Errorf("baresip heard from us: %.0f Hz (%.0f%% of the energy), want 400 Hz", f, share*100)
	}
}

func listenUDP(t *testing.T) *net.UDPConn {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func addrPort(c *net.UDPConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// freePort returns a UDP port the kernel just had free.
func freePort(t *testing.T) int {
	c := listenUDP(t)
	p := int(addrPort(c).Port())
	c.Close()
	return p
}

func readDatagram(t *testing.T, c *net.UDPConn, d time.Duration) ([]byte, netip.AddrPort) {
	buf := make([]byte, 65535)
	c.SetReadDeadline(time.Now().Add(d))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("waiting for baresip: %v", err)
	}
	return buf[:n], from
}

// respond answers the INVITE whose header block is head with 200 OK and
// body; baresip's ACK and later requests are left unread.
func respond(t *testing.T, c *net.UDPConn, to netip.AddrPort, head, body []byte) {
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	for _, line := range strings.Split(string(head), "\r\n")[1:] {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "from", "call-id", "cseq":
			b.WriteString(line + "\r\n")
		case "to":
			b.WriteString(line + ";tag=srtptest\r\n")
		}
	}
	fmt.Fprintf(&b, "Contact: <sip:2000@%s>\r\n", c.LocalAddr())
	if len(body) > 0 {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := c.WriteToUDPAddrPort([]byte(b.String()), to); err != nil {
		t.Fatal(err)
	}
}

func toneSamples(hz float64, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return s
}

// dominant returns the strongest frequency of s in 10 Hz steps from 100 to
// 3500 Hz, and its share of the energy (Goertzel).
func dominant(s []int16) (hz, share float64) {
	var total float64
	for _, x := range s {
		total += float64(x) * float64(x)
	}
	if total == 0 {
		return 0, 0
	}
	best := 0.0
	for f := 100.0; f <= 3500; f += 10 {
		c := 2 * math.Cos(2*math.Pi*f/8000)
		var s1, s2 float64
		for _, x := range s {
			s1, s2 = float64(x)+c*s1-s2, s1
		}
		p := (s1*s1 + s2*s2 - c*s1*s2) * 2 / float64(len(s))
		if p > best {
			best, hz = p, f
		}
	}
	return hz, best / total
}

func writeWAV(t *testing.T, path string, s []int16) {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+2*len(s)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		binary.Write(&b, le, v)
	}
	b.WriteString("data")
	binary.Write(&b, le, uint32(2*len(s)))
	binary.Write(&b, le, s)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readWAV returns the 16-bit samples of the data chunk.
func readWAV(t *testing.T, path string) []int16 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" {
		t.Fatalf("%s is not a WAV file", path)
	}
	for b = b[12:]; len(b) >= 8; {
		id, size := string(b[:4]), int(binary.LittleEndian.Uint32(b[4:8]))
		b = b[8:]
		if size > len(b) || size < 0 {
			size = len(b) // baresip may not fix up sizes when stopped
		}
		if id == "data" {
			s := make([]int16, size/2)
			binary.Read(bytes.NewReader(b[:size&^1]), binary.LittleEndian, s)
			return s
		}
		b = b[size+size&1:]
	}
	t.Fatal(errors.New(path + " has no data chunk"))
	return nil
}
