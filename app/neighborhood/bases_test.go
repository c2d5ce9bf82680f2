package neighborhood

import (
	"slices"
	"strings"
	"testing"
)

func TestBaseNames(t *testing.T) {
	tests := []struct {
		part string
		want []string
	}{
		{"역삼1동", []string{"역삼동"}},
		{"상일제1동", []string{"상일동"}},
		{"면목3·8동", []string{"면목동"}},
		{"두류1·2동", []string{"두류동"}},
		{"상계10동", []string{"상계동"}},
		{"면목본동", []string{"면목동"}},
		{"용담·명암·산성동", []string{"용담동", "명암동", "산성동"}},
		{"화수1·화평동", []string{"화수동", "화평동"}},
		{"종로5·6가동", []string{"종로동", "종로5가", "종로동5가", "종로6가", "종로동6가"}},
		{"용산2가동", []string{"용산동", "용산2가", "용산동2가"}},
		{"성수1가2동", []string{"성수동", "성수1가", "성수동1가"}},
		{"남가좌1동", []string{"남가좌동"}},
		// Plain names stand for themselves (or for 법정동 we cannot know).
		{"사직동", nil},
		{"청운효자동", nil},
		{"청룡동", nil},
		{"용담면", nil},
		{"이동", nil},
		{"동", nil},
	}
	for _, tt := range tests {
		if got := baseNames(tt.part); !slices.Equal(got, tt.want) {
			t.Errorf("baseNames(%q) = %q, want %q", tt.part, got, tt.want)
		}
	}
}

// TestSearchLegalDong checks with the real dataset that 법정동-style names
// find the 행정동 that carry them.
func TestSearchLegalDong(t *testing.T) {
	ix := testIndex(t)
	seoul := func(gu string, dongs ...string) []string {
		out := make([]string, len(dongs))
		for i, d := range dongs {
			out[i] = "서울특별시 " + gu + " " + d
		}
		return out
	}
	tests := []struct {
		query string
		want  []string // the whole result, in order
	}{
		{"역삼동", seoul("강남구", "역삼1동", "역삼2동")},
		{"강남구 역삼동", seoul("강남구", "역삼1동", "역삼2동")},
		{"서울시 강남구 역삼동", seoul("강남구", "역삼1동", "역삼2동")},
		{"서울 역삼동", seoul("강남구", "역삼1동", "역삼2동")},
		{"창신동", seoul("종로구", "창신1동", "창신2동", "창신3동")},
		{"서초동", seoul("서초구", "서초1동", "서초2동", "서초3동", "서초4동")},
		{"상일동", seoul("강동구", "상일제1동", "상일제2동")},
		{"종로3가", seoul("종로구", "종로1·2·3·4가동")},
		{"성수동1가", seoul("성동구", "성수1가1동", "성수1가2동")},
		{"성수동", seoul("성동구", "성수1가1동", "성수1가2동", "성수2가1동", "성수2가3동")},
		{"면목동", seoul("중랑구", "면목2동", "면목3·8동", "면목4동", "면목5동", "면목7동", "면목본동")},
		{"청주 명암동", []string{"충청북도 청주시 상당구 용담·명암·산성동"}},
		// A real dong of the name first (rank exact), then the numbered ones.
		{"신사동", append(seoul("강남구", "신사동"), append(seoul("관악구", "신사동"), seoul("은평구", "신사1동", "신사2동")...)...)},
		// 역삼동 is in 강남구: both words must match.
		{"종로구 역삼동", nil},
		// Known misses: 봉천동's 행정동 are 청룡동, 보라매동, … (no mapping data).
		{"봉천동", nil},
	}
	for _, tt := range tests {
		if got := names(ix.Search(tt.query, 20)); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}

	// Every result of a base-name query matches each word by name or base.
	t.Run("Order", func(t *testing.T) {
		for _, q := range []string{"동", "역삼동", "서울 신사동", "종로3가", "성수동"} {
			words := ix.searchWords(q)
			for _, d := range ix.Search(q, 200) {
				i := ix.byCode[d.Code]
				for _, w := range words {
					if !strings.Contains(ix.keys[i], w) && !slices.Contains(baseNames(ix.dongKeys[i]), w) {
						t.Fatalf("Search(%q) returned %q, which matches %q neither by name nor by base", q, d.Name, w)
					}
				}
			}
		}
	})
}

