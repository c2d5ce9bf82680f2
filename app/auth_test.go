package app

import (
	"net/http"
	"testing"
)

// TestCredentialSources checks where each kind of route takes a credential
// from: API routes from Authorization or the cookie with the web header,
// the chat socket also from ?token= and the cookie alone.
func TestCredentialSources(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("kim", addrSajik)
	_, roomID := e.writePost(u, "자격 확인", 4)
	ck := e.webLogin(u)

	if r := e.do(req{method: "GET", path: "/api/user/current/?token=" + u.token}); r.status != 401 {
		t.Errorf("API route with ?token=: %d, want 401", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", cookies: []*http.Cookie{ck}}); r.status != 401 {
		t.Errorf("API route with the cookie alone: %d, want 401", r.status)
	}

	sockets := []struct {
		name   string
		token  string
		header http.Header
		want   int // 0: the socket opens
	}{
		{"QueryToken", u.token, nil, 0},
		{"HeaderToken", "", http.Header{"Authorization": {"Token " + u.token}}, 0},
		{"CookieWithoutWebHeader", "", http.Header{"Cookie": {ck.String()}, "Origin": {e.http.URL}}, 0},
		{"OtherSchemeBeatsQuery", u.token, http.Header{"Authorization": {"Basic a2ltOnB3"}}, 401},
		{"Nothing", "", nil, 401},
	}
	for _, tc := range sockets {
		t.Run("Socket"+tc.name, func(t *testing.T) {
			c, status, err := e.dialChat(roomID, tc.token, tc.header)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("refused: %d %v", status, err)
				}
				c.c.CloseNow()
				return
			}
			if err == nil {
				c.c.CloseNow()
				t.Fatal("the socket opened")
			}
			if status != tc.want {
				t.Errorf("status %d, want %d", status, tc.want)
			}
		})
	}
}
