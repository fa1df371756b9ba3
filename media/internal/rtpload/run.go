//go:build linux

package rtpload

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"deskline/media"
)

// Opts configures one run. The zero value of every field but Calls and
// Command is a usable default.
type Opts struct {
	Calls  int  // bridged calls, two legs each
	Direct bool // phone to phone without the engine: the baseline

	// Engine is what relays when not Direct: "relay" (the default: media
	// Sessions and Relays), or a floor to compare it with: "copy" (a
	// plain read→write goroutine per socket, no RTP work) or "epoll" (a
	// few goroutines forwarding with raw syscalls from an epoll set);
	// "copyconn" is "copy" on sockets connected to their phones; "tick"
	// is "epoll" polling every 0.5 ms without blocking (fewer wake-ups).
	Engine string

	Warmup   time.Duration // traffic before measuring; default 1 s
	Duration time.Duration // the measured window; default 3 s
	Drain    time.Duration // wait for late packets after it; default 300 ms

	PortMin, PortMax int // the engine's RTP range; default 40000-49998
	Workers          int // generator sockets (a sending and a receiving goroutine each), at least; default 2, and one per 100 legs

	// Command returns the child process that plays the phones; it must
	// call ChildMain with its stdin and stdout.
	Command func() *exec.Cmd
}

// Result is one run's figures. Rates are over the measured window.
type Result struct {
	Calls  int
	Direct bool
	Engine string

	Sent, Received uint64 // generator packets sent in the window and received
	// Stray counts datagrams at the phones that were not the partner
	// leg's packet from the expected Session: a relay that mixes up calls,
	// or another program's traffic to a port the generator reused.
	Stray       uint64
	LossPct     float64 // 100·(Sent−Received)/Sent; packets later than Drain count as lost
	EngineDrops uint64  // datagrams the kernel dropped for the engine's full socket receive buffers
	PhoneDrops  uint64  // ... and for the generator's

	P50us, P99us, MaxUs float64 // send to kernel receive timestamp at the far phone

	Packets        uint64  // packets the engine relayed in the window
	PPS            float64 // ... per second; 100 per call is the full load
	CPUPerPacketUs float64 // engine process CPU (user+system) per relayed packet
	CorePct        float64 // engine process CPU as % of one core
	MachinePct     float64 // ... and of all the machine's cores
	GenCorePct     float64 // the generator's CPU as % of one core

	BytesPerCall      float64 // Go heap and goroutine stacks per bridged call
	StackPerCall      float64 // ... of which goroutine stacks
	GoroutinesPerCall float64
}

