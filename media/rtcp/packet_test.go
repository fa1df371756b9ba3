package rtcp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// srWire is an SR with one report block plus SDES CNAME "pbx@box", laid
// out by hand from RFC 3550 §6.4.1 and §6.5.
const srWire = `
81 c8 00 0c  11 22 33 44                      SR, RC=1, length 12 words; SSRC
e6 d2 c8 a0  80 00 00 00                      NTP timestamp
00 00 06 40  00 00 00 0a  00 00 06 40         RTP time, packets, octets
55 66 77 88  19 00 00 03  00 01 00 2a         block: SSRC, fraction 25 lost 3, ext seq
00 00 00 10  c8 a0 40 00  00 01 80 00         jitter 16, LSR, DLSR 1.5 s
81 ca 00 04  11 22 33 44                      SDES, SC=1, length 4 words; chunk SSRC
01 07 70 62  78 40 62 6f  78 00               CNAME "pbx@box", end of items
`

func TestAppendSRWireFormat(t *testing.T) {
	want := unhex(t, stripComments(srWire))
	info := SenderInfo{NTP: 0xe6d2c8a0_80000000, RTPTime: 1600, Packets: 10, Octets: 1600}
	blocks := []ReportBlock{{SSRC: 0x55667788, FractionLost: 25, TotalLost: 3, LastSeq: 0x1002a, Jitter: 16, LSR: 0xc8a04000, DLSR: 0x18000}}
	got, err := AppendSR(nil, 0x11223344, info, blocks, "pbx@box")
	if err != nil {
		t.Fatal(err)
	}
	// want ends at "00" terminator; the chunk pads to 32 bits with nulls.
	want = append(want, make([]byte, (4-len(want)%4)%4)...)
	if !bytes.Equal(got, want) {
		t.Errorf("AppendSR =\n%x\nwant\n%x", got, want)
	}
}

// stripComments keeps the hex pairs of each line (the part before two
// spaces followed by a letter-led comment is all hex anyway).
func stripComments(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, f := range strings.Fields(line) {
			if len(f) != 2 {
				break
			}
			if _, err := hex.DecodeString(f); err != nil {
				break
			}
			out = append(out, f)
		}
	}
	return strings.Join(out, "")
}

func collect(t *testing.T, p *Parser, b []byte) []Report {
	t.Helper()
	var got []Report
	err := p.Parse(b, func(r Report) {
		r.Blocks = append([]ReportBlock(nil), r.Blocks...)
		r.Sources = append([]uint32(nil), r.Sources...)
		r.CNAME = bytes.Clone(r.CNAME)
		r.Reason = bytes.Clone(r.Reason)
		got = append(got, r)
	})
	if err != nil {
		t.Fatalf("Parse(%x): %v", b, err)
	}
	return got
}

func TestRoundTrip(t *testing.T) {
	blocks := []ReportBlock{
		{SSRC: 1, FractionLost: 255, TotalLost: -5, LastSeq: 70000, Jitter: 300, LSR: 7, DLSR: 9},
		{SSRC: 2, TotalLost: 0x7fffff, LastSeq: 1},
	}
	info := SenderInfo{NTP: NTPTime(t0), RTPTime: 123456, Packets: 50, Octets: 8000}
	var p Parser

	sr, err := AppendSR(nil, 42, info, blocks, "leg-1@deskline")
	if err != nil {
		t.Fatal(err)
	}
	sr, err = AppendBYE(sr, []uint32{42}, "hangup")
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, &p, sr)
	want := []Report{
		{Type: TypeSR, SSRC: 42, Sender: info, Blocks: blocks, Sources: []uint32{}},
		{Type: TypeSDES, SSRC: 42, CNAME: []byte("leg-1@deskline"), Blocks: []ReportBlock{}, Sources: []uint32{}},
		{Type: TypeBYE, Blocks: []ReportBlock{}, Sources: []uint32{42}, Reason: []byte("hangup")},
	}
	normalize(got)
	normalize(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SR+BYE round trip:\n got %+v\nwant %+v", got, want)
	}

	rr, err := AppendRR(nil, 43, blocks[:1], "")
	if err != nil {
		t.Fatal(err)
	}
	got = collect(t, &p, rr)
	normalize(got)
	want = []Report{
		{Type: TypeRR, SSRC: 43, Blocks: blocks[:1]},
		{Type: TypeSDES, SSRC: 43, CNAME: []byte{}},
	}
	normalize(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RR round trip:\n got %+v\nwant %+v", got, want)
	}
}

