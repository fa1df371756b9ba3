// Package storage is Deskline's embedded store on bbolt: typed collections of
// JSON values, schema versions and migrations, append-only logs keyed by time
// and sequence (CDR, queue log, audit), backup and restore, and files under the
// data directory. It knows no domain rules: each domain package keeps its own
// types and instantiates collections of them.
//
// Every write a caller is told about has been committed (fsync'd) first.
//
// A store is a directory: deskline.db, the bbolt file (one bucket per
// collection or log, plus a reserved _meta bucket holding the schema version),
// and files/, the tree WriteFile and OpenFile work in. A backup archive holds
// both, with a manifest that restore validates before replacing anything.
//
// Imports: nothing of Deskline's. Importers: appliance.
package storage
