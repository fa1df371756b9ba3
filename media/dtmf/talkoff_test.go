package dtmf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// talkOffText is varied English written for this test: numbers, names,
// questions, long vowels, sibilants and the kind of thing callers say on
// a phone line.
var talkOffText = []string{
	"Good morning, thank you for calling the service desk. My name is Ellen and I will be helping you today.",
	"Could you read me the number on the back of the card, four four seven, nine one two, six six eight zero?",
	"The meeting moved to half past three on Thursday, in the small room beside the kitchen on the second floor.",
	"Please hold while I transfer you to the billing team; the waiting time is about two minutes.",
	"Yes, yes, I know, but the engineer said the box would be replaced before the end of the week.",
	"Seven hundred and twenty five thousand, three hundred and eighty one. Did you write that down?",
	"Whose turn is it to water the plants? Nobody has touched them since the middle of August.",
	"The quick shipment arrived broken; the glass vase shattered and the wooden frame was bent.",
	"Hello? Hello? I can hardly hear you, the line keeps dropping every few seconds.",
	"We sell umbrellas, raincoats, boots and woolly hats, and on Sundays we open at eleven.",
	"Mister Okonkwo would like a callback between nine and noon, on zero two zero, eight eight one, five five nine.",
	"Oh, really? That is wonderful news! Congratulations to both of you, and to the little one.",
	"Do not press any buttons yet; I will tell you when the recording starts, then say your full name.",
	"The rain in the valley turned to sleet, then to snow, and by evening the road was closed.",
	"My account number is one, one, two, three, five, eight, thirteen, twenty one. The Fibonacci numbers, funny.",
	"Eeeeh, hmmm, let me think. Ahhh, ooooh, I remember now: it was the blue one, not the green one.",
	"Shipping to Switzerland takes six to eight working days; express shipping costs thirty six francs.",
	"Whistle while you work, they said, but the whole office complained about the noise.",
	"Can you spell that for me? Charlie, Hotel, Alpha, Romeo, Lima, India, Echo.",
	"The choir sang a long high note that rang through the cathedral for what felt like a minute.",
	"Your order has been cancelled and the refund of eighty nine pounds ninety nine will appear in five days.",
	"I am calling about the invoice dated the third of March, reference A B four four nine seven.",
	"Listen carefully, because our menu options have changed. For sales say sales, for support say support.",
	"Beep beep, goes the truck reversing outside, and the dog barks, and the baby starts crying.",
	"Thank you for your patience. Your call is important to us. Please stay on the line.",
	"Lovely weather we are having, isn't it? Sunny all week, then thunderstorms on Saturday, typical.",
	"The password must contain at least twelve characters, one digit, and one symbol such as hash or star.",
	"Operator, I would like to make a reverse charge call to Melbourne, Australia, please.",
	"Sixty six, seventy seven, eighty eight, ninety nine, one hundred. Ready or not, here I come!",
	"The technician measured minus twelve decibels on the line and replaced the faulty filter.",
}

// talkOffVoices are espeak-ng voice, speed (words per minute) and pitch
// (0-99) settings, male and female variants, so the same words come with
// different fundamentals and formants.
var talkOffVoices = []struct {
	voice        string
	speed, pitch int
}{
	{"en-us", 160, 50},
	{"en-gb+f3", 150, 70},
	{"en-gb-scotland+m3", 175, 35},
	{"en-029+f4", 140, 85},
}

// TestTalkOff synthesises several minutes of speech with espeak-ng and
// asserts the detector reports no digit in it. Without espeak-ng the test
// is skipped, or fails when CI=true.
func TestTalkOff(t *testing.T) {
	if testing.Short() {
		t.Skip("talk-off needs speech synthesis; skipped in -short")
	}
	espeak, err := exec.LookPath("espeak-ng")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("espeak-ng not found (CI=true: the talk-off test is required): %v", err)
		}
		t.Skipf("espeak-ng not found: %v", err)
	}
	dir := t.TempDir()
	text := strings.Join(talkOffText, " ")
	var total time.Duration
	for i, v := range talkOffVoices {
		wav := filepath.Join(dir, fmt.Sprintf("speech%d.wav", i))
		cmd := exec.Command(espeak, "-v", v.voice, "-s", fmt.Sprint(v.speed), "-p", fmt.Sprint(v.pitch), "-w", wav, text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("espeak-ng %s: %v\n%s", v.voice, err, out)
		}
		x, err := readSpeech(wav)
		if err != nil {
			t.Fatal(err)
		}
		d := time.Duration(len(x)) * time.Second / SampleRate
		total += d
		// Loud (peaks at -1 dBFS) and at a typical level (peaks at -15 dBFS).
		for _, peak := range []float64{-1, -15} {
			y := normalise(x, peak)
			if evs := detect(nil, y); len(evs) > 0 {
				t.Errorf("voice %s, peak %v dBFS: %d false events, first %+v at %v", v.voice, peak, len(evs), evs[0], time.Duration(evs[0].Start)*time.Second/SampleRate)
			}
		}
	}
	if total < 4*time.Minute {
		t.Errorf("only %v of speech synthesised, want at least 4 minutes", total)
	}
	t.Logf("talk-off: %v of speech, each at two levels", total.Round(time.Second))
}

