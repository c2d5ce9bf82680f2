package app

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
)

// resolvedAddress is what a user's address is stored as.
type resolvedAddress struct {
	Address  string // canonical dataset name, or the free text
	DongCode string // "" for free text
}

// addressRules decide which addresses an account may have: the
// neighbourhood dataset, the service area (--region) and whether free text
// is allowed (--allow-free-address). The register route and `user create`
// apply the same rules.
type addressRules struct {
	dongs     *neighborhood.Index
	regions   []string
	allowFree bool
}

// addressRules are the server's configured rules.
func (s *Server) addressRules() addressRules {
	return addressRules{dongs: s.dongs, regions: s.cfg.Regions, allowFree: s.cfg.AllowFreeAddress}
}

// resolve turns a typed address into a neighbourhood (docs/api.md,
// register). An unknown address is an error with suggestions unless free
// text is allowed; the service area, when set, limits both.
func (a addressRules) resolve(raw string, errs fieldErrors) (resolvedAddress, []string) {
	raw = strings.Join(strings.Fields(raw), " ")
	if raw == "" {
		if _, bad := errs["address"]; !bad {
			errs.add("address", msgRequired)
		}
		return resolvedAddress{}, nil
	}
	if utf8.RuneCountInString(raw) > maxAddressLen {
		errs.add("address", "주소는 100자 이하로 입력해 주세요.")
		return resolvedAddress{}, nil
	}
	if d, ok := a.dongs.Resolve(raw); ok {
		if len(a.regions) > 0 && !neighborhood.InRegion(d, a.regions) {
			errs.add("address", a.regionMessage())
			return resolvedAddress{}, nil
		}
		return resolvedAddress{Address: d.Name, DongCode: d.Code}, nil
	}
	if a.allowFree {
		if len(a.regions) > 0 && !hasAnyPrefix(raw, a.regions) {
			errs.add("address", a.regionMessage())
			return resolvedAddress{}, nil
		}
		return resolvedAddress{Address: raw}, nil
	}
	errs.add("address", "이 주소로는 행정동을 찾지 못했어요. 목록에서 동네를 골라 주세요. (예: 서울특별시 종로구 사직동)")
	suggestions := a.dongs.Suggest(raw, 5)
	if suggestions == nil {
		suggestions = []string{}
	}
	return resolvedAddress{}, suggestions
}

func (a addressRules) regionMessage() string {
	return "이 서비스는 " + strings.Join(a.regions, ", ") + " 지역 주민만 가입할 수 있어요."
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, strings.Join(strings.Fields(p), " ")) {
			return true
		}
	}
	return false
}

// writeInvalidWithSuggestions answers 400 with the field errors and, when
// there are any, neighbourhood names the address may have meant.
func writeInvalidWithSuggestions(w http.ResponseWriter, errs fieldErrors, suggestions []string) {
	if suggestions == nil {
		writeInvalid(w, errs)
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": errs, "suggestions": suggestions})
}