// normalize makes nil and empty slices compare equal.
func normalize(rs []Report) {
	for i := range rs {
		if len(rs[i].Blocks) == 0 {
			rs[i].Blocks = nil
		}
		if len(rs[i].Sources) == 0 {
			rs[i].Sources = nil
		}
		if rs[i].Reason != nil && len(rs[i].Reason) == 0 {
			rs[i].Reason = nil
		}
	}
}

func TestAppendErrors(t *testing.T) {
	buf := []byte("keep")
	if got, err := AppendRR(buf, 1, make([]ReportBlock, 32), ""); !errors.Is(err, ErrTooManyBlocks) || string(got) != "keep" {
		t.Errorf("AppendRR with 32 blocks = %q, %v; want buf unchanged, ErrTooManyBlocks", got, err)
	}
	if _, err := AppendSR(nil, 1, SenderInfo{}, nil, strings.Repeat("x", 256)); !errors.Is(err, ErrTextTooLong) {
		t.Errorf("AppendSR with 256-octet CNAME: %v, want ErrTextTooLong", err)
	}
	if _, err := AppendBYE(nil, nil, strings.Repeat("x", 300)); !errors.Is(err, ErrTextTooLong) {
		t.Errorf("AppendBYE with long reason: %v, want ErrTextTooLong", err)
	}
	// The largest legal packets parse back.
	b, err := AppendSR(nil, 1, SenderInfo{}, make([]ReportBlock, 31), strings.Repeat("x", 255))
	if err != nil {
		t.Fatal(err)
	}
	if err := Parse(b, nil); err != nil {
		t.Errorf("Parse of 31-block SR with 255-octet CNAME: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	rr, _ := AppendRR(nil, 1, []ReportBlock{{SSRC: 2}}, "a")
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(rr)) }
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"three octets", rr[:3], ErrShort},
		{"version 1", mod(func(b []byte) []byte { b[0] = 1<<6 | 1; return b }), ErrVersion},
		{"length past end", mod(func(b []byte) []byte { b[3] = 40; return b }), ErrLength},
		{"truncated datagram", rr[:len(rr)-4], ErrLength},
		{"trailing garbage", append(bytes.Clone(rr), 0x80), ErrShort},
		{"count exceeds length", mod(func(b []byte) []byte { b[0] = 0x80 | 5; return b }), ErrShort},
		{"SDES first", rr[32:], ErrFirst},
		{"padding not last", mod(func(b []byte) []byte { b[0] |= 0x20; return b }), ErrPadding},
		{"padding count zero", unhex(t, "a0c90002 00000001 00000000"), ErrPadding},
		{"padding count too big", unhex(t, "a0c90002 00000001 00000009"), ErrPadding},
		{"SDES item past chunk", mod(func(b []byte) []byte { b[41] = 9; return b }), ErrSDES},
		{"SDES chunk without end", unhex(t, "80c90001 00000009 81ca0002 00000001 01020000"), ErrSDES},
		{"BYE reason past end", unhex(t, "80c90001 00000009 81cb0002 00000001 05616200"), ErrShort},
	}
	var p Parser
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			err := p.Parse(tt.b, func(Report) { called = true })
			if err != tt.want {
				t.Errorf("Parse(%x) = %v, want %v", tt.b, err, tt.want)
			}
			if called {
				t.Error("callback called for a malformed compound packet")
			}
		})
	}
}

func TestParseSkipsAPPAndUnknown(t *testing.T) {
	b, _ := AppendRR(nil, 9, nil, "x")
	// APP (204) with name "TEST", then XR (207) with one word, last with padding.
	b = append(b, unhex(t, "80cc0002 00000009 54455354")...)
	b = append(b, unhex(t, "a0cf0002 00000009 00000004")...)
	var types []PacketType
	if err := Parse(b, func(r Report) { types = append(types, r.Type) }); err != nil {
		t.Fatal(err)
	}
	if want := []PacketType{TypeRR, TypeSDES}; !reflect.DeepEqual(types, want) {
		t.Errorf("reports = %v, want %v", types, want)
	}
	p := Parser{ReducedSize: true}
	if err := p.Parse(unhex(t, "81cb0001 00000009"), nil); err != nil {
		t.Errorf("reduced-size BYE alone: %v", err)
	}
}

func TestParseEveryPrefix(t *testing.T) {
	b, _ := AppendSR(nil, 1, SenderInfo{NTP: 5}, make([]ReportBlock, 3), "someone@example")
	b, _ = AppendBYE(b, []uint32{1, 2}, "bye")
	var p Parser
	for i := range len(b) {
		// Any prefix is either a valid compound (ends on a packet
		// boundary) or an error; it never panics.
		_ = p.Parse(b[:i], func(Report) {})
	}
	if err := p.Parse(b, func(Report) {}); err != nil {
		t.Errorf("whole packet: %v", err)
	}
}

