// Package prompt holds the media engine's recorded speech and music: a
// default English prompt set and music-on-hold class embedded in the
// binary, the admin's replacements loaded from disk, a Player that turns a
// list of clips into 20 ms frames, per-listener music on hold, and "say"
// functions that spell numbers, digits, times, dates and durations as
// lists of prompt names.
//
// All audio is 8 kHz mono 16-bit linear, decoded once when a Set or
// Classes is loaded (media/wav decodes and resamples uploads of any rate).
// Sets and Classes are immutable after loading and safe for concurrent
// use; each playback has its own Player or MOH cursor over the shared
// samples, and reading frames allocates nothing.
//
// # Regenerating the default prompts
//
// The files under sounds/ are the product: tests read them and never run a
// speech synthesiser. They are generated from sounds/en/prompts.txt (lines
// "name|text") by gen-prompts.sh with espeak-ng and sox; to change a prompt,
// edit the manifest and run
//
//	media/prompt/gen-prompts.sh   # a Makefile target "prompts" should run this
//
// then commit the regenerated files. The script is deterministic.
//
// Imports: the standard library, media/wav.
// Importers: the media engine and appliance.
package prompt
