package menu

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/internal/seoul"
)

// OpenPost is a group order near the user that still takes members; the
// caller decides which do (store.OpenPosts applies the one "complete" rule).
type OpenPost struct {
	ID           int64
	Title        string
	Category     string
	JoinNumber   int     // members so far
	TargetNumber int     // members wanted; 0 when open-ended
	DistanceKm   float64 // from the user; 0 when unknown
}

func (p OpenPost) joinable() bool { return IsCategory(p.Category) }

// Situation is what the recommender knows about the moment.
type Situation struct {
	Now       time.Time       // zero means time.Now()
	Weather   *weather.Report // nil when unknown
	OpenPosts []OpenPost      // open group orders nearby
}

// Suggestion is one recommended dish.
type Suggestion struct {
	Menu      string
	Category  string     // one of Categories
	Reason    string     // one Korean sentence
	OpenPosts []OpenPost // up to 3 joinable posts of Category, nearest first
}

// Count is how many suggestions Suggest returns.
const Count = 5

// Tuning of the choice among candidates.
const (
	maxOpenSlots = 3   // at most this many suggestions are driven by open posts
	maxAttached  = 3   // posts attached to one suggestion
	openBonus    = 6.0 // score bonus for a category with a joinable post
	topK         = 8   // each pick is drawn from this many best candidates
	temperature  = 1.2 // softmax temperature: a dish 1.2 points behind is e times less likely
	samePenalty  = 4.0 // score lost per suggestion already in the same category
)

// Recommender is the built-in recommender: no network, deterministic for a
// seeded random source, safe for concurrent use.
type Recommender struct {
	mu  sync.Mutex // *rand.Rand is not safe for concurrent use
	rng *rand.Rand
}

// NewRecommender returns a Recommender drawing from rng; nil means a randomly
// seeded source.
func NewRecommender(rng *rand.Rand) *Recommender {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &Recommender{rng: rng}
}

type period int

const (
	breakfastTime period = iota // 05–10
	lunchTime                   // 10–14
	afternoonTime               // 14–17
	dinnerTime                  // 17–21
	lateNightTime               // 21–05
)

func periodOf(hour int) period {
	switch {
	case hour >= 5 && hour < 10:
		return breakfastTime
	case hour >= 10 && hour < 14:
		return lunchTime
	case hour >= 14 && hour < 17:
		return afternoonTime
	case hour >= 17 && hour < 21:
		return dinnerTime
	}
	return lateNightTime
}

// factor is a reason a dish scored; each has a sentence template.
type factor int

const (
	fNone factor = iota
	// weather factors first: add() favours them as reasons
	fRain
	fSnow
	fHeat
	fWarm
	fCold
	fChilly
	fHumid
	fGloomy
	fSummer
	fBoyang
	fWinter
	fBreakfast
	fLunch
	fAfternoon
	fDinner
	fLateNight
)

// moment is a Situation digested for scoring.
type moment struct {
	local  time.Time
	period period
	month  time.Month
	w      *weather.Report
}

type candidate struct {
	d      dish
	score  float64
	reason factor // the largest positive contribution
}

