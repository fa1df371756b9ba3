package storage

import (
	"errors"
	"go.etcd.io/bbolt"
	"reflect"
	"strings"
	"testing"
)

func TestCollectionCRUD(t *testing.T) {
	db := openTest(t, nil)
	agents, err := NewCollection[agent](db, "agents")
	if err != nil {
		t.Fatal(err)
	}
	a := agent{ID: "1001", Name: "Ann", Tags: []string{"fr"}}
	if err := agents.Create(a.ID, a); err != nil {
		t.Fatalf("Create = %v", err)
	}
	wantErr(t, "second Create", agents.Create(a.ID, a), ErrExists)
	got, err := agents.Get("1001")
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("Get = %+v, %v, want %+v", got, err, a)
	}
	_, err = agents.Get("nope")
	wantErr(t, "Get(missing)", err, ErrNotFound)
	if err == nil || !strings.HasPrefix(err.Error(), "storage: ") {
		t.Errorf("error %q lacks the storage: prefix", err)
	}

	if err := agents.Put("1000", agent{ID: "1000", Name: "Bob"}); err != nil {
		t.Fatalf("Put = %v", err)
	}
	if err := agents.Put("1000", agent{ID: "1000", Name: "Bob B."}); err != nil {
		t.Fatalf("Put(again) = %v", err)
	}
	if err := agents.Update("1001", func(v *agent) error { v.Queue = "sales"; return nil }); err != nil {
		t.Fatalf("Update = %v", err)
	}
	wantErr(t, "Update(missing)", agents.Update("x", func(*agent) error { return nil }), ErrNotFound)

	list, err := agents.List()
	want := []agent{{ID: "1000", Name: "Bob B."}, {ID: "1001", Name: "Ann", Queue: "sales", Tags: []string{"fr"}}}
	if err != nil || !reflect.DeepEqual(list, want) {
		t.Fatalf("List = %+v, %v, want %+v", list, err, want)
	}
	if keys, err := agents.Keys(); err != nil || !reflect.DeepEqual(keys, []string{"1000", "1001"}) {
		t.Errorf("Keys = %v, %v", keys, err)
	}
	if n, err := agents.Len(); n != 2 || err != nil {
		t.Errorf("Len = %d, %v, want 2", n, err)
	}
	if err := agents.Delete("1000"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	wantErr(t, "Delete(again)", agents.Delete("1000"), ErrNotFound)
	if n, _ := agents.Len(); n != 1 {
		t.Errorf("Len after Delete = %d, want 1", n)
	}
	wantErr(t, "Put(empty key)", agents.Put("", a), ErrInvalidKey)
	_, err = agents.Get("")
	wantErr(t, "Get(empty key)", err, ErrInvalidKey)
}

func TestCollectionNames(t *testing.T) {
	db := openTest(t, nil)
	for _, name := range []string{"", "_meta", "a/b", "with space", ".x", strings.Repeat("a", 65)} {
		_, err := NewCollection[agent](db, name)
		wantErr(t, "NewCollection("+name+")", err, ErrInvalidName)
	}
	if _, err := NewLog[agent](db, "cdr"); err != nil {
		t.Fatal(err)
	}
	_, err := NewCollection[agent](db, "cdr")
	wantErr(t, "NewCollection(name of a log)", err, ErrWrongKind)
	if _, err := NewCollection[agent](db, "agents"); err != nil {
		t.Fatal(err)
	}
	_, err = NewLog[agent](db, "agents")
	wantErr(t, "NewLog(name of a collection)", err, ErrWrongKind)
}

