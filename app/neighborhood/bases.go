package neighborhood

import (
	"slices"
	"strings"
)

// People know their 법정동 (the legal dong of their street address, "역삼동")
// rather than the 행정동 (administrative dong) that the dataset holds
// ("역삼1동", "역삼2동"). Many 행정동 are a 법정동 split by number or several
// 법정동 joined by "·", so their names carry the 법정동's: baseNames derives
// those. It cannot know 행정동 named otherwise (관악구's 법정동 봉천동 is
// 청룡동, 보라매동, …; 신림동 is 서원동, 신원동, …; 청운효자동 joins 청운동
// and 효자동 without a dot): that needs the 행정안전부 table of 법정동 per
// 행정동, which the embedded dataset does not carry.

// baseNames returns the 법정동-style names a normalised dong part stands for,
// none when it is not numbered, joined or a 본동:
//
//	역삼1동 → 역삼동; 상일제1동 → 상일동; 면목3·8동 → 면목동; 상계10동 → 상계동
//	면목본동 → 면목동
//	용담·명암·산성동 → 용담동, 명암동, 산성동; 화수1·화평동 → 화수동, 화평동
//	종로5·6가동 → 종로동, 종로5가, 종로동5가, 종로6가, 종로동6가
//	성수1가2동 → 성수동, 성수1가, 성수동1가
//
// (The 법정동 of the 가 kind are spelled both ways: "종로5가", "성수동1가".)
func baseNames(part string) []string {
	body, ok := strings.CutSuffix(part, "동")
	if !ok || body == "" {
		return nil
	}
	if h, ok := strings.CutSuffix(body, "본"); ok && h != "" && !strings.ContainsFunc(h, isASCIIDigit) {
		return []string{h + "동"}
	}
	if head, nums, ok := gaForm(body); ok {
		out := []string{head + "동"}
		for _, n := range nums {
			out = append(out, head+n+"가", head+"동"+n+"가")
		}
		return out
	}
	segs := strings.Split(body, "·")
	if len(segs) == 1 && !strings.ContainsFunc(body, isASCIIDigit) {
		return nil // a plain name: it is its own 법정동 (or one we cannot know)
	}
	var out []string
	for _, seg := range segs {
		head := seg[:len(seg)-len(strings.TrimLeftFunc(seg, func(r rune) bool { return !isASCIIDigit(r) }))]
		rest := seg[len(head):]
		if rest != "" && strings.TrimFunc(rest, isASCIIDigit) != "" {
			return nil // letters after the number: not a form we know
		}
		if rest != "" {
			head = strings.TrimSuffix(head, "제")
		}
		if head == "" {
			continue // "2" of "두류1·2동": the number of the head before
		}
		if b := head + "동"; b != part && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// gaForm splits a body such as "종로1·2·3·4가", "용산2가" or "성수1가2" into
// its head ("종로") and the numbers before 가 ("1", "2", "3", "4").
func gaForm(body string) (head string, nums []string, ok bool) {
	i := strings.IndexFunc(body, isASCIIDigit)
	if i <= 0 {
		return "", nil, false
	}
	head, rest := body[:i], body[i:]
	if strings.ContainsRune(head, '·') {
		return "", nil, false
	}
	ga := strings.Index(rest, "가")
	if ga < 0 {
		return "", nil, false
	}
	for _, n := range strings.Split(rest[:ga], "·") {
		if n == "" || strings.TrimFunc(n, isASCIIDigit) != "" {
			return "", nil, false
		}
		nums = append(nums, n)
	}
	if strings.TrimFunc(rest[ga+len("가"):], isASCIIDigit) != "" {
		return "", nil, false
	}
	return head, nums, true
}
