// Package weather fetches the current weather for a position from the Korea
// Meteorological Administration's short-term forecast API or, when no KMA key is
// configured, from the keyless Open-Meteo API, and caches it per KMA grid cell.
package weather

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/redact"
)

// ErrUnavailable is wrapped by every error a Provider returns for an upstream
// failure (network, timeout, non-2xx, KMA error envelope, malformed body). The
// app answers it with 503 and a Korean message; the error text is for logs only.
var ErrUnavailable = errors.New("weather: unavailable")

// DefaultTimeout bounds one upstream call: the weather is decoration on the page,
// so a slow provider must not hold a request for long.
const DefaultTimeout = 3 * time.Second

// DefaultClient returns an HTTP client with DefaultTimeout.
func DefaultClient() *http.Client { return &http.Client{Timeout: DefaultTimeout} }

// Provider reports the current weather at a WGS84 position.
type Provider interface {
	Current(ctx context.Context, lat, lon float64) (Report, error)
}

// Values of Report.Sky.
const (
	SkyClear    = "맑음"
	SkyCloudy   = "구름많음"
	SkyOvercast = "흐림"
)

// Values of Report.Precipitation.
const (
	PrecipNone     = "없음"
	PrecipRain     = "비"
	PrecipRainSnow = "비/눈"
	PrecipSnow     = "눈"
	PrecipShower   = "소나기"
	precipNoneText = "강수없음"
)

// Report is the weather at one place and time, independent of the provider.
type Report struct {
	Provider          string    // "kma" | "open-meteo"
	Time              time.Time // forecast or observation time, UTC
	TemperatureC      float64
	Sky               string // 맑음 | 구름많음 | 흐림
	Precipitation     string // 없음 | 비 | 비/눈 | 눈 | 소나기
	PrecipitationMM   float64
	PrecipitationText string // KMA's PCP text as given ("강수없음", "1.0mm", "1mm 미만"); Open-Meteo: "강수없음" or "<n>mm"
	HumidityPct       float64
	WindMS            float64
}

// Wet reports whether anything falls from the sky.
func (r Report) Wet() bool { return r.Precipitation != "" && r.Precipitation != PrecipNone }

// Snowy reports whether snow (alone or with rain) is falling.
func (r Report) Snowy() bool {
	return r.Precipitation == PrecipSnow || r.Precipitation == PrecipRainSnow
}

// Flat returns the original service's flat object with Korean keys (docs/api.md, GET /api/openAPI/weather/):
// {"강수형태":"없음","날씨":"맑음","강수량":"강수없음","기온":"23℃","습도":"60%","풍속":"2.1m/s"}.
func (r Report) Flat() map[string]string {
	pcp := strings.TrimSpace(r.PrecipitationText)
	switch {
	case pcp == "":
		if r.PrecipitationMM > 0 {
			pcp = num(r.PrecipitationMM) + "mm"
		} else {
			pcp = precipNoneText
		}
	case isNumber(pcp):
		// Older KMA answers carry a bare number; the original showed "<n>mm".
		pcp += "mm"
	}
	precip := r.Precipitation
	if precip == "" {
		precip = PrecipNone
	}
	return map[string]string{
		"강수형태": precip,
		"날씨":   r.Sky,
		"강수량":  pcp,
		"기온":   num(r.TemperatureC) + "℃",
		"습도":   num(r.HumidityPct) + "%",
		"풍속":   num(r.WindMS) + "m/s",
	}
}

// num formats v in its shortest form: 23, 2.1, -3.5.
func num(v float64) string {
	if v == 0 {
		return "0" // avoid "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// upstreamError is an ErrUnavailable whose text has been scrubbed of secrets.
// It unwraps to ErrUnavailable and to the underlying cause with any *url.Error
// removed, because a *url.Error prints the request URL, which carries the KMA key.
type upstreamError struct {
	msg   string
	cause error
}

func (e *upstreamError) Error() string { return e.msg }

func (e *upstreamError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrUnavailable}
	}
	return []error{ErrUnavailable, e.cause}
}

// unavailable builds an ErrUnavailable error. cause may be nil. Every secret in
// secrets is removed from the text, however it is escaped.
func unavailable(what string, cause error, secrets ...string) error {
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err // drop the URL
	}
	msg := ErrUnavailable.Error() + ": " + what
	if cause != nil {
		msg += ": " + cause.Error()
	}
	msg = redact.Secrets(msg, secrets...)
	if cause != nil && redact.Secrets(cause.Error(), secrets...) != cause.Error() {
		cause = nil // the cause itself would leak the secret through errors.Unwrap
	}
	return &upstreamError{msg: msg, cause: cause}
}
