package menu

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	_ "time/tzdata"

	"github.com/mealbuddy/mealbuddy/app/weather"
)

var kst = time.FixedZone("KST", 9*3600)

func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2024, month, day, hour, minute, 0, 0, kst)
}

func wx(tempC float64, sky, precip string, humidity float64) *weather.Report {
	return &weather.Report{Provider: "kma", TemperatureC: tempC, Sky: sky, Precipitation: precip, HumidityPct: humidity, WindMS: 2}
}

func seeded(seed uint64) *Recommender { return NewRecommender(rand.New(rand.NewPCG(seed, 0x6d62))) }

type situationCase struct {
	name string
	s    Situation
	// wantAny: at least one suggestion's category is among these.
	wantAny []string
	// wantNone: no suggestion's category is among these.
	wantNone []string
	// wantFirst, when set, is the first suggestion's category.
	wantFirst string
	// wantFirstPosts are the IDs attached to the first suggestion.
	wantFirstPosts []int64
}

var situationCases = []situationCase{
	{name: "rainy cold evening",
		s:       Situation{Now: at(time.December, 3, 19, 0), Weather: wx(3, "흐림", "비", 90)},
		wantAny: []string{"찜,탕,찌개"}, wantNone: []string{"카페,디저트"}},
	{name: "33°C summer afternoon",
		s:       Situation{Now: at(time.August, 3, 15, 0), Weather: wx(33, "맑음", "없음", 60)},
		wantAny: []string{"카페,디저트"}, wantNone: []string{"찜,탕,찌개"}},
	{name: "late night, no weather",
		s:       Situation{Now: at(time.April, 3, 23, 30)},
		wantAny: []string{"치킨", "족발,보쌈"}},
	{name: "1 a.m. counts as late night",
		s:       Situation{Now: at(time.October, 9, 1, 0), Weather: wx(14, "맑음", "없음", 50)},
		wantAny: []string{"치킨", "족발,보쌈"}, wantNone: []string{"도시락"}},
	{name: "breakfast",
		s:       Situation{Now: at(time.April, 3, 7, 30), Weather: wx(12, "맑음", "없음", 50)},
		wantAny: []string{"백반,죽,국수", "도시락"}, wantNone: []string{"족발,보쌈", "치킨", "피자", "고기구이"}},
	{name: "open pizza post nearby goes first with the post attached",
		s: Situation{Now: at(time.April, 3, 12, 30), Weather: wx(18, "맑음", "없음", 50), OpenPosts: []OpenPost{
			{ID: 7, Title: "피자 같이 시켜요", Category: "피자", JoinNumber: 2, TargetNumber: 4, DistanceKm: 0.3},
		}},
		wantFirst: "피자", wantFirstPosts: []int64{7}},
	{name: "open chicken at dinner beats the weather",
		s: Situation{Now: at(time.July, 10, 18, 30), Weather: wx(30, "맑음", "없음", 70), OpenPosts: []OpenPost{
			{ID: 2, Category: "치킨", JoinNumber: 1, TargetNumber: 3, DistanceKm: 1.2},
			{ID: 3, Category: "치킨", JoinNumber: 2, TargetNumber: 4, DistanceKm: 0.4},
			{ID: 4, Category: "치킨", JoinNumber: 1, TargetNumber: 2, DistanceKm: 2.5},
			{ID: 5, Category: "치킨", JoinNumber: 1, TargetNumber: 5, DistanceKm: 0.9},
		}},
		wantFirst: "치킨", wantFirstPosts: []int64{3, 5, 2}},
	{name: "snow at lunch",
		s:       Situation{Now: at(time.January, 15, 12, 30), Weather: wx(-2, "흐림", "눈", 85)},
		wantAny: []string{"찜,탕,찌개", "백반,죽,국수"}, wantNone: []string{"카페,디저트"}},
	{name: "mild rainy lunch brings soups and noodles",
		s:       Situation{Now: at(time.May, 20, 12, 0), Weather: wx(17, "흐림", "비", 95)},
		wantAny: []string{"중식", "백반,죽,국수"}},
	{name: "freezing clear dinner",
		s:       Situation{Now: at(time.January, 20, 19, 0), Weather: wx(-8, "맑음", "없음", 40)},
		wantAny: []string{"찜,탕,찌개"}, wantNone: []string{"카페,디저트"}},
	{name: "hot humid summer lunch",
		s:       Situation{Now: at(time.July, 25, 12, 30), Weather: wx(31, "구름많음", "없음", 85)},
		wantAny: []string{"백반,죽,국수", "돈까스,회,일식"}, wantNone: []string{"찜,탕,찌개"}},
	{name: "spring afternoon snack",
		s:       Situation{Now: at(time.April, 12, 15, 30), Weather: wx(19, "맑음", "없음", 45)},
		wantAny: []string{"카페,디저트", "분식"}},
	{name: "shower on a summer evening",
		s:       Situation{Now: at(time.August, 12, 20, 0), Weather: wx(26, "흐림", "소나기", 90)},
		wantAny: []string{"중식", "백반,죽,국수", "찜,탕,찌개", "분식"}},
	{name: "two open categories: nearest first",
		s: Situation{Now: at(time.March, 5, 13, 0), OpenPosts: []OpenPost{
			{ID: 10, Category: "분식", JoinNumber: 1, TargetNumber: 3, DistanceKm: 0.8},
			{ID: 11, Category: "도시락", JoinNumber: 2, TargetNumber: 3, DistanceKm: 0.2},
			{ID: 12, Category: "없는 카테고리", JoinNumber: 1, TargetNumber: 3, DistanceKm: 0.1},
		}},
		wantFirst: "도시락", wantFirstPosts: []int64{11}, wantAny: []string{"분식"}},
}

