package neighborhood

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testIndex is loaded once for the whole test binary; Index is immutable.
func testIndex(tb testing.TB) *Index {
	tb.Helper()
	return Default()
}

func TestLoad(t *testing.T) {
	ix, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := ix.Len(); got != 3512 {
		t.Errorf("Len = %d, want 3512", got)
	}
	if Default() != Default() {
		t.Error("Default returned two different indexes")
	}

	t.Run("ByCode", func(t *testing.T) {
		d, ok := ix.ByCode("1111053000")
		want := Dong{Code: "1111053000", Sido: "서울특별시", Sigungu: "종로구", Dong: "사직동",
			Name: "서울특별시 종로구 사직동", Lat: 37.573866, Lon: 126.970439}
		if !ok || d != want {
			t.Errorf("ByCode(1111053000) = %+v, %v; want %+v", d, ok, want)
		}
		sejong := ix.dongs[slices.IndexFunc(ix.dongs, func(d Dong) bool { return d.Sido == "세종특별자치시" })]
		if sejong.Sigungu != "" || sejong.Name != "세종특별자치시 "+sejong.Dong {
			t.Errorf("세종 row = %+v, want no sigungu", sejong)
		}
		for _, code := range []string{"", "0000000000", "1111053000 ", "111105300"} {
			if d, ok := ix.ByCode(code); ok {
				t.Errorf("ByCode(%q) = %+v, want not found", code, d)
			}
		}
	})

	// Every canonical name resolves to its own row, and no two rows share a
	// name or a space-free key.
	t.Run("EveryNameResolves", func(t *testing.T) {
		for _, d := range ix.dongs {
			if got, ok := ix.Resolve(d.Name); !ok || got.Code != d.Code {
				t.Errorf("Resolve(%q) = %q, %v; want itself", d.Name, got.Code, ok)
			}
		}
	})
}

