// Package hw is telephony hardware: a Port (FXS, FXO, USB phone) that reports
// hook, ring, flash and digits and carries 8 kHz audio frames, chip drivers on
// periph.io, and a simulated port for tests and demos.
//
// Imports: nothing of Deskline's; hw is the only package that imports periph.
// Importers: appliance.
package hw
