//go:build qemu

package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of the boot test. The box is emulated (TCG, no KVM): the kernel
// alone waits rootdelay=10 s, and a busy two-core host may take several
// times longer than an idle one.
const (
	panelTimeout  = 180 * time.Second // qemu start until the panel answers 200
	sipAttempts   = 5                 // OPTIONS sent at most this often
	sipReadWait   = 2 * time.Second   // per attempt
	vmLifetime    = 6 * time.Minute   // qemu is killed after this, whatever happens
	journalCommit = 6 * time.Second   // ext4 commits its journal every 5 s
)

// permMounted matches the kernel's line for /perm (partition 4 of the boot
// disk) mounted read-write as ext4, e.g.
// "EXT4-fs (sda4): mounted filesystem 5f0e… r/w with ordered data mode."
var permMounted = regexp.MustCompile(`EXT4-fs \((?:sd[a-z]|vd[a-z]|nvme\d+n\d+p)4\): mounted filesystem .*\br/w\b`)

// TestQEMUBoot boots the amd64 image named by DESKLINE_IMAGE (made by
// image/build.sh; run it through `make qemu-test`) in QEMU with user-mode
// networking, waits for the web panel on the forwarded port 8080, sends a
// SIP OPTIONS to the forwarded UDP port 5060, and checks that /perm was
// mounted as ext4 and that the daemon made its data dir /perm/deskline.
func TestQEMUBoot(t *testing.T) {
	src := os.Getenv("DESKLINE_IMAGE")
	if src == "" {
		t.Fatal("DESKLINE_IMAGE is not set; run this test through `make qemu-test`, which builds the image first")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("DESKLINE_IMAGE: %v; build it with image/build.sh amd64", err)
	}
	qemuBin, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		t.Fatalf("%v (install qemu-system-x86: .ci/install-test-deps)", err)
	}
	e2fsck := sbinTool(t, "e2fsck")
	debugfs := sbinTool(t, "debugfs")

	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.img")
	if err := copySparse(disk, src); err != nil {
		t.Fatalf("copying the image: %v", err)
	}
	httpPort := freePort(t, "tcp")
	httpsPort := freePort(t, "tcp")
	sipPort := freePort(t, "udp")

	consolePath := filepath.Join(dir, "console.log")
	console, err := os.Create(consolePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		console.Close()
		if t.Failed() {
			attachConsole(t, consolePath)
		}
	})

	gokrazyPort := freePort(t, "tcp")
	vm := startVM(t, qemuBin, disk, console, httpPort, httpsPort, sipPort, gokrazyPort)
	t.Logf("qemu pid %d: panel on 127.0.0.1:%d, SIP on udp 127.0.0.1:%d, console in %s", vm.cmd.Process.Pid, httpPort, sipPort, consolePath)

	// The panel.
	panelURL := fmt.Sprintf("http://127.0.0.1:%d/", httpPort)
	bootTime, err := waitForPanel(vm, panelURL, panelTimeout)
	if err != nil {
		t.Fatalf("web panel: %v", err)
	}
	panelUp := time.Now()
	t.Logf("boot to panel: %v (qemu start until %s answered 200)", bootTime.Round(100*time.Millisecond), panelURL)

	// SIP.
	status, err := sipOptions(fmt.Sprintf("127.0.0.1:%d", sipPort))
	if err != nil {
		t.Errorf("SIP OPTIONS: %v", err)
	} else {
		t.Logf("SIP OPTIONS answered: %s", status)
	}

	// First boot: no default password. The API refuses everything until the
	// installer enters the one-time setup code shown on the console.
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := firstBoot(base, httpsPort, consolePath); err != nil {
		t.Errorf("first-boot setup: %v", err)
	} else {
		t.Logf("first boot: setup code read from the console, admin created, plain HTTP now redirected to the box's HTTPS, API answers with the new password")
	}
	// The box made its own firmware-update password; the admin can read it.
	updatePW, err := boxUpdatePassword(base, httpsPort)
	if err != nil {
		t.Errorf("update password: %v", err)
	}

	// /perm, as the kernel saw it.
	if log, err := os.ReadFile(consolePath); err != nil {
		t.Error(err)
	} else if m := permMounted.Find(log); m == nil {
		t.Errorf("console shows no ext4 mount of /perm (want a line matching %q)", permMounted)
	} else {
		t.Logf("console: %s", m)
	}

	// /perm, as the daemon left it: stop the VM once ext4 has committed the
	// daemon's first writes, then read the file system from the disk copy.
	if wait := journalCommit - time.Since(panelUp); wait > 0 {
		time.Sleep(wait)
	}
	vm.stop(t)
	if err := checkDataDir(disk, dir, e2fsck, debugfs); err != nil {
		t.Errorf("/perm/deskline: %v", err)
	} else {
		t.Logf("/perm/deskline exists on the disk after the run")
	}
	perm := filepath.Join(dir, "perm.ext4")
	if out, err := exec.Command(debugfs, "-R", "cat /gokr-pw.txt", perm).Output(); err != nil || updatePW == "" || strings.TrimSpace(string(out)) != updatePW {
		t.Fatalf("/perm/gokr-pw.txt holds %q (%v), want the password the API showed", bytes.TrimSpace(out), err)
	}

	// Second boot: gokrazy now takes the box's own password, not the one
	// baked into the image.
	vm2 := startVM(t, qemuBin, disk, console, httpPort, httpsPort, sipPort, gokrazyPort)
	gk := fmt.Sprintf("http://127.0.0.1:%d/", gokrazyPort)
	for deadline := time.Now().Add(panelTimeout); ; time.Sleep(time.Second) {
		res, err := (&http.Client{Timeout: 5 * time.Second}).Get(gk)
		if err == nil {
			res.Body.Close()
			break // gokrazy answers (401 without a password)
		}
		if time.Now().After(deadline) {
			t.Fatalf("second boot: gokrazy's web interface never answered: %v", err)
		}
	}
	cases := []struct {
		pw   string
		want int
	}{{updatePW, http.StatusOK}, {"not-" + updatePW, http.StatusUnauthorized}}
	// The password gok baked into the image (from this machine's gokrazy
	// configuration) must no longer open the box.
	if cfgDir, err := os.UserConfigDir(); err == nil {
		for _, f := range []string{"gokrazy/hosts/deskline/http-password.txt", "gokrazy/http-password.txt"} {
			if b, err := os.ReadFile(filepath.Join(cfgDir, f)); err == nil && len(bytes.TrimSpace(b)) > 0 {
				cases = append(cases, struct {
					pw   string
					want int
				}{string(bytes.TrimSpace(b)), http.StatusUnauthorized})
				break
			}
		}
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", gk, nil)
		req.SetBasicAuth("gokrazy", tc.pw)
		res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("gokrazy's web interface: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("gokrazy's web interface with %s answered %d, want %d", map[bool]string{true: "the box's own password", false: "another password"}[tc.pw == updatePW], res.StatusCode, tc.want)
		}
	}
	t.Logf("second boot: gokrazy's update interface takes the box's own password and refuses others (%d checked, the image's among them when this machine has it)", len(cases)-1)
	vm2.stop(t)
}

