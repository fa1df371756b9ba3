package digest

import "errors"

// Errors returned by Verify (wrapped; test with errors.Is) and by
// ParseAuthorization. Callers answer ErrMissing, ErrDenied and ErrMalformed
// with a fresh Challenge(false), and ErrStale with Challenge(true). None of
// their texts, nor Reason, may be sent to the peer.
var (
	// ErrMissing is returned when the header value is empty: the request
	// carried no credentials.
	ErrMissing = errors.New("digest: no credentials")

	// ErrMalformed is returned when the header value cannot be parsed, is
	// too large, is not a Digest value, lacks a required parameter, or has
	// a parameter in an impossible format (an nc that is not 8 hex digits).
	ErrMalformed = errors.New("digest: malformed credentials")

	// ErrStale is returned when the response is correct but its nonce has
	// expired or has been forgotten; the caller re-challenges with
	// stale=true.
	ErrStale = errors.New("digest: stale nonce")

	// ErrDenied is returned for every other refusal: wrong password,
	// unknown user, a nonce that is not ours or was altered, a replayed or
	// non-increasing nonce count, a realm or uri that does not match, an
	// algorithm or qop that was not offered. It is one error so that the
	// answer gives no oracle; Reason tells which check failed, for logs.
	ErrDenied = errors.New("digest: access denied")

	// ErrUnknownNonce is returned, together with ErrDenied (it is a kind
	// of it), when the nonce was not issued by this server to this client:
	// forged, altered, minted for another client address, or from before a
	// restart. The sender has not shown that it receives our challenges (a
	// spoofed source address cannot), so callers should answer it like
	// ErrStale — a phone then simply retries with a fresh nonce — and never
	// count it towards a ban.
	ErrUnknownNonce = errors.New("digest: unknown nonce")
)

// Error is the type of the ErrStale and ErrDenied errors Verify returns. Its
// Error text is the sentinel's alone; the failed check is in Reason.
type Error struct {
	err    error
	reason string
	also   error // a second sentinel it matches (ErrUnknownNonce), or nil
}

func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns ErrStale or ErrDenied, and ErrUnknownNonce where it applies.
func (e *Error) Unwrap() []error {
	if e.also != nil {
		return []error{e.err, e.also}
	}
	return []error{e.err}
}

// Reason names the check that failed, for logging only.
func (e *Error) Reason() string { return e.reason }

// Reason returns the logging detail of an error from Verify, or its text
// when it has none.
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.reason
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func denied(reason string) error { return &Error{err: ErrDenied, reason: reason} }
