// Command benchreport turns `go test -bench -benchmem -count N` output into
// the short report `make bench` prints: the median of each benchmark's runs,
// and the relay's cost as a ratio to the plain UDP copy measured in the same
// process (BenchmarkBaselineUDPCopy), which cancels out the machine's speed.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type result struct{ ns, bytes, allocs []float64 }

func main() {
	res := map[string]*result{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // drop the -GOMAXPROCS suffix
		}
		r := res[name]
		if r == nil {
			r = &result{}
			res[name] = r
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.ns = append(r.ns, v)
			case "B/op":
				r.bytes = append(r.bytes, v)
			case "allocs/op":
				r.allocs = append(r.allocs, v)
			}
		}
	}
	fmt.Printf("%-44s %14s %10s %10s %5s\n", "benchmark (median of runs)", "ns/op", "B/op", "allocs/op", "runs")
	for _, n := range order {
		r := res[n]
		fmt.Printf("%-44s %14.0f %10.0f %10.0f %5d\n", n, median(r.ns), median(r.bytes), median(r.allocs), len(r.ns))
	}
	base := res["BenchmarkBaselineUDPCopy"]
	if base == nil || len(base.ns) == 0 {
		return
	}
	fmt.Println("\nrelay cost against a plain UDP copy in the same process (1.00 = no cost):")
	for _, n := range []string{"BenchmarkRelayPCMU", "BenchmarkRelayTranscode"} {
		if r := res[n]; r != nil && len(r.ns) > 0 {
			fmt.Printf("  %-28s %.2f x baseline\n", strings.TrimPrefix(n, "Benchmark"), median(r.ns)/median(base.ns))
		}
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
