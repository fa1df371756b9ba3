// Package dtmf detects and generates in-band DTMF (ITU-T Q.23 signals) in
// 8 kHz 16-bit linear audio.
//
// The Detector is a stage on the receive path of a leg that did not
// negotiate RFC 4733 telephone-events: its owner feeds it every decoded
// frame, in order, from one goroutine, and gets back digit events with the
// sample positions where each digit began and ended. Its acceptance rules
// follow the receiver tolerances of ITU-T Q.24: frequency deviation,
// twist, minimum level, minimum tone duration and inter-digit pause, with
// checks for signal purity, steadiness and second harmonics to resist
// talk-off (speech or music imitating a digit).
//
// The Generator renders digit strings with a given tone duration, pause
// and level, for sending in-band on a trunk or to an analog port.
//
// Neither allocates per frame. Imports: the standard library only.
// Importers: the media engine and appliance.
package dtmf
