// Package srtp protects the RTP and RTCP of one call leg with SRTP (RFC
// 3711) once SDES (RFC 4568, carried in SDP a=crypto lines) has given both
// sides their master keys. It wraps github.com/pion/srtp/v3.
//
// A Pair holds the two one-way cryptographic contexts of a leg: outbound
// (encrypts what we send, with the key we put in our SDP) and inbound
// (decrypts what the phone sends, with the key from its SDP, replay
// protection on). Each direction has its own lock, so a relay goroutine that
// reads packets never waits for one that writes them, and several producers
// (the relay, a prompt player) may take turns sending on one leg.
//
// Keys are key||salt exactly as a=crypto carries them once base64-decoded:
// 30 bytes for the AES_CM_128 suites, 46 for AES_256_CM, 28 for
// AEAD_AES_128_GCM and 44 for AEAD_AES_256_GCM (see KeyLen).
//
// Per-packet cost: Protect and Unprotect allocate nothing when dst has room
// (len(packet)+MaxOverhead bytes); they may work in place.
//
// Its tests check interoperability with Debian's baresip 1.0 both live
// (TestBaresip, which also records the fixtures under testdata) and from
// recordings (TestRecordedBaresip).
//
// Imports: the standard library, github.com/pion/srtp/v3, github.com/pion/rtp,
// github.com/pion/rtcp and github.com/pion/transport/v5 (its replay
// detector); its tests also media/sdp and github.com/zaf/g711.
// Importers: the media engine and appliance, which pair this package with the
// crypto negotiation of media/sdp.
package srtp
