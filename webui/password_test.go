package webui_test

import (
	"errors"
	"strings"
	"testing"

	"deskline/webui"
)

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	h1, err := webui.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := webui.HashPassword(pw)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h1, "$") != 5 {
		t.Errorf("HashPassword = %q, want an Argon2id PHC string", h1)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !webui.CheckPassword(h1, pw) || !webui.CheckPassword(h2, pw) {
		t.Error("CheckPassword(hash, pw) = false, want true")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", pw + " "} {
		if webui.CheckPassword(h1, wrong) {
			t.Errorf("CheckPassword(hash, %q) = true, want false", wrong)
		}
	}
	salt, key := strings.Split(h1, "$")[4], strings.Split(h1, "$")[5]
	for _, bad := range []string{
		"", pw, "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key, // 4 GiB: refused, not attempted
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
	} {
		if webui.CheckPassword(bad, pw) {
			t.Errorf("CheckPassword(%q, pw) = true, want false", bad)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		user, pw string
		ok       bool
	}{
		{"admin", "a long admin passphrase", true},
		{"admin", "123456789", false},
		{"admin", "ünïcødé-10", true}, // characters, not bytes
		{"admin", "ünïcødé-9", false},
		{"receptionist", "receptionist", false},
		{"receptionist", "Receptionist", false},
		{"receptionist", "receptionist2", true},
	}
	for _, tt := range tests {
		err := webui.ValidatePassword(tt.user, tt.pw)
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q, %q) = %v, want ok %v", tt.user, tt.pw, err, tt.ok)
		}
		var fe *webui.FieldError
		if err != nil && (!errors.Is(err, webui.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "password") {
			t.Errorf("ValidatePassword error %v is not a password FieldError wrapping ErrInvalid", err)
		}
	}
}
