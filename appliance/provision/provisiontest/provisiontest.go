// Package provisiontest checks that an implementation of provision.Store
// keeps the contract Service relies on. The integrator runs it against its
// persistent store; provision runs it against MemStore.
//
// Imports: the standard library and deskline/appliance/provision.
// Importers: tests only.
package provisiontest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"deskline/appliance/provision"
)

// TestStore runs the contract on a store that must start empty; each
// failure names the rule broken.
func TestStore(t *testing.T, s provision.Store) {
	t.Helper()
	a, _ := provision.ParseMAC("80:5e:c0:00:00:01")
	b, _ := provision.ParseMAC("00:0b:82:00:00:02")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	if _, err := s.Get(a); !errors.Is(err, provision.ErrNotFound) {
		t.Fatalf("Get of an absent MAC = %v; rule: it returns ErrNotFound", err)
	}
	pa := provision.Phone{MAC: a, Vendor: provision.Yealink, Extension: "201", BLF: []string{"202", "203"},
		Username: "pu", Password: "pp", Assigned: now, LastSeen: now, LastAddr: "10.0.0.1", UserAgent: "ua"}
	pb := provision.Phone{MAC: b, Vendor: provision.Grandstream, Extension: "202", Assigned: now}
	for _, p := range []provision.Phone{pa, pb} {
		if err := s.Put(p); err != nil {
			t.Fatalf("Put(%s): %v", p.MAC, err)
		}
	}
	got, err := s.Get(a)
	if err != nil || !samePhone(got, pa) {
		t.Fatalf("Get after Put = %+v, %v; rule: a phone reads back as written", got, err)
	}
	got.BLF[0] = "999"
	if again, _ := s.Get(a); again.BLF[0] != "202" {
		t.Fatalf("changing a returned phone changed the store; rule: returned values do not alias it")
	}
	pa.Extension = "204"
	if err := s.Put(pa); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(a); got.Extension != "204" {
		t.Fatalf("Put of an existing MAC did not replace it; rule: Put overwrites")
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %d phones, %v; rule: List returns every phone", len(list), err)
	}
	if err := s.Delete(a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(a); !errors.Is(err, provision.ErrNotFound) {
		t.Fatalf("Get after Delete = %v; rule: a deleted phone is gone", err)
	}

	sa := provision.Seen{MAC: a, Vendor: provision.Yealink, File: "805ec0000001.cfg", Addr: "10.0.0.2", First: now, Last: now, Count: 1}
	sb := provision.Seen{MAC: b, File: "cfg000b82000002.xml", Addr: "10.0.0.3", First: now, Last: now, Count: 3}
	for _, e := range []provision.Seen{sa, sb} {
		if err := s.PutSeen(e); err != nil {
			t.Fatalf("PutSeen(%s): %v", e.MAC, err)
		}
	}
	sa.Count = 2
	if err := s.PutSeen(sa); err != nil {
		t.Fatal(err)
	}
	seen, err := s.ListSeen()
	if err != nil || len(seen) != 2 {
		t.Fatalf("ListSeen = %d entries, %v; rule: one entry per MAC", len(seen), err)
	}
	i := slices.IndexFunc(seen, func(e provision.Seen) bool { return e.MAC == a })
	if i < 0 || seen[i].Count != 2 || seen[i].File != sa.File || !seen[i].Last.Equal(now) {
		t.Fatalf("ListSeen = %+v; rule: PutSeen replaces the entry of its MAC", seen)
	}
	if err := s.DeleteSeen(a); err != nil {
		t.Fatal(err)
	}
	if seen, _ := s.ListSeen(); len(seen) != 1 || seen[0].MAC != b {
		t.Fatalf("ListSeen after DeleteSeen = %+v; rule: a deleted entry is gone", seen)
	}
}

func samePhone(a, b provision.Phone) bool {
	return a.MAC == b.MAC && a.Vendor == b.Vendor && a.Extension == b.Extension && slices.Equal(a.BLF, b.BLF) &&
		a.Username == b.Username && a.Password == b.Password && a.Assigned.Equal(b.Assigned) &&
		a.LastSeen.Equal(b.LastSeen) && a.LastAddr == b.LastAddr && a.UserAgent == b.UserAgent && a.Enrolled == b.Enrolled
}
