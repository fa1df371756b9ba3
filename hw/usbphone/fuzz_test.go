package usbphone

import "testing"

// FuzzDescriptor feeds arbitrary report descriptors and input reports
// through the parser and decoder: they come from whatever is plugged in.
func FuzzDescriptor(f *testing.F) {
	f.Add(headset, []byte{2, 0x01, 0x04})
	f.Add(handset, []byte{0x02, 0x10})
	f.Add([]byte{0xFE, 0x00, 0x00, 0x05, 0x0B}, []byte{})
	f.Fuzz(func(t *testing.T, desc, report []byte) {
		d, err := ParseDescriptor(desc)
		if err != nil {
			return
		}
		for _, fl := range d.Fields {
			if fl.Offset < 0 || fl.Size < 0 || fl.Size > 32 || fl.Offset+fl.Size > maxReportBits {
				t.Fatalf("field out of bounds: %+v", fl)
			}
		}
		tel, err := NewTelephony(d)
		if err != nil {
			return
		}
		out := tel.Decode(report, nil)
		out = tel.Decode(report[:len(report)/2], out)
		for _, c := range out {
			if c.Type == Key && !(c.Key >= '0' && c.Key <= '9' || c.Key == '*' || c.Key == '#') {
				t.Fatalf("decoded key %q", c.Key)
			}
		}
		if r := tel.OutputReports(true, true); tel.HasRinger() && len(r) == 0 {
			t.Fatal("no output report for a device with a ringer")
		}
	})
}
