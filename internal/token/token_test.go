package token

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestIssueParse(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)
	raw, err := Issue(key, 42, 7, now)
	if err != nil {
		t.Fatal(err)
	}
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }

	t.Run("OK", func(t *testing.T) {
		id, ver, err := NewVerifier(key, at(now.Add(Lifetime-time.Second))).Parse(raw)
		if err != nil || id != 42 || ver != 7 {
			t.Fatalf("Parse = %d, %d, %v; want 42, 7, nil", id, ver, err)
		}
	})
	t.Run("Claims", func(t *testing.T) {
		var c jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(raw, &c); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"sub": "42", "ver": float64(7), "iat": float64(now.Unix()), "exp": float64(now.Add(Lifetime).Unix())}
		if len(c) != len(want) {
			t.Errorf("claims %v, want exactly %v", c, want)
		}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		if _, _, err := NewVerifier(key, at(now.Add(Lifetime+time.Second))).Parse(raw); !errors.Is(err, jwt.ErrTokenExpired) {
			t.Errorf("err = %v, want expired", err)
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		if _, _, err := NewVerifier([]byte("another-key-another-key-another-k"), at(now)).Parse(raw); err == nil {
			t.Error("a token signed with another key was accepted")
		}
	})
	sign := func(m jwt.SigningMethod, c jwt.Claims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exp := jwt.NewNumericDate(now.Add(time.Hour))
	for name, bad := range map[string]string{
		"ErrHS512":     sign(jwt.SigningMethodHS512, Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "1", ExpiresAt: exp}}),
		"ErrNoExpiry":  sign(jwt.SigningMethodHS256, Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "1"}}),
		"ErrSubject":   sign(jwt.SigningMethodHS256, Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "kim", ExpiresAt: exp}}),
		"ErrNoSubject": sign(jwt.SigningMethodHS256, Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp}}),
	} {
		t.Run(name, func(t *testing.T) {
			if id, _, err := NewVerifier(key, at(now)).Parse(bad); err == nil {
				t.Errorf("accepted, user %d", id)
			}
		})
	}
}

func TestLoadSecret(t *testing.T) {
	t.Run("Generated", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		if _, err := ReadSecret("", dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("ReadSecret before the first start: %v, want not-exist", err)
		}
		k, err := LoadSecret("", dir)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(dir, SecretFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("secret mode %v, want 0600", fi.Mode().Perm())
		}
		again, err := LoadSecret("", dir)
		if err != nil || !bytes.Equal(k, again) {
			t.Errorf("the secret changed between starts (%v)", err)
		}
		read, err := ReadSecret("", dir)
		if err != nil || !bytes.Equal(k, read) {
			t.Errorf("ReadSecret = %q, %v; want the generated key", read, err)
		}
	})
	t.Run("GivenAsIs", func(t *testing.T) {
		dir := t.TempDir()
		for _, load := range []func(string, string) ([]byte, error){LoadSecret, ReadSecret} {
			const given = " given as-is, spaces and all, 32+ bytes "
			if k, err := load(given, dir); err != nil || string(k) != given {
				t.Errorf("MEALBUDDY_SECRET not used as given: %q, %v", k, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, SecretFile)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a key file was written although the secret was given: %v", err)
		}
	})
	t.Run("ErrShortFile", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, SecretFile), []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSecret("", dir); err == nil {
			t.Error("a 5-character key file was accepted")
		}
	})
}

// TestShortSecretRefused: a MEALBUDDY_SECRET under 32 bytes is refused with
// a message that says what to do; 32 bytes is accepted as given.
func TestShortSecretRefused(t *testing.T) {
	dir := t.TempDir()
	for _, short := range []string{"x", "secret", "0123456789abcdef0123456789abcde"} {
		_, err := LoadSecret(short, dir)
		if err == nil {
			t.Fatalf("a %d-byte MEALBUDDY_SECRET was accepted", len(short))
		}
		if msg := err.Error(); !bytes.Contains([]byte(msg), []byte("MEALBUDDY_SECRET")) || !bytes.Contains([]byte(msg), []byte("at least 32")) {
			t.Errorf("message %q does not say what to do", msg)
		}
		if bytes.Contains([]byte(err.Error()), []byte(short)) && len(short) > 1 {
			t.Errorf("message %q prints the secret", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, SecretFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused secret still generated a key file: %v", err)
	}
	ok := "0123456789abcdef0123456789abcdef"
	got, err := LoadSecret(ok, dir)
	if err != nil || string(got) != ok {
		t.Fatalf("32-byte secret: %q, %v", got, err)
	}
}

// A Verifier answers like Parse: a remembered token still expires, and a
// token differing from a remembered one in any byte is checked afresh.
func TestVerifierRemembersUntilExpiry(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := now
	v := NewVerifier(key, func() time.Time { return clock })
	raw, err := Issue(key, 42, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // checked, then remembered
		if id, ver, err := v.Parse(raw); err != nil || id != 42 || ver != 3 {
			t.Fatalf("Parse = %d %d %v, want 42 3", id, ver, err)
		}
	}
	if len(v.tokens) != 1 {
		t.Fatalf("%d tokens remembered, want 1", len(v.tokens))
	}
	forged := raw[:len(raw)-2] + "AA"
	if forged == raw {
		forged = raw[:len(raw)-2] + "BB"
	}
	if _, _, err := v.Parse(forged); err == nil {
		t.Error("a token with another signature verified")
	}
	clock = now.Add(Lifetime + time.Second)
	if _, _, err := v.Parse(raw); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("a remembered token after its expiry: err = %v, want expired", err)
	}

	clock = now
	for i := range maxVerified + 10 {
		tok, err := Issue(key, int64(i+1), 1, now.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := v.Parse(tok); err != nil {
			t.Fatal(err)
		}
	}
	if len(v.tokens) > maxVerified {
		t.Errorf("%d tokens remembered, bound is %d", len(v.tokens), maxVerified)
	}
}
