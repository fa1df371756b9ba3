package media

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// The loopback benchmarks push one 20 ms G.711 packet (172 bytes) per
// iteration from a sending socket through the box to a receiving socket and
// wait for it, so ns/op is the latency of one hop through the process,
// including two goroutine wake-ups. BenchmarkBaselineUDPCopy does the same
// with a plain read→write forwarder; the relay's cost is its ns/op divided
// by the baseline's. B/op and allocs/op count every goroutine, the relay's
// included.

// loopbackRig is a sending and a receiving socket around something that
// forwards from entry to the receiver.
type loopbackRig struct {
	send, recv *net.UDPConn
	entry      netip.AddrPort
	pkt        []byte
	buf        []byte
}

func newRig(b *testing.B) *loopbackRig {
	b.Helper()
	r := &loopbackRig{buf: make([]byte, maxDatagram)}
	r.send, r.recv = newPhone(b).conn, newPhone(b).conn
	r.pkt = mustMarshalTB(b, audio(0, 1, 0, 0x1234, frame(0x2a)))
	return r
}

func (r *loopbackRig) addr(c *net.UDPConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

func (r *loopbackRig) run(b *testing.B) {
	b.Helper()
	r.recv.SetReadDeadline(time.Now().Add(time.Minute))
	b.SetBytes(int64(len(r.pkt)))
	b.ReportAllocs()
	seq := uint16(0)
	for b.Loop() {
		seq++
		r.pkt[2], r.pkt[3] = byte(seq>>8), byte(seq)
		if _, err := r.send.WriteToUDPAddrPort(r.pkt, r.entry); err != nil {
			b.Fatal(err)
		}
		if _, _, err := r.recv.ReadFromUDPAddrPort(r.buf); err != nil {
			b.Fatal(err)
		}
	}
}

func mustMarshalTB(tb testing.TB, p interface{ Marshal() ([]byte, error) }) []byte {
	tb.Helper()
	out, err := p.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func BenchmarkBaselineUDPCopy(b *testing.B) {
	rig := newRig(b)
	fwd := newPhone(b).conn
	rig.entry = rig.addr(fwd)
	to := rig.addr(rig.recv)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, maxDatagram)
		for {
			n, _, err := fwd.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			fwd.WriteToUDPAddrPort(buf[:n], to)
		}
	}()
	rig.run(b)
	fwd.Close()
	wg.Wait()
}

func benchmarkRelay(b *testing.B, to Format) {
	rig := newRig(b)
	pool := newTestPool(b, 2)
	a, s := listen(b, pool), listen(b, pool)
	a.SetFormat(Format{Codec: PCMU, PT: 0})
	s.SetFormat(to)
	a.SetRemote(rig.addr(rig.send))
	s.SetRemote(rig.addr(rig.recv))
	r := NewRelay(a, s, nil)
	r.Start()
	defer r.Close()
	rig.entry = a.LocalAddr()
	rig.run(b)
	if st := s.Stats(); st.NotSent != 0 {
		b.Fatalf("relay withheld %d packets", st.NotSent)
	}
}

// BenchmarkRelayPCMU relays PCMU to PCMU: parse, source check, stream
// rewrite, marshal.
func BenchmarkRelayPCMU(b *testing.B) { benchmarkRelay(b, Format{Codec: PCMU, PT: 0}) }

// BenchmarkRelayTranscode relays PCMU to PCMA, converting every sample.
func BenchmarkRelayTranscode(b *testing.B) { benchmarkRelay(b, Format{Codec: PCMA, PT: 8}) }

// BenchmarkForward is the relay's per-packet work alone, without sockets.
func BenchmarkForward(b *testing.B) {
	pool := newTestPool(b, 2)
	a, s := listen(b, pool), listen(b, pool)
	s.SetFormat(Format{Codec: PCMA, PT: 8})
	s.SetRemote(netip.MustParseAddrPort("127.0.0.1:9"))
	p := newPipe(a, s, nil)
	pkt := mustMarshalTB(b, audio(0, 1, 0, 0x1234, frame(0x2a)))
	buf := make([]byte, len(pkt))
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	now := time.Now()
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, pkt)
		if _, _, ok := p.forward(buf, from, now); !ok {
			b.Fatal("not forwarded")
		}
	}
}

// BenchmarkTranscodeFrame converts one 20 ms frame (160 samples) from µ-law
// to A-law in place.
func BenchmarkTranscodeFrame(b *testing.B) {
	p := frame(0)
	for i := range p {
		p[i] = byte(i)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		TranscodeFrame(p, PCMU, PCMA)
	}
}
