//go:build linux

// Command rtpload measures the media engine relaying many concurrent G.711
// calls on loopback: per run it reports the engine's CPU per relayed
// packet, loss, and the latency from a phone's send to the far phone's
// kernel receive timestamp (p50/p99), with a direct phone-to-phone run of
// the same generator as the baseline, and memory and goroutines per
// bridged call.
//
//	rtpload -calls 100,500,1000,1500 -duration 5s
//	rtpload -calls 1500 -json
//
// It runs the engine itself and starts a copy of itself with -role gen as
// the generator, so the engine's CPU is this process's alone. Traffic stays
// on 127.0.0.0/8; every run stops by itself.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"deskline/media/internal/rtpload"
)

func main() {
	calls := flag.String("calls", "100,500,1000,1500", "comma-separated numbers of concurrent calls, one run each")
	duration := flag.Duration("duration", 3*time.Second, "measured window of each run (after a 1 s warm-up)")
	ports := flag.String("ports", "40000-49998", "the engine's RTP port range MIN-MAX (two ports per call)")
	direct := flag.Bool("direct", true, "also run the direct phone-to-phone baseline for each N")
	engines := flag.String("engine", "relay", "comma-separated engines to run for each N: relay (the media engine), copy or epoll (floors without RTP work)")
	asJSON := flag.Bool("json", false, "print one JSON object per run instead of a table")
	role := flag.String("role", "engine", "engine, or gen (the child the engine starts)")
	cpuprofile := flag.String("cpuprofile", "", "write the engine process's CPU profile to this file")
	flag.Parse()

	if *role == "gen" {
		os.Exit(rtpload.ChildMain(os.Stdin, os.Stdout))
	}
	if *role != "engine" {
		fatalf("unknown -role %q", *role)
	}
	ns, err := parseCalls(*calls)
	if err != nil {
		fatalf("%v", err)
	}
	var min, max int
	if _, err := fmt.Sscanf(*ports, "%d-%d", &min, &max); err != nil {
		fatalf("-ports %q: want MIN-MAX", *ports)
	}
	self, err := os.Executable()
	if err != nil {
		fatalf("%v", err)
	}
	o := rtpload.Opts{
		Duration: *duration, PortMin: min, PortMax: max,
		Command: func() *exec.Cmd { return exec.Command(self, "-role", "gen") },
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatalf("%v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatalf("%v", err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if !*asJSON {
		fmt.Printf("%-6s %-8s %7s %9s %7s %7s %7s %9s %9s %9s %9s %8s %7s %6s %9s %9s\n",
			"calls", "path", "pkt/s", "cpu-µs/p", "core%", "mach%", "loss%", "p50-µs", "p99-µs", "max-µs", "gen-core%", "B/call", "stack/c", "g/call", "drops:eng", "drops:gen")
	}
	paths := strings.Split(*engines, ",")
	if *direct {
		paths = append([]string{"direct"}, paths...)
	}
	for _, n := range ns {
		for _, path := range paths {
			o.Calls, o.Direct, o.Engine = n, path == "direct", path
			r, err := rtpload.Run(o)
			if err != nil {
				fatalf("%d calls: %v", n, err)
			}
			if *asJSON {
				json.NewEncoder(os.Stdout).Encode(r)
				continue
			}
			fmt.Printf("%-6d %-8s %7.0f %9.2f %7.1f %7.1f %7.3f %9.1f %9.1f %9.1f %9.1f %8.0f %7.0f %6.2f %9d %9d\n",
				n, path, r.PPS, r.CPUPerPacketUs, r.CorePct, r.MachinePct, r.LossPct, r.P50us, r.P99us, r.MaxUs, r.GenCorePct, r.BytesPerCall, r.StackPerCall, r.GoroutinesPerCall, r.EngineDrops, r.PhoneDrops)
			if r.Stray != 0 {
				fmt.Fprintf(os.Stderr, "rtpload: %d calls: %d stray datagrams at the phones\n", n, r.Stray)
			}
		}
	}
}

func parseCalls(s string) ([]int, error) {
	var ns []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-calls %q: want positive numbers separated by commas", s)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "rtpload: "+format+"\n", args...)
	os.Exit(1)
}
