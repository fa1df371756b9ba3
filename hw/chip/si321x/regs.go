package si321x

// Direct registers used here (numbers from DAHDI proslic.h; meanings from
// its wctdm.c usage, marked [inferred] where this driver goes further).
const (
	regID          = 0   // bits 3:0 revision, bits 5:4 part number
	regPCMMode     = 1   // PCM enable and format
	regTXStartLo   = 2   // PCM transmit start count, PCLK bits after FSYNC
	regTXStartHi   = 3   //
	regRXStartLo   = 4   // PCM receive start count
	regRXStartHi   = 5   //
	regLoopback    = 8   // audio loopback; reads 0x02 after reset
	regHybrid      = 11  // reads 0x33 after reset
	regPowerDown1  = 14  // 0x10 powers the DC-DC converter down
	regIntStatus1  = 18  // write 0xff to clear
	regIntStatus2  = 19  // bit 0 ring trip, bit 1 loop closure, bits 7:2 power alarms [inferred]
	regIntStatus3  = 20  //
	regIntMask1    = 21  //
	regIntMask2    = 22  //
	regIntMask3    = 23  //
	regIDataLo     = 28  // indirect data
	regIDataHi     = 29  //
	regIAddr       = 30  // indirect address; writing it starts the access
	regIStatus     = 31  // non-zero while an indirect access is pending
	regLinefeed    = 64  // bits 2:0 linefeed (LineState)
	regBatFeed     = 66  // 1 turns Q7 off
	regAutoState   = 67  // 0x17: no automatic battery switching
	regLoopStat    = 68  // bit 0 loop closure (LCR), bit 1 ring trip (RTP)
	regLoopILimit  = 71  // loop current limit, (mA-20)/3
	regVBatHi      = 82  // battery voltage, 376 mV per unit
	regDCDCPeriod  = 92  // DC-DC converter PWM period
	regDCDC        = 93  // DC-DC control: 0x19 engage, 0x99 calibrate
	regCal1        = 96  // calibration start; reads 0 when done
	regCal2        = 97  // calibrations to run
	regDCPeakCal   = 107 // DC-DC calibration result, sane in 0x02..0x0d
	regRevCOptimum = 108 // revision C optimisation
)

// Register bit values.
const (
	idNoChipLow   = 0x0
	idNoChipHigh  = 0xf
	idMinRevision = 2

	loopbackReset = 0x02
	hybridReset   = 0x33

	loopLCR = 0x01 // loop closure: off-hook
	loopRTP = 0x02 // ring trip: off-hook while ringing

	int2RingTrip    = 0x01 // [inferred] bit order from the Si3210 data sheet
	int2LoopClosure = 0x02
	int2PowerAlarms = 0xfc // Q1..Q6 power alarm interrupts [inferred]

	powerDown      = 0x10
	dcdcPeriod     = 0xff // 1/64 kHz, as DAHDI
	dcdcEngage     = 0x19
	dcdcCalibrate  = 0x99
	calAll         = 0x1f
	calStart       = 0x5f
	dcPeakMin      = 0x02
	dcPeakMax      = 0x0d
	dcPeakDefault  = 0x08
	revCOptimum    = 0xeb
	autoStateSafe  = 0x17
	batFeedQ7Off   = 0x01
	intClearAll    = 0xff
	vbatUpMin      = 0xc0 // about -72 V: DAHDI's "powered up" level
	scratchPattern = 0x5a // read-back check value [inferred: any byte works]
)

// LineState is the linefeed register (64) value: what the SLIC drives onto
// tip and ring.
type LineState uint8

const (
	Open          LineState = 0 // no battery; the line is dead
	ForwardActive LineState = 1 // talk battery, normal polarity
	OHTForward    LineState = 2 // on-hook transmission (caller ID), normal polarity
	TipOpen       LineState = 3
	Ringing       LineState = 4 // ring voltage
	ReverseActive LineState = 5 // talk battery, reversed polarity
	OHTReverse    LineState = 6
	RingOpen      LineState = 7
)

var lineStateNames = [...]string{"Open", "ForwardActive", "OHTForward", "TipOpen", "Ringing", "ReverseActive", "OHTReverse", "RingOpen"}

func (s LineState) String() string {
	if int(s) < len(lineStateNames) {
		return lineStateNames[s]
	}
	return "LineState(invalid)"
}
