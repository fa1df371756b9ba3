package prompt

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
)

// DefaultClass is the name of the music-on-hold class used when none is
// configured.
const DefaultClass = "default"

// Class is a named class of music on hold: files played in order and
// looped. Its samples are shared by every listener and must not be
// modified.
type Class struct {
	Name  string
	Clips [][]int16
}

// Listen returns a new listener of c, positioned at the start of its
// first file. Each caller on hold gets their own.
func (c *Class) Listen() *MOH {
	m := new(MOH)
	m.p.Loop = true
	m.p.SetClips(c.Clips...)
	return m
}

// MOH is one listener's position in a Class: a cursor over the class's
// shared samples. Like Player it is read once per frame from one goroutine
// and allocates nothing.
type MOH struct {
	p Player
}

// Read fills dst with the next len(dst) samples of music, looping without
// a gap from the end of the last file to the start of the first.
func (m *MOH) Read(dst []int16) { m.p.Read(dst) }

// Reset moves m back to the start of the class.
func (m *MOH) Reset() { m.p.Reset() }

// Classes is a set of music-on-hold classes. It is immutable and safe for
// concurrent use.
type Classes struct {
	m map[string]*Class
}

// DefaultClasses returns the embedded music on hold (one class, "default").
func DefaultClasses() *Classes { return defaultClasses() }

var defaultClasses = sync.OnceValue(func() *Classes {
	c, err := LoadClasses(EmbeddedMusic(), "")
	if err != nil {
		panic("prompt: embedded music on hold: " + err.Error()) // tests guarantee this cannot happen
	}
	return c
})

// LoadClasses loads one class per directory at the top of base, then one
// per directory at the top of dir (skipped when ""); a class in dir
// replaces the class of the same name from base entirely. A class's files
// play in name order; they are decoded like LoadSet's. Classes without a
// playable file are left out. Decoding failures are reported in the
// returned error (wrapping ErrBadFile) alongside the Classes that loaded.
func LoadClasses(base fs.FS, dir string) (*Classes, error) {
	cs := &Classes{m: make(map[string]*Class)}
	var errs []error
	load := func(fsys fs.FS, where string) {
		ents, err := fs.ReadDir(fsys, ".")
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrBadFile, where, err))
			return
		}
		for _, e := range ents {
			if !e.IsDir() {
				continue
			}
			sub, err := fs.Sub(fsys, e.Name())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files := make(map[string][]int16)
			errs = loadDir(files, sub, where+"/"+e.Name(), errs)
			names := make([]string, 0, len(files))
			for n := range files {
				if len(files[n]) > 0 {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				continue
			}
			slices.Sort(names)
			c := &Class{Name: e.Name()}
			for _, n := range names {
				c.Clips = append(c.Clips, files[n])
			}
			cs.m[c.Name] = c
		}
	}
	if base != nil {
		load(base, "embedded")
	}
	if fsys, err := diskDir(dir); err != nil {
		errs = append(errs, err)
	} else if fsys != nil {
		load(fsys, dir)
	}
	return cs, errors.Join(errs...)
}

// Get returns the named class.
func (cs *Classes) Get(name string) (*Class, bool) {
	c, ok := cs.m[name]
	return c, ok
}

// Names returns the names of all classes, sorted.
func (cs *Classes) Names() []string { return sortedKeys(cs.m) }
