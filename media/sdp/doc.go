// Package sdp reads and writes the Session Description Protocol bodies that
// carry audio call setup between Deskline and desk phones (RFC 8866, formerly
// RFC 4566), and makes the offer/answer decisions of RFC 3264 for the box's
// codecs: G.711 µ-law (PCMU), G.711 A-law (PCMA) and RFC 4733
// telephone-event.
//
// Parse is deliberately tolerant of what phones send (lines out of order, a
// missing t=, LF or CRLF endings, trailing blanks, lines it does not know);
// Marshal is strict and lean: lines in RFC 8866 order, CRLF endings, nothing
// the far end does not need, so that an INVITE stays well inside one UDP
// datagram.
//
// Codecs are named by their rtpmap encoding names ("PCMU", "PCMA"), compared
// without regard to case.
//
// SRTP is keyed by SDES (RFC 4568): ParseCrypto reads a=crypto lines,
// NegotiateWith picks one under a per-leg SRTPPolicy (off, optional,
// required), AnswerWith and NewOffer write our own key. Unusable crypto lines
// (unknown suite, wrong key length, KDR and other session parameters) are
// skipped, never fatal. The keys drive media/srtp, which this package does
// not import.
//
// Imports: nothing of Deskline's. Importers: appliance, which turns SIP
// bodies into sessions and negotiated streams into media engine settings.
package sdp
