package usbphone_test

import (
	"fmt"

	"deskline/hw/usbphone"
)

// The telephony controls of a headset whose report 2 carries the hook
// switch in bit 0.
func ExampleTelephony() {
	d, err := usbphone.ParseDescriptor([]byte{
		0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, // Telephony, Headset, Collection
		0x85, 0x02, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, // report 2, 1 bit
		0x09, 0x20, 0x81, 0x02, // Hook Switch: Input
		0x95, 0x07, 0x81, 0x03, // padding
		0xC0,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tel, err := usbphone.NewTelephony(d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tel.Decode([]byte{2, 1}, nil), tel.Decode([]byte{2, 0}, nil))
	// Output: [hook off=true] [hook off=false]
}
