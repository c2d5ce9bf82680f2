package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/store"
)

// Weather and menu suggestions (SPEC §5): GET /api/openAPI/weather/ and
// /api/openAPI/foodchoicer/ (GET a quick suggestion, POST a question to the
// assistant, DELETE the conversation).

const (
	msgWeatherOff         = "날씨 기능이 꺼져 있습니다."
	msgWeatherUnavailable = "날씨 정보를 가져오지 못했어요. 잠시 후 다시 시도해 주세요."
	msgFoodChatQuota      = "하루에 10번만 질문할 수 있습니다."
	msgFoodChatReset      = "대화내역이 초기화 되었습니다."
	msgLLMBusy            = "메뉴 추천 서버가 바쁩니다. 잠시 후 다시 시도해 주세요."
	msgLLMUnavailable     = "메뉴 추천 서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요."
	msgMessageTooLong     = "메시지는 500자까지 보낼 수 있어요."
	msgBadCoordinate      = "올바른 좌표를 입력해 주세요."
)

const (
	// foodChatDailyLimit is the number of questions a user may ask a day.
	foodChatDailyLimit = 10
	// foodChatKeepTurns bounds the stored conversation (plus its system messages).
	foodChatKeepTurns = 20
	// maxFoodChatMessage is the longest question, in characters.
	maxFoodChatMessage = 500
	// openPostsForMenu is how many open group orders feed the recommender.
	openPostsForMenu = 50
	// serviceDayStart: the quota and conversations reset at 04:00 Asia/Seoul.
	serviceDayStart = 4 * time.Hour
)

// seoulZone is Asia/Seoul; the binary embeds time/tzdata, and Korea has no
// daylight saving time, so the fixed zone is an exact fallback.
var seoulZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return loc
	}
	return time.FixedZone("KST", 9*60*60)
}()

// serviceDay is the key of the quota day holding t: the Seoul date of the
// moment four hours earlier, so a day runs from 04:00 to 04:00 KST.
func serviceDay(t time.Time) string {
	return t.In(seoulZone).Add(-serviceDayStart).Format("2006-01-02")
}

