package media

import "errors"

// Errors returned by this package. Callers compare with errors.Is; the
// returned error may wrap one of these with more detail.
var (
	// ErrNoPorts is returned by PortPool.Listen when every port of the range
	// is in use by the pool or refused by the operating system.
	ErrNoPorts = errors.New("media: no free RTP port")

	// ErrBadRange is returned by NewPortPool for a range that is not a
	// non-empty span of even ports within 1..65535.
	ErrBadRange = errors.New("media: bad RTP port range")
)
