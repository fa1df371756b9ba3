package storage_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"deskline/storage"
)

// Extension is a domain type: it belongs to the package that uses it, not to
// storage.
type Extension struct {
	Number string `json:"number"`
	Name   string `json:"name"`
}

type CallRecord struct {
	From, To string
	Seconds  int
}

func Example() {
	dir, err := os.MkdirTemp("", "deskline-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := storage.Open(filepath.Join(dir, "data"), &storage.Options{
		Migrations: []storage.Migration{{
			Version: 1,
			Name:    "create extensions",
			Apply: func(tx *storage.Tx) error {
				_, err := storage.CollectionIn[Extension](tx, "extensions")
				return err
			},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	exts, err := storage.NewCollection[Extension](db, "extensions")
	if err != nil {
		log.Fatal(err)
	}
	exts.Create("1001", Extension{Number: "1001", Name: "Reception"})
	exts.Create("1002", Extension{Number: "1002", Name: "Sales"})
	exts.Update("1002", func(e *Extension) error { e.Name = "Sales desk"; return nil })
	list, _ := exts.List()
	for _, e := range list {
		fmt.Println(e.Number, e.Name)
	}

	cdr, err := storage.NewLog[CallRecord](db, "cdr")
	if err != nil {
		log.Fatal(err)
	}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cdr.Append(start, CallRecord{From: "1001", To: "1002", Seconds: 42})
	cdr.Append(start.Add(time.Minute), CallRecord{From: "1002", To: "0612345678", Seconds: 7})
	last, _ := cdr.Last(1)
	fmt.Println("last call:", last[0].Value.From, "->", last[0].Value.To)

	db.WriteFile("voicemail/1001/0001.wav", strings.NewReader("RIFF..."))

	var backup bytes.Buffer
	if err := db.Backup(&backup); err != nil {
		log.Fatal(err)
	}
	m, err := storage.InspectBackup(bytes.NewReader(backup.Bytes()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("backup: schema", m.SchemaVersion, "extensions", m.Buckets["extensions"], "cdr", m.Buckets["cdr"], "files", len(m.Files))

	// Output:
	// 1001 Reception
	// 1002 Sales desk
	// last call: 1002 -> 0612345678
	// backup: schema 1 extensions 2 cdr 2 files 1
}
