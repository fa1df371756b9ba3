#!/bin/sh
# gen-prompts.sh regenerates Deskline's default prompts and music on hold
# from sounds/en/prompts.txt with espeak-ng and sox (Debian packages
# espeak-ng and sox). Run it from anywhere; it rewrites the files under
# sounds/ next to it. The output is deterministic: running it twice gives
# identical files.
#
# Every prompt becomes an 8 kHz mono µ-law WAV: spoken by espeak-ng's US
# English voice, trimmed of leading and trailing silence, and normalised
# to -3 dBFS peak.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
en="$here/sounds/en"
moh="$here/sounds/moh/default"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Output format of every file; -D turns dithering off (reproducible files).
out="-D -r 8000 -c 1 -e u-law -b 8"

rm -f "$en"/*.wav
grep -v '^#' "$en/prompts.txt" | grep -v '^$' | while IFS='|' read -r name text; do
	case "$name" in
	*[!a-z0-9-]* | '') echo "bad prompt name: '$name'" >&2; exit 1 ;;
	esac
	if [ "$text" = "<beep>" ]; then
		# shellcheck disable=SC2086
		sox -n $out "$en/$name.wav" synth 0.3 sine 1000 fade 0.01 0.3 0.01 norm -3
		continue
	fi
	espeak-ng -v en-us -s 150 -w "$tmp/speech.wav" "$text"
	# shellcheck disable=SC2086
	sox "$tmp/speech.wav" $out "$en/$name.wav" \
		silence 1 0.005 0.1% reverse silence 1 0.005 0.1% fade 0.01 reverse \
		fade 0.005 rate -v 8000 norm -3
done

# Music on hold: a gentle plucked arpeggio over a soft pad, eight chords of
# three seconds (24 s), looping cleanly because it starts and ends on C.
rm -f "$moh"/*.wav
i=0
for chord in "C3 G3 C4 E4" "A2 E3 A3 C4" "F2 C3 F3 A3" "G2 D3 G3 B3" \
	"C3 G3 E4 G4" "A2 E3 C4 E4" "F2 C3 A3 C4" "G2 D3 B3 D4"; do
	set -- $chord
	sox -r 48000 -c 4 -n -c 1 "$tmp/pluck.wav" synth 3 pluck "$1" pluck "$2" pluck "$3" pluck "$4" \
		delay 0 0.375 0.75 1.125 remix - trim 0 3
	sox -r 48000 -c 3 -n -c 1 "$tmp/pad.wav" synth 3 sine "$2" sine "$3" sine "$4" \
		remix - tremolo 0.5 40 fade t 0.5 3 0.5 vol 0.15
	sox -m "$tmp/pluck.wav" "$tmp/pad.wav" "$tmp/chord$i.wav"
	i=$((i + 1))
done
sox "$tmp"/chord[0-7].wav "$tmp/music.wav"
# shellcheck disable=SC2086
sox "$tmp/music.wav" $out "$moh/gentle-arpeggio.wav" \
	highpass 150 lowpass 2500 fade t 0.02 -0 0.3 reverb 30 50 60 channels 1 rate -v 8000 norm -6