func (o *Opts) defaults() {
	if o.Warmup <= 0 {
		o.Warmup = time.Second
	}
	if o.Duration <= 0 {
		o.Duration = 3 * time.Second
	}
	if o.Drain <= 0 {
		o.Drain = 300 * time.Millisecond
	}
	if o.PortMin == 0 && o.PortMax == 0 {
		o.PortMin, o.PortMax = 40000, 49998
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
}

// engineAddr is where the engine's Sessions listen.
var engineAddr = netip.MustParseAddr("127.0.0.1")

// Run relays o.Calls calls (or, for a direct run, none) in this process
// while a child started by o.Command plays the phones, and returns what
// was measured. It returns when the child has finished, at most a few
// seconds after the schedule ends.
func Run(o Opts) (res Result, err error) {
	o.defaults()
	if o.Calls <= 0 || o.Command == nil {
		return res, errors.New("rtpload: need Calls and Command")
	}
	legs := 2 * o.Calls
	if err := RaiseFileLimit(uint64(legs) + 256); err != nil {
		return res, err
	}
	res.Calls, res.Direct, res.Engine = o.Calls, o.Direct, o.Engine

	var e engine
	mem0, g0 := memory()
	if !o.Direct {
		switch o.Engine {
		case "", "relay":
			e, err = newRelayEngine(o, legs)
		case "copy", "copyconn":
			e, err = newCopyEngine(legs, o.Engine == "copyconn")
		case "epoll":
			e, err = newEpollEngine(legs, o.Workers, 0)
		case "tick":
			e, err = newEpollEngine(legs, o.Workers, 500*time.Microsecond)
		default:
			err = fmt.Errorf("rtpload: unknown engine %q", o.Engine)
		}
		if err != nil {
			return res, err
		}
		defer e.close()
	}

	cmd := o.Command()
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return res, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("rtpload: start generator: %w", err)
	}
	// The child stops by itself; this only guards against a stuck one.
	kill := time.AfterFunc(o.Warmup+o.Duration+o.Drain+30*time.Second, func() { cmd.Process.Kill() })
	defer kill.Stop()
	defer cmd.Wait()
	defer stdin.Close()

	enc, dec := json.NewEncoder(stdin), json.NewDecoder(stdout)
	st := setup{Legs: legs, Workers: o.Workers}
	if e != nil {
		st.Engine = e.addrs()
	}
	if err := enc.Encode(st); err != nil {
		return res, fmt.Errorf("rtpload: to generator: %w", err)
	}
	var b bound
	if err := dec.Decode(&b); err != nil || b.Err != "" {
		return res, fmt.Errorf("rtpload: generator setup: %v%s", err, b.Err)
	}
	if len(b.Phones) != legs {
		return res, fmt.Errorf("rtpload: generator bound %d phones for %d legs", len(b.Phones), legs)
	}
	if e != nil {
		e.bridge(b.Phones)
	}
	sc := schedule{Start: time.Now().Add(50 * time.Millisecond), Warmup: o.Warmup, Duration: o.Duration, Drain: o.Drain}
	if err := enc.Encode(sc); err != nil {
		return res, fmt.Errorf("rtpload: to generator: %w", err)
	}

	winStart := sc.Start.Add(sc.Warmup)
	time.Sleep(time.Until(winStart))
	cpu0, pk0 := cpuTime(), packetsOut(e)
	time.Sleep(time.Until(winStart.Add(sc.Duration)))
	cpu1, pk1 := cpuTime(), packetsOut(e)

	var rep genReport
	if err := dec.Decode(&rep); err != nil || rep.Err != "" {
		return res, fmt.Errorf("rtpload: generator: %v%s", err, rep.Err)
	}
	if e != nil {
		res.EngineDrops = udpDrops(e.addrs())
	}
	res.PhoneDrops = rep.Drops
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return res, fmt.Errorf("rtpload: generator: %w", err)
	}
	if e != nil {
		mem1, g1 := memory()
		res.BytesPerCall = float64(int64(mem1.total())-int64(mem0.total())) / float64(o.Calls)
		res.StackPerCall = float64(int64(mem1.StackInuse)-int64(mem0.StackInuse)) / float64(o.Calls)
		res.GoroutinesPerCall = float64(g1-g0) / float64(o.Calls)
	}

	res.Sent, res.Received, res.Stray = rep.Sent, rep.Received, rep.Stray
	if rep.Sent > 0 {
		res.LossPct = 100 * float64(int64(rep.Sent)-int64(rep.Received)) / float64(rep.Sent)
	}
	res.P50us, res.P99us, res.MaxUs = us(rep.P50), us(rep.P99), us(rep.Max)
	wall := sc.Duration.Seconds()
	cpu := (cpu1 - cpu0).Seconds()
	res.Packets = pk1 - pk0
	res.PPS = float64(res.Packets) / wall
	if o.Direct {
		res.PPS = float64(rep.Received) / wall
	}
	if res.Packets > 0 {
		res.CPUPerPacketUs = cpu * 1e6 / float64(res.Packets)
	}
	res.CorePct = 100 * cpu / wall
	res.MachinePct = res.CorePct / float64(runtime.NumCPU())
	res.GenCorePct = 100 * rep.CPU.Seconds() / (sc.Warmup + sc.Duration + sc.Drain).Seconds()
	return res, nil
}

// udpDrops sums the kernel's drop counters (/proc/net/udp) of the UDP
// sockets bound to addrs; 0 if it cannot read them.
func udpDrops(addrs []netip.AddrPort) uint64 {
	want := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		ip := a.Addr().As4()
		// /proc shows the address as a little-endian hex word.
		want[fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], a.Port())] = true
	}
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return 0
	}
	var n uint64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 13 || !want[f[1]] {
			continue
		}
		d, _ := strconv.ParseUint(f[len(f)-1], 10, 64)
		n += d
	}
	return n
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

type memStats struct{ HeapAlloc, StackInuse uint64 }

func (m memStats) total() uint64 { return m.HeapAlloc + m.StackInuse }

// memory returns the Go heap in use and goroutine stacks, after a
// collection, and the number of goroutines.
func memory() (memStats, int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memStats{ms.HeapAlloc, ms.StackInuse}, runtime.NumGoroutine()
}

// engine is what relays a run's calls: leg j's phone sends to addrs()[j],
// and the engine passes that on to leg j^1's phone.
type engine interface {
	addrs() []netip.AddrPort
	// bridge tells the engine each leg's phone and starts relaying.
	bridge(phones []netip.AddrPort)
	// packetsOut is how many packets it has sent to phones so far.
	packetsOut() uint64
	close()
}

