package storage

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type call struct {
	From string `json:"from"`
	N    int    `json:"n"`
}

func TestLogOrderEqualTimes(t *testing.T) {
	db := openTest(t, nil)
	cdr, err := NewLog[call](db, "cdr")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		r, err := cdr.Append(at, call{From: "1001", N: i})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Time.Equal(at) || r.Value.N != i {
			t.Errorf("Append returned %+v", r)
		}
		ids = append(ids, r.ID)
	}
	// An earlier time appended later still sorts first.
	if _, err := cdr.Append(at.Add(-time.Second), call{N: -1}); err != nil {
		t.Fatal(err)
	}
	var got []int
	err = cdr.Range(time.Time{}, at.Add(time.Hour), func(r Record[call]) bool {
		got = append(got, r.Value.N)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[-1 0 1 2 3 4]" {
		t.Errorf("Range order = %v, want [-1 0 1 2 3 4]", got)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Errorf("IDs not increasing: %s then %s", ids[i-1], ids[i])
		}
	}
}

func TestLogConcurrentAppend(t *testing.T) {
	db := openTest(t, nil)
	cdr, _ := NewLog[call](db, "cdr")
	const workers, each = 8, 200
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Several writers share each timestamp.
				if _, err := cdr.Append(base.Add(time.Duration(i)*time.Millisecond), call{From: fmt.Sprint(w), N: i}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, _ := cdr.Len(); n != workers*each {
		t.Fatalf("Len = %d, want %d", n, workers*each)
	}
	// Time order overall, and each writer's own records in its order.
	last := map[string]int{}
	var prev Record[call]
	count := 0
	cdr.Range(base, base.Add(time.Hour), func(r Record[call]) bool {
		if count > 0 && (r.Time.Before(prev.Time) || r.ID <= prev.ID) {
			t.Errorf("record %s (%v) after %s (%v)", r.ID, r.Time, prev.ID, prev.Time)
		}
		if n, ok := last[r.Value.From]; ok && r.Value.N <= n {
			t.Errorf("writer %s: record %d after %d", r.Value.From, r.Value.N, n)
		}
		last[r.Value.From] = r.Value.N
		prev = r
		count++
		return true
	})
	if count != workers*each {
		t.Errorf("Range saw %d records, want %d", count, workers*each)
	}
}

func TestLogRangeBounds(t *testing.T) {
	db := openTest(t, nil)
	q, _ := NewLog[int](db, "queue_log")
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 10 {
		q.Append(t0.Add(time.Duration(i)*time.Second), i)
	}
	pre1970 := time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)
	if _, err := q.Append(pre1970, -1); err != nil {
		t.Fatal(err)
	}
	collect := func(from, to time.Time, limit int) []int {
		var got []int
		err := q.Range(from, to, func(r Record[int]) bool {
			got = append(got, r.Value)
			return len(got) < limit
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	sec := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		limit    int
		want     string
	}{
		{"half open", sec(2), sec(5), 100, "[2 3 4]"},
		{"nanosecond past to", sec(2), sec(4).Add(1), 100, "[2 3 4]"},
		{"from just after a record", sec(2).Add(1), sec(5), 100, "[3 4]"},
		{"empty when from == to", sec(3), sec(3), 100, "[]"},
		{"empty when reversed", sec(5), sec(2), 100, "[]"},
		{"everything", time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 100, "[-1 0 1 2 3 4 5 6 7 8 9]"},
		{"before 1970 sorts first", pre1970, sec(1), 100, "[-1 0]"},
		{"stops when fn says", sec(0), sec(10), 3, "[0 1 2]"},
		{"after the end", sec(10), sec(20), 100, "[]"},
	} {
		if got := fmt.Sprint(collect(tc.from, tc.to, tc.limit)); got != tc.want {
			t.Errorf("%s: Range(%v, %v) = %s, want %s", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
	_, err := q.Append(time.Time{}, 0)
	wantErr(t, "Append(zero time)", err, ErrInvalidKey)
}

func TestLogLast(t *testing.T) {
	db := openTest(t, nil)
	audit, _ := NewLog[string](db, "audit")
	if got, err := audit.Last(3); err != nil || len(got) != 0 {
		t.Errorf("Last on empty log = %v, %v", got, err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	for i, s := range []string{"a", "b", "c", "d"} {
		audit.Append(t0.Add(time.Duration(i)*time.Minute), s)
	}
	for _, tc := range []struct {
		n    int
		want string
	}{{0, ""}, {1, "d"}, {3, "dcb"}, {10, "dcba"}} {
		got, err := audit.Last(tc.n)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, r := range got {
			s += r.Value
		}
		if s != tc.want {
			t.Errorf("Last(%d) = %q, want %q", tc.n, s, tc.want)
		}
	}
}

func TestLogCorruptRecord(t *testing.T) {
	db := openTest(t, nil)
	l, _ := NewLog[int](db, "cdr")
	r, _ := l.Append(time.Unix(1, 0), 1)
	db.Update(func(tx *Tx) error {
		return tx.tx.Bucket([]byte("cdr")).Put(logKey(time.Unix(2, 0).UnixNano(), 99), []byte("{"))
	})
	_, err := l.Last(2)
	wantErr(t, "Last", err, ErrCorrupt)
	err = l.Range(time.Unix(0, 0), time.Unix(10, 0), func(Record[int]) bool { return true })
	wantErr(t, "Range", err, ErrCorrupt)
	// Records before the bad one stay readable.
	var ids []string
	err = l.Range(time.Unix(0, 0), time.Unix(2, 0), func(x Record[int]) bool { ids = append(ids, x.ID); return true })
	if err != nil || len(ids) != 1 || ids[0] != r.ID {
		t.Errorf("Range before the bad record = %v, %v; want [%s]", ids, err, r.ID)
	}
}
