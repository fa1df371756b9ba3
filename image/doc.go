// Package image holds the gokrazy instances that turn Deskline into a bootable
// disk image (amd64 and Raspberry Pi), and the test that boots the amd64 image
// in QEMU and reaches the web panel and SIP through host forwards.
//
// It contains no runtime code. Imports: nothing of Deskline's. Importers: none.
package image
