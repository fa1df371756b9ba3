package webui

import (
	"context"
	"time"
)

// SetLiveLimits changes how many event streams s serves at once and how
// long an idle stream waits for its heartbeat, for tests. Call it before
// any stream opens.
func SetLiveLimits(s *Server, maxStreams int, heartbeat time.Duration) {
	s.live.max, s.live.heartbeat = maxStreams, heartbeat
}

// PollLive takes one live snapshot from acd and encodes it as the poller
// does, returning the JSON sent and the JSON compared.
func PollLive(acd ACDBackend, now time.Time) (full, key []byte, err error) {
	snap, err := liveSnapshot(context.Background(), acd, now)
	if err != nil {
		return nil, nil, err
	}
	return snap.encode()
}
