package appliance

import (
	"path/filepath"

	"deskline/media"
	"deskline/media/prompt"
)

// Where an admin's own sounds live, under the data directory's files (so
// that backups carry them): recorded prompts replace the default English
// ones by name, and each folder under moh/ is a music-on-hold class.
const (
	promptsDir = "prompts/en"
	mohDir     = "moh"
)

// loadSounds loads the prompt set and the music-on-hold classes: the ones
// built into the binary, with the admin's files over them. A file that
// cannot be used is logged and left out; the built-in sound stays.
func (a *Appliance) loadSounds() {
	files := filepath.Join(a.db.Dir(), "files")
	set, err := prompt.LoadSet(prompt.EmbeddedPrompts(), filepath.Join(files, promptsDir))
	if err != nil {
		a.log.Warn("some recorded prompts are unusable; the built-in ones play instead", "err", err)
	}
	if set == nil {
		set = prompt.Default()
	}
	classes, err := prompt.LoadClasses(prompt.EmbeddedMusic(), filepath.Join(files, mohDir))
	if err != nil {
		a.log.Warn("some music-on-hold files are unusable", "err", err)
	}
	if classes == nil {
		classes = prompt.DefaultClasses()
	}
	a.prompts, a.moh = set, classes
}

// musicOnHold returns a new listener of the default music-on-hold class.
func (a *Appliance) musicOnHold() media.Source {
	c, ok := a.moh.Get(prompt.DefaultClass)
	if !ok {
		return nil
	}
	return media.Endless(c.Listen().Read)
}
