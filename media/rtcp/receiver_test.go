package rtcp

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// feed sends packets with the given sequence numbers, 20 ms apart with
// matching timestamps (160 per packet), and returns the count accepted.
func feed(r *Receiver, seqs []uint16) int {
	n := 0
	for i, s := range seqs {
		if r.Update(s, uint32(s)*160, t0.Add(time.Duration(i)*20*time.Millisecond)) {
			n++
		}
	}
	return n
}

func seqRange(from uint16, n int) []uint16 {
	s := make([]uint16, n)
	for i := range s {
		s[i] = from + uint16(i)
	}
	return s
}

func TestReceiverLossAndWrap(t *testing.T) {
	tests := []struct {
		name      string
		seqs      []uint16
		wantExt   uint32
		wantLost  int64
		wantPkts  uint32
		wantDups  uint32
		wantFract uint8
	}{
		{"in order", seqRange(1000, 100), 1099, 0, 99, 0, 0},
		{"wraps", seqRange(65500, 100), 1<<16 + 63, 0, 99, 0, 0},
		{"every 10th lost", func() (s []uint16) {
			for _, q := range seqRange(0, 201) {
				if q%10 != 5 {
					s = append(s, q)
				}
			}
			return s
		}(), 200, 20, 180, 0, 25}, // 20/200 lost = 25.6/256
		{"duplicates", append(seqRange(10, 50), 55, 58, 59, 59), 59, 0, 49, 4, 0},
		{"reordered", []uint16{1, 2, 4, 3, 6, 5, 8, 7, 9, 10}, 10, 0, 9, 0, 0},
		{"late beyond dup window", append(seqRange(0, 200), 100), 199, -1, 200, 0, 0},
		{"wrap with reorder", []uint16{65533, 65534, 0, 65535, 1, 2}, 1<<16 + 2, 0, 5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReceiver(0x1234, 8000)
			feed(r, tt.seqs)
			b, ok := r.Report(t0.Add(5 * time.Second))
			if !ok {
				t.Fatal("Report: source not valid")
			}
			s := r.Stats()
			if s.ExtendedSeq != tt.wantExt || b.LastSeq != tt.wantExt {
				t.Errorf("extended seq = %d (block %d), want %d", s.ExtendedSeq, b.LastSeq, tt.wantExt)
			}
			if s.Lost != tt.wantLost || int64(b.TotalLost) != tt.wantLost {
				t.Errorf("lost = %d (block %d), want %d", s.Lost, b.TotalLost, tt.wantLost)
			}
			if s.Packets != tt.wantPkts {
				t.Errorf("packets = %d, want %d", s.Packets, tt.wantPkts)
			}
			if s.Duplicates != tt.wantDups {
				t.Errorf("duplicates = %d, want %d", s.Duplicates, tt.wantDups)
			}
			if b.FractionLost != tt.wantFract || s.FractionLost != tt.wantFract {
				t.Errorf("fraction lost = %d, want %d", b.FractionLost, tt.wantFract)
			}
			if b.SSRC != 0x1234 {
				t.Errorf("block SSRC = %#x", b.SSRC)
			}
		})
	}
}

func TestReceiverProbationAndRestart(t *testing.T) {
	r := NewReceiver(1, 8000)
	if r.Update(500, 0, t0) {
		t.Error("first packet of a new source accepted; want probation")
	}
	if _, ok := r.Report(t0); ok {
		t.Error("Report during probation: ok")
	}
	if !r.Update(501, 160, t0.Add(20*time.Millisecond)) {
		t.Error("second sequential packet rejected")
	}
	feed(r, seqRange(502, 10))
	// A jump of 20000: the first packet is held as suspect, the second in
	// sequence restarts the statistics from it.
	if r.Update(20600, 0, t0.Add(time.Second)) {
		t.Error("packet after a big jump accepted")
	}
	if s := r.Stats(); s.ExtendedSeq != 511 {
		t.Errorf("after one stray packet: ext seq %d, want 511", s.ExtendedSeq)
	}
	if !r.Update(20601, 160, t0.Add(time.Second+20*time.Millisecond)) {
		t.Error("second packet after a big jump: not accepted as a restart")
	}
	s := r.Stats()
	if s.ExtendedSeq != 20601 || s.Expected != 1 || s.Packets != 1 || s.Lost != 0 {
		t.Errorf("after restart: %+v; want ext 20601, 1 expected, 1 received", s)
	}
	// Probation restarts when the second packet is out of sequence.
	r2 := NewReceiver(1, 8000)
	r2.Update(10, 0, t0)
	r2.Update(50, 0, t0)
	if r2.Update(70, 0, t0) {
		t.Error("probation passed with non-sequential packets")
	}
	if !r2.Update(71, 0, t0) {
		t.Error("probation did not pass after two sequential packets")
	}
}

