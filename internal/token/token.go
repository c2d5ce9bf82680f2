// Package token owns the API tokens: their claims, how they are signed and
// checked, and where the signing key comes from. The server (app) and the
// load driver (cmd/mealbuddy-load) both use it, so neither has its own idea
// of the claims.
//
// A token is an HS256 JWT over {sub, ver, iat, exp}: sub is the user id in
// decimal, ver the user's credential version (bumped by a password change,
// logout of every device or deactivation, which revokes older tokens), exp one
// day after iat. Parsing pins HS256 and requires exp.
package token

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Lifetime is how long a token is valid after it is issued.
const Lifetime = 24 * time.Hour

// Claims of our tokens: the user id as subject, and the credential version.
// Exported so tests can build tokens the server must refuse (expired, no
// exp, an old version).
type Claims struct {
	Ver int64 `json:"ver"`
	jwt.RegisteredClaims
}

// Issue signs a token for the user with the given credential version.
func Issue(key []byte, userID, ver int64, now time.Time) (string, error) {
	c := Claims{
		Ver: ver,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(userID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(Lifetime)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
}

// ErrBadSubject is returned for a validly signed token whose subject is not
// a user id.
var ErrBadSubject = errors.New("token: bad subject")

// verified is what a token that checked out says.
type verified struct {
	userID, ver int64
	exp         time.Time
}

// parse checks raw against key at the time now returns: HS256 only, exp
// required.
func parse(key []byte, raw string, now func() time.Time) (verified, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		return verified{}, err
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return verified{}, ErrBadSubject
	}
	return verified{userID: id, ver: c.Ver, exp: c.ExpiresAt.Time}, nil
}

// Verifier checks tokens against one key, remembering the ones that verified
// until they expire. A client sends the same token with every request,
// and checking it (base64, JSON, HMAC) was 5 % of the server's CPU under
// load. Only the exact text of a token that verified is remembered, so a
// forged one still meets the signature check.
type Verifier struct {
	key []byte
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]verified
}

// maxVerified bounds a Verifier's memory (a token is ~200 bytes).
const maxVerified = 4096

// NewVerifier verifies tokens against key at the time now returns.
func NewVerifier(key []byte, now func() time.Time) *Verifier {
	return &Verifier{key: key, now: now, tokens: make(map[string]verified)}
}

// Parse verifies a token against the key at the time now returns and gives
// its user id and credential version. The caller still checks the version
// against the user's current one.
func (v *Verifier) Parse(raw string) (userID, ver int64, err error) {
	v.mu.Lock()
	t, ok := v.tokens[raw]
	v.mu.Unlock()
	if ok && v.now().Before(t.exp) {
		return t.userID, t.ver, nil
	}
	if t, err = parse(v.key, raw, v.now); err != nil {
		return 0, 0, err
	}
	v.mu.Lock()
	if len(v.tokens) >= maxVerified { // full: the expired ones go, or else any one
		now := v.now()
		for k, old := range v.tokens {
			if !now.Before(old.exp) {
				delete(v.tokens, k)
			}
		}
		for k := range v.tokens {
			if len(v.tokens) < maxVerified {
				break
			}
			delete(v.tokens, k)
		}
	}
	v.tokens[raw] = t
	v.mu.Unlock()
	return t.userID, t.ver, nil
}

// SecretFile is the generated signing key inside the data folder.
const SecretFile = "jwt-secret"

// MinSecretLen is the shortest key accepted, from MEALBUDDY_SECRET or from
// SecretFile (ours are 64 hex characters): HS256 keys shorter than its
// 32-byte hash can be brute-forced offline from any one token.
const MinSecretLen = 32

// ReadSecret returns the signing key: secret as given when it is not empty
// (MEALBUDDY_SECRET), else the key stored in dataDir. It never creates one;
// a missing file is an error that wraps fs.ErrNotExist.
func ReadSecret(secret, dataDir string) ([]byte, error) {
	if secret != "" {
		if len(secret) < MinSecretLen {
			return nil, fmt.Errorf("MEALBUDDY_SECRET is %d bytes; use at least %d (e.g. openssl rand -hex 32), or unset it to use the key generated in the data folder",
				len(secret), MinSecretLen)
		}
		return []byte(secret), nil
	}
	path := filepath.Join(dataDir, SecretFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < MinSecretLen {
		return nil, fmt.Errorf("%s is too short; delete it to generate a new one", path)
	}
	return []byte(key), nil
}

// LoadSecret is ReadSecret, but on first start (no key in dataDir) it
// generates a random key and stores it there with mode 0600. The key is
// never printed.
func LoadSecret(secret, dataDir string) ([]byte, error) {
	key, err := ReadSecret(secret, dataDir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	generated := hex.EncodeToString(buf)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, SecretFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ReadSecret(secret, dataDir) // another process won the race
		}
		return nil, fmt.Errorf("write secret: %w", err)
	}
	if _, err := f.WriteString(generated + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return []byte(generated), nil
}
