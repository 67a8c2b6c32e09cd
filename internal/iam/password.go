package iam

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/whatpro/hub/internal/httpx"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (OWASP's minimum profile, sized for small servers).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares pw with an encoded hash in constant time.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked for unknown emails so that a wrong email and a
// wrong password take the same time.
var dummyHash = func() string {
	h, err := HashPassword("not-a-real-password-just-timing")
	if err != nil {
		panic(err)
	}
	return h
}()

//go:embed common_passwords.txt
var commonPasswordsRaw string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsRaw, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// PasswordRule is said whenever a password is refused.
const PasswordRule = "passwords need at least 10 characters, must not be your email and must not be a common password"

// ErrWeakPassword is returned by CheckPolicy.
var ErrWeakPassword = errors.New(PasswordRule)

// passwordMin is the rule's shortest password, in characters.
const passwordMin = 10

// passwordFieldError is the field error for a password CheckPolicy refused:
// too_short when it is short, weak_password otherwise (the email or a common
// password), both with the rule's minimum.
func passwordFieldError(field, pw string) httpx.FieldError {
	if len([]rune(pw)) < passwordMin {
		return httpx.Field(field, httpx.FieldTooShort, PasswordRule, "min", passwordMin)
	}
	if len(pw) > 256 {
		return httpx.Field(field, httpx.FieldTooLong, PasswordRule, "max", 256)
	}
	return httpx.Field(field, httpx.FieldWeakPassword, PasswordRule, "min", passwordMin)
}

// CheckPolicy enforces the password rule.
func CheckPolicy(pw, email string) error {
	if len([]rune(pw)) < passwordMin || len(pw) > 256 {
		return ErrWeakPassword
	}
	lower := strings.ToLower(pw)
	if email != "" && (lower == strings.ToLower(email) || lower == strings.ToLower(strings.Split(email, "@")[0])) {
		return ErrWeakPassword
	}
	if commonPasswords[lower] {
		return ErrWeakPassword
	}
	return nil
}