// boxClient talks to the box as an admin's browser does: plain HTTP
// redirected to the box's HTTPS (its own certificate), followed through
// the HTTPS forward.
func boxClient(httpsPort int) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme == "https" {
				if req.URL.Port() != "8443" {
					return fmt.Errorf("redirected to %s, want the box's HTTPS port 8443", req.URL)
				}
				req.URL.Host = fmt.Sprintf("127.0.0.1:%d", httpsPort)
			}
			return nil
		}}
}

// boxUpdatePassword reads the box's own update password from the API.
func boxUpdatePassword(base string, httpsPort int) (string, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/system/update-password", nil)
	req.SetBasicAuth("admin", installerPassword)
	res, err := boxClient(httpsPort).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var p struct {
		User, Password string
		Active         bool
	}
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("answered %d (%v)", res.StatusCode, err)
	}
	if p.User != "gokrazy" || len(p.Password) < 20 || p.Active {
		return "", fmt.Errorf("got %+v, want a fresh password for user gokrazy, active after the next reboot", p)
	}
	return p.Password, nil
}

// vm is a running qemu, in its own process group.
type vm struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{} // closed when qemu has exited
	err     error         // qemu's exit, valid once exited is closed
	once    sync.Once
}

// startVM starts qemu with the disk, console output to console and the two
// host forwards, and registers its stop with t.Cleanup.
func startVM(t *testing.T, qemuBin, disk string, console *os.File, httpPort, httpsPort, sipPort, gokrazyPort int) *vm {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), vmLifetime)
	cmd := exec.CommandContext(ctx, qemuBin,
		"-accel", "tcg", "-cpu", "max", "-m", "1024",
		"-drive", "file="+disk+",format=raw",
		"-nographic", "-serial", "mon:stdio",
		"-netdev", fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080,hostfwd=tcp:127.0.0.1:%d-:8443,hostfwd=udp:127.0.0.1:%d-:5060,hostfwd=tcp:127.0.0.1:%d-:80",
			httpPort, httpsPort, sipPort, gokrazyPort),
		"-device", "virtio-net-pci,netdev=n0",
	)
	cmd.Stdin = nil // /dev/null: nobody types on the console
	cmd.Stdout = console
	cmd.Stderr = console
	// Own process group, so that stopping kills qemu and anything it spawned;
	// and killed with the test binary should that die without cleanups (a
	// `go test -timeout` panic, for one).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting qemu: %v", err)
	}
	v := &vm{cmd: cmd, started: time.Now(), exited: make(chan struct{})}
	go func() {
		v.err = cmd.Wait()
		cancel()
		close(v.exited)
	}()
	t.Cleanup(func() { v.stop(t) })
	return v
}

