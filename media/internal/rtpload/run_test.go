//go:build linux

package rtpload

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	MaybeChild()
	os.Exit(m.Run())
}

// A short run of a few calls through each engine delivers every packet
// sent in the window to the right phone, and the figures add up.
func TestRunDeliversEveryPacket(t *testing.T) {
	const calls = 4
	for _, engine := range []string{"direct", "relay", "copy"} {
		t.Run(engine, func(t *testing.T) {
			r, err := Run(Opts{
				Calls:    calls,
				Direct:   engine == "direct",
				Engine:   engine,
				Warmup:   200 * time.Millisecond,
				Duration: 400 * time.Millisecond,
				PortMin:  30000, PortMax: 39998,
				Command: SelfCommand(),
			})
			if err != nil {
				t.Fatal(err)
			}
			// 2 legs per call, 50 packets/s each, for 0.4 s: about 160.
			if want := 2 * calls * 50 * 4 / 10; r.Sent < uint64(want)*9/10 || r.Sent > uint64(want)*11/10 {
				t.Errorf("sent %d packets in the window, want about %d", r.Sent, want)
			}
			if r.Received != r.Sent || r.LossPct != 0 {
				t.Errorf("received %d of %d (loss %.2f%%), want all", r.Received, r.Sent, r.LossPct)
			}
			if r.Stray != 0 {
				t.Errorf("%d stray datagrams at the phones", r.Stray)
			}
			if r.P50us <= 0 || r.P99us < r.P50us || r.MaxUs < r.P99us {
				t.Errorf("latency p50 %v p99 %v max %v µs: want 0 < p50 <= p99 <= max", r.P50us, r.P99us, r.MaxUs)
			}
			if engine == "direct" {
				return
			}
			if r.Packets == 0 || r.CPUPerPacketUs <= 0 {
				t.Errorf("engine relayed %d packets at %v µs CPU each; want both above 0", r.Packets, r.CPUPerPacketUs)
			}
			if engine == "relay" && (r.GoroutinesPerCall < 3.5 || r.GoroutinesPerCall > 4.5) {
				t.Errorf("%.2f goroutines per call, want 4 (one per direction, one per leg's RTCP)", r.GoroutinesPerCall)
			}
		})
	}
}
