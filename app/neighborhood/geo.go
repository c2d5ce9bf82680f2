package neighborhood

import (
	"cmp"
	"math"
	"slices"
)

// The Korea box: every centroid lies in 33.25–38.54°N, 124.67–130.89°E; the
// box adds room for Marado (33.11°N) and Dokdo (131.87°E). Pyongyang
// (39.04°N) and everything further north, Tokyo, Beijing and (0,0) are
// outside it, though the distance rule below would refuse them anyway.
const (
	boxMinLat = 32.9
	boxMaxLat = 38.9
	boxMinLon = 124.3
	boxMaxLon = 132.1

	// locateMaxKm is how far a point may be from the nearest centroid and
	// still be in that dong. Measured: 한라산's top is 6 km from the nearest
	// centroid, and islands with their own eup/myeon centroid are close to it
	// (백령도 1.9 km, 우도 0.9 km, 추자도 7.6 km), while the open sea, Tsushima (58 km),
	// Kaesong (17 km) and the North's coast across from 백령도/연평도
	// (≈ 21 km) stay outside. The measurements are in the package tests.
	locateMaxKm = 15.0

	cellDeg = 0.1 // grid cell: 11.1 km of latitude, ≥ 8.6 km of longitude in the box
)

// Locate's rule, in full: a point is in Korea when it lies in the box above
// and either its nearest centroid is at most locateMaxKm away, or it lies on
// one of the outlying islands below, whose dong's centroid is on another
// island further than that. The point belongs to the dong of the nearest
// centroid (or the island's dong). Known limit: without boundaries, a point
// up to ~15 km north of the military demarcation line (e.g. 38.40,127.30) is
// placed in the nearest border dong.

// islandArea is an inhabited island further than locateMaxKm from the
// centroid of the dong it belongs to. Positions are approximate island
// centres (to ~1 km, entered by hand, not from the dataset); radii cover the
// island with a margin.
type islandArea struct {
	name     string
	lat, lon float64
	radiusKm float64
	dong     string // canonical name of the dong it belongs to
	idx      int32
}

var outlyingIslands = []islandArea{
	{name: "독도", lat: 37.2417, lon: 131.8647, radiusKm: 3, dong: "경상북도 울릉군 울릉읍"},
	{name: "마라도", lat: 33.1175, lon: 126.2670, radiusKm: 3, dong: "제주특별자치도 서귀포시 대정읍"},
	{name: "가거도", lat: 34.0718, lon: 125.1190, radiusKm: 6, dong: "전라남도 신안군 흑산면"},
	{name: "만재도", lat: 34.2097, lon: 125.4767, radiusKm: 4, dong: "전라남도 신안군 흑산면"},
	{name: "상태도·하태도", lat: 34.4200, lon: 125.2850, radiusKm: 6, dong: "전라남도 신안군 흑산면"},
	{name: "홍도", lat: 34.6833, lon: 125.1953, radiusKm: 5, dong: "전라남도 신안군 흑산면"},
	{name: "맹골도", lat: 34.2200, lon: 125.8700, radiusKm: 5, dong: "전라남도 진도군 조도면"},
	{name: "거문도", lat: 34.0300, lon: 127.3100, radiusKm: 6, dong: "전라남도 여수시 삼산면"},
	{name: "여서도", lat: 33.9880, lon: 126.9230, radiusKm: 4, dong: "전라남도 완도군 청산면"},
	{name: "상왕등도", lat: 35.6570, lon: 126.1080, radiusKm: 4, dong: "전북특별자치도 부안군 위도면"},
	{name: "어청도", lat: 36.1200, lon: 125.9800, radiusKm: 4, dong: "전북특별자치도 군산시 옥도면"},
	{name: "외연도", lat: 36.2200, lon: 126.0800, radiusKm: 5, dong: "충청남도 보령시 오천면"},
	{name: "녹도·호도", lat: 36.2830, lon: 126.2650, radiusKm: 5, dong: "충청남도 보령시 오천면"},
	{name: "백아도·울도", lat: 37.0600, lon: 125.9700, radiusKm: 6, dong: "인천광역시 옹진군 덕적면"},
	{name: "국도", lat: 34.5300, lon: 128.4300, radiusKm: 3, dong: "경상남도 통영시 욕지면"},
}