// stop kills qemu's process group and waits (bounded) for qemu to exit. It
// may be called more than once.
func (v *vm) stop(t *testing.T) {
	v.once.Do(func() {
		pid := v.cmd.Process.Pid
		if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing qemu's process group %d: %v", pid, err)
		}
		select {
		case <-v.exited:
		case <-time.After(15 * time.Second):
			t.Errorf("qemu (pid %d) did not exit within 15 s of SIGKILL", pid)
		}
	})
}

// waitForPanel polls url until it answers 200, qemu exits or timeout
// passes after qemu's start. It returns the time from qemu's start.
func waitForPanel(v *vm, url string, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: 3 * time.Second}
	deadline := v.started.Add(timeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		select {
		case <-v.exited:
			return 0, fmt.Errorf("qemu exited before the panel answered: %v", v.err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(v.started), nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-v.exited:
		case <-time.After(time.Second):
		}
	}
	return 0, fmt.Errorf("no 200 from %s within %v (last: %s)", url, timeout, last)
}

// sipOptions sends an OPTIONS request over UDP to addr, retrying a few times,
// and returns the status line of a 200 response that matches the request.
func sipOptions(addr string) (string, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	callID := randomHex(12) + "@qemu-test"
	var lastErr error
	for attempt := 1; attempt <= sipAttempts; attempt++ {
		branch := "z9hG4bK" + randomHex(8)
		req := "OPTIONS sip:deskline SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP " + local + ";branch=" + branch + ";rport\r\n" +
			"Max-Forwards: 70\r\n" +
			"From: <sip:qemu-test@" + local + ">;tag=" + randomHex(4) + "\r\n" +
			"To: <sip:deskline>\r\n" +
			"Call-ID: " + callID + "\r\n" +
			fmt.Sprintf("CSeq: %d OPTIONS\r\n", attempt) +
			"Contact: <sip:qemu-test@" + local + ">\r\n" +
			"Accept: application/sdp\r\n" +
			"Content-Length: 0\r\n\r\n"
		if _, err := conn.Write([]byte(req)); err != nil {
			lastErr = err
			time.Sleep(sipReadWait)
			continue
		}
		buf := make([]byte, 65535)
		conn.SetReadDeadline(time.Now().Add(sipReadWait))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				lastErr = fmt.Errorf("attempt %d: %w", attempt, err)
				break
			}
			res := string(buf[:n])
			status, _, _ := strings.Cut(res, "\r\n")
			if !strings.Contains(res, branch) {
				continue // an answer to an earlier attempt
			}
			if !strings.HasPrefix(status, "SIP/2.0 200") {
				return "", fmt.Errorf("answer %q, want SIP/2.0 200", status)
			}
			if h := header(res, "Call-ID", "i"); h != callID {
				return "", fmt.Errorf("Call-ID %q in the answer, want %q", h, callID)
			}
			if h := header(res, "CSeq", ""); h != fmt.Sprintf("%d OPTIONS", attempt) {
				return "", fmt.Errorf("CSeq %q in the answer, want %q", h, fmt.Sprintf("%d OPTIONS", attempt))
			}
			return status, nil
		}
	}
	return "", fmt.Errorf("no answer after %d attempts: %v", sipAttempts, lastErr)
}

