package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"go.etcd.io/bbolt"
)

// Log is an append-only sequence of values of type T stored as JSON, for
// records such as CDRs, the queue log and the audit trail. Records are keyed
// by their time (Unix nanoseconds) and then by a per-log sequence number, so
// records with equal times keep their append order.
//
// Appends from concurrent goroutines are committed together (bbolt's
// DB.Batch): one commit, and its two fsyncs, serves many records. The price is
// that a lone Append waits up to 10 ms for companions before committing.
type Log[T any] struct {
	db   *DB
	name string
}

// Record is one entry of a Log.
type Record[T any] struct {
	// ID identifies the record within its log; IDs sort in log order.
	ID    string
	Time  time.Time
	Value T
}

// Times a Log can store: the range of int64 Unix nanoseconds.
var (
	minLogTime = time.Unix(0, math.MinInt64)
	maxLogTime = time.Unix(0, math.MaxInt64)
)

const logKeySize = 16

// logKey encodes t and seq so that byte order is time order: the Unix
// nanoseconds with the sign bit flipped (so times before 1970 sort first),
// then the sequence, both big-endian.
func logKey(ns int64, seq uint64) []byte {
	k := make([]byte, logKeySize)
	binary.BigEndian.PutUint64(k, uint64(ns)^(1<<63))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

func logKeyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^(1<<63)))
}

// NewLog returns the log name of db, creating its bucket if needed. Names
// follow the rule of NewCollection and must not be in use by a Collection.
func NewLog[T any](db *DB, name string) (*Log[T], error) {
	if err := db.declare(name, kindLog); err != nil {
		return nil, err
	}
	return &Log[T]{db: db, name: name}, nil
}

// Name returns the log's name.
func (l *Log[T]) Name() string { return l.name }

// Append adds v at time at and returns the stored record once it is
// committed. at must lie within years 1678–2262 (ErrInvalidKey otherwise).
func (l *Log[T]) Append(at time.Time, v T) (Record[T], error) {
	if at.Before(minLogTime) || at.After(maxLogTime) {
		return Record[T]{}, fmt.Errorf("storage: log %q: append at %v: %w", l.name, at, ErrInvalidKey)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return Record[T]{}, fmt.Errorf("storage: log %q: append: %w", l.name, err)
	}
	ns := at.UnixNano()
	var key []byte
	// Batch may run this function more than once (when another call in the
	// batch fails); every run overwrites key, and only a committed run is
	// reported.
	err = l.db.bolt.Batch(func(btx *bbolt.Tx) error {
		b := btx.Bucket([]byte(l.name))
		if b == nil {
			var err error
			if b, err = ensureBucket(&Tx{tx: btx}, l.name, kindLog); err != nil {
				return err
			}
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		key = logKey(ns, seq)
		return b.Put(key, data)
	})
	if err != nil {
		return Record[T]{}, boltErr(fmt.Sprintf("log %q: append", l.name), err)
	}
	return Record[T]{ID: hex.EncodeToString(key), Time: logKeyTime(key), Value: v}, nil
}

func (l *Log[T]) record(k, data []byte) (Record[T], error) {
	r := Record[T]{ID: hex.EncodeToString(k)}
	if len(k) != logKeySize {
		return r, fmt.Errorf("storage: log %q record %s: %w: key length %d", l.name, r.ID, ErrCorrupt, len(k))
	}
	r.Time = logKeyTime(k)
	if err := json.Unmarshal(data, &r.Value); err != nil {
		return r, fmt.Errorf("storage: log %q record %s: %w: %v", l.name, r.ID, ErrCorrupt, err)
	}
	return r, nil
}

// Range calls fn for each record with from <= Time < to, oldest first, until
// fn returns false. fn runs inside a read transaction: it must not write to
// the store.
func (l *Log[T]) Range(from, to time.Time, fn func(Record[T]) bool) error {
	if !from.Before(to) {
		return nil
	}
	return l.db.View(func(tx *Tx) error {
		b := tx.tx.Bucket([]byte(l.name))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, data []byte
		if from.Before(minLogTime) {
			k, data = c.First()
		} else {
			k, data = c.Seek(logKey(from.UnixNano(), 0))
		}
		var end []byte
		if !to.After(maxLogTime) {
			end = logKey(to.UnixNano(), 0)
		}
		for ; k != nil; k, data = c.Next() {
			if end != nil && bytes.Compare(k, end) >= 0 {
				return nil
			}
			r, err := l.record(k, data)
			if err != nil {
				return err
			}
			if !fn(r) {
				return nil
			}
		}
		return nil
	})
}

// Last returns the newest n records, newest first.
func (l *Log[T]) Last(n int) ([]Record[T], error) {
	if n <= 0 {
		return nil, nil
	}
	var out []Record[T]
	err := l.db.View(func(tx *Tx) error {
		b := tx.tx.Bucket([]byte(l.name))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, data := c.Last(); k != nil && len(out) < n; k, data = c.Prev() {
			r, err := l.record(k, data)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Len returns the number of records.
func (l *Log[T]) Len() (n int, err error) {
	err = l.db.View(func(tx *Tx) error {
		if b := tx.tx.Bucket([]byte(l.name)); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}