// readSpeech reads a mono 16-bit WAV file and resamples it to 8 kHz.
func readSpeech(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("speech: not a WAV file")
	}
	var rate int
	var data []byte
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		if n < 0 || n > len(body) {
			n = len(body) // streamed WAVs leave the size unset
		}
		switch id {
		case "fmt ":
			if n < 16 || binary.LittleEndian.Uint16(body[2:]) != 1 || binary.LittleEndian.Uint16(body[14:]) != 16 {
				return nil, errors.New("speech: want mono 16-bit PCM")
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			data = body[:n&^1]
		}
		p += 8 + n + n&1
	}
	if rate == 0 || data == nil {
		return nil, errors.New("speech: no fmt or data chunk")
	}
	x := make([]float64, len(data)/2)
	for i := range x {
		x[i] = float64(int16(binary.LittleEndian.Uint16(data[2*i:])))
	}
	return resample(x, rate, SampleRate), nil
}

// resample converts x from rate in to rate out with a Blackman-windowed
// sinc low-pass at 0.45·min(in, out), from a table of 256 fractional
// phases.
func resample(x []float64, in, out int) []float64 {
	const half, phases = 24, 256 // taps each side at the lower rate
	ratio := float64(in) / float64(out)
	fc := 0.45 * math.Min(1, 1/ratio) // cycles per input sample
	width := math.Ceil(float64(half) * math.Max(1, ratio))
	taps := int(2*width) + 1
	table := make([][]float64, phases)
	for p := range table {
		table[p] = make([]float64, taps)
		for j := range taps {
			u := float64(j) - width - float64(p)/phases // input index minus t
			if math.Abs(u) > width {
				continue
			}
			w := 0.42 + 0.5*math.Cos(math.Pi*u/width) + 0.08*math.Cos(2*math.Pi*u/width)
			s := 2 * fc
			if u != 0 {
				s = math.Sin(2*math.Pi*fc*u) / (math.Pi * u)
			}
			table[p][j] = s * w
		}
	}
	y := make([]float64, int(float64(len(x))/ratio))
	for n := range y {
		t := float64(n) * ratio
		base := math.Floor(t)
		h := table[int((t-base)*phases)]
		k0 := int(base) - int(width)
		var acc float64
		for j, c := range h {
			if k := k0 + j; k >= 0 && k < len(x) {
				acc += x[k] * c
			}
		}
		y[n] = acc
	}
	return y
}

// normalise scales x so its peak is at peak dBFS and converts it to int16.
func normalise(x []float64, peak float64) []int16 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	g := 0.0
	if m > 0 {
		g = 32767 * math.Pow(10, peak/20) / m
	}
	y := make([]int16, len(x))
	for i, v := range x {
		y[i] = int16(math.Round(v * g))
	}
	return y
}

// TestResamplePositive guards the talk-off test's pipeline: digits
// synthesised at espeak-ng's 22050 Hz and resampled are detected.
func TestResamplePositive(t *testing.T) {
	const in = 22050
	var x []float64
	for i := range len(keypad) {
		lo, hi, _ := Freqs(keypad[i])
		for n := range in * 60 / 1000 {
			tt := float64(n) / in
			x = append(x, 3000*math.Sin(2*math.Pi*lo*tt)+3000*math.Sin(2*math.Pi*hi*tt))
		}
		x = append(x, make([]float64, in*60/1000)...)
	}
	y := resample(x, in, SampleRate)
	if got := digits(t, detect(nil, normalise(y, -10))); got != keypad {
		t.Errorf("resampled digits: detected %q, want %q", got, keypad)
	}
}
