// Package usbphone drives a USB handset or headset as an hw.Port of Kind
// hw.USB: audio through the device's sound card (an alsa.PCM), hook switch,
// flash, mute and keypad from its HID interface or input device, and
// ringing through its ringer output when it has one.
//
// Controls arrive through an Input. HID reads /dev/hidrawN: it parses the
// report descriptor (ParseDescriptor, NewTelephony) for the Telephony page
// (0x0B) Hook Switch, Flash, Phone Mute and keypad keys 0xB0-0xBB (as
// variables or as an array), and for the Telephony Ringer or LED Ring
// output, then decodes input reports into Controls. Evdev reads
// /dev/input/eventN for devices the kernel turns into keys (the Yealink
// USB-P1K: pickup is Enter, hang-up Esc). FakeInput and FakeRinger stand in
// for tests.
//
// The device debounces its own keys, so controls become events as they
// arrive: Hook gives OffHook and OnHook, FlashKey gives Flash (while
// off-hook), Key gives Digit; Mute is kept for Muted. A failing Input (the
// device unplugged) gives LineDown. Ring switches the ringer on until
// StopRing, Halt or the handset going off-hook; the device rings in its
// own pattern, so the cadence is only validated, and caller ID is not shown
// (USB telephony has no standard display). Without a Ringer, Ring is
// accepted and only reported by Ringing.
//
// Imports: deskline/hw, deskline/hw/alsa and golang.org/x/sys/unix.
// Importers: appliance.
package usbphone
