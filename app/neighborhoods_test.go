package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
)

func TestNeighborhoodSearchAPI(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		q, first string
	}{
		{"제주시 용담", "제주특별자치도 제주시 용담1동"},
		{"종로구 사직", "서울특별시 종로구 사직동"},
		{"서울 사직동", "서울특별시 종로구 사직동"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := e.do(req{method: "GET", path: "/api/neighborhoods/?q=" + url.QueryEscape(tt.q)})
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			list := r.json(t)["neighborhoods"].([]any)
			if len(list) == 0 || len(list) > 20 {
				t.Fatalf("%d results", len(list))
			}
			if got := list[0].(map[string]any)["name"]; got != tt.first {
				t.Errorf("first %v, want %v", got, tt.first)
			}
		})
	}
	if r := e.do(req{method: "GET", path: "/api/neighborhoods/?q=동"}); len(r.json(t)["neighborhoods"].([]any)) != 20 {
		t.Error("a broad query must stop at 20")
	}
	if r := e.do(req{method: "GET", path: "/api/neighborhoods/?q="}); r.status != 200 || len(r.json(t)["neighborhoods"].([]any)) != 0 {
		t.Errorf("empty query: %d %s", r.status, r.raw)
	}
}

func TestLocateAPI(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		lat, lon string
		status   int
		name     string
	}{
		{"37.5760", "126.9690", 200, "서울특별시 종로구 사직동"},
		{"33.5106", "126.5150", 200, "제주특별자치도 제주시 용담1동"},
		{"35.68", "139.69", 404, ""}, // Tokyo
		{"0", "0", 404, ""},
		{"abc", "126.9", 400, ""},
		{"95", "126.9", 400, ""},
		{"", "", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.lat+","+tt.lon, func(t *testing.T) {
			r := e.do(req{method: "GET", path: "/api/neighborhoods/locate/?lat=" + tt.lat + "&lon=" + tt.lon})
			if r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.raw, tt.status)
			}
			switch tt.status {
			case 200:
				if got := r.json(t)["name"]; got != tt.name {
					t.Errorf("name %v, want %v", got, tt.name)
				}
			case 404:
				if r.str(t) == "" {
					t.Error("404 without a message")
				}
			}
		})
	}
}

func TestServiceArea(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Regions = []string{"제주특별자치도 제주시"} })
	e.register("jeju", addrYongdam)
	body := validRegistration()
	body["email"], body["username"], body["address"] = "seoul@example.com", "서울사람", addrSajik
	r := e.do(req{method: "POST", path: "/api/user/register/", body: body})
	if r.status != 400 {
		t.Fatalf("outside the service area: %d %s", r.status, r.raw)
	}
	msgs := r.fieldErrs(t)["address"].([]any)
	if len(msgs) == 0 || !strings.Contains(msgs[0].(string), "제주특별자치도 제주시") {
		t.Errorf("message does not name the service area: %v", msgs)
	}
	// Old province names still resolve inside a region given in old form.
	e2 := newTestEnv(t, func(c *Config) { c.Regions = []string{"강원도"} })
	body["address"] = "강원도 춘천시 효자1동"
	if r := e2.do(req{method: "POST", path: "/api/user/register/", body: body}); r.status != http.StatusCreated {
		t.Errorf("강원도 inside 강원도: %d %s", r.status, r.raw)
	}
}

// TestListRanges writes a post in my dong, one in a dong ~1 km away and
// one ~3 km away, and checks what each range shows.
func TestListRanges(t *testing.T) {
	e := newTestEnv(t)
	dongs := neighborhood.Default()
	home, _ := dongs.Resolve(addrSajik)
	var near, far neighborhood.Dong
	for _, n := range dongs.Within(home.Code, 2) {
		switch {
		case near.Code == "" && n.DistanceKm > 0.3 && n.DistanceKm < 1.4:
			near = n.Dong
		case far.Code == "" && n.DistanceKm > 2 && n.DistanceKm < 3.9:
			far = n.Dong
		}
	}
	if near.Code == "" || far.Code == "" {
		t.Fatal("test data: no dong at the needed distances")
	}
	me := e.register("me", home.Name)
	e.writePost(me, "우리 동네", 3)
	e.writePost(e.register("near", near.Name), "가까운 동네", 3)
	e.writePost(e.register("far", far.Name), "조금 먼 동네", 3)
	e.writePost(e.register("jeju", addrYongdam), "제주", 3)

	list := func(query string) map[string]any {
		r := e.do(req{method: "GET", path: "/api/post/" + query, token: me.token})
		if r.status != 200 {
			t.Fatalf("list %s: %d %s", query, r.status, r.raw)
		}
		out := map[string]any{}
		for _, p := range r.json(t)["posts"].([]any) {
			m := p.(map[string]any)
			out[m["title"].(string)] = m["distance_km"]
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"우리 동네"}},
		{"?range=0", []string{"우리 동네"}},
		{"?range=1", []string{"우리 동네", "가까운 동네"}},
		{"?range=2", []string{"우리 동네", "가까운 동네", "조금 먼 동네"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := list(tt.query)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for _, w := range tt.want {
				if _, ok := got[w]; !ok {
					t.Errorf("missing %q in %v", w, got)
				}
			}
		})
	}
	if d := list("?range=2")["조금 먼 동네"].(float64); d < 2 || d > 4 {
		t.Errorf("distance_km %v", d)
	}
	for _, bad := range []string{"?range=3", "?range=-1", "?range=x"} {
		if r := e.do(req{method: "GET", path: "/api/post/" + bad, token: me.token}); r.status != 400 {
			t.Errorf("%s: %d, want 400", bad, r.status)
		}
	}
	// The range saved on the profile is the default.
	e.do(req{method: "POST", path: "/api/user/update/", token: me.token, body: map[string]any{"range": 1}})
	if got := list(""); len(got) != 2 {
		t.Errorf("saved range 1: %v", got)
	}
}
