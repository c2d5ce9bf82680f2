package menu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/redact"
)

// Errors of an LLM. The app answers ErrRateLimited with 429 and ErrUpstream with
// 503; their text is for logs and never carries the API key.
var (
	ErrRateLimited = errors.New("menu: llm rate limited")
	ErrUpstream    = errors.New("menu: llm upstream failed")
)

// Message is one turn of a chat.
type Message struct {
	Role    string `json:"role"` // system | user | assistant
	Content string `json:"content"`
}

// LLM completes a chat with the assistant's next message.
type LLM interface {
	Complete(ctx context.Context, msgs []Message) (string, error)
}

// LLM client defaults.
const (
	DefaultLLMURL     = "https://api.openai.com"
	DefaultLLMModel   = "gpt-4o-mini"
	DefaultLLMTimeout = 20 * time.Second
	maxLLMBody        = 1 << 20
)

type openAI struct {
	endpoint string
	key      string
	model    string
	client   *http.Client
}

// NewOpenAI returns an LLM speaking the OpenAI chat-completions protocol, which
// OpenAI, Ollama, llama.cpp's server and vLLM all serve. baseURL may end with or
// without "/v1" (default DefaultLLMURL); apiKey is sent as a bearer token only
// when set; model defaults to DefaultLLMModel; client to one with
// DefaultLLMTimeout.
func NewOpenAI(baseURL, apiKey, model string, client *http.Client) LLM {
	if baseURL == "" {
		baseURL = DefaultLLMURL
	}
	base := strings.TrimRight(baseURL, "/")
	base = strings.TrimSuffix(base, "/v1")
	if model == "" {
		model = DefaultLLMModel
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultLLMTimeout}
	}
	return &openAI{endpoint: base + "/v1/chat/completions", key: apiKey, model: model, client: client}
}

type chatRequest struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Stream   bool      `json:"stream"`
}

type chatResponse struct {
	Choices []struct {
		Message Message `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func (o *openAI) Complete(ctx context.Context, msgs []Message) (string, error) {
	body, err := json.Marshal(chatRequest{Model: o.model, Messages: msgs})
	if err != nil {
		return "", fmt.Errorf("menu: encode chat request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", o.fail(ErrUpstream, "build request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if o.key != "" {
		req.Header.Set("Authorization", "Bearer "+o.key)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return "", o.fail(ErrUpstream, "request", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxLLMBody))
	if err != nil {
		return "", o.fail(ErrUpstream, "read answer", err)
	}
	var cr chatResponse
	jerr := json.Unmarshal(raw, &cr)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		what := fmt.Sprintf("status %d", resp.StatusCode)
		if jerr == nil && cr.Error != nil && cr.Error.Message != "" {
			what += ": " + truncate(cr.Error.Message, 300)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			return "", o.fail(ErrRateLimited, what, nil)
		}
		return "", o.fail(ErrUpstream, what, nil)
	}
	if jerr != nil {
		return "", o.fail(ErrUpstream, "decode answer", jerr)
	}
	if len(cr.Choices) == 0 || strings.TrimSpace(cr.Choices[0].Message.Content) == "" {
		return "", o.fail(ErrUpstream, "answer without content", nil)
	}
	return strings.TrimSpace(cr.Choices[0].Message.Content), nil
}

// llmError carries a scrubbed text and unwraps to its sentinel and cause.
type llmError struct {
	msg  string
	errs []error
}

func (e *llmError) Error() string   { return e.msg }
func (e *llmError) Unwrap() []error { return e.errs }

// fail builds an error wrapping sentinel and cause (minus any *url.Error, which
// prints the URL) whose text never contains the API key.
func (o *openAI) fail(sentinel error, what string, cause error) error {
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	msg := sentinel.Error() + ": " + what
	errs := []error{sentinel}
	if cause != nil {
		msg += ": " + cause.Error()
		if redact.Secrets(cause.Error(), o.key) == cause.Error() {
			errs = append(errs, cause)
		}
	}
	msg = redact.Secrets(msg, o.key)
	return &llmError{msg: msg, errs: errs}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
