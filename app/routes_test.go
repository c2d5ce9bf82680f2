package app

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestRoutesDocumented walks the route table the router is built from and
// fails when a route (method and path) has no section in docs/api.md, when
// the document has a section for a route that does not exist, or when the
// section's "Who may call it" line disagrees with the router.
func TestRoutesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile("(?m)^### (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\\S*)$")
	sections := map[string]string{} // "METHOD /path" → section text
	locs := heading.FindAllSubmatchIndex(doc, -1)
	for i, loc := range locs {
		end := len(doc)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		key := string(doc[loc[2]:loc[3]]) + " " + string(doc[loc[4]:loc[5]])
		if _, dup := sections[key]; dup {
			t.Errorf("docs/api.md documents %s twice", key)
		}
		sections[key] = string(doc[loc[1]:end])
	}

	// The handlers are only named, never called: a bare Server will do.
	routes := (&Server{}).routeTable()
	if len(routes) < 20 {
		t.Fatalf("route table has %d routes", len(routes))
	}
	whoLine := map[access]string{
		open:       "Who may call it: anyone.",
		signedIn:   "Who may call it: signed-in users",
		socket:     "Who may call it: room members, checked by the socket itself.",
		userSocket: "Who may call it: signed-in users, checked by the socket itself.",
		scraper:    "Who may call it: the metrics scraper (MEALBUDDY_METRICS_TOKEN and/or --metrics-allow).",
	}
	routed := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		routed[key] = true
		sec, ok := sections[key]
		if !ok {
			t.Errorf("route %s is not documented in docs/api.md (add a section \"### %s\")", key, key)
			continue
		}
		if want := whoLine[rt.who]; !strings.Contains(sec, "\n"+want) {
			t.Errorf("docs/api.md, %s: want the line %q", key, want)
		}
	}
	for key := range sections {
		if !routed[key] {
			t.Errorf("docs/api.md documents %s, which app/routes.go does not route", key)
		}
	}
}
