package menu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/app/weather"
)

const testAPIKey = "sk-test-0123456789abcdefSuperSecret"

type llmRequest struct {
	path, auth, contentType string
	body                    chatRequest
}

// fakeLLM is an OpenAI-compatible server answering with a testdata file.
func fakeLLM(t *testing.T, status int, file string, delay time.Duration) (*httptest.Server, chan llmRequest) {
	t.Helper()
	var body []byte
	if file != "" {
		var err error
		if body, err = os.ReadFile(filepath.Join("..", "..", "testdata", "llm", file)); err != nil {
			t.Fatal(err)
		}
	}
	reqs := make(chan llmRequest, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var cr chatRequest
		if err := json.Unmarshal(raw, &cr); err != nil {
			t.Errorf("request body %q: %v", raw, err)
		}
		reqs <- llmRequest{path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: cr}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, reqs
}

var testMsgs = []Message{
	{Role: "system", Content: SystemPrompt()},
	{Role: "system", Content: "현재 시각은 2024년 6월 1일 토요일 오후 7시 0분(한국 시간)입니다."},
	{Role: "user", Content: "비 오는데 뭐 먹지?"},
}

func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), testAPIKey) || strings.Contains(e.Error(), "SuperSecret") {
			t.Fatalf("error text leaks the API key: %q", e.Error())
		}
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Fatalf("error text leaks the API key: %q", err.Error())
	}
}

func TestOpenAI(t *testing.T) {
	ctx := context.Background()

	for _, base := range []string{"", "/", "/v1", "/v1/"} {
		t.Run("OK base"+base, func(t *testing.T) {
			srv, reqs := fakeLLM(t, 200, "ok.json", 0)
			got, err := NewOpenAI(srv.URL+base, testAPIKey, "gpt-4o-mini", srv.Client()).Complete(ctx, testMsgs)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, "비 오는 저녁이네요!") || !strings.Contains(got, "5. 족발 (족발,보쌈)") {
				t.Errorf("content = %q", got)
			}
			r := <-reqs
			if r.path != "/v1/chat/completions" {
				t.Errorf("path = %q", r.path)
			}
			if r.auth != "Bearer "+testAPIKey {
				t.Errorf("Authorization = %q", r.auth)
			}
			if r.contentType != "application/json" {
				t.Errorf("Content-Type = %q", r.contentType)
			}
			if r.body.Model != "gpt-4o-mini" || len(r.body.Messages) != 3 || r.body.Messages[2] != testMsgs[2] || r.body.Stream {
				t.Errorf("body = %+v", r.body)
			}
		})
	}

	t.Run("OKNoKeyNoAuthHeader", func(t *testing.T) {
		srv, reqs := fakeLLM(t, 200, "ok.json", 0)
		if _, err := NewOpenAI(srv.URL, "", "llama3.2", nil).Complete(ctx, testMsgs); err != nil {
			t.Fatal(err)
		}
		if r := <-reqs; r.auth != "" || r.body.Model != "llama3.2" {
			t.Errorf("Authorization = %q, model = %q", r.auth, r.body.Model)
		}
	})

	errCases := []struct {
		name   string
		status int
		file   string
		want   error
		text   string
	}{
		{"ErrRateLimited", 429, "error_429.json", ErrRateLimited, "Rate limit reached"},
		{"ErrServer500", 500, "error_500.json", ErrUpstream, "status 500"},
		{"ErrBadGateway502NoBody", 502, "", ErrUpstream, "status 502"},
		{"ErrUnauthorized401", 401, "error_401.json", ErrUpstream, "status 401"},
		{"ErrMalformed", 200, "malformed.json", ErrUpstream, "decode"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := fakeLLM(t, tc.status, tc.file, 0)
			_, err := NewOpenAI(srv.URL, testAPIKey, "m", srv.Client()).Complete(ctx, testMsgs)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == ErrUpstream && errors.Is(err, ErrRateLimited) {
				t.Fatalf("err = %v is also ErrRateLimited", err)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %q, want it to mention %q", err, tc.text)
			}
			assertNoKey(t, err)
		})
	}

	t.Run("ErrEmptyChoices", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"choices":[]}`))
		}))
		defer srv.Close()
		_, err := NewOpenAI(srv.URL, testAPIKey, "m", nil).Complete(ctx, testMsgs)
		if !errors.Is(err, ErrUpstream) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrTimeout", func(t *testing.T) {
		srv, _ := fakeLLM(t, 200, "ok.json", 2*time.Second)
		start := time.Now()
		_, err := NewOpenAI(srv.URL, testAPIKey, "m", &http.Client{Timeout: 50 * time.Millisecond}).Complete(ctx, testMsgs)
		if !errors.Is(err, ErrUpstream) {
			t.Fatalf("err = %v, want ErrUpstream", err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("took %v", time.Since(start))
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			t.Errorf("*url.Error kept in the chain: %v", ue)
		}
		assertNoKey(t, err)
	})

	t.Run("ErrContextCanceled", func(t *testing.T) {
		srv, _ := fakeLLM(t, 200, "ok.json", 2*time.Second)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := NewOpenAI(srv.URL, testAPIKey, "m", nil).Complete(cctx, testMsgs)
		if !errors.Is(err, ErrUpstream) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrKeyEchoedByServerIsRedacted", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			w.Write([]byte(`{"error":{"message":"bad key ` + testAPIKey + `"}}`))
		}))
		defer srv.Close()
		_, err := NewOpenAI(srv.URL, testAPIKey, "m", nil).Complete(ctx, testMsgs)
		if !errors.Is(err, ErrUpstream) {
			t.Fatalf("err = %v", err)
		}
		assertNoKey(t, err)
	})
}

func TestPrompts(t *testing.T) {
	sp := SystemPrompt()
	for _, want := range append([]string{"밀버디", "5가지", "배달"}, Categories...) {
		if !strings.Contains(sp, want) {
			t.Errorf("SystemPrompt lacks %q", want)
		}
	}

	now := time.Date(2024, 6, 1, 10, 5, 0, 0, time.UTC) // 19:05 KST, a Saturday
	w := &weather.Report{TemperatureC: 23, Sky: "맑음", Precipitation: "없음", PrecipitationText: "강수없음", HumidityPct: 60, WindMS: 2.1}
	got := ContextMessage(now, w)
	want := "현재 시각은 2024년 6월 1일 토요일 오후 7시 5분(한국 시간)입니다. 현재 날씨는 맑음, 강수형태 없음, 강수량 강수없음, 기온 23℃, 습도 60%, 풍속 2.1m/s입니다."
	if got != want {
		t.Errorf("ContextMessage =\n%q\nwant\n%q", got, want)
	}
	midnight := time.Date(2024, 12, 31, 15, 30, 0, 0, time.UTC) // 00:30 KST on Jan 1
	if got := ContextMessage(midnight, nil); got != "현재 시각은 2025년 1월 1일 수요일 오전 12시 30분(한국 시간)입니다. 날씨 정보는 없습니다." {
		t.Errorf("ContextMessage(nil weather) = %q", got)
	}
}
