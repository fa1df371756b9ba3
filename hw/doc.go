// Package hw is telephony hardware: the Port contract that every FXS port,
// FXO line and USB phone implements (hook, flash, digit, ring and line
// events plus 20 ms frames of 8 kHz audio both ways), with the pieces drivers
// share.
//
// Subpackages: hw/line holds the clock-driven line state machines (hook
// debounce, flash, pulse dialling, ring detection, ring cadence and the
// caller-ID moment); hw/sim is a simulated FXS phone and FXO line for tests
// and demos; hw/hwtest is the conformance suite every Port passes. Chip
// drivers on periph.io live under hw/chip: si321x (Si3210/Si3215 FXS) and
// si3050 (Si3050 FXO DAA), which take the board's PCM stream as an Audio
// and report hardware faults as Alarm events.
//
// Imports: nothing of Deskline's; hw is the only package that may import
// periph. Importers: appliance.
package hw
