//go:build linux

package rtpload

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// Packet shape: a 12-byte RTP header and a 20 ms PCMU frame whose first
// bytes carry the send time (Unix ns) and the sending leg's index.
const (
	frameInterval = 20 * time.Millisecond
	headerLen     = 12
	payloadLen    = 160
	packetLen     = headerLen + payloadLen
)

// phoneAddr is where the generator's phones live; the engine is on
// 127.0.0.1, so their ports never collide.
var phoneAddr = netip.MustParseAddr("127.0.0.2")

// setup is what the engine tells the generator first.
type setup struct {
	Legs    int              // two per call; leg j talks to leg j^1
	Engine  []netip.AddrPort // where leg j sends; nil for a direct run
	Workers int
}

// bound is the generator's answer: the address of each leg's phone.
type bound struct {
	Phones []netip.AddrPort
	Err    string `json:",omitempty"`
}

// schedule is the engine's go-ahead: send from Start, measure the packets
// sent in [Start+Warmup, Start+Warmup+Duration), stop sending at the end of
// that window and wait Drain for the last packets.
type schedule struct {
	Start                   time.Time
	Warmup, Duration, Drain time.Duration
}

// genReport is what the generator measured.
type genReport struct {
	Sent, Received uint64        // packets sent in the window, and how many of them arrived
	Stray          uint64        // datagrams that were not a packet of the partner's leg from its Session
	Drops          uint64        // dropped by the kernel for the phones' full receive buffers
	P50, P99, Max  time.Duration // latency of the packets received
	CPU            time.Duration // the generator's, from start to end of drain
	Err            string        `json:",omitempty"`
}

// workerReport is what one generator worker measured.
type workerReport struct {
	Sent, Received, Stray uint64
	latency               []int64 // ns, one per packet received
}

// leg is one phone of the generator.
type leg struct {
	self uint32
	seq  uint16
	ts   uint32
	pkt  [packetLen]byte
	to   *net.UDPAddr   // where it sends
	from netip.AddrPort // where its partner's packets come from
}

// The generator's phones share a few sockets, one per worker: the engine
// sees one peer address per Session as usual (many Sessions just have the
// same one), and the generator reads and writes in batches (recvmmsg,
// sendmmsg), so that it costs less CPU than the engine it loads.
const (
	sendBatch     = 8   // packets stamped and sent per sendmmsg: bounds the stamp error
	readBatch     = 64  // packets per recvmmsg
	legsPerSocket = 100 // at most, per generator socket
)

// generator plays every phone of a run.
type generator struct {
	legs   []*leg
	socks  []*net.UDPConn // socket w serves legs w, w+workers, ...
	phones []netip.AddrPort
}

func newGenerator(s setup) (*generator, error) {
	if s.Legs <= 0 || s.Legs%2 != 0 {
		return nil, fmt.Errorf("rtpload: %d legs: need an even number", s.Legs)
	}
	if s.Engine != nil && len(s.Engine) != s.Legs {
		return nil, fmt.Errorf("rtpload: %d engine addresses for %d legs", len(s.Engine), s.Legs)
	}
	// One socket per 100 legs (5,000 packets/s) at least, so that a
	// generator that falls behind does not overflow its receive buffers.
	workers := max(min(s.Workers, s.Legs), (s.Legs+legsPerSocket-1)/legsPerSocket, 1)
	g := &generator{}
	for range workers {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(phoneAddr, 0)))
		if err != nil {
			g.close()
			return nil, fmt.Errorf("rtpload: phone socket: %w", err)
		}
		g.socks = append(g.socks, c)
		_ = c.SetReadBuffer(8 << 20) // the kernel caps it at net.core.rmem_max
		_ = c.SetWriteBuffer(8 << 20)
		rc, err := c.SyscallConn()
		if err == nil {
			cerr := rc.Control(func(fd uintptr) {
				err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
			})
			err = errors.Join(err, cerr)
		}
		if err != nil {
			g.close()
			return nil, fmt.Errorf("rtpload: receive timestamps: %w", err)
		}
	}
	for j := 0; j < s.Legs; j++ {
		g.phones = append(g.phones, g.socks[j%workers].LocalAddr().(*net.UDPAddr).AddrPort())
	}
	for j := 0; j < s.Legs; j++ {
		l := &leg{self: uint32(j), seq: uint16(j * 7919), ts: uint32(j) * 104729}
		if s.Engine != nil {
			l.to = net.UDPAddrFromAddrPort(s.Engine[j])
			l.from = s.Engine[j] // its Session relays the partner to it
		} else {
			l.to = net.UDPAddrFromAddrPort(g.phones[j^1])
			l.from = g.phones[j^1]
		}
		l.pkt[0] = 0x80 // version 2, PT 0 (PCMU)
		binary.BigEndian.PutUint32(l.pkt[8:], 0x10000000+uint32(j))
		for i := headerLen + 12; i < packetLen; i++ {
			l.pkt[i] = 0xff // µ-law silence
		}
		g.legs = append(g.legs, l)
	}
	return g, nil
}

func (g *generator) close() {
	for _, c := range g.socks {
		c.Close()
	}
}

