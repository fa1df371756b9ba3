package chiptest

import "periph.io/x/conn/v3"

// FuzzConn wraps a chip simulator: while On, every byte the driver clocks
// in comes from Data instead (0 once Data runs out), so a fuzzer can feed
// arbitrary register values to a driver that initialised normally.
type FuzzConn struct {
	conn.Conn
	Data []byte
	On   bool
}

// Tx implements conn.Conn.
func (f *FuzzConn) Tx(w, r []byte) error {
	if err := f.Conn.Tx(w, r); err != nil {
		return err
	}
	if f.On && len(r) > 0 {
		r[0] = 0
		if len(f.Data) > 0 {
			r[0], f.Data = f.Data[0], f.Data[1:]
		}
	}
	return nil
}
