package si3050

// Registers used here (numbers and the values DAHDI's wctdm.c writes;
// [inferred] marks what this driver adds from memory of the Si3050 data
// sheet, to be checked against it).
const (
	regControl1  = 1  // bit 7 soft reset
	regControl2  = 2  // reads 0x03 after reset: the probe's signature
	regIntMask   = 3  // interrupt enables, bits as regIntSource [inferred]
	regIntSource = 4  // interrupt sources; written 0 to clear [inferred]
	regDAA1      = 5  // DAA control 1: hook, ring detect
	regDAA2      = 6  // DAA control 2: 0 powers the line side (ISOcap link) up
	regRevision  = 11 // bits 7:4 line-side device ID, zero until the ISOcap link is up
	regRinger    = 16 // on-hook speed, ringer impedance and threshold
	regDCTerm    = 26 // DC termination
	regLoopI     = 28 // loop current (LCS), about 1.1 mA per unit [inferred]
	regLineV     = 29 // line voltage (LVS), signed, 1 V per unit
	regACTerm    = 30 // AC termination (impedance)
	regDAA5      = 31 // misc DAA control
	regPCM       = 33 // PCM enable and format
	regTXStartLo = 34 // PCM transmit start count, PCLK bits after FSYNC
	regTXStartHi = 35
	regRXStartLo = 36 // PCM receive start count
	regRXStartHi = 37
)

// Register 5 (DAA control 1) bits.
const (
	daaOffHook   = 0x01 // OH: seize the line
	daaBadBit    = 0x02 // DAHDI treats a set bit 1 as a broken read-back
	daaOnHookMon = 0x08 // ONHM: on-hook line monitor
	daaRingPos   = 0x20 // RDTP: positive ring detected
	daaRingNeg   = 0x40 // RDTN: negative ring detected
	daaCompare   = 0x9b // bits DAHDI compares with what it wrote

	daaOnHook = daaOnHookMon              // 0x08, as DAHDI when on-hook
	daaSeized = daaOnHookMon | daaOffHook // 0x09, as DAHDI when off-hook
)

// Register 4 interrupt sources [inferred].
const (
	intRing     = 0x80 // RDTI: ring detect
	intDropOut  = 0x08 // DODI: line voltage drop-out
	intLoopI    = 0x04 // LCSOI: loop current sense overload
	intPolarity = 0x01 // POLI: polarity reversal
)

const (
	control2Reset  = 0x03
	softReset      = 0x80
	scratchPattern = 0x5a // read-back check value [inferred: any byte works]
)

// Country holds the country-specific line termination registers, as
// DAHDI's fxo_modes table gives them per country (register 16 from its
// ohs/rz/rt fields, 26 from dcv/mini/ilim, 30 from acim, 31 from ohs2).
type Country struct {
	Ringer, DCTerm, ACTerm, DAA5 byte
}

// FCC is the United States setting [inferred from memory of DAHDI's "FCC"
// entry: all fields zero except a DC voltage adjust of 3].
var FCC = Country{Ringer: 0x00, DCTerm: 0xc0, ACTerm: 0x00, DAA5: 0xa3}
