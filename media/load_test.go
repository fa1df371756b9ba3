//go:build linux

package media_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"deskline/media/internal/rtpload"
)

// TestMain lets BenchmarkRelayLoad re-start the test binary as its load
// generator.
func TestMain(m *testing.M) {
	rtpload.MaybeChild()
	os.Exit(m.Run())
}

// BenchmarkRelayLoad relays N concurrent G.711 calls (two legs each, 50
// packets/s each way) through Relays in this process, with this test
// binary re-started as the load generator in a child process (see package
// rtpload). Each sub-benchmark is three bounded runs of a few seconds,
// whatever b.N is: the generator alone, phone to phone (direct); the same
// sockets forwarded by a plain read→write goroutine each (copy, the floor
// of kernel and Go runtime cost); and the media engine (relay).
//
// ns/op is the engine process's CPU time per relayed packet (not wall
// time); cpu-µs/pkt is the same in µs, x-copy its ratio to the copy floor
// measured side by side, core-% the engine's CPU as a share of one core.
// loss-% and p50-µs/p99-µs (send to kernel receive timestamp at the far
// phone) are the relay's; direct-p50-µs/direct-p99-µs are what loopback
// alone costs, so the difference is what the engine adds. B/call and
// goroutines/call are the Go heap, goroutine stacks and goroutines per
// bridged call. On a machine shared with other work, compare runs made
// side by side, not with figures from another time.
func BenchmarkRelayLoad(b *testing.B) {
	for _, n := range []int{100, 500, 1000, 1500} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			run := func(engine string) rtpload.Result {
				b.Helper()
				r, err := rtpload.Run(rtpload.Opts{
					Calls:    n,
					Direct:   engine == "direct",
					Engine:   engine,
					Warmup:   500 * time.Millisecond,
					Duration: 1500 * time.Millisecond,
					Command:  rtpload.SelfCommand(),
				})
				if err != nil {
					b.Fatal(err)
				}
				if r.Stray != 0 {
					b.Logf("%s: %d stray datagrams at the phones", engine, r.Stray)
				}
				return r
			}
			direct, floor, r := run("direct"), run("copy"), run("relay")
			b.ReportMetric(r.CPUPerPacketUs*1000, "ns/op")
			b.ReportMetric(r.CPUPerPacketUs, "cpu-µs/pkt")
			if floor.CPUPerPacketUs > 0 {
				b.ReportMetric(r.CPUPerPacketUs/floor.CPUPerPacketUs, "x-copy")
			}
			b.ReportMetric(r.CorePct, "core-%")
			b.ReportMetric(r.LossPct, "loss-%")
			b.ReportMetric(r.P50us, "p50-µs")
			b.ReportMetric(r.P99us, "p99-µs")
			b.ReportMetric(direct.P50us, "direct-p50-µs")
			b.ReportMetric(direct.P99us, "direct-p99-µs")
			b.ReportMetric(r.BytesPerCall, "B/call")
			b.ReportMetric(r.GoroutinesPerCall, "goroutines/call")
		})
	}
}