func TestFindNear(t *testing.T) {
	ix := testIndex(t)
	busan := &Point{35.19, 129.06}    // 부산 동래구 사직동 area
	jongno := &Point{37.576, 126.969} // 서울 종로구 사직동
	tests := []struct {
		query string
		near  *Point
		want  []string // the first results, in order
	}{
		{"사직", busan, []string{"부산광역시 동래구 사직1동"}},
		{"사직", jongno, []string{"서울특별시 종로구 사직동"}},
		{"사직", nil, []string{"광주광역시 남구 사직동", "부산광역시 동래구 사직1동"}}, // name order
		{"신사동", &Point{37.48, 126.93}, []string{"서울특별시 관악구 신사동", "서울특별시 강남구 신사동"}},
		// A resolvable query keeps its dong first wherever the caller is.
		{"서울특별시 종로구 사직동", busan, []string{"서울특별시 종로구 사직동"}},
	}
	for _, tt := range tests {
		got := names(ix.Find(tt.query, 5, SearchOptions{Near: tt.near}))
		if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("Find(%q, near %v) = %q, want %q first", tt.query, tt.near, got, tt.want)
		}
	}
	// Nearest first, all the way down.
	p := *busan
	got := ix.Find("동", 300, SearchOptions{Near: &p})
	if len(got) != 300 {
		t.Fatalf("Find(동, 300) gave %d", len(got))
	}
	for k := 1; k < len(got); k++ {
		a := DistanceKm(p.Lat, p.Lon, got[k-1].Lat, got[k-1].Lon)
		b := DistanceKm(p.Lat, p.Lon, got[k].Lat, got[k].Lon)
		if b < a {
			t.Fatalf("result %d (%s, %.2f km) is nearer than result %d (%s, %.2f km)", k, got[k].Name, b, k-1, got[k-1].Name, a)
		}
	}
}

func TestFindRelaxed(t *testing.T) {
	ix := testIndex(t)
	yeoksam := []string{"서울특별시 강남구 역삼1동", "서울특별시 강남구 역삼2동"}
	tests := []struct {
		query string
		want  []string // the whole result
	}{
		{"강남구 역삼동 123-4", yeoksam},
		{"서울시 강남구 역삼동 123-4번지", yeoksam},
		{"서울특별시 강남구 역삼동 737 B1", yeoksam},
		// Words that each match but not together: the later (the dong) wins.
		{"종로구 역삼동", yeoksam},
		{"제주시 용담삼동", []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}},
		{"asdf 123", nil},
	}
	for _, tt := range tests {
		if got := names(ix.Find(tt.query, 20, SearchOptions{Relaxed: true})); !slices.Equal(got, tt.want) {
			t.Errorf("Find(%q, relaxed) = %q, want %q", tt.query, got, tt.want)
		}
		if strict := ix.Search(tt.query, 20); len(strict) != 0 {
			t.Errorf("Search(%q) = %q, want nothing without Relaxed", tt.query, names(strict))
		}
	}
	// A strict match is not widened.
	if got := names(ix.Find("제주시 용담", 20, SearchOptions{Relaxed: true})); len(got) != 2 {
		t.Errorf("Find(제주시 용담, relaxed) = %q, want the 2 strict matches", got)
	}
	for _, in := range []string{"강남구 역삼동 123-4", "서울 강남구 역삼동 12-3번지"} {
		if got := ix.Suggest(in, 5); !slices.Equal(got, yeoksam) {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, yeoksam)
		}
	}
}
