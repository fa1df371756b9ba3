#!/usr/bin/env bash
# Builds Deskline's gokrazy disk images into build/ at the repository root:
#
#   image/build.sh [amd64|rpi|all]        (default: all)
#
#   build/deskline-amd64.img   PC / QEMU (github.com/gokrazy/kernel.amd64)
#   build/deskline-rpi.img     Raspberry Pi, arm64 (github.com/gokrazy/kernel.rpi)
#   build/deskline-ARCH.log    gok's output, with the update password masked
#
# Each image holds the boot partition, two root partitions and /perm, which
# is formatted ext4 here (Deskline keeps its data in /perm/deskline). gok is
# pinned in image/tools/go.mod; the instances live in image/gokrazy/.
#
# DESKLINE_IMAGE_BYTES sets the image size (default 2 GiB). gok puts 1100 MiB
# of boot and root partitions in front of /perm, so anything under ~1.2 GiB
# leaves no room for /perm and is refused. The file is sparse: a fresh image
# takes about 55 MB (amd64) or 110 MB (rpi) on disk.
#
# Running it again rebuilds from Go's build cache in seconds. A build first
# writes ARCH.img.tmp and renames it, so a failed run never leaves a
# half-written image under the final name.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/build"
bytes="${DESKLINE_IMAGE_BYTES:-2147483648}"
min_bytes=$(( 1200 * 1024 * 1024 ))

die() { echo "image/build.sh: $*" >&2; exit 1; }

case "${1:-all}" in
amd64) archs=(amd64) ;;
rpi) archs=(rpi) ;;
all) archs=(amd64 rpi) ;;
*) die "usage: image/build.sh [amd64|rpi|all]" ;;
esac
[ $# -le 1 ] || die "usage: image/build.sh [amd64|rpi|all]"
[[ "$bytes" =~ ^[0-9]+$ ]] || die "DESKLINE_IMAGE_BYTES=$bytes is not a byte count"
[ "$bytes" -ge "$min_bytes" ] || die "DESKLINE_IMAGE_BYTES=$bytes leaves no room for /perm (need >= $min_bytes)"
command -v go >/dev/null || die "go not found"
mkfs="$(command -v mkfs.ext4 || true)"
[ -n "$mkfs" ] || mkfs=/sbin/mkfs.ext4
[ -x "$mkfs" ] || die "mkfs.ext4 not found (install e2fsprogs: .ci/install-test-deps)"

# The builddirs sit inside this repository; VCS stamping adds nothing to a
# firmware binary and fails when git distrusts the checkout's owner.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

mkdir -p "$out"

# mask hides gokrazy's update password, which gok prints inside a URL.
mask() { sed -u -E 's#(://gokrazy:)[^@[:space:]]*@#\1********@#g'; }

build() {
	local arch="$1"
	local img="$out/deskline-$arch.img"
	local tmp="$img.tmp"
	local log="$out/deskline-$arch.log"
	local start=$SECONDS

	echo "== image/build.sh: building $img ($bytes bytes)"
	rm -f "$tmp"
	if ! (cd "$here/tools" && go tool gok \
		--parent_dir "$here/gokrazy" -i "deskline-$arch" \
		overwrite --full "$tmp" --target_storage_bytes "$bytes") 2>&1 | mask >"$log"; then
		tail -n 40 "$log" >&2
		rm -f "$tmp"
		die "gok overwrite for $arch failed (full log: $log)"
	fi

	# gok prints how to format /perm, e.g.
	#   /sbin/mkfs.ext4 -F -E offset=1157627904 /path/x.img.tmp 966639
	# (offset in bytes, size in KiB). Take both from that line.
	local line offset kib
	line="$(grep -E "mkfs\.ext4 -F -E offset=[0-9]+ " "$log" | tail -n 1 || true)"
	[ -n "$line" ] || { rm -f "$tmp"; die "gok printed no mkfs.ext4 line for $arch (see $log)"; }
	if [[ "$line" =~ offset=([0-9]+)[[:space:]]+([^[:space:]]+)[[:space:]]+([0-9]+)[[:space:]]*$ ]]; then
		offset="${BASH_REMATCH[1]}"
		kib="${BASH_REMATCH[3]}"
		[ "${BASH_REMATCH[2]}" = "$tmp" ] || { rm -f "$tmp"; die "gok's mkfs line names ${BASH_REMATCH[2]}, not $tmp"; }
	else
		rm -f "$tmp"
		die "cannot parse gok's mkfs line: $line"
	fi
	[ "$kib" -gt 0 ] || { rm -f "$tmp"; die "/perm would be empty ($kib KiB)"; }

	"$mkfs" -q -F -L perm -E "offset=$offset" "$tmp" "$kib" ||
		{ rm -f "$tmp"; die "mkfs.ext4 on /perm of $arch failed"; }

	# The ext4 superblock starts 1024 bytes into the partition; its magic
	# 0xEF53 is at byte 56 of it, little-endian.
	local magic
	magic="$(od -An -tx1 -j $(( offset + 1024 + 56 )) -N2 "$tmp" | tr -d ' \n')"
	[ "$magic" = "53ef" ] || { rm -f "$tmp"; die "no ext4 superblock on /perm of $arch (read $magic)"; }

	mv -f "$tmp" "$img"
	echo "== image/build.sh: $img ready in $(( SECONDS - start ))s; /perm: ext4, $(( kib / 1024 )) MiB at byte $offset"
}

for arch in "${archs[@]}"; do
	build "$arch"
done

# gok builds with -mod=mod: when the daemon gains a dependency, the
# builddir go.mod/go.sum change and must be committed with it.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	changed="$(git -C "$root" status --porcelain -- image/gokrazy)"
	if [ -n "$changed" ]; then
		echo "image/build.sh: WARNING: gok changed these files; review and commit them:" >&2
		echo "$changed" >&2
	fi
fi
