package neighborhood

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// Search ranks. A dong's rank is the best rank any query word earns on it.
const (
	rankExact  = iota // the word is the dong part ("사직동") or the whole name
	rankStem          // the word is the dong part without suffix and numbers ("용담" for 용담1동, 용담면)
	rankPrefix        // the dong part starts with the word
	rankInPart        // the dong part contains the word
	rankOther         // only the rest of the name (sido, sigungu) contains it
	numRanks
)

// Point is a position in degrees.
type Point struct{ Lat, Lon float64 }

// SearchOptions change how Find matches and orders.
type SearchOptions struct {
	// Near, when set, orders the matches by the distance of their centroid
	// from it (ties by match quality, then name) instead of by match
	// quality. A query that Resolve maps to a dong still puts it first.
	Near *Point
	// Relaxed: when no dong matches every word, look again without the
	// words that are no part of any name (lot numbers such as "123-4",
	// road names, "번지"), with "용담삼동" read as "용담", and, if that still
	// finds nothing, without the first word, then the second, … (a typed
	// full address names its dong last).
	Relaxed bool
}

// Search is Find without options: dongs matching every word of the query,
// best match first.
func (ix *Index) Search(query string, limit int) []Dong {
	return ix.Find(query, limit, SearchOptions{})
}

// Find finds dongs whose name contains every word of the query, or whose
// dong part stands for it as a 법정동-style name ("역삼동" for 역삼1동 and
// 역삼2동, "종로3가" for 종로1·2·3·4가동; see baseNames), best first: a
// query that Resolve maps to a dong puts that dong first; then dongs whose
// dong part equals a word, equals it without its suffix and number (용담 →
// 용담1동, 용담면) or as a 법정동 name, starts with it, contains it, and last
// those that only match in the sido or sigungu; ties in name order. With
// opt.Near the matches are ordered by distance instead. Words are
// normalised as Resolve normalises addresses (separators, old province
// names, "서울시" for 서울특별시, hangul numerals such as "용담이동"). It
// returns at most limit dongs, and none for a query longer than 1 KiB.
func (ix *Index) Find(query string, limit int, opt SearchOptions) []Dong {
	limit = min(limit, len(ix.dongs))
	if limit <= 0 {
		return nil
	}
	words := ix.searchWords(query)
	if len(words) == 0 {
		return nil
	}
	out := ix.find(words, ix.resolve(query), limit, opt.Near)
	if len(out) > 0 || !opt.Relaxed {
		return out
	}
	var kept []string
	for _, w := range words {
		if w = ix.relaxWord(w); w != "" {
			kept = append(kept, w)
		}
	}
	for ; len(kept) > 0; kept = kept[1:] {
		if out = ix.find(kept, -1, limit, opt.Near); len(out) > 0 {
			return out
		}
	}
	return nil
}

// relaxWord is a word of a typed address as Relaxed matching uses it: ""
// for a word without a hangul letter ("123-4", "B1") or one no name holds,
// the word without a trailing hangul numeral and its suffix when only that
// matches ("용담삼동" → "용담"), else the word.
func (ix *Index) relaxWord(w string) string {
	if !strings.ContainsFunc(w, isHangulSyllable) || strings.HasSuffix(w, "번지") {
		return ""
	}
	if ix.matchesAny(w) {
		return w
	}
	stem := stemOf(w)
	if last, size := utf8.DecodeLastRuneInString(stem); size > 0 && size < len(stem) && strings.ContainsRune("일이삼사오육칠팔구십", last) {
		if s := stem[:len(stem)-size]; ix.matchesAny(s) {
			return s
		}
	}
	return ""
}

func isHangulSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// matchesAny reports whether some dong matches the word alone.
func (ix *Index) matchesAny(w string) bool {
	if len(ix.bases[w]) > 0 {
		return true
	}
	for _, pos := range ix.candidates([]string{w}) {
		if strings.Contains(ix.keys[ix.byName[pos]], w) {
			return true
		}
	}
	return false
}

// rankOf is how well dong i matches the words; ok is false when a word
// does not match it at all.
func (ix *Index) rankOf(i int32, words []string) (rank int, ok bool) {
	key, part, stem := ix.keys[i], ix.dongKeys[i], ix.stems[i]
	rank = rankOther
	for _, w := range words {
		switch {
		case strings.Contains(key, w):
			switch {
			case w == part || w == key:
				rank = rankExact
			case w == stem:
				rank = min(rank, rankStem)
			case strings.HasPrefix(part, w):
				rank = min(rank, rankPrefix)
			case strings.Contains(part, w):
				rank = min(rank, rankInPart)
			}
		case slices.Contains(ix.bases[w], i):
			rank = min(rank, rankStem)
		default:
			return 0, false
		}
	}
	return rank, true
}

