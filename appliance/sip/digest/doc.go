// Package digest authenticates SIP requests with HTTP digest on the server
// side: it issues challenges for the registrar and for INVITE handling and
// verifies the Authorization or Proxy-Authorization header values phones send
// back (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760).
//
// It supports MD5 and SHA-256 with qop=auth. Challenge returns one header
// value per algorithm (SHA-256 first, then MD5), each to be sent as its own
// WWW-Authenticate or Proxy-Authenticate header, because some old phones fail
// when one header offers several algorithms. The server keeps HA1 digests
// per algorithm, never passwords.
//
// # Nonces
//
// A nonce is stateless to issue: it carries its issue time and random bytes,
// sealed with an HMAC-SHA-256 under a per-process key (Options.Secret), so a
// forged or altered nonce fails verification and issuing challenges to
// unauthenticated peers costs no memory. A nonce lives Options.NonceTTL;
// a correct response on an expired nonce yields ErrStale, which the caller
// answers with Challenge(true) so the phone retries without asking its user.
//
// Nonce counts (nc) are tracked per nonce only once a response on that nonce
// has been verified, in a table bounded by Options.MaxNonces. When the table
// is full the entry with the oldest nonce is evicted and a watermark remembers
// its issue time: a nonce at or below the watermark that is no longer in the
// table is treated as stale, never as new, so eviction cannot reopen a replay.
// The watermark starts at the server's creation, so with a persistent Secret
// nonces issued before a restart are stale rather than replayable.
//
// # Enumeration
//
// Challenges do not depend on the user. For an unknown user, or a user
// without an HA1 for the chosen algorithm, Verify computes the response
// against a random dummy HA1 and compares in constant time, so the work done
// is the same as for a wrong password, and both return ErrDenied.
//
// # Clients without qop
//
// Responses without qop (RFC 2069 style) carry no nonce count, so they can be
// replayed while their nonce lives. They are refused unless
// Options.AllowRFC2069 is set.
//
// Imports: the standard library only. Importers: appliance/sip, which maps
// header values between sipgo messages and this package; digest itself knows
// no SIP types.
package digest
