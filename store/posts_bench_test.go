package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// BenchmarkListPage times ListPage, a board page with its count as the
// board reads it when its page cache does not serve it, on 10,000 posts:
// one neighbourhood holding 4,000 of them and 40 holding 150 each (issue
// 11).
//
//	go test -run xxx -bench BenchmarkListPage ./store/
//
// The cases are one area (pages 1 and 50, and with a category), eight
// small areas, and every area; each finds its page on the board index
// ("index", as the board does) and in SQL ("sql", as for a board of
// recruiting posts: the per-area merge), side by side. "400-pages" reads
// pages 1–400 of the large area from 8 goroutines and reports the
// statements the reader pool keeps and the process's RSS growth in MB:
// every page shares one prepared statement.
func BenchmarkListPage(b *testing.B) {
	ctx := context.Background()
	st, err := Open(filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	small := make([]string, 40)
	for i := range small {
		small[i] = fmt.Sprintf("11110%05d", i)
	}
	const large = "1111053000"
	categories := []string{"치킨", "피자", "도시락", "중식", "분식"}
	writers := make([]int64, 20)
	for i := range writers {
		u, err := st.CreateUser(ctx, NewUser{Email: fmt.Sprintf("w%d@example.com", i), Username: fmt.Sprintf("w%d", i),
			PasswordHash: "x", Address: "서울특별시 종로구 사직동"})
		if err != nil {
			b.Fatal(err)
		}
		writers[i] = u.ID
	}
	for i := range 10_000 {
		area := large
		if i%5 >= 2 { // 3 in 5 posts go to the small areas
			area = small[i%len(small)]
		}
		if _, err := st.CreatePost(ctx, NewPost{WriterID: writers[i%len(writers)], Title: "글 " + strconv.Itoa(i),
			Category: categories[i%len(categories)], Content: strings.Repeat("내용 ", 20), Address: "서울특별시 종로구 사직동",
			Area: area, TargetNumber: 4}); err != nil {
			b.Fatal(err)
		}
	}
	all := append([]string{large}, small...)
	for _, c := range []struct {
		name     string
		areas    []string
		category string
		page     int
	}{
		{"one-area/page1", []string{large}, "", 1},
		{"one-area/page50", []string{large}, "", 50},
		{"one-area/page50-category", []string{large}, "치킨", 50},
		{"eight-areas/page1", small[:8], "", 1},
		{"eight-areas/page10", small[:8], "", 10},
		{"all-areas/page1", all, "", 1},
		{"all-areas/page50", all, "", 50},
		{"all-areas/page50-category", all, "치킨", 50},
	} {
		f := PostFilter{Areas: c.areas, Category: c.category, Limit: 10, Offset: (c.page - 1) * 10}
		atMost := (c.page+10)*10 + 1 // as the board counts
		b.Run(c.name+"/index", func(b *testing.B) {
			for b.Loop() {
				if page, _, err := st.ListPage(ctx, f, atMost); err != nil || len(page) != 10 {
					b.Fatalf("%d posts, %v", len(page), err)
				}
			}
		})
		b.Run(c.name+"/sql", func(b *testing.B) {
			for b.Loop() {
				if page, _, err := listPage(ctx, st, f, atMost, postSelect, scanPost); err != nil || len(page) != 10 {
					b.Fatalf("%d posts, %v", len(page), err)
				}
			}
		})
	}
	b.Run("400-pages", func(b *testing.B) {
		before := rssMB()
		for b.Loop() {
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for page := 1; page <= 400; page++ {
						f := PostFilter{Areas: []string{large}, Limit: 10, Offset: (page - 1) * 10}
						if _, _, err := st.ListPage(ctx, f, (page+10)*10+1); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
		}
		st.r.mu.Lock()
		kept := len(st.r.stmts)
		st.r.mu.Unlock()
		b.ReportMetric(float64(kept), "statements")
		b.ReportMetric(rssMB()-before, "rss-growth-MB")
	})
}

// rssMB is the process's resident memory in MB (Linux; 0 elsewhere).
func rssMB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