func TestMarshalParseAllocs(t *testing.T) {
	blocks := []ReportBlock{{SSRC: 1}, {SSRC: 2}}
	buf := make([]byte, 0, 1500)
	var p Parser
	n := 0
	fn := func(r Report) { n += len(r.Blocks) }
	a := testing.AllocsPerRun(200, func() {
		b, _ := AppendSR(buf[:0], 7, SenderInfo{}, blocks, "cname@host")
		b, _ = AppendRR(b, 7, blocks, "cname@host")
		b, _ = AppendBYE(b, []uint32{7}, "")
		if err := p.Parse(b, fn); err != nil {
			t.Fatal(err)
		}
	})
	if a != 0 {
		t.Errorf("append and parse allocate %v times, want 0", a)
	}
}

func TestRTT(t *testing.T) {
	s := NewSender(1, 8000)
	for i := range 50 {
		s.Sent(uint32(i*160), 160, t0.Add(time.Duration(i)*20*time.Millisecond))
	}
	sentAt := t0.Add(time.Second)
	info := s.Info(sentAt)
	if want := uint32(49*160 + 160*(1000-980)/20); info.RTPTime != want {
		t.Errorf("SR RTP time = %d, want %d (extrapolated to the report)", info.RTPTime, want)
	}
	if info.Packets != 50 || info.Octets != 8000 {
		t.Errorf("SR counts = %d packets %d octets, want 50 and 8000", info.Packets, info.Octets)
	}
	// The peer receives the SR 40 ms later, holds it 1.5 s, replies; its
	// report arrives 40 ms after that: RTT 80 ms.
	peer := NewReceiver(1, 8000)
	feed(peer, seqRange(0, 5))
	peer.OnSR(info.NTP, sentAt.Add(40*time.Millisecond))
	b, _ := peer.Report(sentAt.Add(1540 * time.Millisecond))
	arrival := sentAt.Add(1580 * time.Millisecond)
	rtt, ok := s.RTT(b, arrival)
	if !ok || rtt < 79*time.Millisecond || rtt > 81*time.Millisecond {
		t.Errorf("Sender.RTT = %v, %v; want 80ms", rtt, ok)
	}
	rtt, ok = RTT(b.LSR, b.DLSR, NTPMiddle(NTPTime(arrival)))
	if !ok || rtt < 79*time.Millisecond || rtt > 81*time.Millisecond {
		t.Errorf("RTT from NTP fields = %v, %v; want 80ms", rtt, ok)
	}
	if _, ok := s.RTT(ReportBlock{LSR: 12345}, arrival); ok {
		t.Error("RTT of a block naming an SR we never sent: ok")
	}
	if _, ok := RTT(0, 0, 5); ok {
		t.Error("RTT without LSR: ok")
	}
}

func TestNTP(t *testing.T) {
	for _, tm := range []time.Time{t0, time.Unix(0, 0), time.Date(2036, 2, 7, 6, 28, 15, 999_999_000, time.UTC)} {
		n := NTPTime(tm)
		if back := NTPToTime(n); back.Sub(tm).Abs() > time.Nanosecond {
			t.Errorf("NTPToTime(NTPTime(%v)) = %v", tm, back)
		}
	}
	if got := NTPTime(time.Unix(0, 500_000_000)); got != 2208988800<<32|1<<31 {
		t.Errorf("NTPTime(1970 + 0.5 s) = %#x", got)
	}
}

func TestInterval(t *testing.T) {
	two := IntervalParams{Members: 2, Senders: 2, WeSent: true}
	tests := []struct {
		name     string
		p        IntervalParams
		rnd      float64
		min, max time.Duration
	}{
		{"two party low", two, 0, 2050 * time.Millisecond, 2053 * time.Millisecond},
		{"two party mid", two, 0.5, 4104 * time.Millisecond, 4105 * time.Millisecond},
		{"two party high", two, 0.999999, 6155 * time.Millisecond, 6158 * time.Millisecond},
		{"initial halves", IntervalParams{Members: 2, Senders: 2, Initial: true}, 0.5, 2052 * time.Millisecond, 2053 * time.Millisecond},
		// 100 listeners, one sender, low bandwidth: beyond the minimum.
		{"large group", IntervalParams{Members: 100, Senders: 1, Bandwidth: 2000, AvgSize: 200}, 0.5, 216 * time.Second, 217 * time.Second},
	}
	for _, tt := range tests {
		if got := Interval(tt.p, tt.rnd); got < tt.min || got > tt.max {
			t.Errorf("%s: Interval = %v, want %v..%v", tt.name, got, tt.min, tt.max)
		}
	}
}
