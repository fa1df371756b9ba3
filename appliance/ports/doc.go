// Package ports makes the box's analog ports legs of calls. It is an
// in-process analog gateway: each port is driven through hw.Port and talks
// SIP over loopback to the box's own SIP server, as an analog telephone
// adapter (ATA) on the LAN would, so call control in appliance/sip treats
// it like any other phone or provider.
//
// An FXS port is an extension. Its endpoint registers to the box with the
// extension's credentials and keeps the registration. Lifting the handset
// plays the country's dial tone; digits are detected in the port audio
// (media/dtmf) or taken from the port's Digit events (pulse dialling, a
// chip's decoder) until '#' or an inter-digit timeout, then the endpoint
// INVITEs sip:<digits>@box. Ringback, busy and congestion tones are played
// from the responses; hanging up sends CANCEL or BYE, and a BYE from the
// box leaves busy tone until the handset goes down. An INVITE from the box
// rings the port with the country's cadence (hw/line) and sends the caller
// ID as FSK (media/fsk) into the port audio at the cadence's caller-ID
// moment; lifting the handset answers 200, a port already off-hook answers
// 486, and a CANCEL stops the ringing.
//
// An FXO port is a line of a trunk. Its endpoint is a SIP peer on a
// loopback port of its own: the integrator adds a trunk whose host and
// source are that address (IP authentication, no registration). A line
// that rings in is seized after LineOptions.AnswerAfterRings rings, the
// caller ID taken from the port's event or from FSK in the line audio,
// and the endpoint INVITEs the box at the line's DID. An INVITE from the
// box seizes the line, dials the Request-URI's number as DTMF tones into
// it and answers 200 once dialled: an analog line gives no answer
// supervision, so the far end is "answered" while it may still ring.
// Polarity reversal or loss of line voltage ends the call with BYE.
// Busy-tone disconnect detection is not done (media has no busy detector).
//
// Audio: one goroutine reads the port's 20 ms frames and one writes them,
// both paced by the port. Port audio goes to the box as RTP through a
// media.Session whose Feed is stepped by the reader (device-paced, no
// second clock); RTP from the box is decoded by a media.Receiver into a
// small buffer the writer drains. Tones, FSK and DTMF are rendered by the
// writer. Per frame nothing is allocated.
//
// Imports: hw, hw/line, media and its stages, and sipgo. Importers:
// appliance, which creates the gateway (simulated ports with -sim-ports).
package ports
