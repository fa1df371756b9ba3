// Package fsk sends and receives on-hook caller ID for analog ports: the
// messages of Telcordia GR-30 and ETSI EN 300 659-3 carried by a 1200 baud
// FSK modem, Bell 202 or ITU-T V.23.
//
// SDMF and MDMF build a message (type, length, content, checksum) and
// ParseMessage reads one back. A Modulator renders a message for an FXS
// port to send between the first and second ring: channel seizure, mark
// signal, then each octet framed by a start and a stop bit, phase
// continuous, at a chosen level. A Demodulator listens to an FXO line and
// hands back every message whose checksum is good; it ignores ringing,
// silence and speech, tolerates noise, level and frequency deviations, and
// needs only a steady mark (the channel seizure may be short or missing).
//
// Both are frame stages fed from one goroutine; neither allocates per
// frame. Imports: the standard library only.
// Importers: the media engine and appliance (analog ports in hw deliver the
// audio).
package fsk
