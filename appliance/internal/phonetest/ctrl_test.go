package phonetest

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestNetstring(t *testing.T) {
	var stream []byte
	for _, m := range []string{`{"a":1}`, ``, `x,y:z`} {
		stream = appendNetstring(stream, []byte(m))
	}
	r := bufio.NewReader(bytes.NewReader(stream))
	for _, want := range []string{`{"a":1}`, ``, `x,y:z`} {
		got, err := readNetstring(r)
		if err != nil || string(got) != want {
			t.Errorf("readNetstring = %q, %v; want %q", got, err, want)
		}
	}
	for _, bad := range []string{"3:abc;", ":abc,", "x:", "99999999:", "5:ab"} {
		if _, err := readNetstring(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("readNetstring(%q) succeeded, want an error", bad)
		}
	}
}

func TestLogCleanup(t *testing.T) {
	l := newLogBuffer()
	l.Write([]byte("\x1b[31mreg: failed\n\x1b[;m[0:01] a\r[0:02] b\rlast\nbaresip is "))
	select {
	case <-l.ready:
		t.Fatal("ready before the whole line")
	default:
	}
	l.Write([]byte("ready.\n"))
	<-l.ready
	if got, want := l.String(), "reg: failed\nlast\nbaresip is ready.\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}
