package storage

import (
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

// Collection is a set of values of type T stored as JSON, keyed by string,
// in one bucket named after the collection. Keys order lexically by bytes.
// Each method is one transaction; use In for several changes that must
// commit together. Methods are safe for concurrent use.
//
// Values are decoded into fresh memory, so a returned T never aliases the
// database. A stored value that fails to decode yields ErrCorrupt naming the
// collection and key.
type Collection[T any] struct {
	db   *DB
	name string
}

// NewCollection returns the collection name of db, creating its bucket if
// needed. name must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 64 bytes) and
// must not be in use by a Log.
func NewCollection[T any](db *DB, name string) (*Collection[T], error) {
	if err := db.declare(name, kindCollection); err != nil {
		return nil, err
	}
	return &Collection[T]{db: db, name: name}, nil
}

// Name returns the collection's name.
func (c *Collection[T]) Name() string { return c.name }

// In returns the collection inside tx, for changes that must commit together
// with others. The result is valid only while tx is.
func (c *Collection[T]) In(tx *Tx) *TxCollection[T] {
	return &TxCollection[T]{tx: tx, name: c.name}
}

// CollectionIn returns the collection name inside tx, creating it on first
// write if tx is writable. It serves migrations, which run before a *DB
// exists.
func CollectionIn[T any](tx *Tx, name string) (*TxCollection[T], error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkKind(tx, name, kindCollection); err != nil {
		return nil, err
	}
	return &TxCollection[T]{tx: tx, name: name}, nil
}

// Get returns the value stored under key, or ErrNotFound.
func (c *Collection[T]) Get(key string) (v T, err error) {
	err = c.db.View(func(tx *Tx) error {
		v, err = c.In(tx).Get(key)
		return err
	})
	return v, err
}

// Create stores v under key, or returns ErrExists if key is present.
func (c *Collection[T]) Create(key string, v T) error {
	return c.db.Update(func(tx *Tx) error { return c.In(tx).Create(key, v) })
}

// Put stores v under key, replacing any previous value.
func (c *Collection[T]) Put(key string, v T) error {
	return c.db.Update(func(tx *Tx) error { return c.In(tx).Put(key, v) })
}

// Update reads the value under key, passes it to fn and stores what fn leaves
// in it, all in one transaction. It returns ErrNotFound if key is absent. If
// fn returns an error, nothing is written and that error is returned.
func (c *Collection[T]) Update(key string, fn func(v *T) error) error {
	return c.db.Update(func(tx *Tx) error { return c.In(tx).Update(key, fn) })
}

// Delete removes key, or returns ErrNotFound.
func (c *Collection[T]) Delete(key string) error {
	return c.db.Update(func(tx *Tx) error { return c.In(tx).Delete(key) })
}

// List returns every value, ordered by key.
func (c *Collection[T]) List() (vs []T, err error) {
	err = c.db.View(func(tx *Tx) error {
		vs, err = c.In(tx).List()
		return err
	})
	return vs, err
}

// Keys returns every key, in order.
func (c *Collection[T]) Keys() (keys []string, err error) {
	err = c.db.View(func(tx *Tx) error {
		keys, err = c.In(tx).Keys()
		return err
	})
	return keys, err
}

// Len returns the number of values.
func (c *Collection[T]) Len() (n int, err error) {
	err = c.db.View(func(tx *Tx) error {
		n, err = c.In(tx).Len()
		return err
	})
	return n, err
}

// TxCollection is a Collection inside one transaction; see Collection.In.
// Writes fail with ErrReadOnly inside View.
type TxCollection[T any] struct {
	tx   *Tx
	name string
}

func (c *TxCollection[T]) errorf(op, key string, err error) error {
	return fmt.Errorf("storage: %s %q key %q: %w", op, c.name, key, err)
}

// Get returns the value stored under key, or ErrNotFound.
func (c *TxCollection[T]) Get(key string) (T, error) {
	var v T
	if err := checkKey(key); err != nil {
		return v, c.errorf("get", key, err)
	}
	b := c.tx.tx.Bucket([]byte(c.name))
	if b == nil {
		return v, c.errorf("get", key, ErrNotFound)
	}
	data := b.Get([]byte(key))
	if data == nil {
		return v, c.errorf("get", key, ErrNotFound)
	}
	return v, c.decode(key, data, &v)
}

func (c *TxCollection[T]) decode(key string, data []byte, v *T) error {
	// json.Unmarshal copies everything it keeps, so v does not alias data,
	// which is only valid inside the transaction.
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("storage: collection %q key %q: %w: %v", c.name, key, ErrCorrupt, err)
	}
	return nil
}

// Create stores v under key, or returns ErrExists if key is present.
func (c *TxCollection[T]) Create(key string, v T) error {
	b, err := c.writeBucket("create", key)
	if err != nil {
		return err
	}
	if b.Get([]byte(key)) != nil {
		return c.errorf("create", key, ErrExists)
	}
	return c.put(b, "create", key, v)
}

// Put stores v under key, replacing any previous value.
func (c *TxCollection[T]) Put(key string, v T) error {
	b, err := c.writeBucket("put", key)
	if err != nil {
		return err
	}
	return c.put(b, "put", key, v)
}

