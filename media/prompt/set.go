package prompt

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"deskline/media/wav"
)

//go:embed sounds/en/*.wav sounds/moh/default/*.wav
var sounds embed.FS

// SampleRate is the rate of every clip in this package, in Hz.
const SampleRate = wav.OutRate

// FrameSamples is the number of samples in the usual 20 ms frame.
const FrameSamples = SampleRate / 50

// Errors of this package.
var (
	// ErrNotFound: a prompt or music class name that is not loaded.
	ErrNotFound = errors.New("prompt: not found")
	// ErrBadFile: an audio file that could not be read or decoded; the
	// wrapped error says why (often a media/wav error).
	ErrBadFile = errors.New("prompt: bad audio file")
)

// MaxSeconds is the longest prompt or music file accepted, in seconds.
const MaxSeconds = 15 * 60

// Set is a named collection of prompts, decoded to 8 kHz mono. It is
// immutable and safe for concurrent use. Clips returned by Get are shared:
// callers must not modify them.
type Set struct {
	clips map[string][]int16
}

// Default returns the embedded English prompt set. It is decoded on first
// use and shared.
func Default() *Set { return defaultSet() }

var defaultSet = sync.OnceValue(func() *Set {
	s, err := LoadSet(EmbeddedPrompts(), "")
	if err != nil {
		panic("prompt: embedded prompts: " + err.Error()) // tests guarantee this cannot happen
	}
	return s
})

// EmbeddedPrompts returns the default English prompt files: one WAV per
// prompt, named after the prompt.
func EmbeddedPrompts() fs.FS {
	sub, _ := fs.Sub(sounds, "sounds/en")
	return sub
}

// EmbeddedMusic returns the default music on hold: one directory per
// class, holding that class's files.
func EmbeddedMusic() fs.FS {
	sub, _ := fs.Sub(sounds, "sounds/moh")
	return sub
}

// LoadSet decodes every audio file at the top of base, then every file at
// the top of overrideDir (skipped when ""), a file there replacing the
// prompt of the same name. A prompt's name is its file name without
// extension. Files may be WAV (.wav) or headerless 8 kHz µ-law (.ul,
// .ulaw), A-law (.al, .alaw) or 16-bit linear (.sln, .raw); other files
// are ignored. Files that fail to decode are left out and reported in the
// returned error (wrapping ErrBadFile), alongside a Set of all the others,
// so that one bad upload does not silence the rest.
func LoadSet(base fs.FS, overrideDir string) (*Set, error) {
	s := &Set{clips: make(map[string][]int16)}
	var errs []error
	if base != nil {
		errs = loadDir(s.clips, base, "embedded", errs)
	}
	if fsys, err := diskDir(overrideDir); err != nil {
		errs = append(errs, err)
	} else if fsys != nil {
		errs = loadDir(s.clips, fsys, overrideDir, errs)
	}
	return s, errors.Join(errs...)
}

// loadDir decodes the audio files at the top of fsys into clips, keyed by
// name, and appends decoding failures to errs.
func loadDir(clips map[string][]int16, fsys fs.FS, where string, errs []error) []error {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return append(errs, fmt.Errorf("%w: %s: %w", ErrBadFile, where, err))
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		name, x, ok, err := decodeFile(fsys, e.Name())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path.Join(where, e.Name()), err))
		}
		if ok {
			clips[name] = x
		}
	}
	return errs
}

// diskDir returns the directory dir as a file system, or nil when dir is
// "" or does not exist.
func diskDir(dir string) (fs.FS, error) {
	if dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	return os.DirFS(dir), nil
}

// rawLaws maps the extensions of headerless files to their encoding.
var rawLaws = map[string]wav.Law{
	".ul": wav.ULaw, ".ulaw": wav.ULaw, ".al": wav.ALaw, ".alaw": wav.ALaw,
	".sln": wav.Linear16, ".raw": wav.Linear16,
}

// decodeFile reads one audio file as 8 kHz mono. ok is false for a file
// that is not audio (ignored) or did not decode (err says why).
func decodeFile(fsys fs.FS, file string) (name string, x []int16, ok bool, err error) {
	ext := strings.ToLower(path.Ext(file))
	law, raw := rawLaws[ext]
	if ext != ".wav" && !raw {
		return "", nil, false, nil
	}
	name = strings.TrimSuffix(file, path.Ext(file))
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return "", nil, false, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	if raw {
		if len(b) > MaxSeconds*SampleRate*2 {
			return "", nil, false, fmt.Errorf("%w: longer than %d s", ErrBadFile, MaxSeconds)
		}
		return name, wav.DecodeRaw(b, law), true, nil
	}
	a, err := wav.DecodeOptions{MaxSeconds: MaxSeconds}.Decode(b)
	if err != nil {
		return "", nil, false, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	return name, a.To8kMono(), true, nil
}

// Get returns the samples of the named prompt. The slice is shared: do
// not modify it.
func (s *Set) Get(name string) ([]int16, bool) {
	x, ok := s.clips[name]
	return x, ok
}

// Names returns the names of all prompts, sorted.
func (s *Set) Names() []string { return sortedKeys(s.clips) }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Clips returns the samples of the named prompts in order, or an error
// wrapping ErrNotFound that names the first missing one.
func (s *Set) Clips(names ...string) ([][]int16, error) {
	clips := make([][]int16, len(names))
	for i, n := range names {
		x, ok := s.clips[n]
		if !ok {
			return nil, fmt.Errorf("%w: prompt %q", ErrNotFound, n)
		}
		clips[i] = x
	}
	return clips, nil
}

// Player returns a Player of the named prompts in order.
func (s *Set) Player(names ...string) (*Player, error) {
	clips, err := s.Clips(names...)
	if err != nil {
		return nil, err
	}
	return NewPlayer(clips...), nil
}
