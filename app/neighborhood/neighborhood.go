// Package neighborhood knows South Korea's administrative dongs (행정동): it
// resolves typed addresses to one dong, searches dongs by name, finds the dong
// at a point, and lists the dongs around a dong.
//
// The data is kr-admin-dong.tsv, embedded in the binary (CC BY 4.0; see
// ATTRIBUTION.md, which must ship with it). It is parsed once by Load, which
// also precomputes every lookup structure, so all queries are read-only and
// safe for concurrent use.
package neighborhood

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed kr-admin-dong.tsv
var dataset string

const header = "code\tsido\tsigungu\tdong\tname\tlat\tlon"

// maxInputBytes bounds the addresses and queries looked at: the longest
// name is under 100 bytes, and a bound keeps a hostile request cheap.
const maxInputBytes = 1024

// Dong is one administrative dong (or eup/myeon) of the dataset.
type Dong struct {
	Code    string // 10-digit dataset code
	Sido    string
	Sigungu string // empty for 세종특별자치시, which has no sigungu level
	Dong    string
	Name    string // full canonical name, e.g. "서울특별시 종로구 사직동"
	Lat     float64
	Lon     float64
}

// Neighbor is a dong near another one, with the distance between centroids.
type Neighbor struct {
	Dong       Dong
	DistanceKm float64
}

// Index answers queries over the dataset. Build it with Load or take the
// shared one from Default; it is immutable and safe for concurrent use.
type Index struct {
	dongs  []Dong // file order (by code)
	byCode map[string]int32

	// Matching. keys[i] is dongs[i].Name normalised without spaces;
	// dongKeys[i] and stems[i] are a suffix and a prefix of its dong part.
	// All three slice one shared string.
	keys     []string
	dongKeys []string
	stems    []string
	exact    map[string]int32 // key → dong; -1 when two dongs share it
	alias    map[string]int32 // numeral/제 variants of keys → dong; -1 when ambiguous
	// dongAlias maps a variant dong part ("용담이동") to the real one ("용담2동")
	// for Search; "" when ambiguous. Variants that are real parts are left out.
	dongAlias map[string]string
	// bases maps a 법정동-style name ("역삼동", "종로3가") to the dongs whose
	// part stands for it (역삼1동, 역삼2동; see baseNames), in file order.
	bases map[string][]int32
	// sidoShort maps the short form of a city's name ("서울시", "세종시") to
	// the sido ("서울특별시", "세종특별자치시").
	sidoShort map[string]string

	byName    []int32        // dong indexes in name order
	runeID    map[rune]int32 // rune → posting list
	postStart []int32        // posting list k is postings[postStart[k]:postStart[k+1]]
	postings  []uint16       // positions in byName of the keys holding the rune

	// Geography. latRad/cosLat speed up distance comparisons.
	latRad, lonRad, cosLat []float64
	grid                   grid
	nbrStart, nbrR1        []int32 // dong i's neighbours: nbrs[nbrStart[i]:nbrStart[i+1]], r=1 up to nbrR1[i]
	nbrs                   []int32
	islands                []islandArea
}

// Load parses the embedded dataset and precomputes search keys, the
// spatial grid and the neighbour sets of both ranges.
func Load() (*Index, error) {
	return load(dataset)
}

var defaultIndex = sync.OnceValue(func() *Index {
	ix, err := Load()
	if err != nil {
		panic(fmt.Sprintf("neighborhood: embedded dataset is corrupt: %v", err))
	}
	return ix
})

// Default returns the process-wide Index, loaded on first use. It panics
// only if the embedded dataset is corrupt, which the package tests rule out.
func Default() *Index { return defaultIndex() }

// Len is the number of dongs.
func (ix *Index) Len() int { return len(ix.dongs) }

// ByCode returns the dong with the given 10-digit code.
func (ix *Index) ByCode(code string) (Dong, bool) {
	i, ok := ix.byCode[code]
	if !ok {
		return Dong{}, false
	}
	return ix.dongs[i], true
}

// Resolve maps a typed address to exactly one dong. It accepts a full
// canonical name and the variants people and the original app wrote:
// any spacing (none, doubled, surrounding), "." "," "ㆍ" and other dots for
// "·", hangul numerals for the numbers ("용담이동"), "창신제1동" for 창신1동,
// and the old names 강원도, 전라북도, 경상북도 군위군 and 제주도, in any
// combination. A real name always wins over a variant spelling of another
// (밀양시 내이동 is 내이동, not "내2동"); a spelling that fits two dongs
// resolves to neither.
func (ix *Index) Resolve(address string) (Dong, bool) {
	i := ix.resolve(address)
	if i < 0 {
		return Dong{}, false
	}
	return ix.dongs[i], true
}

