package prompt

import "time"

// Player plays a list of clips as a stream of frames: each clip in turn,
// optionally separated by a gap of silence, optionally looping. It is a
// stage of the media pipeline, read once per frame from one goroutine; it
// is not safe for concurrent use. Reading allocates nothing, and clips are
// never copied or modified, so many Players can share them.
type Player struct {
	// Loop restarts the list after its last clip, for ever.
	Loop bool
	// Gap is the silence inserted after each clip but the last (and after
	// the last too when looping). It is rounded to whole samples.
	Gap time.Duration

	clips    [][]int16
	total    int // samples in all clips
	clip     int // index of the clip playing
	pos      int // next sample of that clip
	gapLeft  int // samples of gap still to play before the clip
	finished bool
}

// NewPlayer returns a Player of clips, positioned at the start.
func NewPlayer(clips ...[]int16) *Player {
	p := new(Player)
	p.SetClips(clips...)
	return p
}

// SetClips replaces the list of clips and rewinds. It reuses the Player's
// storage when the list fits, so it allocates only when the list grows.
func (p *Player) SetClips(clips ...[]int16) {
	p.clips = append(p.clips[:0], clips...)
	p.total = 0
	for _, c := range clips {
		p.total += len(c)
	}
	p.Reset()
}

// Reset rewinds p to the start of its first clip.
func (p *Player) Reset() {
	p.clip, p.pos, p.gapLeft, p.finished = 0, 0, 0, false
}

// Len returns the number of samples one pass over the list plays,
// including gaps.
func (p *Player) Len() int {
	n := p.total
	if len(p.clips) > 1 {
		n += (len(p.clips) - 1) * p.gapSamples()
	}
	if p.Loop && len(p.clips) > 0 {
		n += p.gapSamples()
	}
	return n
}

func (p *Player) gapSamples() int {
	return int((p.Gap*SampleRate + time.Second/2) / time.Second)
}

// Read fills dst with the next len(dst) samples (any length; usually one
// 20 ms frame of FrameSamples). After the last clip it pads with silence.
// done reports that the list has been played to its end by this call: it
// is true from the call that delivers the last sample on, and never true
// for a looping Player.
func (p *Player) Read(dst []int16) (done bool) {
	if p.Loop && p.total == 0 {
		clear(dst) // nothing to loop but silence
		return false
	}
	i := 0
	for i < len(dst) && !p.finished {
		if p.gapLeft > 0 {
			n := min(p.gapLeft, len(dst)-i)
			clear(dst[i : i+n])
			p.gapLeft -= n
			i += n
			continue
		}
		if p.clip == len(p.clips) {
			if !p.Loop {
				p.finished = true
				break
			}
			p.clip = 0
		}
		n := copy(dst[i:], p.clips[p.clip][p.pos:])
		p.pos += n
		i += n
		if p.pos == len(p.clips[p.clip]) {
			p.clip++
			p.pos = 0
			if p.clip < len(p.clips) || p.Loop {
				p.gapLeft = p.gapSamples()
			}
		}
	}
	clear(dst[i:])
	if !p.Loop && p.clip == len(p.clips) {
		p.finished = true
	}
	return p.finished
}