func TestLoadRejectsBadData(t *testing.T) {
	const good = "1111053000\t서울특별시\t종로구\t사직동\t서울특별시 종로구 사직동\t37.573866\t126.970439\n"
	tests := []struct {
		name, data, wantErr string
	}{
		{"NoHeader", good, "header"},
		{"WrongHeader", "code\tsido\tname\n" + good, "header"},
		{"Empty", header + "\n", "no rows"},
		{"ShortRow", header + "\n1111053000\t서울특별시\t종로구\n", "fields"},
		{"LongRow", header + "\n" + strings.TrimSuffix(good, "\n") + "\textra\n", "more than"},
		{"BadCode", header + "\n" + strings.Replace(good, "1111053000", "11110530x0", 1), "10 digits"},
		{"DuplicateCode", header + "\n" + good + good, "duplicate"},
		{"NameMismatch", header + "\n" + strings.Replace(good, "종로구 사직동", "중구 사직동", 1), "name"},
		{"BadLat", header + "\n" + strings.Replace(good, "37.573866", "north", 1), "lat"},
		{"OutsideKorea", header + "\n" + strings.Replace(good, "126.970439", "139.69", 1), "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := load(tt.data)
			if err == nil {
				t.Fatalf("load succeeded with %d rows, want error", ix.Len())
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
	t.Run("CRLF", func(t *testing.T) {
		ix, err := load(header + "\r\n" + strings.ReplaceAll(good, "\n", "\r\n"))
		if err != nil || ix.Len() != 1 {
			t.Fatalf("load with CRLF: %v", err)
		}
	})
}

func TestResolve(t *testing.T) {
	ix := testIndex(t)
	const (
		yongdam1 = "제주특별자치도 제주시 용담1동"
		yongdam2 = "제주특별자치도 제주시 용담2동"
		jongno   = "서울특별시 종로구 종로1·2·3·4가동"
		sajik    = "서울특별시 종로구 사직동"
	)
	// A decomposed (NFD) "사직동", as macOS keyboards may send it.
	nfdSajik := "서울특별시 종로구 \u1109\u1161\u110c\u1175\u11a8\u1103\u1169\u11bc"

	tests := []struct {
		name, in, want string // want "" means refused
	}{
		{"Canonical", sajik, sajik},
		{"Sejong", "세종특별자치시 조치원읍", "세종특별자치시 조치원읍"},
		{"SurroundingSpaces", "  서울특별시 종로구 사직동 \t", sajik},
		{"DoubledSpaces", "서울특별시  종로구   사직동", sajik},
		{"NoSpaces", "서울특별시종로구사직동", sajik},
		{"IdeographicSpace", "서울특별시\u3000종로구\u00a0사직동", sajik},
		{"NFD", nfdSajik, sajik},

		{"HangulNumeral2", "제주특별자치도 제주시 용담이동", yongdam2},
		{"HangulNumeral1", "제주특별자치도 제주시 용담일동", yongdam1},
		{"HangulNumeral3", "서울특별시 종로구 창신삼동", "서울특별시 종로구 창신3동"},
		{"HangulNumeralYi", "서울특별시 용산구 이태원일동", "서울특별시 용산구 이태원1동"},
		{"HangulNumeralGu", "서울특별시 구로구 구로일동", "서울특별시 구로구 구로1동"},
		{"HangulNumeralGaDong", "서울특별시 종로구 종로일·이·삼·사가동", jongno},

		// Real names made of numeral syllables stay themselves.
		{"RealIlDong", "경기도 안산시 상록구 일동", "경기도 안산시 상록구 일동"},
		{"RealIDong", "경기도 안산시 상록구 이동", "경기도 안산시 상록구 이동"},
		{"RealSaDong", "경기도 안산시 상록구 사동", "경기도 안산시 상록구 사동"},
		{"RealSaiDong", "경기도 안산시 상록구 사이동", "경기도 안산시 상록구 사이동"},
		{"RealNaeiDong", "경상남도 밀양시 내이동", "경상남도 밀양시 내이동"},
		{"RealNaeilDong", "경상남도 밀양시 내일동", "경상남도 밀양시 내일동"},
		{"RealSangjungiDong", "대구광역시 서구 상중이동", "대구광역시 서구 상중이동"},
		{"RealItaewon", "서울특별시 용산구 이태원1동", "서울특별시 용산구 이태원1동"},
		{"RealGuro", "서울특별시 구로구 구로1동", "서울특별시 구로구 구로1동"},
		{"RealHongje", "서울특별시 서대문구 홍제1동", "서울특별시 서대문구 홍제1동"},

		{"Je", "서울특별시 종로구 창신제1동", "서울특별시 종로구 창신1동"},
		{"JeHangul", "서울특별시 종로구 창신제일동", "서울특별시 종로구 창신1동"},
		{"JeDroppedFromRealName", "서울특별시 강동구 상일1동", "서울특별시 강동구 상일제1동"},
		{"JeKeptHangul", "서울특별시 강동구 상일제이동", "서울특별시 강동구 상일제2동"},
		{"HongjeHangul", "서울특별시 서대문구 홍제일동", "서울특별시 서대문구 홍제1동"},

		{"Dots", "서울특별시 종로구 종로1.2.3.4가동", jongno},
		{"Commas", "서울특별시 종로구 종로1,2,3,4가동", jongno},
		{"CommaSpace", "서울특별시 종로구 종로1, 2, 3, 4가동", jongno},
		{"Araea", "서울특별시 종로구 종로1ㆍ2ㆍ3ㆍ4가동", jongno},
		{"KatakanaDot", "서울특별시 종로구 종로1・2・3・4가동", jongno},
		{"HalfwidthDot", "서울특별시 종로구 종로1･2･3･4가동", jongno},
		{"FullwidthStopAndDigits", "서울특별시 종로구 종로１．２．３．４가동", jongno},
		{"DotTwoDong", "대구광역시 달서구 두류1.2동", "대구광역시 달서구 두류1·2동"},
		{"CommaTwoDong", "대구광역시 달서구 두류1,2동", "대구광역시 달서구 두류1·2동"},
		{"DotBetweenNames", "충청북도 청주시 상당구 용담.명암.산성동", "충청북도 청주시 상당구 용담·명암·산성동"},

		{"Gangwon", "강원도 춘천시 후평1동", "강원특별자치도 춘천시 후평1동"},
		{"Jeonbuk", "전라북도 전주시 완산구 중화산1동", "전북특별자치도 전주시 완산구 중화산1동"},
		{"Gunwi", "경상북도 군위군 군위읍", "대구광역시 군위군 군위읍"},
		{"GunwiNewName", "대구광역시 군위군 삼국유사면", "대구광역시 군위군 삼국유사면"},
		{"JejuDo", "제주도 제주시 용담1동", yongdam1},

		{"ComboJejuNumeral", "제주도  제주시 용담이동 ", yongdam2},
		{"ComboGangwonNumeralSpaces", " 강원도 춘천시   후평삼동", "강원특별자치도 춘천시 후평3동"},
		{"ComboJeonbukJeNumeral", "전라북도 전주시 완산구 중화산제이동", "전북특별자치도 전주시 완산구 중화산2동"},
		{"ComboDotsNumeralsJe", "서울특별시  종로구 종로제일.이.삼.사가동", jongno},

		{"Empty", "", ""},
		{"Blank", "   \t ", ""},
		{"SidoOnly", "서울특별시", ""},
		{"SigunguOnly", "서울특별시 종로구", ""},
		{"NoSido", "종로구 사직동", ""},
		{"DongOnlyAmbiguous", "사직동", ""},
		{"NoSuchNumber", "제주특별자치도 제주시 용담삼동", ""},
		{"UnnumberedHalf", "제주특별자치도 제주시 용담동", ""},
		{"WrongSigungu", "제주특별자치도 서귀포시 용담1동", ""},
		{"TrailingJunk", "서울특별시 종로구 사직동 123", ""},
		{"Latin", "Seoul Jongno-gu Sajik-dong", ""},
		{"OldGyeongbukElsewhere", "경상북도 대구광역시 군위군 군위읍", ""},
		{"GunwiWithoutSigungu", "경상북도 군위읍", ""},
		{"TooLong", sajik + strings.Repeat(" ", maxInputBytes), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Resolve(tt.in)
			switch {
			case tt.want == "" && ok:
				t.Errorf("Resolve(%q) = %q, want refused", tt.in, got.Name)
			case tt.want != "" && (!ok || got.Name != tt.want):
				t.Errorf("Resolve(%q) = %q, %v; want %q", tt.in, got.Name, ok, tt.want)
			}
		})
	}
}

// TestResolveAmbiguous uses a made-up dataset, since the real one has no
// variant spelling shared by two dongs (TestVariantsUnambiguous).
func TestResolveAmbiguous(t *testing.T) {
	data := header + "\n" +
		"1100000001\t서울특별시\t가구\t가12동\t서울특별시 가구 가12동\t37.5\t127.0\n" +
		"1100000002\t서울특별시\t가구\t가십2동\t서울특별시 가구 가십2동\t37.5\t127.01\n"
	ix, err := load(data)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"서울특별시 가구 가12동": "1100000001",
		"서울특별시 가구 가십2동": "1100000002",
		"서울특별시 가구 가십이동": "", // both spell this way
	} {
		got, ok := ix.Resolve(in)
		if want == "" && ok || want != "" && got.Code != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got.Code, ok, want)
		}
	}
}

