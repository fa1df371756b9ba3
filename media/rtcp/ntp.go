package rtcp

import "time"

// ntpEpochOffset is the number of seconds from the NTP epoch (1900-01-01)
// to the Unix epoch (1970-01-01).
const ntpEpochOffset = 2208988800

// NTPTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high 32 bits, the fraction of a second in the low 32 (RFC 3550 §4).
func NTPTime(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}

// NTPToTime converts a 64-bit NTP timestamp to a time (in the era that
// began in 1900, which ends in 2036; later times wrap around).
func NTPToTime(n uint64) time.Time {
	sec := int64(n>>32) - ntpEpochOffset
	nsec := int64((n & 0xffffffff) * 1e9 >> 32)
	return time.Unix(sec, nsec)
}

// NTPMiddle returns the middle 32 bits of an NTP timestamp, the compact
// form used in the LSR field of report blocks (units of 1/65536 s).
func NTPMiddle(n uint64) uint32 { return uint32(n >> 16) }

// RTT computes the round-trip time from a report block's LSR and DLSR
// fields and the compact NTP time at which the report arrived (RFC 3550
// §6.4.1: A - LSR - DLSR). ok is false when the block carries no LSR (the
// peer has not received a sender report yet) or the result is negative.
func RTT(lsr, dlsr, arrival uint32) (rtt time.Duration, ok bool) {
	if lsr == 0 {
		return 0, false
	}
	d := int32(arrival - lsr - dlsr)
	if d < 0 {
		return 0, false
	}
	return time.Duration(int64(d) * int64(time.Second) >> 16), true
}