func (ix *Index) resolve(address string) int32 {
	if len(address) > maxInputBytes {
		return -1
	}
	var buf, rewritten [192]byte
	key := appendNorm(buf[:0], address, false)
	if len(key) == 0 {
		return -1
	}
	for _, a := range provinceAliases {
		if len(key) >= len(a.old) && string(key[:len(a.old)]) == a.old {
			key = append(append(rewritten[:0], a.cur...), key[len(a.old):]...)
			break
		}
	}
	// Map lookups with string(key) do not allocate.
	if i, ok := ix.exact[string(key)]; ok {
		return i
	}
	if i, ok := ix.alias[string(key)]; ok {
		return i
	}
	return -1
}

// RangeKm is the radius of a neighbourhood range: 0 is the own dong only,
// 1 is 1.5 km and 2 is 4 km. Other values are not ranges and give 0.
func RangeKm(r int) float64 {
	switch r {
	case 1:
		return 1.5
	case 2:
		return 4.0
	}
	return 0
}

const earthRadiusKm = 6371.0088 // IUGG mean radius

// DistanceKm is the great-circle (haversine) distance between two points
// given in degrees.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	return haversineKm(lat1*rad, lat2*rad, (lat2-lat1)*rad, (lon2-lon1)*rad)
}

func haversineKm(lat1, lat2, dlat, dlon float64) float64 {
	s1, s2 := math.Sin(dlat/2), math.Sin(dlon/2)
	a := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(a, 1)))
}

// load parses data (the TSV with its header) and builds the index.
func load(data string) (*Index, error) {
	rest, ok := strings.CutPrefix(data, header)
	if !ok || (rest != "" && rest[0] != '\n' && rest[0] != '\r') {
		return nil, errors.New("neighborhood: dataset header is not " + strconv.Quote(header))
	}
	n := strings.Count(rest, "\n") + 1
	ix := &Index{
		dongs:  make([]Dong, 0, n),
		byCode: make(map[string]int32, n),
	}
	for lineNo := 1; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if lineNo == 1 { // the remainder of the header line
			lineNo++
			continue
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			lineNo++
			continue
		}
		d, err := parseRow(line)
		if err != nil {
			return nil, fmt.Errorf("neighborhood: dataset line %d: %w", lineNo, err)
		}
		if _, dup := ix.byCode[d.Code]; dup {
			return nil, fmt.Errorf("neighborhood: dataset line %d: duplicate code %s", lineNo, d.Code)
		}
		ix.byCode[d.Code] = int32(len(ix.dongs))
		ix.dongs = append(ix.dongs, d)
		lineNo++
	}
	if len(ix.dongs) == 0 {
		return nil, errors.New("neighborhood: dataset has no rows")
	}
	if len(ix.dongs) > math.MaxUint16 {
		return nil, fmt.Errorf("neighborhood: dataset has %d rows, more than the index supports", len(ix.dongs))
	}
	ix.buildNames()
	ix.buildGeo()
	return ix, nil
}

// parseRow parses one data line. The strings slice the (embedded) line, so
// they cost no allocation.
func parseRow(line string) (Dong, error) {
	var f [7]string
	for i := range f {
		var ok bool
		f[i], line, ok = strings.Cut(line, "\t")
		if !ok && i < len(f)-1 {
			return Dong{}, fmt.Errorf("want %d tab-separated fields, have %d", len(f), i+1)
		}
	}
	if line != "" {
		return Dong{}, fmt.Errorf("more than %d fields", len(f))
	}
	d := Dong{Code: f[0], Sido: f[1], Sigungu: f[2], Dong: f[3], Name: f[4]}
	if len(d.Code) != 10 || strings.IndexFunc(d.Code, func(r rune) bool { return !isASCIIDigit(r) }) >= 0 {
		return Dong{}, fmt.Errorf("code %q is not 10 digits", d.Code)
	}
	if d.Sido == "" || d.Dong == "" {
		return Dong{}, fmt.Errorf("code %s: empty sido or dong", d.Code)
	}
	if !isJoined(d.Name, d.Sido, d.Sigungu, d.Dong) {
		return Dong{}, fmt.Errorf("code %s: name %q is not sido, sigungu and dong joined by spaces", d.Code, d.Name)
	}
	if strings.ContainsAny(d.Name, "\u00a0\u3000") || strings.Contains(d.Name, "  ") {
		return Dong{}, fmt.Errorf("code %s: name %q has irregular spaces", d.Code, d.Name)
	}
	var err error
	if d.Lat, err = strconv.ParseFloat(f[5], 64); err != nil {
		return Dong{}, fmt.Errorf("code %s: lat: %w", d.Code, err)
	}
	if d.Lon, err = strconv.ParseFloat(f[6], 64); err != nil {
		return Dong{}, fmt.Errorf("code %s: lon: %w", d.Code, err)
	}
	if !inBox(d.Lat, d.Lon) {
		return Dong{}, fmt.Errorf("code %s: %v,%v is outside Korea", d.Code, d.Lat, d.Lon)
	}
	return d, nil
}

// isJoined reports whether name is the non-empty parts joined by single
// spaces, without building that string.
func isJoined(name string, parts ...string) bool {
	first := true
	for _, p := range parts {
		if p == "" {
			continue
		}
		if !first {
			var ok bool
			if name, ok = strings.CutPrefix(name, " "); !ok {
				return false
			}
		}
		first = false
		var ok bool
		if name, ok = strings.CutPrefix(name, p); !ok {
			return false
		}
	}
	return name == ""
}

