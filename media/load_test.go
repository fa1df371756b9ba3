//go:build linux

package media_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"deskline/media/internal/rtpload"
)

// genEnv makes the test binary the load generator of BenchmarkRelayLoad
// instead of running tests.
const genEnv = "DESKLINE_RTPLOAD_GEN"

func TestMain(m *testing.M) {
	if os.Getenv(genEnv) == "1" {
		os.Exit(rtpload.ChildMain(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// BenchmarkRelayLoad relays N concurrent G.711 calls (two legs each, 50
// packets/s each way) through Relays in this process, with this test
// binary re-started as the load generator in a child process (see package
// rtpload). Each sub-benchmark is one bounded run of a few seconds,
// whatever b.N is, preceded by a direct run of the same generator without
// the engine (the baseline).
//
// ns/op is the engine process's CPU time per relayed packet (not wall
// time); cpu-µs/pkt is the same in µs, core-% the engine's CPU as a share
// of one core. loss-% and p50-µs/p99-µs (send to kernel receive timestamp
// at the far phone) are the relayed run's; direct-p50-µs/direct-p99-µs are
// the baseline's, so the difference is what the engine adds. B/call and
// goroutines/call are the Go heap, goroutine stacks and goroutines per
// bridged call.
func BenchmarkRelayLoad(b *testing.B) {
	for _, n := range []int{100, 500, 1000, 1500} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			o := rtpload.Opts{
				Calls:    n,
				Warmup:   500 * time.Millisecond,
				Duration: 2 * time.Second,
				Command: func() *exec.Cmd {
					cmd := exec.Command(os.Args[0])
					cmd.Env = append(os.Environ(), genEnv+"=1")
					return cmd
				},
			}
			o.Direct = true
			direct, err := rtpload.Run(o)
			if err != nil {
				b.Fatal(err)
			}
			o.Direct = false
			r, err := rtpload.Run(o)
			if err != nil {
				b.Fatal(err)
			}
			if r.Misrouted != 0 {
				b.Fatalf("%d packets reached the wrong phone", r.Misrouted)
			}
			b.ReportMetric(r.CPUPerPacketUs*1000, "ns/op")
			b.ReportMetric(r.CPUPerPacketUs, "cpu-µs/pkt")
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