// Update reads the value under key, passes it to fn and stores the result.
// It returns ErrNotFound if key is absent; if fn fails, nothing is written
// and fn's error is returned. The caller's transaction decides whether the
// change commits.
func (c *TxCollection[T]) Update(key string, fn func(v *T) error) error {
	b, err := c.writeBucket("update", key)
	if err != nil {
		return err
	}
	data := b.Get([]byte(key))
	if data == nil {
		return c.errorf("update", key, ErrNotFound)
	}
	var v T
	if err := c.decode(key, data, &v); err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return c.put(b, "update", key, v)
}

// Delete removes key, or returns ErrNotFound.
func (c *TxCollection[T]) Delete(key string) error {
	b, err := c.writeBucket("delete", key)
	if err != nil {
		return err
	}
	if b.Get([]byte(key)) == nil {
		return c.errorf("delete", key, ErrNotFound)
	}
	if err := b.Delete([]byte(key)); err != nil {
		return c.errorf("delete", key, err)
	}
	return nil
}

// List returns every value, ordered by key.
func (c *TxCollection[T]) List() ([]T, error) {
	b := c.tx.tx.Bucket([]byte(c.name))
	if b == nil {
		return nil, nil
	}
	vs := make([]T, 0, b.Stats().KeyN)
	err := b.ForEach(func(k, data []byte) error {
		var v T
		if err := c.decode(string(k), data, &v); err != nil {
			return err
		}
		vs = append(vs, v)
		return nil
	})
	return vs, err
}

// Keys returns every key, in order.
func (c *TxCollection[T]) Keys() ([]string, error) {
	b := c.tx.tx.Bucket([]byte(c.name))
	if b == nil {
		return nil, nil
	}
	var keys []string
	err := b.ForEach(func(k, _ []byte) error {
		keys = append(keys, string(k))
		return nil
	})
	return keys, err
}

// Len returns the number of values.
func (c *TxCollection[T]) Len() (int, error) {
	b := c.tx.tx.Bucket([]byte(c.name))
	if b == nil {
		return 0, nil
	}
	return b.Stats().KeyN, nil
}

func (c *TxCollection[T]) writeBucket(op, key string) (*bbolt.Bucket, error) {
	if err := checkKey(key); err != nil {
		return nil, c.errorf(op, key, err)
	}
	if !c.tx.tx.Writable() {
		return nil, c.errorf(op, key, ErrReadOnly)
	}
	if b := c.tx.tx.Bucket([]byte(c.name)); b != nil {
		return b, nil
	}
	return ensureBucket(c.tx, c.name, kindCollection)
}

func (c *TxCollection[T]) put(b *bbolt.Bucket, op, key string, v T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return c.errorf(op, key, err)
	}
	if err := b.Put([]byte(key), data); err != nil {
		return c.errorf(op, key, err)
	}
	return nil
}

// checkName enforces the rule for collection and log names given in
// ErrInvalidName.
func checkName(name string) error {
	ok := len(name) > 0 && len(name) <= 64 && name[0] != '_' && name[0] != '.' && name[0] != '-'
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("storage: name %q: %w", name, ErrInvalidName)
	}
	return nil
}

func checkKey(key string) error {
	if len(key) == 0 || len(key) > bbolt.MaxKeySize {
		return ErrInvalidKey
	}
	return nil
}

// checkKind fails with ErrWrongKind if name is registered as another kind.
func checkKind(tx *Tx, name, kind string) error {
	m := tx.tx.Bucket(metaBucket)
	if m == nil {
		return nil
	}
	if got := m.Get([]byte(metaKindPrefix + name)); got != nil && string(got) != kind {
		return fmt.Errorf("storage: %s %q: %w: it is a %s", kind, name, ErrWrongKind, got)
	}
	return nil
}

// declare makes sure the bucket name exists as kind, writing (and paying for
// a commit) only the first time.
func (db *DB) declare(name, kind string) error {
	if err := checkName(name); err != nil {
		return err
	}
	exists := false
	err := db.View(func(tx *Tx) error {
		if err := checkKind(tx, name, kind); err != nil {
			return err
		}
		m := tx.tx.Bucket(metaBucket)
		exists = tx.tx.Bucket([]byte(name)) != nil && m != nil && m.Get([]byte(metaKindPrefix+name)) != nil
		return nil
	})
	if err != nil || exists {
		return err
	}
	return db.Update(func(tx *Tx) error {
		_, err := ensureBucket(tx, name, kind)
		return err
	})
}

// ensureBucket returns the bucket for name, creating it and recording its
// kind in the meta bucket if it does not exist. tx must be writable.
func ensureBucket(tx *Tx, name, kind string) (*bbolt.Bucket, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkKind(tx, name, kind); err != nil {
		return nil, err
	}
	if !tx.tx.Writable() {
		return nil, fmt.Errorf("storage: %s %q: %w", kind, name, ErrReadOnly)
	}
	m, err := tx.tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return nil, fmt.Errorf("storage: %s %q: %w", kind, name, err)
	}
	if err := m.Put([]byte(metaKindPrefix+name), []byte(kind)); err != nil {
		return nil, fmt.Errorf("storage: %s %q: %w", kind, name, err)
	}
	b, err := tx.tx.CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return nil, fmt.Errorf("storage: %s %q: %w", kind, name, err)
	}
	return b, nil
}
