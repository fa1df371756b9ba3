// Package ag1171 drives an FXS port built from a GPIO-controlled ringing
// SLIC of the Silvertel Ag1171 class and a USB sound card: an analog
// telephone gets battery, ringing and hook supervision from the SLIC, and
// its audio goes through the sound card (hw/alsa). Port implements hw.Port
// with Kind hw.FXS.
//
// The SLIC has three logic lines. RM (ring mode) High makes it generate
// ringing voltage; during a burst the driver toggles F/R (forward/reverse)
// at the ring frequency, 20 Hz by default, starting High; outside bursts RM
// is Low and F/R High (forward polarity: Ring negative to Tip). SHK
// (switch hook) is High while the telephone draws loop current. The hook
// timings (debounce, flash, hang-up, pulse dialling), the ring cadence, ring
// trip and the caller-ID moment come from hw/line's FXS machine; the port
// samples SHK on its edges (or every Opts.Poll when the line has no edge
// detection) and at the times the machine and the F/R toggling need. While
// a burst is on, SHK must hold off-hook for Opts.RingTrip before it counts,
// because SHK may follow the ring current.
//
// Caller ID is audio: at the caller-ID moment the port calls
// Opts.SendCallerID, and the appliance has the media layer write the FSK
// burst with WriteFrame. The SLIC passes it to the on-hook telephone only
// when its on-hook-transmission bias resistor is fitted (datasheet §5.10).
//
// # Wiring (Raspberry Pi, DefaultWiring)
//
//	Pi header pin          SLIC pin     notes
//	 16  GPIO23 (output)   RM           ring mode
//	 18  GPIO24 (output)   F/R          forward/reverse
//	 22  GPIO25 (input)    SHK          switch hook; divide to 3.3 V if the SLIC runs on 5 V
//	  2  5 V               VCC (VPWR)   ringing draws far more than the 3.3 V rail gives
//	  6  GND               GND          also the sound card's ground
//	USB sound card out     VIN          through a coupling capacitor, line level
//	USB sound card mic in  VOUT         through a coupling capacitor and an attenuator
//	                       TIP, RING    to the telephone
//
// The pin assignment is a suggestion (any free GPIO lines work; pass your
// own Wiring or Pins). Whether the SLIC's inputs accept 3.3 V logic when it
// runs on 5 V, and its exact SHK behaviour during ringing, must be checked
// against the datasheet of the module in hand; ringing voltage is
// dangerous.
//
// Imports: deskline/hw, deskline/hw/line, deskline/hw/alsa and periph.io
// conn. Importers: appliance.
package ag1171
