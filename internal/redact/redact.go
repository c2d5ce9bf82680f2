// Package redact removes secrets (service keys) from texts bound for a log
// or an error message.
package redact

import (
	"net/url"
	"strings"
)

// Placeholder replaces every secret.
const Placeholder = "[REDACTED]"

// Secrets replaces each non-empty secret in text by Placeholder, also in the
// forms a URL gives it (query-escaped, path-escaped, unescaped): a key
// travels in request URLs, and an error may quote the URL.
func Secrets(text string, secrets ...string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec), unescaped(sec)} {
			if form != "" {
				text = strings.ReplaceAll(text, form, Placeholder)
			}
		}
	}
	return text
}

func unescaped(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return ""
	}
	return u
}
