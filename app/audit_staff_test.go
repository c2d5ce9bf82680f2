package app

import (
	"fmt"
	"strings"
	"testing"
)

// TestCLIUserCommandsAudited: user disable, enable and set-admin (and
// --revoke) from the CLI land in the audit log, shown by `mealbuddy audit`
// and the 관리 page's API; a refused command writes nothing.
func TestCLIUserCommandsAudited(t *testing.T) {
	m := newModEnv(t)
	if n := len(auditEntries(t, m)); n != 0 {
		t.Fatalf("%d audit entries before any action", n)
	}
	for _, args := range [][]string{
		{"user", "disable", "other"},
		{"user", "enable", "other@example.com"},
		{"user", "set-admin", fmt.Sprint(m.other.id)},
		{"user", "set-admin", "other", "--revoke"},
	} {
		mustCLI(t, m.dir, "", args...)
	}
	if _, err := runCLI(t, m.dir, "", "user", "disable", "nobody"); err == nil {
		t.Error("disable of an unknown user succeeded")
	}
	out := mustCLI(t, m.dir, "", "audit")
	target := fmt.Sprintf("\tuser %d\t", m.other.id)
	for _, action := range []string{"disable-user", "enable-user", "grant-staff", "revoke-staff"} {
		if !strings.Contains(out, "\t"+action+target) {
			t.Errorf("audit lacks %s on user %d:\n%s", action, m.other.id, out)
		}
	}
	if strings.Count(out, "cli:") != 4 {
		t.Errorf("want 4 entries by cli:<user>:\n%s", out)
	}
	entries := auditEntries(t, m)
	if len(entries) != 4 {
		t.Fatalf("%d audit entries over the API, want 4: %v", len(entries), entries)
	}
	if entries[0]["action"] != "revoke-staff" || entries[3]["action"] != "disable-user" {
		t.Errorf("newest first: %v", entries)
	}
	// The changes themselves happened.
	u, err := m.store.UserByID(t.Context(), m.other.id)
	if err != nil || !u.Active || u.Staff {
		t.Errorf("after disable, enable, set-admin, revoke: active=%v staff=%v (%v)", u.Active, u.Staff, err)
	}
}

// TestStaffPostDeletionAudited: staff deleting someone else's post through
// the API is a staff action in the audit log, with the post's writer and
// title (the post is gone); a writer deleting their own post is not, and a
// refused deletion writes nothing.
func TestStaffPostDeletionAudited(t *testing.T) {
	m := newModEnv(t)
	title := "광고\x1b[31m 글" // a terminal escape in the title
	victim, _ := m.writePost(m.other, "정상 글", 4)
	r := m.do(req{method: "POST", path: "/api/post/write/", token: m.other.token, body: map[string]any{
		"title": title, "category": "치킨", "target_number": 4, "content": "c",
	}})
	if r.status != 201 {
		t.Fatalf("write: %d %s", r.status, r.raw)
	}
	spam := int64(r.json(t)["id"].(float64))
	own, _ := m.writePost(m.other, "내 글", 4)
	staffOwn, _ := m.writePost(m.staff, "운영자 글", 4)
	del := func(u testUser, id int64, want int) {
		t.Helper()
		if r := m.do(req{method: "DELETE", path: fmt.Sprintf("/api/post/detail/%d/delete/", id), token: u.token}); r.status != want {
			t.Fatalf("%s deletes post %d: %d %s, want %d", u.username, id, r.status, r.raw, want)
		}
	}
	del(m.resident, victim, 403) // neither writer nor staff
	del(m.other, own, 204)       // the writer's own
	del(m.staff, staffOwn, 204)  // staff, own post: not a staff action
	if n := len(auditEntries(t, m)); n != 0 {
		t.Fatalf("%d audit entries before staff deleted anything", n)
	}
	del(m.staff, spam, 204)
	del(m.staff, spam, 404)
	entries := auditEntries(t, m)
	if len(entries) != 1 {
		t.Fatalf("audit entries: %v", entries)
	}
	e := entries[0]
	if e["action"] != "delete-post" || e["actor"] != "staff" || e["target"] != "post" || e["target_id"] != float64(spam) {
		t.Errorf("entry: %v", e)
	}
	if d, _ := e["detail"].(string); !strings.Contains(d, fmt.Sprintf("writer user %d", m.other.id)) || !strings.Contains(d, "광고") {
		t.Errorf("detail %q lacks the writer and title", d)
	}
	if r := m.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", spam), token: m.staff.token}); r.status != 404 {
		t.Errorf("the deleted post answers %d", r.status)
	}
	out := mustCLI(t, m.dir, "", "audit")
	if !strings.Contains(out, fmt.Sprintf("staff (user %d)\tdelete-post\tpost %d\t", m.staff.id, spam)) {
		t.Errorf("mealbuddy audit:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("mealbuddy audit prints a terminal escape from a title: %q", out)
	}
}

