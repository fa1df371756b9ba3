package rtcp

import (
	"testing"
)

// FuzzParse feeds arbitrary datagrams to a Parser: it must never panic,
// report only well-formed items, and accept again what it accepted once.
func FuzzParse(f *testing.F) {
	sr, _ := AppendSR(nil, 1, SenderInfo{NTP: 1 << 40, RTPTime: 160}, []ReportBlock{{SSRC: 2, TotalLost: -1}}, "a@b")
	f.Add(sr)
	rr, _ := AppendRR(nil, 3, nil, "")
	rr, _ = AppendBYE(rr, []uint32{3}, "x")
	f.Add(rr)
	f.Add([]byte{0x80, 0xc9, 0, 0})
	var p Parser
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, reduced := range []bool{false, true} {
			p.ReducedSize = reduced
			err := p.Parse(b, func(r Report) {
				switch r.Type {
				case TypeSR, TypeRR:
					if len(r.Blocks) > MaxBlocks {
						t.Fatalf("%d blocks", len(r.Blocks))
					}
				case TypeSDES:
					if len(r.CNAME) > 255 {
						t.Fatalf("CNAME of %d octets", len(r.CNAME))
					}
				case TypeBYE:
					if len(r.Sources) > MaxBlocks || len(r.Reason) > 255 {
						t.Fatalf("BYE with %d sources, %d-octet reason", len(r.Sources), len(r.Reason))
					}
				default:
					t.Fatalf("callback for type %d", r.Type)
				}
			})
			if err == nil && len(b) < 4 {
				t.Fatalf("accepted a %d-octet datagram", len(b))
			}
		}
	})
}