func (m moment) score(d dish) candidate {
	c := candidate{d: d, score: 1}
	best := 0.0
	add := func(f factor, pts float64) {
		c.score += pts
		// The weather is the most tangible reason to give, so it wins close calls.
		if f <= fGloomy {
			pts *= 1.3
		}
		if pts > best {
			best, c.reason = pts, f
		}
	}
	t := d.traits
	// pick adds up the points of the traits a dish has under factor f.
	pick := func(f factor, pairs ...any) {
		pts := 0.0
		for i := 0; i < len(pairs); i += 2 {
			switch k := pairs[i].(type) {
			case trait:
				if t.has(k) {
					pts += pairs[i+1].(float64)
				}
			case string: // a category
				if d.category == k {
					pts += pairs[i+1].(float64)
				}
			}
		}
		if pts != 0 {
			add(f, pts)
		}
	}

	if w := m.w; w != nil {
		switch {
		case w.Snowy():
			pick(fSnow, hotSoup, 3.0, stew, 2.0, cold, -3.0)
		case w.Wet():
			pick(fRain, rainy, 3.5, hotSoup, 1.5, cold, -2.0)
		case w.Sky == weather.SkyOvercast:
			pick(fGloomy, hotSoup, 0.5, rainy, 0.5)
		}
		switch temp := w.TemperatureC; {
		case temp >= 28:
			pick(fHeat, cold, 3.5, light, 1.0, "카페,디저트", 1.5, hotSoup, -2.0, stew, -2.0, heavy, -1.0)
		case temp >= 23:
			pick(fWarm, cold, 1.5, light, 0.5)
		case temp <= 5:
			pick(fCold, stew, 3.0, hotSoup, 2.5, cold, -3.0)
		case temp <= 12:
			pick(fChilly, hotSoup, 1.5, stew, 1.0, cold, -1.0)
		}
		if w.HumidityPct >= 80 && !w.Wet() {
			pick(fHumid, light, 1.5, heavy, -0.5)
		}
	}

	switch m.month {
	case time.June, time.July, time.August:
		pick(fSummer, cold, 1.5)
		pick(fBoyang, boyang, 2.0)
	case time.December, time.January, time.February:
		pick(fWinter, hotSoup, 1.0, stew, 1.0, cold, -1.0)
	}

	switch m.period {
	case breakfastTime:
		pick(fBreakfast, breakfast, 5.0, "백반,죽,국수", 1.0, "도시락", 1.0,
			heavy, -2.0, shareable, -1.5, lateNight, -1.0, spicy, -1.0)
	case lunchTime:
		pick(fLunch, lunch, 3.0, "도시락", 0.5, shareable, -0.5)
	case afternoonTime:
		pick(fAfternoon, snack, 3.0, sweet, 1.5, "카페,디저트", 1.5, "분식", 1.0, heavy, -1.5)
	case dinnerTime:
		pick(fDinner, shareable, 1.5, heavy, 1.0, stew, 1.5, breakfast, -1.0)
	case lateNightTime:
		pick(fLateNight, lateNight, 4.0, "치킨", 2.0, "족발,보쌈", 1.5, "분식", 1.0,
			breakfast, -1.5, light, -0.5)
	}
	return c
}

