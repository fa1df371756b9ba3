// Package image holds the gokrazy instances that turn Deskline into a bootable
// disk image (amd64 and Raspberry Pi), and the test that boots the amd64 image
// in QEMU and reaches the web panel and SIP through host forwards.
//
// It contains no runtime code. Imports: nothing of Deskline's. Importers: none.
//
// # Layout
//
//   - tools/go.mod pins gok (github.com/gokrazy/tools) with a tool directive,
//     in a module of its own so that the firmware's go.mod stays lean.
//   - gokrazy/ is gok's parent directory, with one instance per architecture:
//     deskline-amd64 (github.com/gokrazy/kernel.amd64, GOARCH=amd64, serial
//     console on ttyS0) and deskline-rpi (github.com/gokrazy/kernel.rpi with
//     github.com/gokrazy/firmware and github.com/gokrazy/rpi-eeprom,
//     GOARCH=arm64). Each config.json names the programs and their flags;
//     each builddir/**/go.mod and go.sum pins the versions that go into the
//     image. Both are committed: an image is rebuilt from this repository
//     alone.
//   - build.sh builds build/deskline-amd64.img and build/deskline-rpi.img and
//     formats their /perm partition as ext4.
//   - qemu_test.go (build tag qemu) boots the amd64 image.
//
// # Commands
//
//	make image                       # both images into build/
//	make qemu-test                   # amd64 image, then boot it in QEMU
//	image/build.sh amd64             # one architecture
//	DESKLINE_IMAGE_BYTES=8589934592 image/build.sh rpi   # /perm of ~7 GiB
//
// gok itself, for anything build.sh does not do:
//
//	cd image/tools && go tool gok --parent_dir ../gokrazy -i deskline-rpi <command>
//
// # What is in the image
//
// Besides gokrazy's init and kernel, each image runs three gokrazy programs:
// dhcp (network configuration), ntp (the clock; a Raspberry Pi has no RTC)
// and randomd (seeds the kernel's entropy pool across reboots from /perm).
// Left out on purpose: heartbeat (reports to an update server we do not
// run), breakglass and busybox (no shell on a telephone system).
//
// Deskline is built from this very checkout: builddir/deskline/go.mod
// replaces module deskline with a relative path to the repository root.
// gokrazy starts it as
//
//	/user/deskline -data /perm/deskline -http :8080 -sip :5060 -console /dev/console
//
// and restarts it a second after any exit other than 0 or 125. gokrazy keeps
// port 80 for its own status page. A program's output is not copied to the
// serial console (gokrazy's status page shows it), which is why the daemon
// writes its start-up instructions — the one-time setup code on first boot —
// to /dev/console itself.
//
// The contract that the image and its boot test expect of the daemon:
//
//   - honour -data, -http, -sip and -console as above;
//   - create /perm/deskline itself; when /perm is missing or unformatted
//     (read-only) the daemon exits with an error naming the data dir and
//     gokrazy starts it again a second later, so it comes up as soon as
//     /perm is usable;
//   - on first boot, print the setup code on the console and keep the API
//     closed (503) until the panel's /setup has been completed with it;
//   - answer GET / on the -http address with 200 (after redirects);
//   - answer a SIP OPTIONS over UDP on the -sip address with "SIP/2.0 200"
//     carrying the request's Via, From, To, Call-ID and CSeq, sent to the
//     packet's source address: behind QEMU's user-mode network the request
//     comes from 10.0.2.2, not from the address in its Via.
//
// gok builds with -mod=mod: when the daemon gains a dependency the Go tool
// adds it to the builddirs' go.sum (seeded from the repository's go.sum), and
// build.sh warns that files under image/gokrazy changed and need a commit.
//
// # Image size and /perm
//
// gok lays out a 100 MiB boot partition and two 500 MiB root partitions
// (one runs, the other receives updates) before /perm, which takes the rest
// of --target_storage_bytes. build.sh uses 2 GiB, which leaves /perm about
// 943 MiB; it formats /perm with the mkfs.ext4 line that gok prints, so the
// box needs no first-boot formatting. The file is sparse (about 55 MB on
// disk for amd64, 110 MB for the Raspberry Pi). /perm does not grow when the
// image is written to a larger disk or card: build with DESKLINE_IMAGE_BYTES
// set to (at most) the target's size to use it, or write straight to the
// device with gok overwrite --full /dev/sdX and run the mkfs line it prints.
//
// # Secrets every box from one image shares
//
// gokrazy protects its web interface and its update API (port 80 on private
// addresses, user "gokrazy") with one password, baked into the image as
// /etc/gokr-pw.txt. Our config.json deliberately carries none (gok new would
// write a random one into it, and so into git). gok then takes the password
// from the machine that builds: ~/.config/gokrazy/hosts/deskline/http-password.txt,
// else ~/.config/gokrazy/http-password.txt, and if neither exists it makes a
// random 20-character one and saves it to the latter. What follows, honestly:
//
//   - Every box flashed from one image has the same gokrazy password, and it
//     can be read out of the image by anyone holding the .img file. With it,
//     anyone on the box's network can push new firmware: full control.
//   - Images built by CI on a fresh machine get a fresh password that nobody
//     keeps; such boxes cannot be updated through gokrazy at all.
//   - An engineer's image carries that engineer's personal password.
//   - gok prints the password in its output (an http://gokrazy:PW@deskline/
//     URL); build.sh masks it in what it prints and in build/*.log.
//
// What the box does about it: the daemon runs with -update-password-file
// /perm/gokr-pw.txt. On its first start it makes a random password of its
// own there (24 characters, written atomically, mode 0600), and gokrazy
// (the version pinned here) reads /perm/gokr-pw.txt in preference to
// /etc/gokr-pw.txt when it boots. From the second boot on, the image's
// password no longer opens the box: only this box's own, which the admin
// reads (and renews) at /api/v1/system/update-password. TestQEMUBoot proves
// it by booting twice. Until that second boot (the first minutes of a new
// box's life) the image's password still works, so keep images private and
// reboot a new box once it is set up.
//
// The hostname is "deskline" on every box. No /etc/machine-id is baked in
// (gok new would bake one that all boxes share): gokrazy's MachineID reads
// /perm/machine-id, else falls back to the hostname, so a per-device id is
// for the daemon to create on first boot. The instances hold no password of
// Deskline's own: the panel's admin password is set on first visit.
//
// # The boot test
//
// TestQEMUBoot needs DESKLINE_IMAGE (make qemu-test sets it) and fails
// without it. It boots a sparse copy of the image with TCG (KVM fails on our
// hosts), forwards a free TCP port to 8080 and a free UDP port to 5060, and
// within bounded times waits for the panel's 200, sends SIP OPTIONS, checks
// the console for the kernel's ext4 mount of /perm, and after the VM is
// killed replays /perm's journal with e2fsck and checks with debugfs that
// /perm/deskline exists. qemu runs in its own process group, is killed by a
// t.Cleanup, by a deadline, and (Pdeathsig) if the test binary dies; its
// console goes to the test output on failure.
package image
