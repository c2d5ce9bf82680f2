package neighborhood

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// middleDot is the separator the dataset uses inside names such as "종로1·2·3·4가동".
const middleDot = '·'

var dotBytes = []byte("·")

// provinceAliases rewrites the start of a space-free key. The file carries the
// current names (강원특별자치도 since 2023, 전북특별자치도 since 2024, 군위군 in
// 대구광역시 since 2023); addresses written before then use the old ones. Order
// matters: the 군위군 rule must be tried before any rule for 경상북도 would be,
// and there is deliberately none, since the rest of 경상북도 kept its name.
var provinceAliases = [...]struct{ old, cur string }{
	{"경상북도군위군", "대구광역시군위군"},
	{"강원도", "강원특별자치도"},
	{"전라북도", "전북특별자치도"},
	{"제주도", "제주특별자치도"},
}

// hangulDigits are the Sino-Korean numerals as the original app wrote them
// ("용담이동" for 용담2동).
var hangulDigits = [...]string{"영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"}

// appendNorm appends s to dst in the form used for every comparison:
// conjoining jamo (as macOS input produces) composed into syllables,
// full-width digits made ASCII, every dot-like separator made "·", zero-width
// characters dropped, and whitespace either dropped (spaces false) or collapsed
// to single ASCII spaces (spaces true). Leading and trailing separators and
// spaces are trimmed.
func appendNorm(dst []byte, s string, spaces bool) []byte {
	start := len(dst)
	pendingSpace := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		// Compose a conjoining L+V(+T) sequence into one precomposed syllable.
		if r >= 0x1100 && r <= 0x1112 && i < len(s) {
			v, vn := utf8.DecodeRuneInString(s[i:])
			if v >= 0x1161 && v <= 0x1175 {
				i += vn
				r = 0xAC00 + ((r-0x1100)*21+(v-0x1161))*28
				if i < len(s) {
					t, tn := utf8.DecodeRuneInString(s[i:])
					if t >= 0x11A8 && t <= 0x11C2 {
						i += tn
						r += t - 0x11A7
					}
				}
			}
		}
		switch {
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF:
			continue
		case unicode.IsSpace(r):
			if spaces && len(dst) > start {
				pendingSpace = true
			}
			continue
		case isDot(r):
			if len(dst) == start {
				continue // a leading separator
			}
			r = middleDot
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		}
		if pendingSpace {
			dst = append(dst, ' ')
			pendingSpace = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	// Trim trailing separators (leading ones were never written).
	for len(dst) > start {
		if bytes.HasSuffix(dst[start:], dotBytes) {
			dst = dst[:len(dst)-len("·")]
		} else if dst[len(dst)-1] == ' ' {
			dst = dst[:len(dst)-1]
		} else {
			break
		}
	}
	return dst
}

// isDot reports whether r is one of the characters people type for the
// middle dot in names such as "종로1·2·3·4가동": ASCII and full-width full stops
// and commas, the hangul letter araea (ㆍ), katakana and half-width middle dots,
// and a few typographic dots.
func isDot(r rune) bool {
	switch r {
	case '.', ',', '·', 'ㆍ', '・', '･', '．', '，', '‧', '∙', '⋅', '•', '、', 'ᆞ':
		return true
	}
	return false
}

// rewriteProvince replaces an old province prefix of a space-free key with the
// current one. It returns key itself when nothing applies.
func rewriteProvince(key string) string {
	for _, a := range provinceAliases {
		if strings.HasPrefix(key, a.old) {
			return a.cur + key[len(a.old):]
		}
	}
	return key
}

// normKey is the space-free lookup key of an address or name.
func normKey(s string) string {
	var buf [192]byte
	return rewriteProvince(string(appendNorm(buf[:0], s, false)))
}

// appendHangulNumber appends n (1..99) the way the original app wrote it:
// 2 → 이, 10 → 십, 12 → 십이, 21 → 이십일. ok is false outside that range.
func appendHangulNumber(dst []byte, n int) ([]byte, bool) {
	if n < 1 || n > 99 {
		return dst, false
	}
	tens, ones := n/10, n%10
	if tens > 1 {
		dst = append(dst, hangulDigits[tens]...)
	}
	if tens > 0 {
		dst = append(dst, "십"...)
	}
	if ones > 0 {
		dst = append(dst, hangulDigits[ones]...)
	}
	return dst, true
}

// appendVariant appends a spelling under which a normalised dong part with
// numbers may have been written: with hangul, every number as hangul
// numerals ("용담이동"); with toggleJe, the "제" of the 행정안전부 forms added
// before the first number ("창신제1동") or, when the name has it
// ("상일제1동"), removed. ok is false when part has no number or one
// appendHangulNumber cannot spell; dst is then partly written.
func appendVariant(dst []byte, part string, hangul, toggleJe bool) (_ []byte, ok bool) {
	first := strings.IndexFunc(part, isASCIIDigit)
	if first < 0 {
		return dst, false
	}
	head := part[:first]
	if toggleJe {
		if h, had := strings.CutSuffix(head, "제"); had {
			dst = append(dst, h...)
		} else {
			dst = append(append(dst, head...), "제"...)
		}
	} else {
		dst = append(dst, head...)
	}
	for i := first; i < len(part); {
		j := i
		for j < len(part) && isASCIIDigit(rune(part[j])) {
			j++
		}
		if j == i { // not a digit; digits are ASCII, so bytes can be copied
			dst = append(dst, part[i])
			i++
			continue
		}
		if !hangul {
			dst = append(dst, part[i:j]...)
		} else {
			n, err := strconv.Atoi(part[i:j])
			if err != nil {
				return dst, false
			}
			if dst, ok = appendHangulNumber(dst, n); !ok {
				return dst, false
			}
		}
		i = j
	}
	return dst, true
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// stemOf is a dong part without its suffix and trailing numbers: "용담1동" →
// "용담", "종로1·2·3·4가동" → "종로", "용담면" → "용담". It is what people type
// when they mean "that neighbourhood" without knowing which numbered half.
func stemOf(part string) string {
	s := part
	for _, suf := range [...]string{"가동", "동", "읍", "면"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	for {
		switch {
		case s != "" && isASCIIDigit(rune(s[len(s)-1])):
			s = s[:len(s)-1]
		case strings.HasSuffix(s, "·"):
			s = s[:len(s)-len("·")]
		default:
			if s == "" {
				return part
			}
			return s
		}
	}
}

// InRegion reports whether the dong's name starts with one of the prefixes,
// whole name parts only: "제주특별자치도 제주시" holds 제주시's dongs but not
// 서귀포시's, and "서울특별시 중" holds nothing. Prefixes are normalised as
// Resolve normalises addresses (spaces, separators, old province names, so
// "강원도" and "경상북도 군위군" work); empty prefixes match nothing. d is
// expected to come from an Index.
func InRegion(d Dong, prefixes []string) bool {
	for _, p := range prefixes {
		rest := normKey(p)
		if rest == "" {
			continue
		}
		name := d.Name
		for name != "" {
			tok, after, _ := strings.Cut(name, " ")
			name = after
			if !strings.HasPrefix(rest, tok) {
				break
			}
			rest = rest[len(tok):]
			if rest == "" {
				return true
			}
		}
	}
	return false
}
