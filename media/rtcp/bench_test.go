package rtcp

import "testing"

func BenchmarkParse(b *testing.B) {
	pkt, _ := AppendSR(nil, 1, SenderInfo{}, []ReportBlock{{SSRC: 2}}, "leg@deskline")
	var p Parser
	n := 0
	fn := func(r Report) { n++ }
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Parse(pkt, fn); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendSR(b *testing.B) {
	blocks := []ReportBlock{{SSRC: 2}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendSR(buf[:0], 1, SenderInfo{}, blocks, "leg@deskline")
	}
}
