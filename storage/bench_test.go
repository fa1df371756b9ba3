package storage

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkLogAppendParallel measures Append from many goroutines, the CDR
// and queue log case: batching shares each commit's fsyncs between callers.
func BenchmarkLogAppendParallel(b *testing.B) {
	db := openTest(b, nil)
	l, err := NewLog[call](db, "cdr")
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(32) // 32 × GOMAXPROCS concurrent callers
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		now := time.Now()
		for i := 0; pb.Next(); i++ {
			if _, err := l.Append(now, call{From: "1001", N: i}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCollectionPut measures one Put, which is one committed
// transaction (two fsyncs).
func BenchmarkCollectionPut(b *testing.B) {
	db := openTest(b, nil)
	c, err := NewCollection[agent](db, "agents")
	if err != nil {
		b.Fatal(err)
	}
	a := agent{ID: "1001", Name: "Ann", Queue: "sales", Tags: []string{"fr", "en"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.Put(strconv.Itoa(i%1000), a); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLogAppendSerial measures a lone appender, which waits out the
// batch delay (10 ms) before each commit.
func BenchmarkLogAppendSerial(b *testing.B) {
	db := openTest(b, nil)
	l, err := NewLog[call](db, "cdr")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	now := time.Now()
	for b.Loop() {
		if _, err := l.Append(now, call{From: "1001"}); err != nil {
			b.Fatal(err)
		}
	}
}