func TestVariantsUnambiguous(t *testing.T) {
	ix := testIndex(t)
	for k, i := range ix.alias {
		if i < 0 {
			t.Errorf("variant %q fits several dongs", k)
		}
		if _, real := ix.exact[k]; real {
			t.Logf("variant %q is shadowed by a real name", k)
		}
	}
}

func names(ds []Dong) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		query string
		want  []string // the first len(want) results, in order
		all   bool     // want is the whole result
	}{
		// 용담 is the stem of 진안군 용담면 as much as of 용담1동/2동; ties go in
		// name order, and 청주's 용담·명암·산성동 only starts with it.
		{query: "용담", all: true, want: []string{
			"전북특별자치도 진안군 용담면",
			"제주특별자치도 제주시 용담1동",
			"제주특별자치도 제주시 용담2동",
			"충청북도 청주시 상당구 용담·명암·산성동",
		}},
		{query: "제주시 용담", all: true, want: []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}},
		{query: "  용담   제주시 ", all: true, want: []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}},
		{query: "종로구 사직", all: true, want: []string{"서울특별시 종로구 사직동"}},
		// Exact dong part first, then stems (사직1동…), in name order.
		{query: "사직동", want: []string{"광주광역시 남구 사직동", "서울특별시 종로구 사직동"}},
		{query: "사직", want: []string{"광주광역시 남구 사직동", "부산광역시 동래구 사직1동"}},
		// A resolvable query puts its dong first.
		{query: "서울특별시 종로구 사직동", want: []string{"서울특별시 종로구 사직동"}, all: true},
		{query: "제주특별자치도 제주시 용담이동", want: []string{"제주특별자치도 제주시 용담2동"}, all: true},
		// Variants in words.
		{query: "용담이동", want: []string{"제주특별자치도 제주시 용담2동"}, all: true},
		{query: "창신제1동", want: []string{"서울특별시 종로구 창신1동"}, all: true},
		{query: "창신제일동", want: []string{"서울특별시 종로구 창신1동"}, all: true},
		{query: "종로1.2.3.4가동", want: []string{"서울특별시 종로구 종로1·2·3·4가동"}, all: true},
		{query: "종로5,6가", want: []string{"서울특별시 종로구 종로5·6가동"}, all: true},
		{query: "안산 이동", want: []string{"경기도 안산시 상록구 이동"}},
		{query: "두류", want: []string{"대구광역시 달서구 두류1·2동", "대구광역시 달서구 두류3동"}},
		{query: "경상북도 군위군 군위", want: []string{"대구광역시 군위군 군위읍", "대구광역시 군위군 부계면"}},
		{query: "경상북도 군위", want: []string{"대구광역시 군위군 군위읍", "대구광역시 군위군 부계면"}},
		{query: "전라북도 진안 용담", want: []string{"전북특별자치도 진안군 용담면"}, all: true},
		{query: "강원도 후평", want: []string{"강원특별자치도 춘천시 후평1동", "강원특별자치도 춘천시 후평2동", "강원특별자치도 춘천시 후평3동"}, all: true},
		{query: "제주도 용담", want: []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}, all: true},
		{query: "zzz", all: true},
		{query: "용담 zzz", all: true},
		{query: "", all: true},
		{query: " · ", all: true},
		{query: strings.Repeat("용담 ", maxInputBytes), all: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := names(ix.Search(tt.query, 20))
			if tt.all && !slices.Equal(got, tt.want) || len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
				t.Errorf("Search(%q) = %q, want %q first (all: %v)", tt.query, got, tt.want, tt.all)
			}
		})
	}

	t.Run("Limit", func(t *testing.T) {
		for _, limit := range []int{1, 5, 20} {
			if got := ix.Search("동", limit); len(got) != limit {
				t.Errorf("Search(동, %d) gave %d results", limit, len(got))
			}
		}
		if got := ix.Search("서울", 1000); len(got) != 426 {
			t.Errorf("Search(서울, 1000) gave %d results, want all 426 Seoul dongs", len(got))
		}
		for _, limit := range []int{0, -1} {
			if got := ix.Search("용담", limit); got != nil {
				t.Errorf("Search(용담, %d) = %q, want nil", limit, names(got))
			}
		}
		withDong := 0
		for _, d := range ix.dongs {
			if strings.Contains(d.Name, "동") {
				withDong++
			}
		}
		if got := ix.Search("동", math.MaxInt); len(got) != withDong {
			t.Errorf("Search(동, MaxInt) gave %d results, want all %d names with 동", len(got), withDong)
		}
	})

	// Whatever the query, every result matches every word and the ranks
	// never go down; within a rank, names ascend.
	t.Run("Order", func(t *testing.T) {
		for _, q := range []string{"동", "구", "1동", "서울 1", "제주", "남구 동", "시 면", "가동"} {
			words := ix.searchWords(q)
			got := ix.Search(q, 200)
			prevRank, prevName := -1, ""
			for _, d := range got {
				i := ix.byCode[d.Code]
				rank := rankOther
				for _, w := range words {
					if !strings.Contains(ix.keys[i], w) {
						t.Fatalf("Search(%q) returned %q, which lacks %q", q, d.Name, w)
					}
					switch {
					case w == ix.dongKeys[i] || w == ix.keys[i]:
						rank = rankExact
					case w == ix.stems[i]:
						rank = min(rank, rankStem)
					case strings.HasPrefix(ix.dongKeys[i], w):
						rank = min(rank, rankPrefix)
					case strings.Contains(ix.dongKeys[i], w):
						rank = min(rank, rankInPart)
					}
				}
				if rank < prevRank || rank == prevRank && d.Name < prevName {
					t.Fatalf("Search(%q): %q (rank %d) after %q (rank %d)", q, d.Name, rank, prevName, prevRank)
				}
				prevRank, prevName = rank, d.Name
			}
		}
	})
}

