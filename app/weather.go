package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/internal/redact"
	"github.com/mealbuddy/mealbuddy/store"
)

// Weather: GET /api/openAPI/weather/ answers the current weather at a
// coordinate from the configured provider (KMA, Open-Meteo or off).

const (
	msgWeatherOff         = "날씨 기능이 꺼져 있어요."
	msgWeatherUnavailable = "날씨 정보를 가져오지 못했어요. 잠시 후 다시 시도해 주세요."
	msgBadCoordinate      = "올바른 좌표를 입력해 주세요."
	msgOutsideKorea       = "대한민국 안의 좌표만 받을 수 있어요."
	msgWeatherTooOften    = "날씨를 너무 자주 물어봤어요. 잠시 후 다시 시도해 주세요."
)

// The service area's box: coordinates outside it never reach a weather
// provider (each new grid cell would be an upstream call).
const (
	koreaMinLat, koreaMaxLat = 33.0, 38.7
	koreaMinLon, koreaMaxLon = 124.5, 131.9
)

// inKorea tells whether a coordinate lies in the service area's box.
func inKorea(lat, lon float64) bool {
	return lat >= koreaMinLat && lat <= koreaMaxLat && lon >= koreaMinLon && lon <= koreaMaxLon
}

// weatherAllowed is the per-user weather rate (Config.WeatherRate); always
// true when that limit is off.
func (s *Server) weatherAllowed(u store.User) bool {
	return s.weatherByUser == nil || s.weatherByUser.allow(strconv.FormatInt(u.ID, 10))
}

// initOpenAPI builds the weather provider, the LLM client and the built-in
// recommender from the config.
func (s *Server) initOpenAPI() error {
	// The providers read the server's clock through s, so a test that
	// replaces s.now moves them too.
	now := func() time.Time { return s.now() }
	p, err := newWeatherProvider(s.cfg, now, s.metrics.transport("weather"))
	if err != nil {
		return err
	}
	s.weatherProvider = p
	if s.cfg.LLMURL != "" {
		timeout := s.cfg.LLMTimeout
		if timeout <= 0 {
			timeout = menu.DefaultLLMTimeout
		}
		s.llm = menu.NewOpenAI(s.cfg.LLMURL, s.cfg.LLMKey, s.cfg.LLMModel, &http.Client{Timeout: timeout, Transport: s.metrics.transport("llm")})
	}
	s.recommender = menu.NewRecommender(nil)
	return nil
}

// checkWeatherMode validates --weather against the configured key.
func checkWeatherMode(cfg Config) (string, error) {
	mode := strings.TrimSpace(cfg.Weather)
	switch mode {
	case "", "auto":
		if cfg.KMAKey != "" {
			return "kma", nil
		}
		return "open-meteo", nil
	case "kma":
		if cfg.KMAKey == "" {
			return "", errors.New("--weather kma needs the KMA service key in the environment variable MEALBUDDY_KMA_KEY")
		}
		return mode, nil
	case "open-meteo", "off":
		return mode, nil
	}
	return "", fmt.Errorf("--weather %q: use auto, kma, open-meteo or off", cfg.Weather)
}

// newWeatherProvider returns the cached provider the config selects, or nil
// for --weather off.
func newWeatherProvider(cfg Config, now func() time.Time, rt http.RoundTripper) (weather.Provider, error) {
	mode, err := checkWeatherMode(cfg)
	if err != nil {
		return nil, err
	}
	timeout := cfg.WeatherTimeout
	if timeout <= 0 {
		timeout = weather.DefaultTimeout
	}
	client := &http.Client{Timeout: timeout, Transport: rt}
	var p weather.Provider
	switch mode {
	case "off":
		return nil, nil
	case "kma":
		p = weather.NewKMA(cfg.KMAURL, cfg.KMAKey, client, now)
	default:
		p = weather.NewOpenMeteo(cfg.OpenMeteoURL, client)
	}
	var budget func() bool // upstream calls a minute, shared by everyone
	if cfg.WeatherUpstreamPerMinute > 0 {
		budget = weather.PerMinute(cfg.WeatherUpstreamPerMinute, now)
	}
	return weather.CachedWithBudget(p, weather.MinTTL, now, budget), nil
}

// redactSecrets removes the configured keys from a text bound for the log.
// The weather and menu clients already scrub their errors with the same
// redactor; this is the belt to their braces.
func (s *Server) redactSecrets(text string) string {
	return redact.Secrets(text, s.cfg.KMAKey, s.cfg.LLMKey)
}

// currentWeather asks the provider for u, bounded by the weather timeout;
// nil when the feature is off, the coordinate is outside the service area,
// u asked too often or the provider failed.
func (s *Server) currentWeather(ctx context.Context, u store.User, lat, lon float64) *weather.Report {
	if s.weatherProvider == nil || !inKorea(lat, lon) || !s.weatherAllowed(u) {
		return nil
	}
	timeout := s.cfg.WeatherTimeout
	if timeout <= 0 {
		timeout = weather.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep, err := s.weatherProvider.Current(ctx, lat, lon)
	if err != nil {
		s.log.Warn("weather unavailable", "err", s.redactSecrets(err.Error()))
		return nil
	}
	return &rep
}

// weatherDetail is the structured form of a report, beside the original's
// flat Korean keys.
type weatherDetail struct {
	Provider        string  `json:"provider"`
	Time            string  `json:"time"`
	TemperatureC    float64 `json:"temperature_c"`
	Sky             string  `json:"sky"`
	Precipitation   string  `json:"precipitation"`
	PrecipitationMM float64 `json:"precipitation_mm"`
	HumidityPct     float64 `json:"humidity_pct"`
	WindMS          float64 `json:"wind_ms"`
}

// weatherJSON is the original's flat object plus "detail".
func weatherJSON(r weather.Report) map[string]any {
	out := map[string]any{}
	for k, v := range r.Flat() {
		out[k] = v
	}
	precip := r.Precipitation
	if precip == "" {
		precip = weather.PrecipNone
	}
	out["detail"] = weatherDetail{
		Provider: r.Provider, Time: formatAPITime(r.Time), TemperatureC: r.TemperatureC, Sky: r.Sky,
		Precipitation: precip, PrecipitationMM: r.PrecipitationMM, HumidityPct: r.HumidityPct, WindMS: r.WindMS,
	}
	return out
}

func (s *Server) handleWeather(w http.ResponseWriter, r *http.Request) {
	if s.weatherProvider == nil {
		writeError(w, http.StatusNotFound, msgWeatherOff)
		return
	}
	errs := fieldErrors{}
	lat, lon := coordinates(r, errs)
	if len(errs) == 0 && !inKorea(lat, lon) {
		errs.add("non_field_errors", msgOutsideKorea)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if !s.weatherAllowed(currentUser(r)) {
		writeError(w, http.StatusTooManyRequests, msgWeatherTooOften)
		return
	}
	rep, err := s.weatherProvider.Current(r.Context(), lat, lon)
	if err != nil {
		s.log.Warn("weather unavailable", "err", s.redactSecrets(err.Error()))
		s.fail(w, r, errors.Join(errWeatherUnavailable, err))
		return
	}
	writeJSON(w, http.StatusOK, weatherJSON(rep))
}