// header returns the value of the first header named name (or its compact
// form) in a SIP message.
func header(msg, name, compact string) string {
	head, _, _ := strings.Cut(msg, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n")[1:] {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if strings.EqualFold(k, name) || (compact != "" && strings.EqualFold(k, compact)) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkDataDir reads /perm (GPT partition 4) out of the stopped VM's disk,
// replays its journal with e2fsck and asks debugfs whether /deskline (that
// is, /perm/deskline on the box) is a directory.
func checkDataDir(disk, dir, e2fsck, debugfs string) error {
	first, last, err := gptPartition(disk, 4)
	if err != nil {
		return err
	}
	perm := filepath.Join(dir, "perm.ext4")
	if err := copySparseRange(perm, disk, first*512, (last-first+1)*512); err != nil {
		return fmt.Errorf("extracting /perm: %v", err)
	}
	out, err := exec.Command(e2fsck, "-fy", perm).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() < 4 {
		err = nil // 1 and 2: errors found and corrected (the VM was killed)
	}
	if err != nil {
		return fmt.Errorf("e2fsck: %v\n%s", err, out)
	}
	out, err = exec.Command(debugfs, "-R", "stat /deskline", perm).CombinedOutput()
	if err != nil {
		return fmt.Errorf("debugfs: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("Type: directory")) {
		return fmt.Errorf("not a directory on /perm; debugfs says:\n%s", out)
	}
	return nil
}

// gptPartition returns the first and last sector (512 bytes) of partition n
// (from 1) in the GPT of the disk image.
func gptPartition(disk string, n int) (first, last int64, err error) {
	f, err := os.Open(disk)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	hdr := make([]byte, 92)
	if _, err := f.ReadAt(hdr, 512); err != nil {
		return 0, 0, fmt.Errorf("reading the GPT header: %v", err)
	}
	if string(hdr[:8]) != "EFI PART" {
		return 0, 0, fmt.Errorf("%s has no GPT", disk)
	}
	entriesLBA := int64(binary.LittleEndian.Uint64(hdr[72:]))
	count := int(binary.LittleEndian.Uint32(hdr[80:]))
	size := int64(binary.LittleEndian.Uint32(hdr[84:]))
	if n < 1 || n > count || size < 56 {
		return 0, 0, fmt.Errorf("GPT has %d entries of %d bytes; want entry %d", count, size, n)
	}
	e := make([]byte, 56)
	if _, err := f.ReadAt(e, entriesLBA*512+int64(n-1)*size); err != nil {
		return 0, 0, fmt.Errorf("reading GPT entry %d: %v", n, err)
	}
	first = int64(binary.LittleEndian.Uint64(e[32:]))
	last = int64(binary.LittleEndian.Uint64(e[40:]))
	if first == 0 || last < first {
		return 0, 0, fmt.Errorf("GPT entry %d is empty", n)
	}
	return first, last, nil
}

// copySparse copies the file src to dst, leaving holes where src reads as
// zeros: the images are 2 GiB files of which a few dozen MB are written.
func copySparse(dst, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	return copySparseRange(dst, src, 0, st.Size())
}

// copySparseRange copies length bytes from offset of src into a new file
// dst, leaving holes for blocks of zeros.
func copySparseRange(dst, src string, offset, length int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	var pos int64
	for pos < length {
		chunk := buf[:min(int64(len(buf)), length-pos)]
		n, err := in.ReadAt(chunk, offset+pos)
		if n > 0 && !allZero(chunk[:n]) {
			if _, werr := out.WriteAt(chunk[:n], pos); werr != nil {
				out.Close()
				return werr
			}
		}
		pos += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Close()
			return err
		}
	}
	if err := out.Truncate(length); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// freePort returns a port on 127.0.0.1 that was free a moment ago for
// network "tcp" or "udp". Another process may take it before qemu binds it;
// qemu then exits at once and the test says so.
func freePort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	default:
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
}

// sbinTool finds an e2fsprogs tool, which may live outside a user's PATH.
func sbinTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	t.Fatalf("%s not found (install e2fsprogs: .ci/install-test-deps)", name)
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// attachConsole writes the VM's console to the test output (its last
// 256 KiB, which holds the whole boot).
func attachConsole(t *testing.T, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("console log: %v", err)
		return
	}
	const max = 256 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	t.Logf("VM console (%s):\n%s", path, b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var setupCodeRE = regexp.MustCompile(`setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`)

// installerPassword is the admin password the test chooses at setup.
const installerPassword = "installer-chose-this-1"

// firstBoot does what an installer does with a new box: checks that the API
// is closed, reads the setup code from the console, sets the admin password
// in the panel and uses it on the API.
func firstBoot(base string, httpsPort int, consolePath string) error {
	res, err := http.Get(base + "/api/v1/status")
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		return fmt.Errorf("API before setup answered %d, want 503 (setup required)", res.StatusCode)
	}
	var code string
	for deadline := time.Now().Add(60 * time.Second); code == "" && time.Now().Before(deadline); {
		log, _ := os.ReadFile(consolePath)
		if m := setupCodeRE.FindSubmatch(log); m != nil {
			code = string(m[1])
		} else {
			time.Sleep(500 * time.Millisecond)
		}
	}
	if code == "" {
		return errors.New("no setup code on the console")
	}
	// Once an admin exists the box redirects plain HTTP from other hosts
	// (the VM sees the test as 10.0.2.2) to HTTPS on its port 8443, which
	// reaches the test through another forward: follow it there. The
	// certificate is the box's own, made on first boot.
	c := boxClient(httpsPort)
	res, err = c.Get(base + "/setup")
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no CSRF field on /setup (%d)", res.StatusCode)
	}
	const pw = installerPassword
	res, err = c.PostForm(base+"/setup", url.Values{"csrf": {string(m[1])}, "code": {code}, "password": {pw}, "confirm": {pw}})
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" || res.Request.URL.Scheme != "https" {
		return fmt.Errorf("setup answered %d at %s, want the status page over HTTPS", res.StatusCode, res.Request.URL)
	}
	if res.TLS == nil || len(res.TLS.PeerCertificates) == 0 || !strings.Contains(res.TLS.PeerCertificates[0].Subject.String(), "Deskline device certificate") {
		return errors.New("the box's HTTPS does not serve its own device certificate")
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/extensions", strings.NewReader(`{"number":"1001","name":"Alice","password":"alice-on-the-box-1"}`))
	req.SetBasicAuth("admin", pw)
	req.Header.Set("Content-Type", "application/json")
	res, err = c.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("creating an extension with the new admin password answered %d", res.StatusCode)
	}
	return nil
}
