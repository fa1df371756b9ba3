//go:build !unix

package storage

import "os"

// lockFile is a no-op where flock is unavailable: RestoreBackup then relies on
// its caller to have closed the target store.
func lockFile(string) (func(), error) { return func() {}, nil }

func unlockFile(*os.File) {}
