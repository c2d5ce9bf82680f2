package menu

// josa appends the Korean particle that fits word's last syllable: pair is
// "이/가", "을/를", "은/는", "과/와", "으로/로" or "이에요/예요" (first form after a
// final consonant). A word not ending in a hangul syllable takes the second form.
func josa(word, pair string) string {
	forms := map[string][2]string{
		"이/가":    {"이", "가"},
		"을/를":    {"을", "를"},
		"은/는":    {"은", "는"},
		"과/와":    {"과", "와"},
		"으로/로":   {"으로", "로"},
		"이에요/예요": {"이에요", "예요"},
	}[pair]
	rs := []rune(word)
	if len(rs) == 0 {
		return word + forms[1]
	}
	last := rs[len(rs)-1]
	if last < 0xAC00 || last > 0xD7A3 {
		return word + forms[1]
	}
	jong := (last - 0xAC00) % 28
	switch {
	case jong == 0:
		return word + forms[1]
	case pair == "으로/로" && jong == 8: // a final ㄹ takes 로: 국물로, 냉면으로
		return word + forms[1]
	}
	return word + forms[0]
}
