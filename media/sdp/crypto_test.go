package sdp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testKey returns n bytes of key||salt that differ with seed.
func testKey(n int, seed byte) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = seed + byte(i)*7
	}
	return k
}

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func TestParseCrypto(t *testing.T) {
	k30, k28, k44, k46 := testKey(30, 1), testKey(28, 2), testKey(44, 3), testKey(46, 4)
	raw := func(k []byte) string { return base64.RawStdEncoding.EncodeToString(k) }
	tests := []struct {
		in   string
		want Crypto
		why  string // part of the error when the line is unusable
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30), Crypto{1, AESCM128HMACSHA1_80, k30, nil}, ""},
		{"2 AES_CM_128_HMAC_SHA1_32 inline:" + b64(k30) + "|2^31", Crypto{2, AESCM128HMACSHA1_32, k30, nil}, ""},
		{"3 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|2^31|1:1", Crypto{3, AESCM128HMACSHA1_80, k30, []byte{1}}, ""},
		{"4 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|1048576", Crypto{4, AESCM128HMACSHA1_80, k30, nil}, ""},
		{"5 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|258:2", Crypto{5, AESCM128HMACSHA1_80, k30, []byte{1, 2}}, ""},
		{"6 AEAD_AES_128_GCM inline:" + b64(k28), Crypto{6, AEADAES128GCM, k28, nil}, ""},
		{"7 AEAD_AES_128_GCM inline:" + raw(k28), Crypto{7, AEADAES128GCM, k28, nil}, ""}, // padding left out
		{"8 AEAD_AES_256_GCM inline:" + b64(k44), Crypto{8, AEADAES256GCM, k44, nil}, ""},
		{"9 AES_256_CM_HMAC_SHA1_80 inline:" + b64(k46), Crypto{9, AES256CMHMACSHA1_80, k46, nil}, ""},
		{"10 aes_cm_128_hmac_sha1_80 INLINE:" + b64(k30) + " WSH=128", Crypto{10, AESCM128HMACSHA1_80, k30, nil}, ""},
		{"  11\tAES_CM_128_HMAC_SHA1_80   inline:" + b64(k30) + "  ", Crypto{11, AESCM128HMACSHA1_80, k30, nil}, ""},

		{"", Crypto{}, "needs tag"},
		{"1 AES_CM_128_HMAC_SHA1_80", Crypto{}, "needs tag"},
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30), Crypto{}, "tag"},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30), Crypto{}, "tag"},
		{"1 F8_128_HMAC_SHA1_80 inline:" + b64(k30), Crypto{}, "unsupported suite"},
		{"1 AES_192_CM_HMAC_SHA1_80 inline:" + b64(testKey(38, 1)), Crypto{}, "unsupported suite"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k28), Crypto{}, "needs a key||salt of 30 bytes, has 28"},
		{"1 AEAD_AES_128_GCM inline:" + b64(k30), Crypto{}, "needs a key||salt of 28 bytes, has 30"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + " KDR=1", Crypto{}, "session parameter \"KDR=1\""},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + " UNENCRYPTED_SRTP", Crypto{}, "UNENCRYPTED_SRTP"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + " UNAUTHENTICATED_SRTP", Crypto{}, "UNAUTHENTICATED_SRTP"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + " FEC_ORDER=FEC_SRTP", Crypto{}, "FEC_ORDER"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + ";inline:" + b64(k30), Crypto{}, "several keys"},
		{"1 AES_CM_128_HMAC_SHA1_80 mikey:" + b64(k30), Crypto{}, "not inline"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30)[:39] + "!", Crypto{}, "not base64"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|2^x", Crypto{}, "lifetime"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|2^49", Crypto{}, "lifetime"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|0", Crypto{}, "lifetime"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|1:1|2^31", Crypto{}, "after the MKI"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|256:1", Crypto{}, "MKI"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|1:0", Crypto{}, "MKI"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|1:129", Crypto{}, "MKI"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k30) + "|2^31|1:1|3", Crypto{}, "more than lifetime and MKI"},
	}
	for _, tt := range tests {
		got, err := ParseCrypto(tt.in)
		if tt.why != "" {
			var ce *CryptoError
			if !errors.Is(err, ErrCrypto) || !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("ParseCrypto(%q) error = %v, want a *CryptoError saying %q", tt.in, err, tt.why)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCrypto(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		// What we write reads back the same.
		back, err := ParseCrypto(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("ParseCrypto(%q) = %+v, %v; want %+v", got.String(), back, err, got)
		}
	}
}

func TestMediaCrypto(t *testing.T) {
	s := mustParse(t, savpOffer)
	usable, skipped := s.Media[0].Crypto()
	if len(usable) != 2 || usable[0].Tag != 1 || usable[0].Suite != AESCM128HMACSHA1_80 || !bytes.Equal(usable[0].MKI, []byte{1}) ||
		usable[1].Tag != 2 || usable[1].Suite != AESCM128HMACSHA1_32 || usable[1].MKI != nil {
		t.Errorf("Crypto() usable = %v", usable)
	}
	if len(skipped) != 0 {
		t.Errorf("Crypto() skipped = %v", skipped)
	}
}

// offerWith returns an offer for one audio stream over proto with the given
// a=crypto values.
func offerWith(proto string, crypto ...string) *Session {
	b := "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 5000 " + proto + " 0 101\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n"
	for _, c := range crypto {
		b += "a=crypto:" + c + "\r\n"
	}
	s, err := Parse([]byte(b))
	if err != nil {
		panic(err)
	}
	return s
}

func TestNegotiateSRTP(t *testing.T) {
	k30, k28 := b64(testKey(30, 1)), b64(testKey(28, 2))
	c80 := "1 AES_CM_128_HMAC_SHA1_80 inline:" + k30
	c32 := "2 AES_CM_128_HMAC_SHA1_32 inline:" + k30 + "|2^31"
	gcm := "3 AEAD_AES_128_GCM inline:" + k28
	kdr := "4 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + " KDR=24"
	tests := []struct {
		name   string
		offer  *Session
		o      NegotiateOptions
		proto  string // want; "" when Negotiate fails
		tag    int    // chosen crypto line; 0 for plain RTP
		crypto bool   // the failure is for want of keying
		why    string
	}{
		{"SAVP, SRTP optional", offerWith("RTP/SAVP", c80), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 1, false, ""},
		{"SAVP, SRTP required", offerWith("RTP/SAVP", c80), NegotiateOptions{SRTP: SRTPRequired}, "RTP/SAVP", 1, false, ""},
		{"SAVP, SRTP off", offerWith("RTP/SAVP", c80), NegotiateOptions{}, "", 0, true, "SRTP is off"},
		{"our order beats the offer's", offerWith("RTP/SAVP", gcm, c32, c80), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 1, false, ""},
		{"_32 before GCM", offerWith("RTP/SAVP", gcm, c32), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 2, false, ""},
		{"only GCM", offerWith("RTP/SAVP", gcm), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 3, false, ""},
		{"caller's suites", offerWith("RTP/SAVP", c80, gcm), NegotiateOptions{SRTP: SRTPOptional, Suites: []string{AEADAES128GCM}}, "RTP/SAVP", 3, false, ""},
		{"caller's suites, none offered", offerWith("RTP/SAVP", c80), NegotiateOptions{SRTP: SRTPOptional, Suites: []string{AEADAES256GCM}}, "", 0, true, "no suite we accept"},
		{"KDR line skipped, next taken", offerWith("RTP/SAVP", kdr, c32), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 2, false, ""},
		{"SAVP with only a KDR line", offerWith("RTP/SAVP", kdr), NegotiateOptions{SRTP: SRTPOptional}, "", 0, true, "KDR=24"},
		{"SAVP without crypto", offerWith("RTP/SAVP"), NegotiateOptions{SRTP: SRTPOptional}, "", 0, true, "none"},
		{"AVP with crypto, optional", offerWith("RTP/AVP", c80), NegotiateOptions{SRTP: SRTPOptional}, "RTP/AVP", 1, false, ""},
		{"AVP with crypto, required", offerWith("RTP/AVP", c80), NegotiateOptions{SRTP: SRTPRequired}, "RTP/AVP", 1, false, ""},
		{"AVP with crypto, off", offerWith("RTP/AVP", c80), NegotiateOptions{}, "RTP/AVP", 0, false, ""},
		{"AVP with bad crypto, optional", offerWith("RTP/AVP", kdr), NegotiateOptions{SRTP: SRTPOptional}, "RTP/AVP", 0, false, ""},
		{"plain AVP, optional", offerWith("RTP/AVP"), NegotiateOptions{SRTP: SRTPOptional}, "RTP/AVP", 0, false, ""},
		{"plain AVP, required", offerWith("RTP/AVP"), NegotiateOptions{SRTP: SRTPRequired}, "", 0, true, "without a usable a=crypto"},
		{"SAVPF", offerWith("RTP/SAVPF", c80), NegotiateOptions{SRTP: SRTPOptional}, "", 0, false, "only over RTP/SAVPF"},
		{"best effort: SAVP copy when optional", mustParse(t, bestEffortSRTP), NegotiateOptions{SRTP: SRTPOptional}, "RTP/SAVP", 1, false, ""},
		{"best effort: AVP copy when off", mustParse(t, bestEffortSRTP), NegotiateOptions{}, "RTP/AVP", 0, false, ""},
		{"SAVP phone, MKI", mustParse(t, savpOffer), NegotiateOptions{SRTP: SRTPRequired}, "RTP/SAVP", 1, false, ""},
	}
	for _, tt := range tests {
		n, err := NegotiateWith(tt.offer, tt.o)
		if tt.proto == "" {
			if !errors.Is(err, ErrNoCodec) || errors.Is(err, ErrNoCrypto) != tt.crypto || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("%s: NegotiateWith error = %v, want ErrNoCodec (ErrNoCrypto %v) saying %q", tt.name, err, tt.crypto, tt.why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: NegotiateWith error = %v", tt.name, err)
			continue
		}
		tag := 0
		if n.SRTP != nil {
			tag = n.SRTP.Tag
			if want, _ := suiteKeyLen(n.SRTP.Suite); want == "" || len(n.SRTP.Key) == 0 {
				t.Errorf("%s: SRTP = %+v", tt.name, n.SRTP)
			}
		}
		if n.Proto != tt.proto || tag != tt.tag {
			t.Errorf("%s: NegotiateWith = %s with crypto tag %d, want %s with %d", tt.name, n.Proto, tag, tt.proto, tt.tag)
		}
	}
}

func TestAnswerSRTP(t *testing.T) {
	offer := mustParse(t, savpOffer)
	n, err := NegotiateWith(offer, NegotiateOptions{SRTP: SRTPRequired})
	if err != nil {
		t.Fatal(err)
	}
	ours := testKey(30, 9)
	p := AnswerParams{Addr: netip.MustParseAddrPort("203.0.113.5:30000"), SessionID: 4, Version: 5, Key: ours}
	ans, err := AnswerWith(offer, n, p)
	if err != nil {
		t.Fatal(err)
	}
	want := "v=0\r\n" +
		"o=- 4 5 IN IP4 203.0.113.5\r\n" +
		"s=-\r\n" +
		"c=IN IP4 203.0.113.5\r\n" +
		"t=0 0\r\n" +
		"m=audio 30000 RTP/SAVP 0 101\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n" +
		"a=ptime:20\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(ours) + "\r\n" +
		"a=sendrecv\r\n"
	got := string(ans.Marshal())
	if got != want {
		t.Errorf("AnswerWith().Marshal() =\n%s\nwant\n%s", got, want)
	}
	checkStrict(t, []byte(got))
	// The offerer reads our key back from the answer.
	back, err := NegotiateWith(mustParse(t, got), NegotiateOptions{SRTP: SRTPRequired})
	if err != nil || back.SRTP == nil || !bytes.Equal(back.SRTP.Key, ours) || back.SRTP.Tag != 1 {
		t.Errorf("answer negotiates to %+v, %v", back.SRTP, err)
	}

	// Best effort: the AVP profile is echoed with the key.
	be := offerWith("RTP/AVP", "7 AEAD_AES_128_GCM inline:"+b64(testKey(28, 1)))
	n, _ = NegotiateWith(be, NegotiateOptions{SRTP: SRTPOptional})
	gk := testKey(28, 5)
	ans, err = AnswerWith(be, n, AnswerParams{Addr: p.Addr, Key: gk})
	if err != nil {
		t.Fatal(err)
	}
	if m := ans.Media[0]; m.Proto != "RTP/AVP" || len(m.Attrs) != 1 || m.Attrs[0].Value != "7 AEAD_AES_128_GCM inline:"+b64(gk) {
		t.Errorf("best-effort answer = %s %+v", m.Proto, m.Attrs)
	}

	// A key of the wrong length is the caller's mistake; Answer, which
	// has no key, refuses the stream rather than talk in clear.
	if _, err := AnswerWith(offer, n, AnswerParams{Addr: p.Addr, Key: ours}); err == nil {
		t.Error("AnswerWith accepted a 30-byte key for AEAD_AES_128_GCM")
	}
	n, _ = NegotiateWith(offer, NegotiateOptions{SRTP: SRTPRequired})
	if m := Answer(offer, n, p.Addr, 1, 1, SendRecv).Media[0]; m.Port != 0 || len(m.Attrs) != 0 {
		t.Errorf("Answer without a key for SRTP = %+v, want the stream refused", m)
	}
	// Plain negotiations keep working through AnswerWith without a key.
	plain := mustParse(t, yealinkOffer)
	n, _ = Negotiate(plain, nil)
	a1, err := AnswerWith(plain, n, AnswerParams{Addr: p.Addr, SessionID: 1, Version: 1})
	if err != nil || string(a1.Marshal()) != string(Answer(plain, n, p.Addr, 1, 1, SendRecv).Marshal()) {
		t.Errorf("AnswerWith(plain) differs from Answer: %v", err)
	}
}

func TestNewOfferSRTP(t *testing.T) {
	k1, k2 := testKey(30, 1), testKey(28, 2)
	o := OfferParams{Addr: netip.MustParseAddrPort("203.0.113.5:30000"), Codecs: []string{PCMA}, Crypto: []Crypto{
		{Tag: 1, Suite: AESCM128HMACSHA1_80, Key: k1},
		{Tag: 2, Suite: "F8_128_HMAC_SHA1_80", Key: k1}, // unknown: left out
		{Tag: 3, Suite: AEADAES128GCM, Key: k1},         // wrong length: left out
		{Tag: 4, Suite: "aead_aes_128_gcm", Key: k2},
	}}
	body := string(NewOffer(o).Marshal())
	for _, want := range []string{
		"m=audio 30000 RTP/SAVP 8 101\r\n",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(k1) + "\r\n",
		"a=crypto:4 AEAD_AES_128_GCM inline:" + b64(k2) + "\r\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("NewOffer with keys lacks %q:\n%s", want, body)
		}
	}
	if strings.Count(body, "a=crypto") != 2 {
		t.Errorf("NewOffer wrote unusable keys:\n%s", body)
	}
	// We accept our own offer, and prefer its first line.
	n, err := NegotiateWith(mustParse(t, body), NegotiateOptions{SRTP: SRTPRequired})
	if err != nil || n.SRTP.Tag != 1 || n.Proto != "RTP/SAVP" {
		t.Errorf("NegotiateWith(our offer) = %+v, %v", n, err)
	}
	if _, err := Negotiate(mustParse(t, body), nil); !errors.Is(err, ErrNoCrypto) {
		t.Errorf("plain Negotiate(SRTP offer) error = %v, want ErrNoCrypto", err)
	}
	o.SRTPOptional = true
	body = string(NewOffer(o).Marshal())
	if !strings.Contains(body, "m=audio 30000 RTP/AVP 8 101\r\n") || strings.Count(body, "a=crypto") != 2 {
		t.Errorf("best-effort offer:\n%s", body)
	}
	if n, err := Negotiate(mustParse(t, body), nil); err != nil || n.SRTP != nil {
		t.Errorf("a phone without SRTP cannot take our best-effort offer: %+v, %v", n, err)
	}
}

// TestBaresipOffers negotiates the INVITE bodies that Debian's baresip 1.0
// really sent with its srtp module (recorded by media/srtp's TestBaresip
// -capture): best effort ("srtp": crypto on RTP/AVP) and mandatory
// ("srtp-mand": RTP/SAVP).
func TestBaresipOffers(t *testing.T) {
	for _, tt := range []struct {
		file         string
		proto        string
		plainAllowed bool // a box with SRTP off can still take it
	}{
		{"baresip-1.0-srtp.sdp", "RTP/AVP", true},
		{"baresip-1.0-srtp-mand.sdp", "RTP/SAVP", false},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		offer := mustParse(t, string(body))
		for _, pol := range []SRTPPolicy{SRTPOptional, SRTPRequired} {
			n, err := NegotiateWith(offer, NegotiateOptions{SRTP: pol})
			if err != nil || n.Proto != tt.proto || n.SRTP == nil || n.SRTP.Suite != AESCM128HMACSHA1_80 || n.Encoding != PCMU || n.DTMFPT != 101 {
				t.Errorf("%s, policy %d: NegotiateWith = %+v, %v", tt.file, pol, n, err)
				continue
			}
			ans, err := AnswerWith(offer, n, AnswerParams{Addr: netipLocal, Key: testKey(30, 3)})
			if err != nil {
				t.Fatal(err)
			}
			if m := ans.Media[0]; m.Proto != tt.proto || len(m.Attrs) != 1 || !strings.HasPrefix(m.Attrs[0].Value, "1 AES_CM_128_HMAC_SHA1_80 inline:") {
				t.Errorf("%s: answer %s %v", tt.file, m.Proto, m.Attrs)
			}
		}
		n, err := Negotiate(offer, nil)
		if tt.plainAllowed != (err == nil) || (err == nil && n.SRTP != nil) {
			t.Errorf("%s: plain Negotiate = %+v, %v", tt.file, n, err)
		}
		if !tt.plainAllowed && !errors.Is(err, ErrNoCrypto) {
			t.Errorf("%s: plain Negotiate error = %v, want ErrNoCrypto", tt.file, err)
		}
	}
}
