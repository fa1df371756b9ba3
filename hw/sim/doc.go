// Package sim is a simulated telephony port: an FXS port with a telephone
// on it (NewFXS, driven through Phone) and an FXO port on an exchange line
// (NewFXO, driven through Exchange). Both implement hw.Port and read their
// lines through the same hw/line state machines a chip driver uses, so
// debounce, flash, pulse-dialling and ring-detection timing are the real
// thing.
//
// Time is simulated: a Clock, advanced explicitly, steps every port on it
// in 1 ms steps. Hook changes, ringing and caller ID happen at clock
// instants, and audio moves one frame per 20 ms of clock time in each
// direction, as a device would pace it. Nothing sleeps and nothing depends
// on the wall clock, so tests are deterministic; a demo or the web panel
// advances the clock from real time itself.
//
// What the simulation leaves out: no audio processing (a keypad press
// reaches the port as a decoded Digit event, as from a chip's DTMF decoder;
// caller ID travels as a value, not FSK), no line voltages beyond
// present/absent and polarity.
//
// Imports: hw and hw/line only.
package sim
