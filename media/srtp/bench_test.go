package srtp

import "testing"

// BenchmarkProtect measures the per-frame cost of encrypting one 20 ms
// G.711 packet (172 bytes) into a preallocated buffer.
func BenchmarkProtect(b *testing.B) {
	for _, s := range Suites() {
		b.Run(s, func(b *testing.B) {
			box, _ := legs(b, s)
			pkt := g711Packet(b, 1, 1)
			dst := make([]byte, 0, 1500)
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for i := 0; b.Loop(); i++ {
				pkt[2], pkt[3] = byte(i>>8), byte(i)
				if _, err := box.Protect(dst, pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnprotect measures authenticating and decrypting one 20 ms
// G.711 packet, with replay protection, into a preallocated buffer.
func BenchmarkUnprotect(b *testing.B) {
	for _, s := range Suites() {
		b.Run(s, func(b *testing.B) {
			box, phone := legs(b, s)
			// Enough distinct packets that the replay window never
			// rejects one: the sequence wraps after 65536.
			const n = 1 << 16
			pkts := make([][]byte, n)
			for i := range pkts {
				p := g711Packet(b, 1, uint16(i))
				var err error
				if pkts[i], err = phone.Protect(nil, p); err != nil {
					b.Fatal(err)
				}
			}
			dst := make([]byte, 0, 1500)
			b.ReportAllocs()
			b.SetBytes(int64(len(pkts[0])))
			i := 0
			for b.Loop() {
				if i == n {
					// A new SSRC state would be needed to go round again.
					b.StopTimer()
					box, phone = legs(b, s)
					for j := range pkts {
						pkts[j], _ = phone.Protect(pkts[j][:0], g711Packet(b, 1, uint16(j)))
					}
					i = 0
					b.StartTimer()
				}
				if _, err := box.Unprotect(dst, pkts[i]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
