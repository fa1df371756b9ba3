// Package hw is telephony hardware: the Port contract that every FXS port,
// FXO line and USB phone implements (hook, flash, digit, ring and line
// events plus 20 ms frames of 8 kHz audio both ways), with the pieces drivers
// share.
//
// Subpackages: hw/line holds the clock-driven line state machines (hook
// debounce, flash, pulse dialling, ring detection, ring cadence and the
// caller-ID moment); hw/sim is a simulated FXS phone and FXO line for tests
// and demos; hw/hwtest is the conformance suite every Port passes. Drivers
// live beside them: hw/alsa (sound cards, on x/sys/unix), hw/usbphone (USB
// handsets and headsets), and under hw/chip the interface chips on
// periph.io: ag1171 (GPIO ringing SLIC with a USB sound card), si321x
// (Si3210/Si3215 FXS) and si3050 (Si3050 FXO DAA), which take the board's
// PCM stream as an Audio and report hardware faults as Alarm events.
//
// Imports: nothing of Deskline's; only hw and its subpackages may import
// periph. Importers: appliance.
package hw
