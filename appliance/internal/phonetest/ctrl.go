package phonetest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxFrame bounds one netstring from baresip; its largest answers (help,
// listcalls with many calls) are a few kilobytes.
const maxFrame = 1 << 20

var errFrame = errors.New("phonetest: malformed netstring from baresip")

// readNetstring reads one "LEN:DATA," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n := 0
	for digits := 0; ; digits++ {
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		if c == ':' && digits > 0 {
			break
		}
		if c < '0' || c > '9' || digits > 7 {
			return nil, fmt.Errorf("%w: length byte %q", errFrame, c)
		}
		n = n*10 + int(c-'0')
	}
	if n > maxFrame {
		return nil, fmt.Errorf("%w: %d bytes", errFrame, n)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("%w: no trailing comma", errFrame)
	}
	return buf[:n], nil
}

// appendNetstring appends data framed as a netstring.
func appendNetstring(dst, data []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(data)), 10)
	dst = append(dst, ':')
	dst = append(dst, data...)
	return append(dst, ',')
}