func TestReceiverJitter(t *testing.T) {
	tests := []struct {
		name   string
		delays []time.Duration // network delay of each packet, cycled
		want   time.Duration
		tol    time.Duration
	}{
		{"constant delay", []time.Duration{40 * time.Millisecond}, 0, 0},
		{"alternating 10 ms", []time.Duration{0, 10 * time.Millisecond}, 10 * time.Millisecond, time.Millisecond},
		{"alternating 30 ms", []time.Duration{5 * time.Millisecond, 35 * time.Millisecond}, 30 * time.Millisecond, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReceiver(1, 8000)
			for i := range 500 {
				at := t0.Add(time.Duration(i)*20*time.Millisecond + tt.delays[i%len(tt.delays)])
				r.Update(uint16(i), uint32(i*160), at)
			}
			s := r.Stats()
			if d := s.JitterDuration - tt.want; d < -tt.tol || d > tt.tol {
				t.Errorf("jitter = %v (%d units), want %v±%v", s.JitterDuration, s.Jitter, tt.want, tt.tol)
			}
			if got, want := time.Duration(s.Jitter)*time.Second/8000, s.JitterDuration; got != want {
				t.Errorf("jitter units %d ≠ duration %v at 8 kHz", s.Jitter, want)
			}
		})
	}
}

func TestReceiverFractionPerInterval(t *testing.T) {
	r := NewReceiver(1, 8000)
	feed(r, seqRange(0, 100))
	if b, _ := r.Report(t0); b.FractionLost != 0 {
		t.Errorf("interval 1 fraction = %d, want 0", b.FractionLost)
	}
	// Next interval: 50 of 101 packets (100..200) lost: 50·256/101 = 126.
	var s []uint16
	for q := uint16(100); q < 200; q += 2 {
		s = append(s, q)
	}
	s = append(s, 200)
	feed(r, s)
	if b, _ := r.Report(t0); b.FractionLost != 126 || b.TotalLost != 50 {
		t.Errorf("interval 2: fraction %d lost %d, want 126 and 50", b.FractionLost, b.TotalLost)
	}
	if b, _ := r.Report(t0); b.FractionLost != 0 {
		t.Errorf("empty interval fraction = %d, want 0", b.FractionLost)
	}
}

func TestReceiverLSR(t *testing.T) {
	r := NewReceiver(1, 8000)
	feed(r, seqRange(0, 10))
	if b, _ := r.Report(t0); b.LSR != 0 || b.DLSR != 0 {
		t.Errorf("before any SR: LSR %#x DLSR %d, want 0", b.LSR, b.DLSR)
	}
	ntp := NTPTime(t0)
	r.OnSR(ntp, t0)
	b, _ := r.Report(t0.Add(1500 * time.Millisecond))
	if b.LSR != NTPMiddle(ntp) {
		t.Errorf("LSR = %#x, want %#x", b.LSR, NTPMiddle(ntp))
	}
	if b.DLSR != 1.5*65536 {
		t.Errorf("DLSR = %d, want %d (1.5 s)", b.DLSR, int(1.5*65536))
	}
}

func TestUpdateAllocs(t *testing.T) {
	r := NewReceiver(1, 8000)
	i := 0
	n := testing.AllocsPerRun(1000, func() {
		r.Update(uint16(i), uint32(i*160), t0.Add(time.Duration(i)*20*time.Millisecond))
		r.AddOctets(160)
		i++
	})
	if n != 0 {
		t.Errorf("Update allocates %v per packet, want 0", n)
	}
}

func BenchmarkUpdate(b *testing.B) {
	r := NewReceiver(1, 8000)
	at := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at = at.Add(20 * time.Millisecond)
		r.Update(uint16(i), uint32(i*160), at)
	}
}
