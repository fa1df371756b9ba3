package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/zaf/g711"
)

// WriteSeekSyncer is the file a Writer records into; *os.File is one.
type WriteSeekSyncer interface {
	io.Writer
	io.Seeker
	Sync() error
}

// Errors returned by Writer.
var (
	// ErrClosed: Write or Flush after Close.
	ErrClosed = errors.New("wav: writer closed")
	// ErrInvalidArg: NewWriter with a channel count or encoding it does
	// not support.
	ErrInvalidArg = errors.New("wav: invalid writer argument")
)

// BufferSize is the size of a Writer's buffer in bytes: samples reach the
// file when it fills or at Flush.
const BufferSize = 64 << 10

// Writer writes 8 kHz audio as a WAV file. It is not safe for concurrent
// use. Write does not allocate.
//
// The file always starts with a complete header. Flush brings it up to
// date: buffered samples are written, the RIFF, data (and, for G.711,
// fact) sizes are patched to cover them, and the file is synced. A file
// cut short after a Flush (power loss, disk full) is therefore a valid WAV
// of at least the audio written before that Flush.
type Writer struct {
	f        WriteSeekSyncer
	enc      Encoding
	channels int
	hdrLen   int64 // bytes before the audio
	block    int64 // bytes per sample frame
	buf      []byte
	written  int64 // audio bytes in the file (past hdrLen)
	patched  int64 // audio bytes the header currently declares
	err      error // sticky write error
	closed   bool
	padded   bool     // the pad byte after odd-sized audio is on disk
	hdr      [58]byte // scratch for header
}

// NewWriter writes a WAV header for 8 kHz audio of the given channel count
// (1 or 2) and encoding to f, at f's current position, which should be the
// start of an empty file.
func NewWriter(f WriteSeekSyncer, channels int, enc Encoding) (*Writer, error) {
	if channels < 1 || channels > MaxChannels {
		return nil, fmt.Errorf("%w: %d channels", ErrInvalidArg, channels)
	}
	if enc > ALaw {
		return nil, fmt.Errorf("%w: %v", ErrInvalidArg, enc)
	}
	w := &Writer{f: f, enc: enc, channels: channels, buf: make([]byte, 0, BufferSize)}
	hdr := w.header(0)
	w.hdrLen = int64(len(hdr))
	w.block = int64(channels * w.bytesPerSample())
	if _, err := f.Write(hdr); err != nil {
		return nil, fmt.Errorf("wav: writing header: %w", err)
	}
	return w, nil
}

func (w *Writer) bytesPerSample() int {
	if w.enc == Linear16 {
		return 2
	}
	return 1
}

// header returns the file header declaring dataLen bytes of audio. PCM
// gets the canonical 44-byte header; G.711 an 18-byte fmt chunk and a fact
// chunk, as the format requires for non-PCM data.
func (w *Writer) header(dataLen int64) []byte {
	le := binary.LittleEndian
	bps := w.bytesPerSample()
	tag, fmtLen := uint16(formatPCM), uint32(16)
	switch w.enc {
	case ULaw:
		tag, fmtLen = formatULaw, 18
	case ALaw:
		tag, fmtLen = formatALaw, 18
	}
	h := w.hdr[:0]
	h = append(h, "RIFF\x00\x00\x00\x00WAVEfmt "...)
	h = le.AppendUint32(h, fmtLen)
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, uint16(w.channels))
	h = le.AppendUint32(h, OutRate)
	h = le.AppendUint32(h, uint32(OutRate*w.channels*bps))
	h = le.AppendUint16(h, uint16(w.channels*bps))
	h = le.AppendUint16(h, uint16(8*bps))
	if fmtLen == 18 {
		h = le.AppendUint16(h, 0) // cbSize
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		h = le.AppendUint32(h, uint32(dataLen/int64(w.channels*bps)))
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(dataLen))
	riff := int64(len(h)) - 8 + dataLen
	if w.padded {
		riff++
	}
	le.PutUint32(h[4:], uint32(riff))
	return h
}

// Write appends interleaved samples (one per channel per frame). Samples
// are buffered; a write error is sticky: later calls return it.
func (w *Writer) Write(samples []int16) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	for len(samples) > 0 {
		if len(w.buf) == cap(w.buf) {
			if err := w.drain(); err != nil {
				return err
			}
		}
		n := min(len(samples), (cap(w.buf)-len(w.buf))/w.bytesPerSample())
		switch w.enc {
		case Linear16:
			for _, s := range samples[:n] {
				w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(s))
			}
		case ULaw:
			for _, s := range samples[:n] {
				w.buf = append(w.buf, g711.EncodeUlawFrame(s))
			}
		case ALaw:
			for _, s := range samples[:n] {
				w.buf = append(w.buf, g711.EncodeAlawFrame(s))
			}
		}
		samples = samples[n:]
	}
	return nil
}

