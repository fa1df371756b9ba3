//go:build !linux

package alsa

import "fmt"

// OpenStream returns ErrUnsupported: ALSA exists only on Linux.
func OpenStream(path string, dir Direction, opts *Opts) (*Stream, error) {
	return nil, fmt.Errorf("alsa(%s %v): open: %w", path, dir, ErrUnsupported)
}