func TestSuggest(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		in   string
		n    int
		want []string // the first len(want) suggestions, in any order
		max  int      // at most this many suggestions (0: n)
	}{
		{in: "제주시 용담동", n: 5, want: []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}, max: 2},
		{in: "제주특별자치도 제주시 용담삼동", n: 3, want: []string{"제주특별자치도 제주시 용담1동", "제주특별자치도 제주시 용담2동"}},
		{in: "서울 종로구 사직동", n: 5, want: []string{"서울특별시 종로구 사직동"}},
		{in: "종로구 사직동", n: 5, want: []string{"서울특별시 종로구 사직동"}},
		{in: "경기 안산시 상록구 이동", n: 5, want: []string{"경기도 안산시 상록구 이동"}},
		{in: "서울특별시 종로구 사직동", n: 5, want: []string{"서울특별시 종로구 사직동"}, max: 1},
		{in: "asdf qwer", n: 5, max: -1},
		{in: "", n: 5, max: -1},
		{in: "제주시 용담동", n: 0, max: -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ix.Suggest(tt.in, tt.n)
			limit := tt.n
			if tt.max != 0 {
				limit = max(tt.max, 0)
			}
			if len(got) > limit {
				t.Errorf("Suggest(%q, %d) = %q, want at most %d", tt.in, tt.n, got, limit)
			}
			if len(got) < len(tt.want) {
				t.Fatalf("Suggest(%q, %d) = %q, want %q first", tt.in, tt.n, got, tt.want)
			}
			head := slices.Clone(got[:len(tt.want)])
			slices.Sort(head)
			if !slices.Equal(head, tt.want) {
				t.Errorf("Suggest(%q, %d) = %q, want %q first", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		name     string
		lat, lon float64
		want     string // "" means outside
	}{
		{"Sajik", 37.5760, 126.9690, "서울특별시 종로구 사직동"},
		{"Yongdam", 33.5106, 126.5150, "제주특별자치도 제주시 용담1동"},
		{"Hallasan", 33.3617, 126.5292, "제주특별자치도 서귀포시 서홍동"},
		{"Ulleungdo", 37.4845, 130.9058, "경상북도 울릉군 울릉읍"},
		{"Baengnyeongdo", 37.9670, 124.6700, "인천광역시 옹진군 백령면"},
		{"Yeonpyeongdo", 37.6660, 125.7000, "인천광역시 옹진군 연평면"},
		{"Udo", 33.5000, 126.9500, "제주특별자치도 제주시 우도면"},
		{"Chujado", 33.9500, 126.3000, "제주특별자치도 제주시 추자면"},
		{"Dokdo", 37.2417, 131.8647, "경상북도 울릉군 울릉읍"},
		{"Marado", 33.1175, 126.2670, "제주특별자치도 서귀포시 대정읍"},
		{"Gageodo", 34.0718, 125.1190, "전라남도 신안군 흑산면"},
		{"Hongdo", 34.6833, 125.1953, "전라남도 신안군 흑산면"},
		{"Geomundo", 34.0300, 127.3100, "전라남도 여수시 삼산면"},
		{"Eocheongdo", 36.1200, 125.9800, "전북특별자치도 군산시 옥도면"},

		{"Tokyo", 35.68, 139.69, ""},
		{"Beijing", 39.90, 116.40, ""},
		{"Pyongyang", 39.0392, 125.7625, ""},
		{"Kaesong", 37.9708, 126.5544, ""},
		{"NorthCoastOppositeBaengnyeong", 38.13, 124.73, ""},
		{"Tsushima", 34.20, 129.29, ""},
		{"EastSea", 37.0, 130.0, ""},
		{"YellowSea", 36.0, 125.0, ""},
		{"SouthOfJeju", 32.8, 126.5, ""},
		{"Ieodo", 32.12, 125.18, ""},
		{"Zero", 0, 0, ""},
		{"NaN", math.NaN(), 127, ""},
		{"Inf", 37.5, math.Inf(1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Locate(tt.lat, tt.lon)
			switch {
			case tt.want == "" && ok:
				t.Errorf("Locate(%v, %v) = %q, want outside", tt.lat, tt.lon, got.Name)
			case tt.want != "" && (!ok || got.Name != tt.want):
				t.Errorf("Locate(%v, %v) = %q, %v; want %q", tt.lat, tt.lon, got.Name, ok, tt.want)
			}
		})
	}

	t.Run("EveryCentroidIsItsOwnDong", func(t *testing.T) {
		for _, d := range ix.dongs {
			if got, ok := ix.Locate(d.Lat, d.Lon); !ok || got.Lat != d.Lat || got.Lon != d.Lon {
				t.Errorf("Locate(centroid of %s) = %q, %v", d.Name, got.Name, ok)
			}
		}
	})

	t.Run("GridAgreesWithLinearScan", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 3000 {
			lat := boxMinLat - 0.5 + rng.Float64()*(boxMaxLat-boxMinLat+1)
			lon := boxMinLon - 0.5 + rng.Float64()*(boxMaxLon-boxMinLon+1)
			if g, l := ix.locate(lat, lon), ix.locateLinear(lat, lon); g != l {
				t.Fatalf("at %v,%v grid gives %d, linear scan %d", lat, lon, g, l)
			}
		}
	})

	t.Run("IslandsNamed", func(t *testing.T) {
		if len(ix.islands) != len(outlyingIslands) {
			t.Errorf("%d of %d outlying islands have their dong in the dataset", len(ix.islands), len(outlyingIslands))
		}
		for _, is := range ix.islands {
			got, ok := ix.Locate(is.lat, is.lon)
			if !ok || got.Name != is.dong {
				t.Errorf("Locate(%s) = %q, %v; want %q", is.name, got.Name, ok, is.dong)
			}
		}
	})
}

