package webui

import "time"

// SetLiveLimits changes how many event streams s serves at once and how
// long an idle stream waits for its heartbeat, for tests. Call it before
// any stream opens.
func SetLiveLimits(s *Server, maxStreams int, heartbeat time.Duration) {
	s.live.max, s.live.heartbeat = maxStreams, heartbeat
}