// initOpenAPI builds the weather provider, the LLM client and the built-in
// recommender from the config.
func (s *Server) initOpenAPI() error {
	// The providers read the server's clock through s, so a test that
	// replaces s.now moves them too.
	now := func() time.Time { return s.now() }
	p, err := newWeatherProvider(s.cfg, now)
	if err != nil {
		return err
	}
	s.weatherProvider = p
	if s.cfg.LLMURL != "" {
		timeout := s.cfg.LLMTimeout
		if timeout <= 0 {
			timeout = menu.DefaultLLMTimeout
		}
		s.llm = menu.NewOpenAI(s.cfg.LLMURL, s.cfg.LLMKey, s.cfg.LLMModel, &http.Client{Timeout: timeout})
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
func newWeatherProvider(cfg Config, now func() time.Time) (weather.Provider, error) {
	mode, err := checkWeatherMode(cfg)
	if err != nil {
		return nil, err
	}
	timeout := cfg.WeatherTimeout
	if timeout <= 0 {
		timeout = weather.DefaultTimeout
	}
	client := &http.Client{Timeout: timeout}
	var p weather.Provider
	switch mode {
	case "off":
		return nil, nil
	case "kma":
		p = weather.NewKMA(cfg.KMAURL, cfg.KMAKey, client, now)
	default:
		p = weather.NewOpenMeteo(cfg.OpenMeteoURL, client)
	}
	return weather.Cached(p, weather.MinTTL, now), nil
}

// redactSecrets removes the configured keys from a text bound for the log.
// The weather and menu clients already scrub their errors; this is the belt
// to their braces.
func (s *Server) redactSecrets(text string) string {
	for _, k := range []string{s.cfg.KMAKey, s.cfg.LLMKey} {
		if k != "" {
			text = strings.ReplaceAll(text, k, "[REDACTED]")
		}
	}
	return text
}

// currentWeather asks the provider, bounded by the weather timeout; nil when
// the feature is off or the provider failed.
func (s *Server) currentWeather(ctx context.Context, lat, lon float64) *weather.Report {
	if s.weatherProvider == nil {
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
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	rep, err := s.weatherProvider.Current(r.Context(), lat, lon)
	if err != nil {
		s.log.Warn("weather unavailable", "err", s.redactSecrets(err.Error()))
		writeError(w, http.StatusServiceUnavailable, msgWeatherUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, weatherJSON(rep))
}

// openPostJSON is an open group order attached to a suggestion.
type openPostJSON struct {
	ID           int64    `json:"id"`
	Title        string   `json:"title"`
	Category     string   `json:"category"`
	JoinNumber   int      `json:"join_number"`
	TargetNumber int      `json:"target_number"`
	DistanceKm   *float64 `json:"distance_km"`
}

type suggestionJSON struct {
	Menu      string         `json:"menu"`
	Category  string         `json:"category"`
	Reason    string         `json:"reason"`
	OpenPosts []openPostJSON `json:"open_posts"`
}

type suggestResponse struct {
	Reply       string           `json:"reply"`
	Suggestions []suggestionJSON `json:"suggestions"`
}

// openPostsNear lists the open group orders on the user's board at their
// saved range, for the recommender; distances (nil when unknown) by post id.
func (s *Server) openPostsNear(ctx context.Context, u store.User) ([]menu.OpenPost, map[int64]*float64, error) {
	posts, err := s.store.OpenPosts(ctx, s.areasFor(u, u.Range), openPostsForMenu)
	if err != nil {
		return nil, nil, err
	}
	out := make([]menu.OpenPost, 0, len(posts))
	dist := make(map[int64]*float64, len(posts))
	for _, p := range posts {
		pj := s.postJSON(p, u)
		op := menu.OpenPost{ID: p.ID, Title: p.Title, Category: p.Category, JoinNumber: p.JoinNumber, TargetNumber: p.TargetNumber}
		if pj.DistanceKm != nil {
			op.DistanceKm = *pj.DistanceKm
		}
		dist[p.ID] = pj.DistanceKm
		out = append(out, op)
	}
	return out, dist, nil
}

// suggest runs the built-in recommender for the user at a moment.
func (s *Server) suggest(ctx context.Context, u store.User, now time.Time, rep *weather.Report) (suggestResponse, error) {
	open, dist, err := s.openPostsNear(ctx, u)
	if err != nil {
		return suggestResponse{}, err
	}
	reply, sgs := s.recommender.Suggest(menu.Situation{Now: now, Weather: rep, OpenPosts: open})
	out := suggestResponse{Reply: reply, Suggestions: make([]suggestionJSON, len(sgs))}
	for i, sg := range sgs {
		sj := suggestionJSON{Menu: sg.Menu, Category: sg.Category, Reason: sg.Reason, OpenPosts: make([]openPostJSON, len(sg.OpenPosts))}
		for j, p := range sg.OpenPosts {
			sj.OpenPosts[j] = openPostJSON{ID: p.ID, Title: p.Title, Category: p.Category,
				JoinNumber: p.JoinNumber, TargetNumber: p.TargetNumber, DistanceKm: dist[p.ID]}
		}
		out.Suggestions[i] = sj
	}
	return out, nil
}

// renderSuggestions writes the built-in recommender's answer as the
// assistant's Korean text.
func renderSuggestions(sr suggestResponse) string {
	var b strings.Builder
	b.WriteString(sr.Reply)
	for i, sg := range sr.Suggestions {
		fmt.Fprintf(&b, "\n%d. %s (%s) - %s", i+1, sg.Menu, sg.Category, sg.Reason)
		for _, p := range sg.OpenPosts {
			fmt.Fprintf(&b, "\n   · 함께 주문 중: %q %d/%d명", p.Title, p.JoinNumber, p.TargetNumber)
			if p.DistanceKm != nil {
				fmt.Fprintf(&b, ", %skm", strconv.FormatFloat(*p.DistanceKm, 'f', -1, 64))
			}
		}
	}
	return b.String()
}

// handleSuggestMenu answers a quick suggestion from the built-in recommender.
// It touches neither the conversation nor the daily count.
func (s *Server) handleSuggestMenu(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	errs := fieldErrors{}
	lat, lon := coordinates(r, errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	now := s.now()
	out, err := s.suggest(r.Context(), u, now, s.currentWeather(r.Context(), lat, lon))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// chatMessageJSON is one turn of the original's conversation array.
type chatMessageJSON struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// bodyCoordinate reads an optional lat or lon field of a body: a JSON number
// or a numeric string within ±limit.
func bodyCoordinate(f fields, name string, limit float64, errs fieldErrors) (float64, bool) {
	v, ok := f[name]
	if !ok || v == nil {
		return 0, false
	}
	var text string
	switch t := v.(type) {
	case string:
		text = strings.TrimSpace(t)
	case json.Number:
		text = t.String()
	default:
		errs.add(name, msgBadCoordinate)
		return 0, false
	}
	if text == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(x) || math.Abs(x) > limit {
		errs.add(name, msgBadCoordinate)
		return 0, false
	}
	return x, true
}

// handleAskMenu answers one question of the user's conversation, with the
// configured LLM or else the built-in recommender. The question is counted
// and stored only once answered.
func (s *Server) handleAskMenu(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	f, ok := readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	question := strings.TrimSpace(f.required("message", errs))
	if utf8.RuneCountInString(question) > maxFoodChatMessage {
		errs.add("message", msgMessageTooLong)
	}
	lat, hasLat := bodyCoordinate(f, "lat", 90, errs)
	lon, hasLon := bodyCoordinate(f, "lon", 180, errs)
	if hasLat != hasLon && len(errs) == 0 {
		if hasLat {
			errs.add("lon", msgRequired)
		} else {
			errs.add("lat", msgRequired)
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}

	now := s.now()
	day := serviceDay(now)
	conv, asked, err := s.store.FoodChat(r.Context(), u.ID, day)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if asked >= foodChatDailyLimit {
		writeError(w, http.StatusTooManyRequests, msgFoodChatQuota)
		return
	}
	// The weather is needed to open a conversation and by the built-in
	// recommender; an LLM continuing a conversation has it already.
	var rep *weather.Report
	if hasLat && (len(conv) == 0 || s.llm == nil) {
		rep = s.currentWeather(r.Context(), lat, lon)
	}
	system := []store.FoodChatMessage{
		{Role: "system", Content: menu.SystemPrompt()},
		{Role: "system", Content: menu.ContextMessage(now, rep)},
	}
	history := conv
	if len(history) == 0 {
		history = system
	}

	var answer string
	if s.llm != nil {
		msgs := make([]menu.Message, 0, len(history)+1)
		for _, m := range history {
			msgs = append(msgs, menu.Message{Role: m.Role, Content: m.Content})
		}
		msgs = append(msgs, menu.Message{Role: "user", Content: question})
		answer, err = s.llm.Complete(r.Context(), msgs)
		if err != nil {
			s.log.Warn("menu assistant failed", "user", u.ID, "err", s.redactSecrets(err.Error()))
			if errors.Is(err, menu.ErrRateLimited) {
				writeError(w, http.StatusTooManyRequests, msgLLMBusy)
			} else {
				writeError(w, http.StatusServiceUnavailable, msgLLMUnavailable)
			}
			return
		}
	} else {
		sr, err := s.suggest(r.Context(), u, now, rep)
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		answer = renderSuggestions(sr)
	}

	conv, err = s.store.AppendFoodChat(r.Context(), store.FoodChatTurn{
		UserID: u.ID, Day: day, System: system, Question: question, Answer: answer,
		Limit: foodChatDailyLimit, KeepTurns: foodChatKeepTurns,
	})
	if errors.Is(err, store.ErrQuotaExceeded) {
		writeError(w, http.StatusTooManyRequests, msgFoodChatQuota)
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := make([]chatMessageJSON, len(conv))
	for i, m := range conv {
		out[i] = chatMessageJSON{Role: m.Role, Content: m.Content}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleResetMenuChat deletes the user's conversation; the day's count stays.
func (s *Server) handleResetMenuChat(w http.ResponseWriter, r *http.Request) {
	if err := s.store.ResetFoodChat(r.Context(), currentUser(r).ID); err != nil {
		s.internalError(w, r, err)
		return
	}
	writeError(w, http.StatusOK, msgFoodChatReset)
}