func packetsOut(e engine) uint64 {
	if e == nil {
		return 0
	}
	return e.packetsOut()
}

// relayEngine is the media engine: two Sessions per call and a Relay
// between them.
type relayEngine struct {
	sessions []*media.Session
	relays   []*media.Relay
}

func newRelayEngine(o Opts, legs int) (*relayEngine, error) {
	pool, err := media.NewPortPool(o.PortMin, o.PortMax)
	if err != nil {
		return nil, err
	}
	e := &relayEngine{}
	for range legs {
		s, err := pool.Listen(engineAddr)
		if err != nil {
			e.close()
			return nil, err
		}
		s.SetFormat(media.Format{Codec: media.PCMU, PT: 0})
		e.sessions = append(e.sessions, s)
	}
	return e, nil
}

func (e *relayEngine) addrs() []netip.AddrPort {
	a := make([]netip.AddrPort, len(e.sessions))
	for i, s := range e.sessions {
		a[i] = s.LocalAddr()
	}
	return a
}

// bridge points each Session at its phone, as SDP would, and starts the
// Relays.
func (e *relayEngine) bridge(phones []netip.AddrPort) {
	for i, s := range e.sessions {
		s.SetRemote(phones[i])
	}
	for i := 0; i+1 < len(e.sessions); i += 2 {
		r := media.NewRelay(e.sessions[i], e.sessions[i+1], nil)
		r.Start()
		e.relays = append(e.relays, r)
	}
}

func (e *relayEngine) packetsOut() uint64 {
	var n uint64
	for _, s := range e.sessions {
		n += s.Stats().PacketsOut
	}
	return n
}

func (e *relayEngine) close() {
	for _, r := range e.relays {
		r.Close()
	}
	for _, s := range e.sessions {
		s.Close()
	}
}

// childEnv, set to 1, makes a program that calls MaybeChild the generator.
const childEnv = "DESKLINE_RTPLOAD_GEN"

// SelfCommand returns an Opts.Command that starts this same program, with
// args, as the generator; the program must call MaybeChild first thing
// (a test binary: in TestMain).
func SelfCommand(args ...string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), childEnv+"=1")
		return cmd
	}
}

// MaybeChild runs the generator on stdin and stdout and exits if this
// process was started by a SelfCommand, and returns otherwise.
func MaybeChild() {
	if os.Getenv(childEnv) == "1" {
		os.Exit(ChildMain(os.Stdin, os.Stdout))
	}
}

// ChildMain is the generator process: it reads its setup and schedule
// from in, binds the phones, sends and receives, and writes its report to
// out. It returns the process exit code.
func ChildMain(in io.Reader, out io.Writer) int {
	enc, dec := json.NewEncoder(out), json.NewDecoder(in)
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The engine gets the CPU first: a generator that falls behind sends
	// late (and says so in the packet rate) rather than delaying the
	// engine, whose latency is what is measured.
	_ = unix.Setpriority(unix.PRIO_PROCESS, 0, 10)
	var st setup
	if err := dec.Decode(&st); err != nil {
		return fail(fmt.Errorf("rtpload: setup: %w", err))
	}
	if err := RaiseFileLimit(uint64(st.Legs) + 256); err != nil {
		enc.Encode(bound{Err: err.Error()})
		return 1
	}
	g, err := newGenerator(st)
	if err != nil {
		enc.Encode(bound{Err: err.Error()})
		return 1
	}
	defer g.close()
	if err := enc.Encode(bound{Phones: g.phones}); err != nil {
		return fail(err)
	}
	var sc schedule
	if err := dec.Decode(&sc); err != nil {
		return fail(fmt.Errorf("rtpload: schedule: %w", err))
	}
	if sc.Warmup+sc.Duration+sc.Drain > 10*time.Minute || time.Until(sc.Start) > time.Minute {
		return fail(errors.New("rtpload: schedule out of bounds"))
	}
	rep := g.run(sc)
	if err := enc.Encode(rep); err != nil {
		return fail(err)
	}
	return 0
}

// RaiseFileLimit raises the soft limit on open files to at least n, up to
// the hard limit, and fails if that is not enough.
func RaiseFileLimit(n uint64) error {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return fmt.Errorf("rtpload: getrlimit: %w", err)
	}
	if rl.Cur >= n {
		return nil
	}
	if rl.Max < n {
		return fmt.Errorf("rtpload: need %d open files, hard limit is %d (raise it with ulimit -Hn)", n, rl.Max)
	}
	rl.Cur = n
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return fmt.Errorf("rtpload: setrlimit: %w", err)
	}
	return nil
}