// Suggest returns a short Korean reply and exactly Count suggestions with
// distinct menus. Categories with a joinable open post nearby come first
// (joining beats starting a new order), nearest post first; the rest are drawn
// at random among the best-scoring dishes, favouring different categories.
func (r *Recommender) Suggest(s Situation) (reply string, suggestions []Suggestion) {
	now := s.Now
	if now.IsZero() {
		now = time.Now()
	}
	local := now.In(seoul.Zone)
	m := moment{local: local, period: periodOf(local.Hour()), month: local.Month(), w: s.Weather}

	open := openByCategory(s.OpenPosts)
	// Open group orders first, nearest first; the first maxOpenSlots categories
	// get a suggestion each, the others a score bonus.
	openCats := make([]string, 0, len(open))
	for cat := range open {
		openCats = append(openCats, cat)
	}
	slices.SortFunc(openCats, func(a, b string) int {
		return cmp.Or(cmp.Compare(open[a][0].DistanceKm, open[b][0].DistanceKm), cmp.Compare(open[a][0].ID, open[b][0].ID))
	})
	slotCats := openCats[:min(len(openCats), maxOpenSlots)]
	cands := make([]candidate, len(catalogue))
	for i, d := range catalogue {
		cands[i] = m.score(d)
		if _, ok := open[d.category]; ok && !slices.Contains(slotCats, d.category) {
			cands[i].score += openBonus
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	taken := make([]bool, len(cands))
	perCategory := map[string]int{}
	take := func(i int) {
		taken[i] = true
		perCategory[cands[i].d.category]++
		c := cands[i]
		sg := Suggestion{Menu: c.d.name, Category: c.d.category, Reason: m.reason(c)}
		if posts := open[c.d.category]; len(posts) > 0 {
			sg.OpenPosts = slices.Clone(posts[:min(len(posts), maxAttached)])
			if perCategory[c.d.category] == 1 { // say it once per category
				sg.Reason = openReason(c.d.category, posts)
			}
		}
		suggestions = append(suggestions, sg)
	}

	for _, cat := range slotCats {
		if i := r.draw(cands, taken, func(c candidate) bool { return c.d.category == cat }, nil); i >= 0 {
			take(i)
		}
	}
	for len(suggestions) < Count {
		i := r.draw(cands, taken, nil, perCategory)
		if i < 0 {
			break // the catalogue is far larger than Count
		}
		take(i)
	}
	return m.reply(suggestions, len(open) > 0), suggestions
}

// draw picks an untaken candidate passing keep (nil keeps all) from the topK
// best, with softmax weights, each score lowered by samePenalty per suggestion
// already made in its category. It returns -1 when none is left.
func (r *Recommender) draw(cands []candidate, taken []bool, keep func(candidate) bool, perCategory map[string]int) int {
	type scored struct {
		i int
		s float64
	}
	pool := make([]scored, 0, len(cands))
	for i, c := range cands {
		if taken[i] || keep != nil && !keep(c) {
			continue
		}
		pool = append(pool, scored{i, c.score - samePenalty*float64(perCategory[c.d.category])})
	}
	if len(pool) == 0 {
		return -1
	}
	// Stable: equal scores keep catalogue order, so a seeded rng is exact.
	slices.SortStableFunc(pool, func(a, b scored) int { return cmp.Compare(b.s, a.s) })
	pool = pool[:min(len(pool), topK)]
	total := 0.0
	weights := make([]float64, len(pool))
	for j, p := range pool {
		weights[j] = math.Exp((p.s - pool[0].s) / temperature)
		total += weights[j]
	}
	x := r.rng.Float64() * total
	for j, w := range weights {
		if x < w {
			return pool[j].i
		}
		x -= w
	}
	return pool[len(pool)-1].i
}

// openByCategory groups joinable posts by category, nearest first.
func openByCategory(posts []OpenPost) map[string][]OpenPost {
	open := map[string][]OpenPost{}
	for _, p := range posts {
		if p.joinable() {
			open[p.Category] = append(open[p.Category], p)
		}
	}
	for _, ps := range open {
		slices.SortStableFunc(ps, func(a, b OpenPost) int {
			return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.ID, b.ID))
		})
	}
	return open
}

func openReason(category string, posts []OpenPost) string {
	p := posts[0]
	count := strconv.Itoa(p.JoinNumber) + "명 참여 중"
	if p.TargetNumber > 0 {
		count = fmt.Sprintf("%d/%d명", p.JoinNumber, p.TargetNumber)
	}
	where := "근처에"
	if p.DistanceKm > 0 {
		where = "근처(" + km(p.DistanceKm) + ")에"
	}
	if len(posts) == 1 {
		return fmt.Sprintf("%s 모집 중인 %s 공동주문(%s)이 있어 바로 참여할 수 있어요.", where, category, count)
	}
	return fmt.Sprintf("%s 모집 중인 %s 공동주문이 %d개(가장 가까운 곳 %s) 있어 바로 참여할 수 있어요.", where, category, len(posts), count)
}

