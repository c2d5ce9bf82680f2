package app

import (
	"bytes"
	"errors"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// A shared post link (/post/<id>/) must say what it is to someone who is
// not signed in, and to the link preview of a messenger (KakaoTalk reads
// Open Graph tags): the title, the dong, the store and the order time,
// never the content, members or payment details. The preview route and
// the tags in index.html show exactly that.

// previewsPerMinute bounds the public previews (the route and the tagged
// index.html) one client address may ask for: enough for a person and a
// messenger's link scraper, too few to walk every post id quickly.
const previewsPerMinute = 60

// postPreviewJSON is all of a post that anyone may see.
type postPreviewJSON struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	Dong        string  `json:"dong"`      // "역삼1동"; "" for a free-text address
	DongName    string  `json:"dong_name"` // "서울특별시 강남구 역삼1동"; "" likewise
	StoreName   *string `json:"store_name"`
	OrderAt     *string `json:"order_at"`
	IsCompelete bool    `json:"is_compelete"`
}

// postPreview loads the preview of post id: false when there is none to
// show (unknown, deleted or hidden by staff).
func (s *Server) postPreview(r *http.Request, id int64) (postPreviewJSON, bool, error) {
	p, hidden, err := s.viewPost(r.Context(), id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return postPreviewJSON{}, false, nil
		}
		return postPreviewJSON{}, false, err
	}
	if hidden {
		return postPreviewJSON{}, false, nil
	}
	return s.previewOf(p), true, nil
}

func (s *Server) previewOf(p store.Post) postPreviewJSON {
	out := postPreviewJSON{ID: p.ID, Title: p.Title, IsCompelete: p.CompleteAt(s.now())}
	// A free-text address may be a street address: it is not shown.
	if d, ok := s.dongs.ByCode(p.DongCode()); ok {
		out.Dong, out.DongName = d.Dong, d.Name
	}
	if o := p.Order; o != nil {
		name, at := o.StoreName, formatOrderAt(o.OrderAt)
		if name != "" {
			out.StoreName = &name
		}
		out.OrderAt = &at
	}
	return out
}

func (s *Server) allowPreview(r *http.Request) bool {
	return allows(s.previews, s.clientKey(r))
}

func (s *Server) handlePostPreview(w http.ResponseWriter, r *http.Request) {
	if !s.allowPreview(r) {
		writeError(w, http.StatusTooManyRequests, "요청이 너무 많아요. 잠시 뒤 다시 시도해 주세요.")
		return
	}
	id, ok := idParam(r, "id")
	if !ok {
		writeError(w, http.StatusNotFound, msgPostNotFound)
		return
	}
	p, ok, err := s.postPreview(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, msgPostNotFound)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

var postPagePath = regexp.MustCompile(`^/post/([1-9][0-9]{0,17})/$`)

// withPostTags returns index.html with the Open Graph tags of the post
// that the path /post/<id>/ names, or index unchanged for any other path,
// an unknown or hidden post, a failure or a client over its preview limit.
func (s *Server) withPostTags(r *http.Request, index []byte) []byte {
	m := postPagePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return index
	}
	at := bytes.Index(index, []byte("</head>"))
	if at < 0 {
		return index
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || !s.allowPreview(r) {
		return index
	}
	p, ok, err := s.postPreview(r, id)
	if err != nil || !ok {
		return index
	}
	tags := ogTags(p, s.pageOrigin(r)+r.URL.Path)
	out := make([]byte, 0, len(index)+len(tags))
	out = append(out, index[:at]...)
	out = append(out, tags...)
	return append(out, index[at:]...)
}

// ogTags are the <meta> tags of a post's link preview, every value
// HTML-escaped: a title is the writer's text.
func ogTags(p postPreviewJSON, url string) string {
	desc := p.Dong
	if desc == "" {
		desc = "우리 동네"
	}
	if p.StoreName != nil {
		desc += " · " + *p.StoreName
	}
	if p.IsCompelete {
		desc += " · 모집 완료"
	} else {
		desc += " · 모집 중"
	}
	var b bytes.Buffer
	meta := func(attr, key, value string) {
		b.WriteString(`<meta ` + attr + `="` + key + `" content="` + html.EscapeString(value) + `" />` + "\n")
	}
	meta("property", "og:type", "website")
	meta("property", "og:site_name", "밀버디")
	meta("property", "og:title", p.Title)
	meta("property", "og:description", desc)
	meta("property", "og:url", url)
	meta("name", "twitter:card", "summary")
	meta("name", "twitter:title", p.Title)
	meta("name", "twitter:description", desc)
	return b.String()
}

// pageOrigin is the origin of absolute links in a page: --public-url when
// set, else the scheme and host the request came by.
func (s *Server) pageOrigin(r *http.Request) string {
	if s.origin != "" {
		return s.origin
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// newPreviewLimiter is the limiter of previewsPerMinute per client.
func newPreviewLimiter(now func() time.Time) *limiter {
	return newLimiterPer(previewsPerMinute, time.Minute, now)
}
