//go:build alsahw

package alsa

import (
	"math"
	"os"
	"strconv"
	"testing"

	"deskline/hw"
)

// TestHardware runs against a real sound card (or snd-aloop): build with
// -tags alsahw and set ALSA_CARD (default 0). It records one second,
// checking that frames arrive, and plays one second of a 1 kHz tone.
func TestHardware(t *testing.T) {
	card, _ := strconv.Atoi(os.Getenv("ALSA_CARD"))
	d, err := Open(card, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, p := d.Streams()
	t.Logf("capture %+v, playback %+v", c.Config(), p.Config())
	var f hw.Frame
	for i := range 50 {
		if err := d.ReadFrame(&f); err != nil {
			t.Fatalf("ReadFrame #%d: %v", i, err)
		}
	}
	for i := range 50 {
		for j := range f {
			f[j] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i*hw.FrameSamples+j)/hw.SampleRate))
		}
		if err := d.WriteFrame(&f); err != nil {
			t.Fatalf("WriteFrame #%d: %v", i, err)
		}
	}
	t.Logf("xruns: capture %d, playback %d", c.Xruns(), p.Xruns())
}
