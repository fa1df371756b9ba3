package jitter

import (
	"encoding/binary"
	"testing"
	"time"
)

// fuzzOps drives b from data: each operation is either a Get (a byte with
// the low bit clear) or a Put described by the next 7 bytes: sequence
// step, timestamp step, SSRC and marker flags, arrival step and length.
// It returns the number of Gets and their statuses' counts.
func fuzzOps(b *Buffer, data []byte, pcm []int16, dst []int16) (gets int, counts [3]int) {
	var seq uint16
	var ts, ssrc uint32
	at := epoch
	for len(data) > 0 {
		op := data[0]
		data = data[1:]
		if op&1 == 0 || len(data) < 7 {
			st := b.Get(dst[:int(op>>1)%(FrameSamples+1)])
			gets++
			if st >= 0 && int(st) < len(counts) {
				counts[st]++
			}
			continue
		}
		seq += uint16(int8(data[0]))
		ts += uint32(int32(int16(binary.LittleEndian.Uint16(data[1:])))) * 8
		flags := data[3]
		if flags&1 != 0 {
			ssrc++
		}
		if flags&2 != 0 {
			ts ^= uint32(flags) << 24 // a wild jump
		}
		at = at.Add(time.Duration(int8(data[4])) * time.Millisecond)
		n := int(binary.LittleEndian.Uint16(data[5:])) % (len(pcm) + 1)
		b.Put(seq, ts, ssrc, flags&4 != 0, at, pcm[:n])
		data = data[7:]
	}
	return gets, counts
}

// FuzzBuffer feeds arbitrary sequences of packets and Gets: no panic, the
// counters add up, the target stays in range, and nothing is allocated
// (so memory stays bounded).
func FuzzBuffer(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 1, 160 >> 3, 0, 0, 20, 160, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 1, 20, 0, 4, 20, 160, 0, 0, 1, 0xff, 20, 0, 0, 40, 160, 0, 0, 0, 0})
	f.Add([]byte{1, 0x80, 0xff, 0x7f, 7, 0x80, 0xe0, 1, 2, 1, 1, 20, 0, 0, 20, 80, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		pcm := make([]int16, MaxPacketSamples+1)
		for i := range pcm {
			pcm[i] = int16(i * 1000)
		}
		dst := make([]int16, FrameSamples)
		b := New(&Options{Min: 30 * time.Millisecond, Max: 150 * time.Millisecond})
		var gets int
		var counts [3]int
		allocs := testing.AllocsPerRun(1, func() {
			// AllocsPerRun runs this twice: the second run continues the
			// same Buffer's stream.
			g, c := fuzzOps(b, data, pcm, dst)
			gets += g
			for i := range c {
				counts[i] += c[i]
			}
		})
		if allocs != 0 {
			t.Errorf("%v allocations", allocs)
		}
		st := b.Stats()
		if int(st.Played) != counts[Normal] || int(st.Concealed) != counts[Concealed] ||
			counts[Empty]+counts[Normal]+counts[Concealed] != gets {
			t.Errorf("%d Gets returned %v (empty, normal, concealed); stats %+v", gets, counts, st)
		}
		if st.Target < 30*time.Millisecond || st.Target > 150*time.Millisecond {
			t.Errorf("target %v outside [30 ms, 150 ms]", st.Target)
		}
	})
}