// buildNames fills the matching structures: keys, the exact and variant maps,
// the name order and the rune postings.
func (ix *Index) buildNames() {
	n := len(ix.dongs)

	// All keys in one string: one allocation instead of one per dong.
	var buf, scratch []byte
	ends := make([]int, n)
	partLens := make([]int, n)
	for i, d := range ix.dongs {
		buf = appendNorm(buf, d.Name, false)
		ends[i] = len(buf)
		scratch = appendNorm(scratch[:0], d.Dong, false)
		partLens[i] = len(scratch)
	}
	all := string(buf)
	ix.keys = make([]string, n)
	ix.dongKeys = make([]string, n)
	ix.stems = make([]string, n)
	ix.exact = make(map[string]int32, n)
	realParts := make(map[string]bool, n)
	start := 0
	for i := range n {
		k := all[start:ends[i]]
		start = ends[i]
		ix.keys[i] = k
		ix.dongKeys[i] = k[len(k)-partLens[i]:]
		ix.stems[i] = stemOf(ix.dongKeys[i])
		realParts[ix.dongKeys[i]] = true
		if _, dup := ix.exact[k]; dup {
			ix.exact[k] = -1 // the dataset has none, but never guess
		} else {
			ix.exact[k] = int32(i)
		}
	}

	// Numeral and 제 variants of every name with a number, again written
	// into one buffer first: prefix (sido and sigungu) + variant dong part.
	type variant struct {
		i               int32
		start, cut, end int // full key buf[start:end], dong part from cut
	}
	var vars []variant
	buf = buf[:0]
	for i, k := range ix.keys {
		part := ix.dongKeys[i]
		if strings.IndexFunc(part, isASCIIDigit) < 0 {
			continue
		}
		for _, form := range [...]struct{ hangul, toggleJe bool }{{true, false}, {false, true}, {true, true}} {
			start := len(buf)
			buf = append(buf, k[:len(k)-len(part)]...)
			cut := len(buf)
			var ok bool
			if buf, ok = appendVariant(buf, part, form.hangul, form.toggleJe); !ok {
				buf = buf[:start]
				continue
			}
			vars = append(vars, variant{int32(i), start, cut, len(buf)})
		}
	}
	allVars := string(buf)
	ix.alias = make(map[string]int32, len(vars))
	ix.dongAlias = make(map[string]string, len(vars))
	for _, v := range vars {
		full, part, real := allVars[v.start:v.end], allVars[v.cut:v.end], ix.dongKeys[v.i]
		if j, dup := ix.alias[full]; dup && j != v.i {
			ix.alias[full] = -1
		} else {
			ix.alias[full] = v.i
		}
		if realParts[part] {
			continue
		}
		if p, dup := ix.dongAlias[part]; dup && p != real {
			ix.dongAlias[part] = ""
		} else {
			ix.dongAlias[part] = real
		}
	}

	ix.bases = make(map[string][]int32)
	ix.sidoShort = make(map[string]string)
	for i, part := range ix.dongKeys {
		for _, b := range baseNames(part) {
			ix.bases[b] = append(ix.bases[b], int32(i))
		}
		sido := ix.dongs[i].Sido
		for _, suf := range [...]string{"특별자치시", "특별시", "광역시"} {
			if h, ok := strings.CutSuffix(sido, suf); ok {
				ix.sidoShort[h+"시"] = sido
			}
		}
	}

	ix.byName = make([]int32, n)
	for i := range ix.byName {
		ix.byName[i] = int32(i)
	}
	slices.SortFunc(ix.byName, func(a, b int32) int {
		return strings.Compare(ix.dongs[a].Name, ix.dongs[b].Name)
	})

	// Rune postings over name positions, two passes (count, fill) so each list
	// is one slice of a shared array.
	ix.runeID = make(map[rune]int32, 1024)
	var counts []int32
	var seen []rune
	distinct := func(key string) []rune {
		seen = seen[:0]
		for _, r := range key {
			if !slices.Contains(seen, r) {
				seen = append(seen, r)
			}
		}
		return seen
	}
	for _, i := range ix.byName {
		for _, r := range distinct(ix.keys[i]) {
			id, ok := ix.runeID[r]
			if !ok {
				id = int32(len(counts))
				ix.runeID[r] = id
				counts = append(counts, 0)
			}
			counts[id]++
		}
	}
	ix.postStart = make([]int32, len(counts)+1)
	for id, c := range counts {
		ix.postStart[id+1] = ix.postStart[id] + c
	}
	ix.postings = make([]uint16, ix.postStart[len(counts)])
	fill := slices.Clone(ix.postStart[:len(counts)])
	for pos, i := range ix.byName {
		for _, r := range distinct(ix.keys[i]) {
			id := ix.runeID[r]
			ix.postings[fill[id]] = uint16(pos)
			fill[id]++
		}
	}
}
