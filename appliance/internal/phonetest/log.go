package phonetest

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// maxLog bounds the captured output of one baresip; later output is dropped.
const maxLog = 4 << 20

// logBuffer collects baresip's stdout and stderr and closes ready once the
// output contains readyLine.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	dropped int
	ready   chan struct{}
	isReady bool
}

// readyLine is what baresip 1.0.0 prints once all modules are loaded and
// ctrl_tcp listens.
const readyLine = "baresip is ready."

func newLogBuffer() *logBuffer { return &logBuffer{ready: make(chan struct{})} }

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	room := maxLog - l.buf.Len()
	if room < len(b) {
		l.dropped += len(b) - max(room, 0)
		b = b[:max(room, 0)]
	}
	start := max(l.buf.Len()-len(readyLine), 0)
	l.buf.Write(b)
	if !l.isReady && bytes.Contains(l.buf.Bytes()[start:], []byte(readyLine)) {
		l.isReady = true
		close(l.ready)
	}
	return len(b), nil
}

// note adds a line of our own, marked as such.
func (l *logBuffer) note(s string) {
	l.Write([]byte("[phonetest] " + strings.TrimRight(s, "\n") + "\n"))
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// String returns the log without colour codes and with lines that baresip
// rewrote in place (carriage returns) reduced to their last version.
func (l *logBuffer) String() string {
	l.mu.Lock()
	s := l.buf.String()
	dropped := l.dropped
	l.mu.Unlock()
	s = ansi.ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if j := strings.LastIndexByte(strings.TrimRight(line, "\r "), '\r'); j >= 0 {
			lines[i] = line[j+1:]
		}
	}
	s = strings.Join(lines, "\n")
	if dropped > 0 {
		s += "\n[phonetest] log truncated, " + strconv.Itoa(dropped) + " bytes dropped\n"
	}
	return s
}