// run sends and receives until the schedule ends: per socket one sending
// and one receiving goroutine.
func (g *generator) run(sc schedule) genReport {
	winStart := sc.Start.Add(sc.Warmup)
	winEnd := winStart.Add(sc.Duration)
	workers := len(g.socks)
	sent := make([]workerReport, workers)
	recv := make([]workerReport, workers)
	errs := make([]error, 2*workers)
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			sent[w], errs[2*w] = g.send(w, sc.Start, winStart, winEnd)
		}()
		go func() {
			defer wg.Done()
			recv[w], errs[2*w+1] = g.receive(w, winStart, winEnd, winEnd.Add(sc.Drain))
		}()
	}
	wg.Wait()
	var r genReport
	r.CPU = cpuTime() - cpu0
	r.Drops = udpDrops(g.phones)
	if err := errors.Join(errs...); err != nil {
		r.Err = err.Error()
	}
	var lat []int64
	for w := range workers {
		r.Sent += sent[w].Sent
		r.Received += recv[w].Received
		r.Stray += recv[w].Stray
		lat = append(lat, recv[w].latency...)
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		r.P50 = time.Duration(lat[n/2])
		r.P99 = time.Duration(lat[n*99/100])
		r.Max = time.Duration(lat[n-1])
	}
	return r
}

// send paces the legs of socket w from one clock: leg j's k-th packet is
// due at start + k·20ms + j·20ms/legs, so sends spread evenly over each
// frame. Each batch is stamped just before it is sent.
func (g *generator) send(w int, start, winStart, winEnd time.Time) (workerReport, error) {
	var r workerReport
	workers := len(g.socks)
	var mine []*leg
	for j := w; j < len(g.legs); j += workers {
		mine = append(mine, g.legs[j])
	}
	pc := ipv4.NewPacketConn(g.socks[w])
	msgs := make([]ipv4.Message, sendBatch)
	for i := range msgs {
		msgs[i].Buffers = make([][]byte, 1)
	}
	legs := int64(len(g.legs))
	dueOf := func(i, frame int) time.Time {
		j := int64(w + i*workers)
		return start.Add(time.Duration(frame)*frameInterval + time.Duration(int64(frameInterval)*j/legs))
	}
	next, frame := 0, 0 // the next leg to send and its frame number
	for {
		due := dueOf(next, frame)
		if !due.Before(winEnd) {
			return r, nil
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		now := time.Now()
		n := 0
		for n < sendBatch && !dueOf(next, frame).After(now) {
			l := mine[next]
			binary.BigEndian.PutUint16(l.pkt[2:], l.seq)
			binary.BigEndian.PutUint32(l.pkt[4:], l.ts)
			binary.BigEndian.PutUint64(l.pkt[headerLen:], uint64(now.UnixNano()))
			binary.BigEndian.PutUint32(l.pkt[headerLen+8:], l.self)
			l.seq++
			l.ts += payloadLen
			msgs[n].Buffers[0], msgs[n].Addr = l.pkt[:], l.to
			if !now.Before(winStart) && now.Before(winEnd) {
				r.Sent++
			}
			n++
			if next++; next == len(mine) {
				next, frame = 0, frame+1
			}
		}
		for off := 0; off < n; {
			k, err := pc.WriteBatch(msgs[off:n], 0)
			if err != nil {
				return r, fmt.Errorf("rtpload: send: %w", err)
			}
			off += k
		}
	}
}

// receive reads socket w until stopAt and measures the packets sent in the
// window [winStart, winEnd).
func (g *generator) receive(w int, winStart, winEnd, stopAt time.Time) (workerReport, error) {
	var r workerReport
	c := g.socks[w]
	pc := ipv4.NewPacketConn(c)
	expect := float64(len(g.legs)/len(g.socks)) * (winEnd.Sub(winStart).Seconds() + 1) / frameInterval.Seconds()
	r.latency = make([]int64, 0, int(expect))
	msgs := make([]ipv4.Message, readBatch)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, 2048)}
		msgs[i].OOB = make([]byte, 64)
	}
	if err := c.SetReadDeadline(stopAt); err != nil {
		return r, err
	}
	lo, hi := winStart.UnixNano(), winEnd.UnixNano()
	for {
		n, err := pc.ReadBatch(msgs, 0)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return r, nil
		}
		if err != nil {
			return r, fmt.Errorf("rtpload: receive: %w", err)
		}
		for _, m := range msgs[:n] {
			b := m.Buffers[0][:m.N]
			if len(b) != packetLen {
				if r.Stray < 3 {
					fmt.Fprintf(os.Stderr, "rtpload: stray datagram on socket %d from %v, %d bytes\n", w, m.Addr, m.N)
				}
				r.Stray++
				continue
			}
			sentNs := int64(binary.BigEndian.Uint64(b[headerLen:]))
			j := binary.BigEndian.Uint32(b[headerLen+8:])
			ua, _ := m.Addr.(*net.UDPAddr)
			if int(j) >= len(g.legs) || ua == nil || ua.AddrPort() != g.legs[j^1].from {
				if r.Stray < 3 {
					fmt.Fprintf(os.Stderr, "rtpload: stray datagram on socket %d from %v, %d bytes\n", w, ua, m.N)
				}
				r.Stray++
				continue
			}
			if sentNs < lo || sentNs >= hi {
				continue
			}
			r.Received++
			if at, ok := rxTime(m.OOB[:m.NN]); ok {
				r.latency = append(r.latency, at-sentNs)
			}
		}
	}
}

// rxTime returns the kernel's receive timestamp (Unix ns) from the control
// messages of a recvmsg.
func rxTime(oob []byte) (int64, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
			return sec*1e9 + nsec, true
		}
	}
	return 0, false
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
