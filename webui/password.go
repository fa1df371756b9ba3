package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes: OWASP's baseline (19 MiB, two passes,
// one lane), which a small box computes in tens of milliseconds. Stored
// hashes carry their own parameters, so these may grow later.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Limits on the parameters CheckPassword accepts, so that a corrupt or
// hostile hash cannot make a login cost the box its memory.
const (
	maxArgonMemoryKiB = 256 * 1024
	maxArgonTime      = 16
	maxArgonThreads   = 16
)

// MinPasswordLen is the shortest password, in characters, that
// ValidatePassword accepts.
const MinPasswordLen = 10

// HashPassword hashes pw with Argon2id and a fresh random salt. The result is
// a PHC-style string, "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with
// unpadded standard base64, for UserStore to keep.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("webui: hashing password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash, a string from HashPassword.
// The comparison takes the same time wherever the two differ. A malformed
// hash, or one whose parameters exceed sane limits, matches nothing.
func CheckPassword(hash, pw string) bool {
	p, ok := parseArgon2id(hash)
	if !ok {
		return false
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon2id(s string) (argonHash, bool) {
	var p argonHash
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, false
	}
	var m, t, th uint32
	if n, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) != f[3] {
		return p, false
	}
	if m < 8 || m > maxArgonMemoryKiB || t < 1 || t > maxArgonTime || th < 1 || th > maxArgonThreads {
		return p, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(f[4])
	key, err2 := base64.RawStdEncoding.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, false
	}
	return argonHash{memory: m, time: t, threads: uint8(th), salt: salt, key: key}, true
}

// ValidatePassword checks the rules for a panel password: at least
// MinPasswordLen characters, and not the user's name. It returns a
// *FieldError for "password" when a rule is broken.
func ValidatePassword(user, pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return &FieldError{"password", fmt.Sprintf("must be at least %d characters", MinPasswordLen)}
	}
	if strings.EqualFold(strings.TrimSpace(pw), user) {
		return &FieldError{"password", "must not be the user name"}
	}
	return nil
}