func km(v float64) string {
	if v < 1 {
		return strconv.Itoa(int(math.Round(v*1000/50))*50) + "m"
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + "km"
}

func deg(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (m moment) reason(c candidate) string {
	n := c.d.name
	t := c.d.traits
	switch c.reason {
	case fRain:
		if t.has(hotSoup) {
			return "비가 오니 뜨끈한 국물의 " + josa(n, "이/가") + " 잘 어울려요."
		}
		return "비 오는 날엔 역시 " + josa(n, "이/가") + " 당기죠."
	case fSnow:
		return "눈 오는 날엔 몸을 녹여 줄 따끈한 " + josa(n, "이/가") + " 제격이에요."
	case fHeat:
		if t.has(cold) {
			return "기온이 " + deg(m.w.TemperatureC) + "℃까지 올라 시원한 " + josa(n, "으로/로") + " 더위를 식히기 좋아요."
		}
		return "기온이 " + deg(m.w.TemperatureC) + "℃로 더운 날엔 가볍게 " + josa(n, "은/는") + " 어때요?"
	case fWarm:
		return "날이 따뜻해서 시원한 " + josa(n, "이/가") + " 잘 어울려요."
	case fCold:
		return "기온이 " + deg(m.w.TemperatureC) + "℃로 추우니 뜨끈한 " + josa(n, "이/가") + " 제격이에요."
	case fChilly:
		return "쌀쌀한 날씨엔 따끈한 " + josa(n, "이/가") + " 생각나요."
	case fHumid:
		return "습도가 " + deg(m.w.HumidityPct) + "%로 높아 가볍고 산뜻한 " + josa(n, "이/가") + " 부담 없어요."
	case fGloomy:
		return "하늘이 흐린 날엔 따끈한 " + josa(n, "이/가") + " 잘 어울려요."
	case fSummer:
		return "여름엔 시원한 " + josa(n, "이/가") + " 최고죠."
	case fBoyang:
		return "더위에 지치기 쉬운 여름, 보양식 " + josa(n, "으로/로") + " 기운을 챙겨 보세요."
	case fWinter:
		return "겨울엔 속까지 따뜻해지는 " + josa(n, "이/가") + " 생각나요."
	case fBreakfast:
		return "아침에는 속 편한 " + josa(n, "으로/로") + " 가볍게 시작해 보세요."
	case fLunch:
		return "점심으로 빠르고 든든하게 먹기 좋은 " + josa(n, "이에요/예요") + "."
	case fAfternoon:
		return "출출한 오후 간식으로 " + n + " 어때요?"
	case fDinner:
		if t.has(shareable) {
			return "저녁엔 여럿이 나눠 먹기 좋은 " + josa(n, "을/를") + " 추천해요."
		}
		return "하루를 마무리하는 저녁으로 든든한 " + n + " 어때요?"
	case fLateNight:
		return "야식으로는 역시 " + josa(n, "이/가") + " 빠질 수 없죠."
	}
	return josa(n, "은/는") + " 언제 먹어도 실패 없는 메뉴예요."
}

func (m moment) reply(sg []Suggestion, hasOpen bool) string {
	var b strings.Builder
	b.WriteString([...]string{
		breakfastTime: "좋은 아침이에요!",
		lunchTime:     "점심 메뉴 고민되시죠?",
		afternoonTime: "출출한 오후네요.",
		dinnerTime:    "저녁 뭐 드실지 고민이시군요.",
		lateNightTime: "늦은 밤, 야식이 당기는 시간이에요.",
	}[m.period])
	if w := m.w; w != nil {
		var sky string
		switch w.Precipitation {
		case weather.PrecipRain:
			sky = "비가 오고"
		case weather.PrecipShower:
			sky = "소나기가 내리고"
		case weather.PrecipSnow:
			sky = "눈이 오고"
		case weather.PrecipRainSnow:
			sky = "비와 눈이 섞여 내리고"
		default:
			sky = map[string]string{weather.SkyClear: "맑고", weather.SkyCloudy: "구름이 많고", weather.SkyOvercast: "흐리고"}[w.Sky]
		}
		if sky == "" {
			sky = "지금"
		} else {
			sky = "지금 " + sky
		}
		fmt.Fprintf(&b, " %s 기온은 %s℃예요.", sky, deg(w.TemperatureC))
	}
	if hasOpen {
		b.WriteString(" 근처에 모집 중인 공동주문이 있으니 함께 주문하면 배달비를 아낄 수 있어요.")
	}
	names := make([]string, len(sg))
	for i, s := range sg {
		names[i] = s.Menu
	}
	fmt.Fprintf(&b, " 오늘은 %s 중에서 골라 보세요!", strings.Join(names, ", "))
	return b.String()
}
