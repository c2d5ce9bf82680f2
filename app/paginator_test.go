package app

import (
	"slices"
	"testing"
)

func intPtr(n int) *int { return &n }

func TestPaginator(t *testing.T) {
	rangeOf := func(a, b int) []int {
		var out []int
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
		return out
	}
	tests := []struct {
		name        string
		page, total int
		wantRange   []int
		wantCurrent int
		wantPrev    *int
		wantNext    *int
	}{
		{"FirstOf25Posts", 1, 25, []int{1, 2, 3}, 1, nil, intPtr(3)},
		{"Page14Of30Pages", 14, 300, rangeOf(9, 18), 14, intPtr(4), intPtr(24)},
		{"NoPosts", 1, 0, []int{1}, 1, nil, nil},
		{"BelowOne", -3, 25, []int{1, 2, 3}, 1, nil, intPtr(3)},
		{"PastTheEnd", 99, 25, []int{1, 2, 3}, 3, intPtr(1), nil},
		{"LastOf30Pages", 30, 300, rangeOf(21, 30), 30, intPtr(20), nil},
		{"Page2Of30Pages", 2, 300, rangeOf(1, 10), 2, intPtr(1), intPtr(12)},
		{"ExactlyTenPerPage", 2, 20, []int{1, 2}, 2, intPtr(1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPaginator(tt.page, tt.total)
			if !slices.Equal(p.PageRange, tt.wantRange) {
				t.Errorf("page_range = %v, want %v", p.PageRange, tt.wantRange)
			}
			if p.CurrentPage != tt.wantCurrent {
				t.Errorf("current_page = %d, want %d", p.CurrentPage, tt.wantCurrent)
			}
			if !equalPtr(p.PrevButton, tt.wantPrev) {
				t.Errorf("prev_button = %v, want %v", deref(p.PrevButton), deref(tt.wantPrev))
			}
			if !equalPtr(p.NextButton, tt.wantNext) {
				t.Errorf("next_button = %v, want %v", deref(p.NextButton), deref(tt.wantNext))
			}
		})
	}
}

func equalPtr(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestListPagination checks the paginator through the list endpoint,
// including a non-number page and a page past the end.
func TestListPagination(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)
	for i := range 25 {
		e.writePost(u, "글 "+string(rune('A'+i)), 4)
	}
	tests := []struct {
		query     string
		wantPage  float64
		wantCount int
		wantFirst string
	}{
		{"", 1, 10, "글 Y"},
		{"?page=abc", 1, 10, "글 Y"},
		{"?page=2", 2, 10, "글 O"},
		{"?page=3", 3, 5, "글 E"},
		{"?page=99", 3, 5, "글 E"},
		{"?page=0", 1, 10, "글 Y"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := e.do(req{method: "GET", path: "/api/post/" + tt.query, token: u.token})
			if r.status != 200 {
				t.Fatalf("status %d %s", r.status, r.raw)
			}
			m := r.json(t)
			pg := m["paginator"].(map[string]any)
			if pg["current_page"] != tt.wantPage {
				t.Errorf("current_page = %v, want %v", pg["current_page"], tt.wantPage)
			}
			posts := m["posts"].([]any)
			if len(posts) != tt.wantCount {
				t.Fatalf("%d posts, want %d", len(posts), tt.wantCount)
			}
			if got := posts[0].(map[string]any)["title"]; got != tt.wantFirst {
				t.Errorf("first post %v, want %v (newest first)", got, tt.wantFirst)
			}
		})
	}
}

// TestPaginatorWithCappedCount: the list counts at most ten pages past the
// requested one; the paginator must come out as with the full count.
func TestPaginatorWithCappedCount(t *testing.T) {
	for total := 0; total <= 420; total += 7 {
		for page := 1; page <= 45; page++ {
			capped := min(total, (page+10)*postsPerPage+1)
			got, want := newPaginator(page, capped), newPaginator(page, total)
			if !slices.Equal(got.PageRange, want.PageRange) || got.CurrentPage != want.CurrentPage ||
				!equalPtr(got.PrevButton, want.PrevButton) || !equalPtr(got.NextButton, want.NextButton) {
				t.Fatalf("total %d page %d: capped %+v, full %+v", total, page, got, want)
			}
		}
	}
}
