package neighborhood

import (
	"runtime"
	"testing"
)

// BenchmarkLoad reports the time and allocations of Load, and as heap-B the
// live heap the Index holds once built.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	var ix *Index
	for b.Loop() {
		var err error
		if ix, err = Load(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	ix = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, _ = Load()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-B")
	runtime.KeepAlive(ix)
}

var searchQueries = []string{"용담", "제주시 용담", "종로구 사직", "사직동", "용담이동", "강원도 춘천", "서울특별시 종로구 사직동"}

func BenchmarkSearch(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ix.Search(searchQueries[i%len(searchQueries)], 20)
	}
}

// BenchmarkSearchWorst is a one-letter query that every other name holds.
func BenchmarkSearchWorst(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for b.Loop() {
		ix.Search("동", 20)
	}
}

var resolveInputs = []string{
	"서울특별시 종로구 사직동",
	"제주특별자치도 제주시 용담이동",
	"  강원도  춘천시 후평1동 ",
	"서울특별시 종로구 종로1.2.3.4가동",
	"없는 주소",
}

func BenchmarkResolve(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ix.Resolve(resolveInputs[i%len(resolveInputs)])
	}
}

func BenchmarkSuggest(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for b.Loop() {
		ix.Suggest("제주시 용담동", 5)
	}
}

var locatePoints = [][2]float64{
	{37.5760, 126.9690}, // 사직동, dense Seoul
	{33.5106, 126.5150}, // 용담1동
	{36.5, 128.0},       // rural
	{37.0, 130.0},       // sea
	{35.68, 139.69},     // Tokyo, outside the box
}

func BenchmarkLocate(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := locatePoints[i%len(locatePoints)]
		ix.Locate(p[0], p[1])
	}
}

// BenchmarkLocateLinear is the scan the grid replaces, for comparison.
func BenchmarkLocateLinear(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := locatePoints[i%len(locatePoints)]
		ix.locateLinear(p[0], p[1])
	}
}

func BenchmarkWithin(b *testing.B) {
	ix := Default()
	b.ReportAllocs()
	for b.Loop() {
		ix.Within("1111053000", 2)
	}
}
