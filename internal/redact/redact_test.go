package redact

import (
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	const key = "a+b/c=d%2Fe"
	for name, text := range map[string]string{
		"Plain":        "GET https://api.example/x?key=" + key + " failed",
		"QueryEscaped": "GET https://api.example/x?key=a%2Bb%2Fc%3Dd%252Fe failed",
		"PathEscaped":  "GET https://api.example/a+b%2Fc=d%252Fe failed",
		"Unescaped":    "key a b/c=d/e failed",
	} {
		t.Run(name, func(t *testing.T) {
			got := Secrets(text, "", key)
			if !strings.Contains(got, Placeholder) || strings.Contains(got, "c=d") {
				t.Errorf("Secrets(%q) = %q", text, got)
			}
		})
	}
	t.Run("NoSecrets", func(t *testing.T) {
		if got := Secrets("nothing to hide", "", ""); got != "nothing to hide" {
			t.Errorf("got %q", got)
		}
	})
}
