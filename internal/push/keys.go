// Package push sends Web Push notifications (RFC 8030, encrypted per
// RFC 8291 aes128gcm and signed per RFC 8292 VAPID) to endpoints that users
// hand the server, behind a guard that keeps those requests off this
// machine and its private networks.
//
// Encryption and VAPID signing are github.com/SherClockHolmes/webpush-go's:
// it is small, implements aes128gcm (the encoding every current browser's
// push service takes) and lets us plug our own HTTP client, which is where
// the guard lives.
package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the generated VAPID private key inside the data folder
// (base64url of the P-256 scalar, mode 0600). Backups carry it: browsers
// tie a subscription to the public key, so a new key orphans every one.
const KeyFile = "vapid-key"

// Keys is the server's VAPID key pair, both base64url without padding: the
// public key is the uncompressed P-256 point browsers take as
// applicationServerKey.
type Keys struct {
	Public, Private string
}

// LoadKeys reads the key pair from dataDir, generating it on first start.
func LoadKeys(dataDir string) (Keys, error) {
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return generateKeys(dataDir)
	}
	if err != nil {
		return Keys{}, fmt.Errorf("read VAPID key: %w", err)
	}
	k, err := keysFrom(strings.TrimSpace(string(b)))
	if err != nil {
		return Keys{}, fmt.Errorf("%s: %w; delete it to generate a new one (browsers then subscribe again)", path, err)
	}
	return k, nil
}

func keysFrom(private string) (Keys, error) {
	raw, err := base64.RawURLEncoding.DecodeString(private)
	if err != nil {
		return Keys{}, errors.New("not a base64url VAPID key")
	}
	priv, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return Keys{}, errors.New("not a P-256 VAPID key")
	}
	return Keys{
		Public:  base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Private: private,
	}, nil
}

func generateKeys(dataDir string) (Keys, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("generate VAPID key: %w", err)
	}
	encoded := base64.RawURLEncoding.EncodeToString(priv.Bytes())
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Keys{}, fmt.Errorf("create data folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, KeyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadKeys(dataDir) // another process won the race
		}
		return Keys{}, fmt.Errorf("write VAPID key: %w", err)
	}
	if _, err := f.WriteString(encoded + "\n"); err != nil {
		f.Close()
		return Keys{}, fmt.Errorf("write VAPID key: %w", err)
	}
	if err := f.Close(); err != nil {
		return Keys{}, fmt.Errorf("write VAPID key: %w", err)
	}
	return keysFrom(encoded)
}