func TestCollectionUpdateAbort(t *testing.T) {
	db := openTest(t, nil)
	agents, _ := NewCollection[agent](db, "agents")
	agents.Put("1", agent{ID: "1", Name: "Ann"})
	boom := errors.New("boom")
	err := agents.Update("1", func(v *agent) error {
		v.Name = "changed"
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v, want the fn's error unchanged", err)
	}
	if got, _ := agents.Get("1"); got.Name != "Ann" {
		t.Errorf("after aborted Update, Name = %q, want Ann", got.Name)
	}
}

func TestInTxAtomic(t *testing.T) {
	db := openTest(t, nil)
	agents, _ := NewCollection[agent](db, "agents")
	queues, _ := NewCollection[string](db, "queues")
	boom := errors.New("boom")

	// A failure after writes to both collections keeps neither.
	err := db.Update(func(tx *Tx) error {
		if err := agents.In(tx).Put("1", agent{ID: "1"}); err != nil {
			return err
		}
		if err := queues.In(tx).Put("sales", "Sales"); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v, want boom", err)
	}
	for _, n := range []func() (int, error){agents.Len, queues.Len} {
		if got, _ := n(); got != 0 {
			t.Errorf("after aborted tx, Len = %d, want 0", got)
		}
	}

	// A panic aborts as well.
	func() {
		defer func() { recover() }()
		db.Update(func(tx *Tx) error {
			agents.In(tx).Put("1", agent{ID: "1"})
			panic("boom")
		})
	}()
	if n, _ := agents.Len(); n != 0 {
		t.Errorf("after panicking tx, Len = %d, want 0", n)
	}

	// Success commits both; a Create conflict inside aborts the rest.
	err = db.Update(func(tx *Tx) error {
		if err := agents.In(tx).Create("1", agent{ID: "1"}); err != nil {
			return err
		}
		return queues.In(tx).Create("sales", "Sales")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *Tx) error {
		if err := agents.In(tx).Create("2", agent{ID: "2"}); err != nil {
			return err
		}
		return queues.In(tx).Create("sales", "again")
	})
	wantErr(t, "tx with Create conflict", err, ErrExists)
	if _, err := agents.Get("2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("agent 2 written by a failed tx: %v", err)
	}

	// View refuses writes and sees committed values.
	err = db.View(func(tx *Tx) error {
		if tx.Writable() {
			t.Error("View tx is writable")
		}
		if q, err := queues.In(tx).Get("sales"); err != nil || q != "Sales" {
			t.Errorf("Get in View = %q, %v", q, err)
		}
		return agents.In(tx).Put("3", agent{})
	})
	wantErr(t, "Put in View", err, ErrReadOnly)
	if got := func() []string {
		var b []string
		db.View(func(tx *Tx) error { b = tx.Buckets(); return nil })
		return b
	}(); !reflect.DeepEqual(got, []string{"agents", "queues"}) {
		t.Errorf("Buckets = %v", got)
	}
}

func TestCorruptValue(t *testing.T) {
	db := openTest(t, nil)
	agents, _ := NewCollection[agent](db, "agents")
	agents.Put("good", agent{ID: "good"})
	// Write bytes that are not JSON of an agent behind the collection's back.
	err := db.bolt.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket([]byte("agents")).Put([]byte("bad"), []byte(`{"id": 12`))
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = agents.Get("bad")
	wantErr(t, "Get(bad)", err, ErrCorrupt)
	if err != nil && (!strings.Contains(err.Error(), `"agents"`) || !strings.Contains(err.Error(), `"bad"`)) {
		t.Errorf("error %q does not name collection and key", err)
	}
	_, err = agents.List()
	wantErr(t, "List", err, ErrCorrupt)
	wantErr(t, "Update(bad)", agents.Update("bad", func(*agent) error { return nil }), ErrCorrupt)
	if _, err := agents.Get("good"); err != nil {
		t.Errorf("Get(good) = %v", err)
	}
	// A wrong type is as corrupt as broken JSON.
	nums, _ := NewCollection[int](db, "nums")
	db.bolt.Update(func(btx *bbolt.Tx) error { return btx.Bucket([]byte("nums")).Put([]byte("k"), []byte(`"text"`)) })
	_, err = nums.Get("k")
	wantErr(t, "Get(k) of wrong type", err, ErrCorrupt)
}

func TestCollectionIn(t *testing.T) {
	db := openTest(t, nil)
	err := db.Update(func(tx *Tx) error {
		c, err := CollectionIn[string](tx, "notes")
		if err != nil {
			return err
		}
		return c.Put("a", "x")
	})
	if err != nil {
		t.Fatal(err)
	}
	notes, err := NewCollection[string](db, "notes")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := notes.Get("a"); v != "x" || err != nil {
		t.Errorf("Get = %q, %v", v, err)
	}
	err = db.Update(func(tx *Tx) error { return tx.DeleteBucket("notes") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notes.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after DeleteBucket = %v", err)
	}
	wantErr(t, "DeleteBucket(missing)", db.Update(func(tx *Tx) error { return tx.DeleteBucket("notes") }), ErrNotFound)
}
