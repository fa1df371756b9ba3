//go:build !unix

package storage

// lockFile is a no-op where flock is unavailable: RestoreBackup then relies on
// its caller to have closed the target store.
func lockFile(string) (func(), error) { return func() {}, nil }
