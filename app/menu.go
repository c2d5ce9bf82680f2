package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/internal/seoul"
	"github.com/mealbuddy/mealbuddy/store"
)

// Menu suggestions: /api/openAPI/foodchoicer/ (GET a quick suggestion, POST
// a question to the assistant, DELETE the conversation).

const (
	msgMenuChatQuota  = "하루에 10번만 질문할 수 있어요."
	msgMenuChatReset  = "대화 내역을 초기화했어요."
	msgLLMBusy        = "메뉴 추천 서버가 바빠요. 잠시 후 다시 시도해 주세요."
	msgLLMUnavailable = "메뉴 추천 서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요."
	msgMessageTooLong = "메시지는 500자까지 보낼 수 있어요."
	msgMenuAsking     = "앞의 질문에 답하는 중이에요. 답을 받은 뒤에 다시 물어봐 주세요."
)

const (
	// menuChatDailyLimit is the number of questions a user may ask a day.
	menuChatDailyLimit = 10
	// menuChatKeepTurns bounds the stored conversation (plus its system messages).
	menuChatKeepTurns = 20
	// maxMenuChatMessage is the longest question, in characters.
	maxMenuChatMessage = 500
	// openPostsForMenu is how many open group orders feed the recommender.
	openPostsForMenu = 50
	// serviceDayStart: the quota and conversations reset at 04:00 Asia/Seoul.
	serviceDayStart = 4 * time.Hour
)

// serviceDay is the key of the quota day holding t: the Seoul date of the
// moment four hours earlier, so a day runs from 04:00 to 04:00 KST.
func serviceDay(t time.Time) string {
	return t.In(seoul.Zone).Add(-serviceDayStart).Format("2006-01-02")
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
	out, err := s.suggest(r.Context(), u, now, s.currentWeather(r.Context(), u, lat, lon))
	if err != nil {
		s.fail(w, r, err)
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
		text = t
	case json.Number:
		text = t.String()
	default:
		errs.add(name, msgBadCoordinate)
		return 0, false
	}
	if strings.TrimSpace(text) == "" {
		return 0, false
	}
	x, ok := parseCoordinate(text, limit)
	if !ok {
		errs.add(name, msgBadCoordinate)
	}
	return x, ok
}

// handleAskMenu answers one question of the user's conversation, with the
// configured LLM or else the built-in recommender. The question is counted
// before the answer is asked for and given back when the LLM failed.
func (s *Server) handleAskMenu(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	question := strings.TrimSpace(f.required("message", errs))
	if utf8.RuneCountInString(question) > maxMenuChatMessage {
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

	// One question at a time per user: a second one while the first is
	// being answered would be a second concurrent LLM call.
	if _, busy := s.menuAsking.LoadOrStore(u.ID, struct{}{}); busy {
		writeError(w, http.StatusTooManyRequests, msgMenuAsking)
		return
	}
	defer s.menuAsking.Delete(u.ID)

	now := s.now()
	day := serviceDay(now)
	// The question is counted before it is answered (atomically, below the
	// limit), so that neither concurrent nor aborted questions go uncounted;
	// it is given back only when the upstream failed.
	if err := s.store.ReserveMenuQuestion(r.Context(), u.ID, day, menuChatDailyLimit); err != nil {
		s.fail(w, r, err) // ErrQuotaExceeded is a 429
		return
	}
	conv, _, err := s.store.MenuChat(r.Context(), u.ID, day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The weather is needed to open a conversation and by the built-in
	// recommender; an LLM continuing a conversation has it already.
	var rep *weather.Report
	if hasLat && (len(conv) == 0 || s.llm == nil) {
		rep = s.currentWeather(r.Context(), u, lat, lon)
	}
	system := []store.MenuChatMessage{
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
			if r.Context().Err() == nil { // the upstream failed, not the asker who left
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
				if rerr := s.store.ReleaseMenuQuestion(ctx, u.ID, day); rerr != nil {
					s.log.Error("give back menu question", "user", u.ID, "err", rerr)
				}
				cancel()
			}
			s.log.Warn("menu assistant failed", "user", u.ID, "err", s.redactSecrets(err.Error()))
			s.fail(w, r, errors.Join(errLLMUnavailable, err)) // 429 when rate limited, else 503
			return
		}
	} else {
		sr, err := s.suggest(r.Context(), u, now, rep)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		answer = renderSuggestions(sr)
	}

	conv, err = s.store.AppendMenuChat(r.Context(), store.MenuChatTurn{
		UserID: u.ID, Day: day, System: system, Question: question, Answer: answer,
		Limit: menuChatDailyLimit, KeepTurns: menuChatKeepTurns, Reserved: true,
	})
	if err != nil {
		s.fail(w, r, err) // ErrQuotaExceeded is a 429
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
	if err := s.store.ResetMenuChat(r.Context(), currentUser(r).ID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, msgMenuChatReset)
}
