package routing

import (
	"fmt"
	"testing"
	"time"
)

// plan50 has 50 outbound routes of two patterns each; the numbers the
// benchmarks dial match only the last one.
func plan50(b *testing.B, lim *Limiter) *Plan {
	c := Config{Country: "DE", Trunks: []string{"a", "b", "c"}}
	for i := range 50 {
		c.Outbound = append(c.Outbound, OutboundRoute{
			Name:      fmt.Sprintf("r%02d", i),
			Trunks:    []string{"a", "b", "c"},
			Emergency: i == 0,
			Patterns: []PatternRule{
				{Prefix: "0", Pattern: fmt.Sprintf("_0%02dXXXXXX.", i), Strip: 1, Prepend: "+49"},
				{Prefix: "0", Pattern: fmt.Sprintf("_00%02d[1-5]XX!", i), Strip: 2, Prepend: "+"},
			},
		})
	}
	return mustPlan(b, c, lim)
}

func BenchmarkOutbound50Routes(b *testing.B) {
	for _, bc := range []struct {
		name string
		lim  *Limiter
	}{
		{"nolimiter", nil},
		{"limiter", NewLimiter(Limits{BurstCalls: -1, ExtensionPerHour: -1}, nil)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := plan50(b, bc.lim)
			from := Caller{Extension: "1001", Class: ClassInternational}
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			for b.Loop() {
				dec, err := p.Outbound("0049123456789", from, now)
				if err != nil || dec.Route != "r49" {
					b.Fatalf("Outbound = %+v, %v", dec, err)
				}
			}
		})
	}
}

func BenchmarkProgress50Routes(b *testing.B) {
	p := plan50(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		p.Progress("00491234")
	}
}

func BenchmarkInbound(b *testing.B) {
	p := mustPlan(b, frConfig(), nil)
	b.ReportAllocs()
	for b.Loop() {
		p.Inbound("+33142685300", "+33145678901", monday10)
	}
}