func checkSituation(t *testing.T, tc situationCase, reply string, sg []Suggestion) {
	t.Helper()
	if len(sg) != Count {
		t.Fatalf("%d suggestions, want %d", len(sg), Count)
	}
	cats := make([]string, len(sg))
	menus := map[string]bool{}
	for i, s := range sg {
		cats[i] = s.Category
		if !IsCategory(s.Category) {
			t.Errorf("suggestion %d: category %q is not one of the 14", i, s.Category)
		}
		if menus[s.Menu] {
			t.Errorf("menu %q suggested twice", s.Menu)
		}
		menus[s.Menu] = true
		if s.Reason == "" || strings.Count(s.Reason, ".")+strings.Count(s.Reason, "?") != 1 {
			t.Errorf("suggestion %d: reason %q is not one sentence", i, s.Reason)
		}
		if len(s.OpenPosts) > 3 {
			t.Errorf("suggestion %d: %d posts attached, at most 3", i, len(s.OpenPosts))
		}
		for _, p := range s.OpenPosts {
			if p.Category != s.Category {
				t.Errorf("suggestion %d (%s) carries a %s post", i, s.Category, p.Category)
			}
		}
		if !strings.Contains(reply, s.Menu) {
			t.Errorf("reply %q does not name %q", reply, s.Menu)
		}
	}
	if len(tc.wantAny) > 0 && !slices.ContainsFunc(cats, func(c string) bool { return slices.Contains(tc.wantAny, c) }) {
		t.Errorf("categories %v, want one of %v", cats, tc.wantAny)
	}
	for _, c := range tc.wantNone {
		if slices.Contains(cats, c) {
			t.Errorf("categories %v include %s", cats, c)
		}
	}
	if tc.wantFirst != "" {
		if cats[0] != tc.wantFirst {
			t.Errorf("first category %s, want %s (all: %v)", cats[0], tc.wantFirst, cats)
		}
		var ids []int64
		for _, p := range sg[0].OpenPosts {
			ids = append(ids, p.ID)
		}
		if !slices.Equal(ids, tc.wantFirstPosts) {
			t.Errorf("first suggestion's posts %v, want %v", ids, tc.wantFirstPosts)
		}
		if !strings.Contains(sg[0].Reason, "모집 중인 "+tc.wantFirst+" 공동주문") {
			t.Errorf("first reason %q does not mention the open order", sg[0].Reason)
		}
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range situationCases {
		t.Run(tc.name, func(t *testing.T) {
			reply, sg := seeded(42).Suggest(tc.s)
			checkSituation(t, tc, reply, sg)
			if t.Failed() || testing.Verbose() {
				t.Logf("reply: %s", reply)
				for _, s := range sg {
					t.Logf("  %s [%s] %s %v", s.Menu, s.Category, s.Reason, s.OpenPosts)
				}
			}
		})
	}
}

// TestSuggestAnySeed checks that the picks follow the situation rather than luck.
// Over many seeds, the hard rules (always 5, distinct, open orders first, the
// unwanted categories absent) always hold and the wanted category shows up in at
// least 95% of the answers (chance may pick five other fitting dishes).
func TestSuggestAnySeed(t *testing.T) {
	const seeds = 200
	for _, tc := range situationCases {
		t.Run(tc.name, func(t *testing.T) {
			misses := 0
			for seed := range uint64(seeds) {
				reply, sg := seeded(seed).Suggest(tc.s)
				hard := tc
				hard.wantAny = nil
				checkSituation(t, hard, reply, sg)
				if t.Failed() {
					t.Fatalf("seed %d", seed)
				}
				if len(tc.wantAny) > 0 && !slices.ContainsFunc(sg, func(s Suggestion) bool { return slices.Contains(tc.wantAny, s.Category) }) {
					misses++
				}
			}
			if misses > seeds/20 {
				t.Errorf("%d of %d seeds suggested none of %v", misses, seeds, tc.wantAny)
			}
		})
	}
}

func TestSuggestExactForSeed(t *testing.T) {
	s := situationCases[0].s
	r1, a := seeded(7).Suggest(s)
	r2, b := seeded(7).Suggest(s)
	if r1 != r2 || !slices.EqualFunc(a, b, func(x, y Suggestion) bool { return x.Menu == y.Menu && x.Reason == y.Reason }) {
		t.Fatalf("same seed, different answers:\n%s\n%s", r1, r2)
	}
}

func TestSuggestVaries(t *testing.T) {
	menus := func(sg []Suggestion) []string {
		var m []string
		for _, s := range sg {
			m = append(m, s.Menu)
		}
		return m
	}
	differ := false
	for _, tc := range situationCases {
		_, a := seeded(1).Suggest(tc.s)
		_, b := seeded(2).Suggest(tc.s)
		if !slices.Equal(menus(a), menus(b)) {
			differ = true
		}
	}
	if !differ {
		t.Fatal("seeds 1 and 2 gave the same suggestions in every situation")
	}
	// One recommender answers differently from call to call.
	r := seeded(3)
	seen := map[string]bool{}
	for range 10 {
		_, sg := r.Suggest(situationCases[2].s)
		seen[strings.Join(menus(sg), ",")] = true
	}
	if len(seen) < 2 {
		t.Fatal("ten calls on one recommender gave the same answer")
	}
}

func TestSuggestZeroSituation(t *testing.T) {
	reply, sg := NewRecommender(nil).Suggest(Situation{})
	checkSituation(t, situationCase{}, reply, sg)
}

func TestSuggestConcurrent(t *testing.T) {
	r := seeded(5)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if _, sg := r.Suggest(situationCases[1].s); len(sg) != Count {
					t.Error("wrong count")
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func TestCategories(t *testing.T) {
	want := []string{"족발,보쌈", "찜,탕,찌개", "돈까스,회,일식", "피자", "고기구이", "양식", "치킨", "중식", "아시안", "백반,죽,국수", "도시락", "분식", "카페,디저트", "페스트푸드"}
	if !slices.Equal(Categories, want) {
		t.Fatalf("Categories = %v", Categories)
	}
	if !IsCategory("치킨") || IsCategory("치킨 ") || IsCategory("패스트푸드") || IsCategory("") {
		t.Fatal("IsCategory is wrong")
	}
	// Every category has enough dishes, and every dish a valid category and a unique name.
	per := map[string]int{}
	names := map[string]bool{}
	for _, d := range catalogue {
		if !IsCategory(d.category) {
			t.Errorf("%s: bad category %q", d.name, d.category)
		}
		if names[d.name] {
			t.Errorf("%s listed twice", d.name)
		}
		names[d.name] = true
		per[d.category]++
	}
	for _, c := range Categories {
		if per[c] < 3 {
			t.Errorf("category %s has %d dishes, want at least 3", c, per[c])
		}
	}
}

func TestJosa(t *testing.T) {
	tests := []struct{ word, pair, want string }{
		{"짬뽕", "이/가", "짬뽕이"}, {"피자", "이/가", "피자가"}, {"국물", "으로/로", "국물로"},
		{"콩국수", "으로/로", "콩국수로"}, {"전복죽", "으로/로", "전복죽으로"}, {"김밥", "을/를", "김밥을"},
		{"족발", "은/는", "족발은"}, {"치킨", "이에요/예요", "치킨이에요"}, {"파스타", "이에요/예요", "파스타예요"},
		{"BBQ", "이/가", "BBQ가"},
	}
	for _, tt := range tests {
		if got := josa(tt.word, tt.pair); got != tt.want {
			t.Errorf("josa(%q, %q) = %q, want %q", tt.word, tt.pair, got, tt.want)
		}
	}
}
