package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"deskline/media/rtcp"
)

// rtcpPhone is a phone with its RTP socket on an even port and its RTCP
// socket on the next one, as RFC 3550 pairs them.
func rtcpPhone(t *testing.T) (rtpc *phone, rtcpConn *net.UDPConn) {
	t.Helper()
	for range 100 {
		p := newPhone(t)
		port := p.addr.Port()
		if port%2 != 0 {
			continue
		}
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, port+1)))
		if err != nil {
			continue
		}
		t.Cleanup(func() { c.Close() })
		return p, c
	}
	t.Fatal("no even/odd port pair")
	return nil, nil
}

// TestRTCPQuality: a phone's stream loses packets on the way in, and the
// phone reports losses of its own on the box's stream; the Session's
// Quality shows both, the box sends its reports to the phone's RTCP port,
// and reports from another host are ignored.
func TestRTCPQuality(t *testing.T) {
	old := rtcpMinInterval
	rtcpMinInterval = 200 * time.Millisecond
	defer func() { rtcpMinInterval = old }()

	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph, phRTCP := rtcpPhone(t)
	s.SetRemote(ph.addr)
	rcv := NewReceiver(s, ReceiverOptions{})
	rcv.Start()
	defer rcv.Close()
	st := newStepper()
	f := s.Play(st.sc, toneSource(440), nil) // the box sends audio: SRs
	defer f.Stop()
	st.step(5)
	// The phone sends 100 packets of which every tenth is lost.
	for i := 0; i < 100; i++ {
		if i%10 == 9 {
			continue
		}
		ph.send(s.LocalAddr(), audio(0, uint16(1000+i), uint32(160*i), 0x1234, frame(0xff)))
	}
	waitFor(t, "the phone's packets", func() bool { return s.Stats().PacketsIn >= 90 })

	// The box's report reaches the phone's RTCP port.
	buf := make([]byte, 1500)
	phRTCP.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, _, err := phRTCP.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("no RTCP from the box: %v", err)
	}
	var boxSSRC uint32
	var sawSR bool
	if err := rtcp.Parse(buf[:n], func(r rtcp.Report) {
		if r.Type == rtcp.TypeSR {
			sawSR, boxSSRC = true, r.SSRC
		}
	}); err != nil || !sawSR {
		t.Fatalf("the box's RTCP: %v, sender report %v", err, sawSR)
	}

	// The phone reports 25% loss on the box's stream; a forger elsewhere
	// reports none.
	blk := rtcp.ReportBlock{SSRC: boxSSRC, FractionLost: 64, Jitter: 80}
	rr, _ := rtcp.AppendRR(nil, 0x1234, []rtcp.ReportBlock{blk}, "phone")
	if _, err := phRTCP.WriteToUDPAddrPort(rr, netip.AddrPortFrom(loopback, s.LocalAddr().Port()+1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the phone's report", func() bool { return s.Quality().PeerReports })
	q := s.Quality()
	if q.Received.LossPct < 8 || q.Received.LossPct > 12 {
		t.Errorf("received loss %.1f%%, want about 10%%", q.Received.LossPct)
	}
	if q.Sent.LossPct < 24 || q.Sent.LossPct > 26 || q.Sent.JitterMs != 10 {
		t.Errorf("sent quality %+v, want the phone's 25%% loss and 10 ms jitter", q.Sent)
	}
	if q.Received.MOS <= q.Sent.MOS || q.Sent.MOS < 1 {
		t.Errorf("MOS received %.2f, sent %.2f: want less loss to score better", q.Received.MOS, q.Sent.MOS)
	}
}