func TestWithin(t *testing.T) {
	ix := testIndex(t)
	const sajik = "1111053000"

	t.Run("Sets", func(t *testing.T) {
		// Every 5th dong, checked against a scan of all of them.
		for k := 0; k < len(ix.dongs); k += 5 {
			self := ix.dongs[k]
			for _, r := range []int{1, 2} {
				got := ix.Within(self.Code, r)
				if len(got) == 0 || got[0].Dong != self || got[0].DistanceKm != 0 {
					t.Fatalf("Within(%s, %d) does not start with itself: %+v", self.Name, r, got)
				}
				var want []string
				for _, d := range ix.dongs {
					if DistanceKm(self.Lat, self.Lon, d.Lat, d.Lon) <= RangeKm(r) {
						want = append(want, d.Code)
					}
				}
				var codes []string
				for i, n := range got {
					codes = append(codes, n.Dong.Code)
					if i > 0 && n.DistanceKm < got[i-1].DistanceKm {
						t.Fatalf("Within(%s, %d) not sorted at %d: %+v", self.Name, r, i, got)
					}
					if d := DistanceKm(self.Lat, self.Lon, n.Dong.Lat, n.Dong.Lon); n.DistanceKm > RangeKm(r) || (i > 0 && d != n.DistanceKm) {
						t.Fatalf("Within(%s, %d): %s at %v km (recomputed %v)", self.Name, r, n.Dong.Name, n.DistanceKm, d)
					}
				}
				slices.Sort(codes)
				slices.Sort(want)
				if !slices.Equal(codes, want) {
					t.Fatalf("Within(%s, %d) = %v, want %v", self.Name, r, codes, want)
				}
			}
			if r1, r2 := ix.Within(self.Code, 1), ix.Within(self.Code, 2); !slices.Equal(r1, r2[:len(r1)]) {
				t.Fatalf("Within(%s, 1) is not the start of Within(%s, 2)", self.Name, self.Name)
			}
		}
	})

	t.Run("KnownNeighbours", func(t *testing.T) {
		has := func(ns []Neighbor, name string) bool {
			return slices.ContainsFunc(ns, func(n Neighbor) bool { return n.Dong.Name == name })
		}
		r1, r2 := ix.Within(sajik, 1), ix.Within(sajik, 2)
		if !has(r1, "서울특별시 종로구 청운효자동") { // 1.2 km
			t.Errorf("Within(사직동, 1) lacks 청운효자동: %q", neighbourNames(r1))
		}
		if has(r1, "서울특별시 종로구 삼청동") || !has(r2, "서울특별시 종로구 삼청동") { // 1.8 km
			t.Errorf("삼청동 should be in range 2 only of 사직동")
		}
		if has(r2, "서울특별시 강남구 역삼1동") {
			t.Errorf("Within(사직동, 2) holds 역삼1동")
		}
		// 독도-side 울릉읍 has no neighbour within 4 km but itself.
		if got := ix.Within("4794025000", 2); len(got) != 1 {
			t.Errorf("Within(울릉읍, 2) = %q, want itself", neighbourNames(got))
		}
	})

	t.Run("EdgeCases", func(t *testing.T) {
		if got := ix.Within(sajik, 0); len(got) != 1 || got[0].Dong.Code != sajik || got[0].DistanceKm != 0 {
			t.Errorf("Within(사직동, 0) = %+v, want itself", got)
		}
		for _, r := range []int{-1, 3} {
			if got := ix.Within(sajik, r); got != nil {
				t.Errorf("Within(사직동, %d) = %+v, want nil", r, got)
			}
		}
		if got := ix.Within("0000000000", 1); got != nil {
			t.Errorf("Within(unknown) = %+v, want nil", got)
		}
		// The result is the caller's to modify.
		a := ix.Within(sajik, 2)
		a[0].Dong.Name = "changed"
		if b := ix.Within(sajik, 2); b[0].Dong.Name == "changed" {
			t.Error("Within returned shared memory")
		}
	})
}