// find is Find's one pass over normalised words; top is the resolved dong
// or -1.
func (ix *Index) find(words []string, top int32, limit int, near *Point) []Dong {
	cands := ix.candidates(words)
	if near != nil {
		return ix.findNear(cands, words, top, limit, *near)
	}

	// One bucket of at most limit name positions per rank; candidates come
	// in name order, so each bucket is already sorted.
	var count [numRanks]int
	slots := make([]uint16, numRanks*limit)
	for _, pos := range cands {
		i := ix.byName[pos]
		if i == top {
			continue
		}
		rank, ok := ix.rankOf(i, words)
		if !ok {
			continue
		}
		if count[rank] < limit {
			slots[rank*limit+count[rank]] = pos
			count[rank]++
			if rank == rankExact && count[rank] == limit {
				break // nothing can outrank a full bucket of exact matches
			}
		}
	}

	total := count[0] + count[1] + count[2] + count[3] + count[4]
	if top >= 0 {
		total++
	}
	out := make([]Dong, 0, min(total, limit))
	if top >= 0 {
		out = append(out, ix.dongs[top])
	}
	for rank := range numRanks {
		for _, pos := range slots[rank*limit : rank*limit+count[rank]] {
			if len(out) == limit {
				return out
			}
			out = append(out, ix.dongs[ix.byName[pos]])
		}
	}
	return out
}

// findNear orders every match by distance from p: the resolved dong
// first, then nearest first, ties by rank and name.
func (ix *Index) findNear(cands []uint16, words []string, top int32, limit int, p Point) []Dong {
	type hit struct {
		pos  uint16
		rank int
		km   float64
	}
	var hits []hit
	for _, pos := range cands {
		i := ix.byName[pos]
		if i == top {
			continue
		}
		if rank, ok := ix.rankOf(i, words); ok {
			d := &ix.dongs[i]
			hits = append(hits, hit{pos, rank, DistanceKm(p.Lat, p.Lon, d.Lat, d.Lon)})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.rank, b.rank), cmp.Compare(a.pos, b.pos))
	})
	out := make([]Dong, 0, min(len(hits)+1, limit))
	if top >= 0 {
		out = append(out, ix.dongs[top])
	}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		out = append(out, ix.dongs[ix.byName[h.pos]])
	}
	return out
}

// candidates returns the name positions of the dongs holding the words'
// rarest rune: a superset of the matches, often a small one. A rune that no
// name holds means no dong matches.
func (ix *Index) candidates(words []string) []uint16 {
	var best []uint16
	have := false
	for _, w := range words {
		for _, r := range w {
			id, ok := ix.runeID[r]
			if !ok {
				return nil
			}
			if l := ix.postings[ix.postStart[id]:ix.postStart[id+1]]; !have || len(l) < len(best) {
				best, have = l, true
			}
		}
	}
	return best
}

// searchWords splits a query into normalised words: separators and digits
// as in Resolve, old province names replaced ("경상북도" becomes "대구광역시"
// when the query also names 군위), and a whole word that is a numeral or 제
// spelling of a real dong part ("용담이동", "창신제1동") replaced by that part.
func (ix *Index) searchWords(query string) []string {
	if len(query) > maxInputBytes {
		return nil
	}
	var buf [192]byte
	norm := appendNorm(buf[:0], query, true)
	if len(norm) == 0 {
		return nil
	}
	words := strings.Fields(string(norm))
	gunwi := slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, "군위") })
	out := words[:0]
	for _, w := range words {
		w = strings.Trim(w, "·")
		if w == "" {
			continue
		}
		if w == "경상북도" && gunwi {
			w = "대구광역시"
		}
		w = rewriteProvince(w)
		if v := ix.sidoShort[w]; v != "" {
			w = v
		}
		if v := ix.dongAlias[w]; v != "" {
			w = v
		}
		out = append(out, w)
	}
	return out
}

// Suggest returns up to n canonical names that best match an address Resolve
// refused, for a "did you mean" list. An address that resolves gives its
// one name. Otherwise it is what Find finds, relaxed ("강남구 역삼동 123-4"
// gives 역삼1동 and 역삼2동), and when that finds nothing, names are scored by the share of the address's letter pairs
// (bigrams, after the same normalisation as Search) they contain, and kept
// only when they hold at least half of them, so nonsense gets no suggestions.
func (ix *Index) Suggest(address string, n int) []string {
	if n <= 0 {
		return nil
	}
	if i := ix.resolve(address); i >= 0 {
		return []string{ix.dongs[i].Name}
	}
	if found := ix.Find(address, n, SearchOptions{Relaxed: true}); len(found) > 0 {
		out := make([]string, len(found))
		for k, d := range found {
			out[k] = d.Name
		}
		return out
	}
	// The query's distinct bigrams, at most 64 so that a bit mask can count
	// the ones a name holds.
	var qb []uint64
	prev := rune(-1)
	for _, w := range ix.searchWords(address) {
		for _, r := range w {
			if prev >= 0 {
				if b := uint64(prev)<<32 | uint64(r); len(qb) < 64 && !slices.Contains(qb, b) {
					qb = append(qb, b)
				}
			}
			prev = r
		}
	}
	if len(qb) == 0 {
		return nil
	}
	need := (len(qb) + 1) / 2

	type hit struct {
		i     int32
		score float64
	}
	var hits []hit
	for _, i := range ix.byName {
		var held uint64
		pairs := 0
		prev := rune(-1)
		for _, r := range ix.keys[i] {
			if prev >= 0 {
				pairs++
				b := uint64(prev)<<32 | uint64(r)
				for k, q := range qb {
					if q == b {
						held |= 1 << k
						break
					}
				}
			}
			prev = r
		}
		if common := bits.OnesCount64(held); common >= need {
			// Dice coefficient: shorter names with the same pairs rank higher.
			hits = append(hits, hit{i, 2 * float64(common) / float64(len(qb)+pairs)})
		}
	}
	// Stable: equal scores stay in name order.
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.score, a.score) })
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, ix.dongs[h.i].Name)
	}
	return out
}
