// Package rtcp measures call quality: it keeps the RTCP statistics of one
// leg (RFC 3550), writes and reads the sender and receiver reports that
// carry them, and turns them into the figures a supervisor reads — loss,
// jitter, round-trip time and an estimated MOS.
//
// A Receiver keeps the receive statistics of one incoming RTP source
// (RFC 3550 appendix A.1, A.3 and A.8); a Sender counts what we sent and
// remembers the sender reports we issued so that a returning report block
// yields the round-trip time (§6.4.1). AppendSR and AppendRR write compound
// packets (a report followed by an SDES CNAME chunk, §6.1) into a caller's
// buffer; a Parser reads compound packets, checking the rules of §6.1 and
// appendix A.2, and calls back once per SR, RR, SDES chunk and BYE. Interval
// computes when to send the next report (§6.3, appendix A.7), and MOS
// estimates listening quality with a simplified ITU-T G.107 E-model for
// G.711.
//
// The per-packet paths — Receiver.Update, Sender.Sent, AppendSR, AppendRR
// and Parser.Parse — allocate nothing. None of the types is safe for
// concurrent use: each leg's RTP loop owns its Receiver and Sender.
//
// Imports: the standard library only.
// Importers: the media engine and appliance (call-quality reports in the API).
package rtcp
