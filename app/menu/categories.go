// Package menu suggests what to order: a built-in recommender that needs no
// network, and a client for OpenAI-compatible chat-completion servers.
package menu

import "slices"

// Categories are the 14 food categories of the original service, in its order,
// spelled exactly as its posts store them (including "페스트푸드").
var Categories = []string{
	"족발,보쌈",
	"찜,탕,찌개",
	"돈까스,회,일식",
	"피자",
	"고기구이",
	"양식",
	"치킨",
	"중식",
	"아시안",
	"백반,죽,국수",
	"도시락",
	"분식",
	"카페,디저트",
	"페스트푸드",
}

// IsCategory reports whether s is one of Categories.
func IsCategory(s string) bool { return slices.Contains(Categories, s) }