func neighbourNames(ns []Neighbor) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Dong.Name
	}
	return out
}

func TestRangeKm(t *testing.T) {
	for r, want := range map[int]float64{-1: 0, 0: 0, 1: 1.5, 2: 4.0, 3: 0} {
		if got := RangeKm(r); got != want {
			t.Errorf("RangeKm(%d) = %v, want %v", r, got, want)
		}
	}
}

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64
	}{
		{"Same", 37.5, 127, 37.5, 127, 0, 0},
		{"OneDegreeOfLatitude", 37, 127, 38, 127, 6371.0088 * math.Pi / 180, 1e-9},
		{"QuarterMeridian", 0, 0, 90, 0, 6371.0088 * math.Pi / 2, 1e-9},
		{"Antipodes", 0, 0, 0, 180, 6371.0088 * math.Pi, 1e-9},
		// Seoul City Hall – Busan City Hall, ≈ 325 km.
		{"SeoulBusan", 37.5663, 126.9779, 35.1798, 129.0750, 325.0, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("DistanceKm = %v, want %v ± %v", got, tt.want, tt.tol)
			}
			if back := DistanceKm(tt.lat2, tt.lon2, tt.lat1, tt.lon1); math.Abs(back-got) > 1e-9 {
				t.Errorf("DistanceKm is not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestInRegion(t *testing.T) {
	ix := testIndex(t)
	dong := func(name string) Dong {
		d, ok := ix.Resolve(name)
		if !ok {
			t.Fatalf("no dong %q", name)
		}
		return d
	}
	sajik := dong("서울특별시 종로구 사직동")
	yongdam := dong("제주특별자치도 제주시 용담1동")
	cheonji := dong("제주특별자치도 서귀포시 천지동")
	gunwi := dong("대구광역시 군위군 군위읍")
	hupyeong := dong("강원특별자치도 춘천시 후평1동")
	jinan := dong("전북특별자치도 진안군 용담면")
	jeju := []string{"제주특별자치도 제주시"}

	tests := []struct {
		name     string
		d        Dong
		prefixes []string
		want     bool
	}{
		{"Sido", sajik, []string{"서울특별시"}, true},
		{"OtherSido", sajik, jeju, false},
		{"Sigungu", yongdam, jeju, true},
		{"OtherSigungu", cheonji, jeju, false},
		{"AnyOfSeveral", cheonji, []string{"서울특별시", "제주특별자치도 서귀포시"}, true},
		{"WholeName", sajik, []string{"서울특별시 종로구 사직동"}, true},
		{"Spaces", yongdam, []string{"  제주특별자치도   제주시 "}, true},
		{"NoSpaces", sajik, []string{"서울특별시종로구"}, true},
		{"PartialPart", sajik, []string{"서울특별시 종"}, false},
		{"PartialSido", sajik, []string{"서울"}, false},
		{"JejuDo", yongdam, []string{"제주도 제주시"}, true},
		{"Gangwon", hupyeong, []string{"강원도"}, true},
		{"GangwonSigungu", hupyeong, []string{"강원도 춘천시"}, true},
		{"Jeonbuk", jinan, []string{"전라북도 진안군"}, true},
		{"GunwiOldName", gunwi, []string{"경상북도 군위군"}, true},
		{"GunwiNotInGyeongbuk", gunwi, []string{"경상북도"}, false},
		{"GunwiInDaegu", gunwi, []string{"대구광역시"}, true},
		{"NoPrefixes", sajik, nil, false},
		{"EmptyPrefix", sajik, []string{"", "  "}, false},
		{"LongerThanName", sajik, []string{"서울특별시 종로구 사직동 1"}, false},
		{"ZeroDong", Dong{}, []string{"서울특별시"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InRegion(tt.d, tt.prefixes); got != tt.want {
				t.Errorf("InRegion(%q, %q) = %v, want %v", tt.d.Name, tt.prefixes, got, tt.want)
			}
		})
	}
}

func TestNormalise(t *testing.T) {
	tests := []struct{ in, spaceless, spaced string }{
		{"  a  b\tc ", "abc", "a b c"},
		{"1.2,3ㆍ4・5", "1·2·3·4·5", "1·2·3·4·5"},
		{".,가. ", "가", "가"},
		{"가\u200b나", "가나", "가나"},
		{"\u1100\u1161\u11a8", "각", "각"},
	}
	for _, tt := range tests {
		if got := string(appendNorm(nil, tt.in, false)); got != tt.spaceless {
			t.Errorf("appendNorm(%q, false) = %q, want %q", tt.in, got, tt.spaceless)
		}
		if got := string(appendNorm(nil, tt.in, true)); got != tt.spaced {
			t.Errorf("appendNorm(%q, true) = %q, want %q", tt.in, got, tt.spaced)
		}
	}
	for n, want := range map[int]string{1: "일", 2: "이", 10: "십", 11: "십일", 20: "이십", 21: "이십일", 99: "구십구"} {
		if got, ok := appendHangulNumber(nil, n); !ok || string(got) != want {
			t.Errorf("appendHangulNumber(%d) = %q, want %q", n, got, want)
		}
	}
	if _, ok := appendHangulNumber(nil, 100); ok {
		t.Error("appendHangulNumber(100) succeeded")
	}
	for _, tt := range []struct {
		part           string
		hangul, toggle bool
		want           string
	}{
		{"용담2동", true, false, "용담이동"},
		{"창신1동", false, true, "창신제1동"},
		{"창신1동", true, true, "창신제일동"},
		{"상일제1동", false, true, "상일1동"},
		{"종로1·2·3·4가동", true, false, "종로일·이·삼·사가동"},
		{"신길13동", true, false, "신길십삼동"},
	} {
		if got, ok := appendVariant(nil, tt.part, tt.hangul, tt.toggle); !ok || string(got) != tt.want {
			t.Errorf("appendVariant(%q, %v, %v) = %q, want %q", tt.part, tt.hangul, tt.toggle, got, tt.want)
		}
	}
	if _, ok := appendVariant(nil, "사직동", true, true); ok {
		t.Error("appendVariant(사직동) succeeded")
	}
}

// TestConcurrent runs queries on the shared index from many goroutines, for
// the race detector.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ix := Default()
			for k := range 200 {
				d := ix.dongs[(g*200+k)%ix.Len()]
				if got, ok := ix.Resolve(d.Name); !ok || got.Code != d.Code {
					t.Errorf("Resolve(%q) failed", d.Name)
				}
				ix.Search(d.Dong, 20)
				ix.Locate(d.Lat, d.Lon)
				ix.Within(d.Code, 2)
			}
		})
	}
	wg.Wait()
}