// TestStaffRoomDeleteAudited: staff deleting the room of someone else's
// post is a staff action in the audit log; a writer deleting their own
// room is not.
func TestStaffRoomDeleteAudited(t *testing.T) {
	m := newModEnv(t)
	spam, spamRoom := m.writePost(m.other, "광고 모집", 4)
	_, ownRoom := m.writePost(m.other, "내 모집", 4)
	del := func(u testUser, room int64, want int) {
		t.Helper()
		if r := m.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", room), token: u.token}); r.status != want {
			t.Fatalf("%s deletes room %d: %d %s, want %d", u.username, room, r.status, r.raw, want)
		}
	}
	del(m.resident, spamRoom, 403) // neither writer nor staff
	del(m.other, ownRoom, 202)     // the writer's own
	if n := len(auditEntries(t, m)); n != 0 {
		t.Fatalf("%d audit entries before staff deleted anything", n)
	}
	del(m.staff, spamRoom, 202)
	entries := auditEntries(t, m)
	if len(entries) != 1 {
		t.Fatalf("audit entries: %v", entries)
	}
	if e := entries[0]; e["action"] != "delete-room" || e["actor"] != "staff" || e["target"] != "post" || e["target_id"] != float64(spam) {
		t.Errorf("entry: %v", e)
	}
	if out := mustCLI(t, m.dir, "", "audit"); !strings.Contains(out, fmt.Sprintf("staff (user %d)\tdelete-room\tpost %d\t", m.staff.id, spam)) {
		t.Errorf("mealbuddy audit:\n%s", out)
	}
}

// TestStaffPostEditAudited: staff editing someone else's post is logged;
// the writer editing their own is not.
func TestStaffPostEditAudited(t *testing.T) {
	m := newModEnv(t)
	post, _ := m.writePost(m.other, "원래 제목", 4)
	edit := func(u testUser, title string) {
		t.Helper()
		r := m.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", post), token: u.token, body: map[string]any{"title": title}})
		if r.status != 200 {
			t.Fatalf("%s edits: %d %s", u.username, r.status, r.raw)
		}
	}
	edit(m.other, "작성자가 고친 제목")
	if n := len(auditEntries(t, m)); n != 0 {
		t.Fatalf("%d audit entries after the writer's own edit", n)
	}
	edit(m.staff, "운영자가 고친 제목")
	entries := auditEntries(t, m)
	if len(entries) != 1 {
		t.Fatalf("audit entries: %v", entries)
	}
	if e := entries[0]; e["action"] != "edit-post" || e["actor"] != "staff" || e["target"] != "post" || e["target_id"] != float64(post) {
		t.Errorf("entry: %v", e)
	}
}

// Staff cancelling someone else's group order is a staff action: it goes
// into the audit log with who and which post. The organiser's own cancel
// does not.
func TestStaffOrderCancelAudited(t *testing.T) {
	m := newModEnv(t)
	ownPost, ownRoom := m.writeOrder(m.other, orderPostBody())
	m.orderCall("POST", ownRoom, "state/", m.other, map[string]any{"state": "cancelled"}, 200)
	if n := len(auditEntries(t, m)); n != 0 {
		t.Fatalf("%d audit entries after the organiser's own cancel (post %d)", n, ownPost)
	}
	post, room := m.writeOrder(m.other, orderPostBody())
	m.orderCall("POST", room, "state/", m.staff, map[string]any{"state": "cancelled"}, 200)
	entries := auditEntries(t, m)
	if len(entries) != 1 {
		t.Fatalf("audit entries: %v", entries)
	}
	if e := entries[0]; e["action"] != "cancel-order" || e["actor"] != "staff" || e["target"] != "post" || e["target_id"] != float64(post) {
		t.Errorf("entry: %v", e)
	}
}
