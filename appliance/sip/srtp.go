package sip

import (
	"bytes"
	"fmt"

	"deskline/media/sdp"
	"deskline/media/srtp"
)

// offerSuite is the SRTP suite we offer a phone that must use SRTP: the
// one every SDES phone supports.
const offerSuite = sdp.AESCM128HMACSHA1_80

// srtpPolicy is how an extension's legs use SRTP.
func (s *Server) srtpPolicy(ext string) sdp.SRTPPolicy {
	if s.o.SRTPPolicy != nil && ext != "" {
		if p := s.o.SRTPPolicy(ext); p != sdp.SRTPOff {
			return p
		}
	}
	return sdp.SRTPOptional
}

// legSRTP is a leg's SDES state: our key, and the peer's key the media
// Session's Pair was built with.
type legSRTP struct {
	suite  string
	key    []byte // ours: what we encrypt with and put in our SDP
	remote []byte
	mki    []byte
}

// offerCrypto makes our key for an SRTP offer to a phone and returns the
// crypto lines to offer.
func (l *leg) offerCrypto() ([]sdp.Crypto, error) {
	key, err := srtp.GenerateKey(offerSuite)
	if err != nil {
		return nil, err
	}
	l.srtp = legSRTP{suite: offerSuite, key: key}
	return []sdp.Crypto{{Tag: 1, Suite: offerSuite, Key: key}}, nil
}

// applySRTP keys the leg's media from a negotiation: plain RTP when n has
// no crypto, else a Pair of our key and the peer's. As the answerer we
// make our key on first use (and again if the suite changes); as the
// offerer (offered true) the answer must accept the line we offered. The
// Pair is rebuilt only when a key changed, so a re-INVITE that repeats the
// keys keeps the stream's replay and rollover state. Call with c.mu held.
func (l *leg) applySRTP(n sdp.Negotiated, offered bool) error {
	if n.SRTP == nil {
		l.srtp = legSRTP{}
		l.media.SetSRTP(nil)
		return nil
	}
	suite := n.SRTP.Suite
	if offered && (n.SRTP.Tag != 1 || suite != l.srtp.suite) {
		return fmt.Errorf("sip: the answer's crypto (tag %d, %s) is not the one offered", n.SRTP.Tag, suite)
	}
	if l.srtp.key == nil || l.srtp.suite != suite {
		key, err := srtp.GenerateKey(suite)
		if err != nil {
			return err
		}
		l.srtp = legSRTP{suite: suite, key: key}
	}
	if l.media.SRTP() && bytes.Equal(l.srtp.remote, n.SRTP.Key) && bytes.Equal(l.srtp.mki, n.SRTP.MKI) {
		return nil
	}
	p, err := srtp.NewPairMKI(suite, l.srtp.key, n.SRTP.Key, n.SRTP.MKI)
	if err != nil {
		return err
	}
	l.srtp.remote, l.srtp.mki = n.SRTP.Key, n.SRTP.MKI
	l.media.SetSRTP(p)
	return nil
}

// answerSDP is our answer to a leg's offer, with our key when the leg
// carries SRTP. Call with c.mu held, after applySRTP.
func (l *leg) answerSDP(offer *sdp.Session, n sdp.Negotiated) ([]byte, error) {
	ans, err := sdp.AnswerWith(offer, n, sdp.AnswerParams{
		Addr: l.media.LocalAddr(), SessionID: l.origin.ID, Version: l.origin.Version,
		Direction: sdp.SendRecv, Key: l.srtp.key,
	})
	if err != nil {
		return nil, err
	}
	return ans.Marshal(), nil
}
