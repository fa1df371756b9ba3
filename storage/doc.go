// Package storage is Deskline's embedded store on bbolt: typed collections of
// JSON values, schema versions and migrations, append-only logs keyed by time
// and sequence (CDR, queue log, audit), backup and restore, and files under the
// data directory. It knows no domain rules: each domain package keeps its own
// types and instantiates collections of them.
//
// Every write a caller is told about has been committed (fsync'd) first.
//
// Imports: nothing of Deskline's. Importers: appliance.
package storage
