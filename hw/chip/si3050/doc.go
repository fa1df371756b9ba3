// Package si3050 drives a Silicon Labs Si3050 voice DAA (with its
// Si3018/Si3019 line side), the interface of an FXO port, over SPI with
// periph.io, as an hw.Port: the port is a telephone on an exchange line.
//
// Supported: the probe (register 2's reset value and a register read-back;
// a missing or wrong chip gives ErrNoChip and no port), soft reset, PCM
// set-up (µ-law, A-law or 16-bit linear, transmit and receive start counts),
// country line termination (Country, FCC by default), the ISOcap link,
// ring detection from the RDTP/RDTN bits of register 5 fed through
// line.Monitor for debounce and ring counting, seize and release (register 5
// hook bit), hook flash, line presence and polarity reversal from the line
// voltage (register 29), a loop current drop (register 28) while seized
// reported as LineDown (disconnect supervision), and Alarm events for a
// control register no working chip returns, a lost line-side link and
// failing SPI transfers. Sampling is polled every 4 ms, or driven by /INT
// edges when Opts.IRQ is set.
//
// Caller ID is not decoded here: the media layer decodes it from the audio.
// Audio itself travels on the board's TDM bus; pass it in as Opts.Audio.
//
// Inferred, to be checked against the data sheet on real hardware (marked
// [inferred] where used): the interrupt source and mask bits of registers 3
// and 4 and clearing by writing 0, the units of register 28 and the
// LoopCurrent threshold, the FCC register values, the 16-bit linear PCM
// code, the SPI mode and speed. Not done: the other countries' values of
// DAHDI's fxo_modes table (pass them as a Country), billing-tone filters,
// on-hook line monitoring for caller ID beyond keeping ONHM set, and pulse
// dialling.
//
// Kernel interfaces: spidev (/dev/spidevB.C, opened with periph's spireg),
// and the GPIO character device for /RESET and /INT (gpioreg); the audio
// path needs an ALSA PCM device for the board's TDM or I²S bus.
//
// Imports: hw, hw/line and periph.io/x/conn. Importers: appliance.
package si3050
