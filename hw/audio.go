package hw

// Audio is a port's PCM stream as a chip driver receives it from the board:
// the time slots of a TDM/PCM bus (through ALSA, or whatever carries them),
// already converted to linear 8 kHz frames. The control chip (a SLIC or a
// DAA on SPI) and the audio path are separate hardware, so chip drivers take
// an Audio in their options and pass frames through.
//
// ReadFrame and WriteFrame have the pacing contract of Port.ReadFrame and
// Port.WriteFrame: the device's clock paces them, one frame per 20 ms.
// Close unblocks both, makes later calls fail, and is called once, by the
// driver's Halt. ReadFrame is called from one goroutine and WriteFrame
// from one other goroutine, concurrently with each other and with Close.
type Audio interface {
	ReadFrame(f *Frame) error
	WriteFrame(f *Frame) error
	Close() error
}