func inBox(lat, lon float64) bool {
	// Written so that NaN is outside.
	return lat >= boxMinLat && lat <= boxMaxLat && lon >= boxMinLon && lon <= boxMaxLon
}

// grid buckets dongs by cellDeg cells of the box, in CSR form.
type grid struct {
	rows, cols int
	start      []int32 // cell c holds items[start[c]:start[c+1]]
	items      []int32
}

func (g *grid) cell(lat, lon float64) (row, col int) {
	row = min(max(int((lat-boxMinLat)/cellDeg), 0), g.rows-1)
	col = min(max(int((lon-boxMinLon)/cellDeg), 0), g.cols-1)
	return row, col
}

// each calls f for every dong in the cells within reach cells of the point's.
func (g *grid) each(lat, lon float64, reach int, f func(i int32)) {
	r0, c0 := g.cell(lat, lon)
	for r := max(r0-reach, 0); r <= min(r0+reach, g.rows-1); r++ {
		base := r * g.cols
		lo, hi := g.start[base+max(c0-reach, 0)], g.start[base+min(c0+reach, g.cols-1)+1]
		for _, i := range g.items[lo:hi] {
			f(i)
		}
	}
}

func (ix *Index) buildGeo() {
	n := len(ix.dongs)
	const rad = math.Pi / 180
	ix.latRad = make([]float64, n)
	ix.lonRad = make([]float64, n)
	ix.cosLat = make([]float64, n)
	for i, d := range ix.dongs {
		ix.latRad[i], ix.lonRad[i] = d.Lat*rad, d.Lon*rad
		ix.cosLat[i] = math.Cos(ix.latRad[i])
	}

	g := &ix.grid
	g.rows = int(math.Ceil((boxMaxLat - boxMinLat) / cellDeg))
	g.cols = int(math.Ceil((boxMaxLon - boxMinLon) / cellDeg))
	g.start = make([]int32, g.rows*g.cols+1)
	cellOf := make([]int32, n)
	for i, d := range ix.dongs {
		r, c := g.cell(d.Lat, d.Lon)
		cellOf[i] = int32(r*g.cols + c)
		g.start[cellOf[i]+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.items = make([]int32, n)
	fill := slices.Clone(g.start[:len(g.start)-1])
	for i, c := range cellOf {
		g.items[fill[c]] = int32(i)
		fill[c]++
	}

	// Neighbour sets. One list per dong, sorted by distance, holds range 2;
	// range 1 is its prefix, since 1.5 km < 4 km. One grid cell of reach
	// covers 4 km (a cell is ≥ 8.6 km wide).
	type cand struct {
		i int32
		d float64
	}
	var cands []cand
	ix.nbrStart = make([]int32, n+1)
	ix.nbrR1 = make([]int32, n)
	ix.nbrs = make([]int32, 0, 16*n)
	r1, r2 := RangeKm(1), RangeKm(2)
	// A flat-earth pre-check skips most of the grid's candidates before the
	// haversine: with longitude scaled by the larger cosine of the two
	// latitudes it never understates a distance, and the 1% margin covers
	// what the flat approximation can overstate at 4 km (far less than that).
	const kmPerDeg = earthRadiusKm * math.Pi / 180
	reject := (r2 * 1.01 / kmPerDeg) * (r2 * 1.01 / kmPerDeg)
	for i := range n {
		self := int32(i)
		lat, lon := ix.dongs[i].Lat, ix.dongs[i].Lon
		cands = cands[:0]
		g.each(lat, lon, 1, func(j int32) {
			dlat := ix.dongs[j].Lat - lat
			dlon := (ix.dongs[j].Lon - lon) * max(ix.cosLat[i], ix.cosLat[j])
			if dlat*dlat+dlon*dlon > reject {
				return
			}
			if d := ix.distIdx(self, j); d <= r2 {
				cands = append(cands, cand{j, d})
			}
		})
		slices.SortFunc(cands, func(a, b cand) int {
			if (a.i == self) != (b.i == self) {
				if a.i == self {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i))
		})
		for _, c := range cands {
			ix.nbrs = append(ix.nbrs, c.i)
			if c.d <= r1 {
				ix.nbrR1[i] = int32(len(ix.nbrs))
			}
		}
		ix.nbrStart[i+1] = int32(len(ix.nbrs))
	}
	ix.nbrs = slices.Clip(ix.nbrs)

	// Islands whose dong a (test) dataset lacks are left out; the tests
	// check that the real one has them all.
	ix.islands = make([]islandArea, 0, len(outlyingIslands))
	for _, is := range outlyingIslands {
		if i, ok := ix.exact[normKey(is.dong)]; ok && i >= 0 {
			is.idx = i
			ix.islands = append(ix.islands, is)
		}
	}
}

// distIdx is the distance between two dongs' centroids, computed exactly as
// DistanceKm computes it so that Within's figures match a caller's.
func (ix *Index) distIdx(i, j int32) float64 {
	a, b := &ix.dongs[i], &ix.dongs[j]
	return DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon)
}

// Locate returns the dong whose centroid is nearest to the point, or false
// when the point is outside Korea: outside the box 32.9–38.9°N,
// 124.3–132.1°E, or more than 15 km from every centroid and not on one of a
// short list of outlying islands (독도, 마라도, 가거도, 홍도, 거문도, …) whose
// dong's centroid is on another island. Points in North Korea within 15 km
// of a border dong's centroid are placed in that dong.
func (ix *Index) Locate(lat, lon float64) (Dong, bool) {
	i := ix.locate(lat, lon)
	if i < 0 {
		return Dong{}, false
	}
	return ix.dongs[i], true
}

func (ix *Index) locate(lat, lon float64) int32 {
	if !inBox(lat, lon) {
		return -1
	}
	const rad = math.Pi / 180
	pLat, pLon := lat*rad, lon*rad
	pCos := math.Cos(pLat)
	// Two cells of reach cover locateMaxKm: 0.2° is 22 km of latitude and
	// ≥ 17 km of longitude in the box. Compare the haversine term a, which
	// grows with distance, and take the one asin at the end.
	best, bestA := int32(-1), math.Inf(1)
	ix.grid.each(lat, lon, 2, func(j int32) {
		s1, s2 := math.Sin((ix.latRad[j]-pLat)/2), math.Sin((ix.lonRad[j]-pLon)/2)
		a := s1*s1 + pCos*ix.cosLat[j]*s2*s2
		if a < bestA || (a == bestA && j < best) {
			best, bestA = j, a
		}
	})
	if best >= 0 && 2*earthRadiusKm*math.Asin(math.Sqrt(min(bestA, 1))) <= locateMaxKm {
		return best
	}
	for _, is := range ix.islands {
		if DistanceKm(lat, lon, is.lat, is.lon) <= is.radiusKm {
			return is.idx
		}
	}
	return -1
}

// locateLinear is locate by scanning every centroid; tests and benchmarks
// compare the grid against it.
func (ix *Index) locateLinear(lat, lon float64) int32 {
	if !inBox(lat, lon) {
		return -1
	}
	best, bestD := int32(-1), math.Inf(1)
	for j, d := range ix.dongs {
		if dist := DistanceKm(lat, lon, d.Lat, d.Lon); dist < bestD {
			best, bestD = int32(j), dist
		}
	}
	if bestD <= locateMaxKm {
		return best
	}
	for _, is := range ix.islands {
		if DistanceKm(lat, lon, is.lat, is.lon) <= is.radiusKm {
			return is.idx
		}
	}
	return -1
}

// Within returns the dongs whose centroid lies within RangeKm(r) of the
// centroid of dong code: the dong itself first (distance 0), then by
// distance, ties by code. Range 0 is the dong alone. Unknown codes and
// ranges give nil. The slice is the caller's.
func (ix *Index) Within(code string, r int) []Neighbor {
	i, ok := ix.byCode[code]
	if !ok {
		return nil
	}
	var list []int32
	switch r {
	case 0:
		return []Neighbor{{Dong: ix.dongs[i], DistanceKm: 0}}
	case 1:
		list = ix.nbrs[ix.nbrStart[i]:ix.nbrR1[i]]
	case 2:
		list = ix.nbrs[ix.nbrStart[i]:ix.nbrStart[i+1]]
	default:
		return nil
	}
	out := make([]Neighbor, len(list))
	for k, j := range list {
		out[k] = Neighbor{Dong: ix.dongs[j], DistanceKm: ix.distIdx(i, j)}
	}
	out[0].DistanceKm = 0 // itself, whatever the rounding
	return out
}