// drain writes the buffer to the file. On error it makes the header cover
// the whole sample frames that did reach the file, best effort, and
// records the error.
func (w *Writer) drain() error {
	n, err := w.f.Write(w.buf)
	w.written += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("wav: writing audio: %w", err)
		w.written -= w.written % w.block
		w.patch() // overwrites existing bytes: works on a full disk too
		return w.err
	}
	return nil
}

// patch rewrites the header for w.written bytes of audio and returns to
// the end of the audio.
func (w *Writer) patch() error {
	if w.patched == w.written && !w.padded {
		return nil
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.f.Write(w.header(w.written)); err != nil {
		return err
	}
	end := w.hdrLen + w.written
	if w.padded {
		end++
	}
	if _, err := w.f.Seek(end, io.SeekStart); err != nil {
		return err
	}
	w.patched = w.written
	return nil
}

// Flush writes buffered samples, patches the header's sizes to cover
// everything written and syncs the file.
func (w *Writer) Flush() error {
	if w.closed {
		return ErrClosed
	}
	return w.flush()
}

func (w *Writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		if err := w.drain(); err != nil {
			return err
		}
	}
	if err := w.patch(); err != nil {
		w.err = fmt.Errorf("wav: patching header: %w", err)
		return w.err
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("wav: sync: %w", err)
		return w.err
	}
	return nil
}

// Close flushes w, adding the pad byte RIFF requires after odd-sized
// audio. It does not close the underlying file. Later Writes fail.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.flush(); err != nil || w.written&1 == 0 {
		return err
	}
	// The pad byte follows the data chunk without being part of it. It is
	// G.711 silence, not 0 (a loud sample), in case a repair of a file cut
	// before its rename counts it as audio.
	pad := []byte{0}
	switch w.enc {
	case ULaw:
		pad[0] = g711.EncodeUlawFrame(0)
	case ALaw:
		pad[0] = g711.EncodeAlawFrame(0)
	}
	if _, err := w.f.Write(pad); err != nil {
		return nil // the file is valid without it, as after any Flush
	}
	w.padded = true
	w.patched = -1
	return w.flush()
}

// Samples returns the number of sample frames written so far, flushed or
// not.
func (w *Writer) Samples() int64 {
	return (w.written + int64(len(w.buf))) / w.block
}

// ReaderWriterAt is a file RepairHeader can fix in place; *os.File is one.
type ReaderWriterAt interface {
	io.ReaderAt
	io.WriterAt
}

// RepairHeader rewrites the RIFF and data (and fact) sizes of a WAV file
// of size bytes so that its data chunk covers every whole sample frame up
// to the end of the file. It repairs files whose writer stopped before
// patching the header, such as a recording cut by power loss. The fmt
// chunk must be intact.
func RepairHeader(f ReaderWriterAt, size int64) error {
	const maxHdr = 4096
	h := make([]byte, min(size, maxHdr))
	if _, err := f.ReadAt(h, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("wav: reading header: %w", err)
	}
	if len(h) < 12 || string(h[:4]) != "RIFF" || string(h[8:12]) != "WAVE" {
		return fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	le := binary.LittleEndian
	var (
		fi        fmtInfo
		haveFmt   bool
		factAt, p = -1, 12
	)
	for p+8 <= len(h) {
		id, sz := string(h[p:p+4]), int(le.Uint32(h[p+4:]))
		body := p + 8
		switch id {
		case "fmt ":
			if body+sz > len(h) {
				return fmt.Errorf("%w: truncated fmt chunk", ErrMalformed)
			}
			var err error
			if fi, err = parseFmt(h[body : body+sz]); err != nil {
				return err
			}
			haveFmt = true
		case "fact":
			factAt = body
		case "data":
			if !haveFmt {
				return fmt.Errorf("%w: data before fmt", ErrMalformed)
			}
			block := int64(fi.channels * fi.bits / 8)
			data := size - int64(body)
			data -= data % block
			data = min(data, math.MaxUint32-int64(body))
			var b [4]byte
			le.PutUint32(b[:], uint32(data))
			if _, err := f.WriteAt(b[:], int64(p+4)); err != nil {
				return fmt.Errorf("wav: repairing header: %w", err)
			}
			le.PutUint32(b[:], uint32(int64(body)-8+data))
			if _, err := f.WriteAt(b[:], 4); err != nil {
				return fmt.Errorf("wav: repairing header: %w", err)
			}
			if factAt >= 0 && factAt+4 <= len(h) {
				le.PutUint32(b[:], uint32(data/block))
				if _, err := f.WriteAt(b[:], int64(factAt)); err != nil {
					return fmt.Errorf("wav: repairing header: %w", err)
				}
			}
			return nil
		}
		if sz > len(h)-body {
			break
		}
		p = body + sz + sz&1
	}
	return fmt.Errorf("%w: no data chunk in the first %d bytes", ErrMalformed, len(h))
}
