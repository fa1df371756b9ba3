package rtcp_test

import (
	"fmt"
	"time"

	"deskline/media/rtcp"
)

func Example() {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	// Our side of a leg: we send RTP and receive the phone's RTP.
	out := rtcp.NewSender(0xdecafbad, 8000)
	in := rtcp.NewReceiver(0x12345678, 8000)
	for i := range 250 { // 5 s of 20 ms packets; every 50th is lost
		at := start.Add(time.Duration(i) * 20 * time.Millisecond)
		out.Sent(uint32(i*160), 160, at)
		if i%50 != 25 {
			in.Update(uint16(i), uint32(i*160), at.Add(30*time.Millisecond))
		}
	}
	// Report time: an SR with one block about the phone's stream.
	now := start.Add(5 * time.Second)
	block, _ := in.Report(now)
	pkt, _ := rtcp.AppendSR(make([]byte, 0, 128), out.SSRC(), out.Info(now), []rtcp.ReportBlock{block}, "leg-7@deskline")

	var p rtcp.Parser // one per leg, reused
	err := p.Parse(pkt, func(r rtcp.Report) {
		switch r.Type {
		case rtcp.TypeSR:
			b := r.Blocks[0]
			fmt.Printf("SR from %#x: %d packets sent; source %#x lost %d\n", r.SSRC, r.Sender.Packets, b.SSRC, b.TotalLost)
		case rtcp.TypeSDES:
			fmt.Printf("CNAME %s\n", r.CNAME)
		}
	})
	if err != nil {
		fmt.Println(err)
	}
	q := rtcp.NewQuality(float64(block.FractionLost)/256, in.Stats().JitterDuration, 80*time.Millisecond)
	fmt.Printf("loss %.1f%%, MOS %.1f\n", q.LossPct, q.MOS)
	// Output:
	// SR from 0xdecafbad: 250 packets sent; source 0x12345678 lost 5
	// CNAME leg-7@deskline
	// loss 2.0%, MOS 4.2
}
