package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestCLIReports(t *testing.T) {
	m := newModEnv(t)
	postID, roomID := m.writePost(m.other, "CLI 신고 글", 4)
	msgID := m.sendMessage(roomID, m.other, "CLI 신고 메시지")
	postRep := m.report(m.resident, "post", postID, 201)
	m.joinAPI(roomID, m.resident, 200)
	msgRep := m.report(m.resident, "message", msgID, 201)
	userRep := m.report(m.resident, "user", m.other.id, 201)
	id := func(rep map[string]any) string { return fmt.Sprint(int64(rep["id"].(float64))) }

	list := mustCLI(t, m.dir, "", "reports", "list")
	for _, want := range []string{"post " + fmt.Sprint(postID), "message " + fmt.Sprint(msgID), "user " + fmt.Sprint(m.other.id), "resident"} {
		if !strings.Contains(list, want) {
			t.Errorf("reports list lacks %q:\n%s", want, list)
		}
	}
	show := mustCLI(t, m.dir, "", "reports", "show", id(msgRep))
	if !strings.Contains(show, "CLI 신고 메시지") || !strings.Contains(show, "reason:   spam") ||
		!strings.Contains(show, fmt.Sprintf("account:  %d", m.other.id)) {
		t.Errorf("reports show:\n%s", show)
	}
	for _, bad := range [][]string{
		{"reports", "show", "999"},
		{"reports", "show", "x"},
		{"reports", "resolve", id(postRep)},                       // no --action
		{"reports", "resolve", id(postRep), "--action", "delete"}, // unknown action
		{"reports", "resolve", id(userRep), "--action", "hide"},   // a user cannot be hidden
		{"reports", "resolve", "999", "--action", "dismiss"},      // no such report
	} {
		if _, err := runCLI(t, m.dir, "", bad...); err == nil {
			t.Errorf("mealbuddy %s succeeded", strings.Join(bad, " "))
		}
	}
	out := mustCLI(t, m.dir, "", "reports", "resolve", id(msgRep), "--action", "hide")
	if !strings.Contains(out, "resolved: hide") {
		t.Errorf("resolve: %q", out)
	}
	hist := m.do(req{method: "GET", path: roomPath(roomID, ""), token: m.resident.token})
	if strings.Contains(string(hist.raw), "CLI 신고 메시지") || !strings.Contains(string(hist.raw), msgHiddenMessage) {
		t.Errorf("history after a CLI hide: %s", hist.raw)
	}
	mustCLI(t, m.dir, "", "reports", "resolve", id(postRep), "--action", "dismiss")
	out = mustCLI(t, m.dir, "", "reports", "resolve", id(userRep), "--action", "disable-user")
	if !strings.Contains(out, fmt.Sprintf("user %d disabled", m.other.id)) {
		t.Errorf("disable-user: %q", out)
	}
	u, err := m.store.UserByID(context.Background(), m.other.id)
	if err != nil || u.Active {
		t.Errorf("the reported user is still active (%v)", err)
	}
	if open := mustCLI(t, m.dir, "", "reports", "list"); !strings.Contains(open, "(no reports)") {
		t.Errorf("open reports remain:\n%s", open)
	}
	all := mustCLI(t, m.dir, "", "reports", "list", "--all")
	if strings.Count(all, "resolved:") != 3 {
		t.Errorf("reports list --all:\n%s", all)
	}
	audit := mustCLI(t, m.dir, "", "audit")
	for _, want := range []string{"\thide\tmessage ", "\tdismiss\tpost ", "\tdisable-user\tuser ", "cli:"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	// The staff API sees the CLI's actions too.
	if n := len(auditEntries(t, m)); n != 3 {
		t.Errorf("%d audit entries over the API, want 3", n)
	}
}

func TestCLIModerationHelp(t *testing.T) {
	for _, args := range [][]string{
		{"reports", "--help"}, {"reports", "list", "--help"}, {"reports", "show", "--help"}, {"reports", "resolve", "--help"},
		{"invite", "--help"}, {"invite", "create", "--help"}, {"invite", "list", "--help"}, {"audit", "--help"},
		{"user", "approve", "--help"}, {"user", "reset-link", "--help"},
	} {
		out := mustCLI(t, t.TempDir(), "", args...)
		if !strings.Contains(out, "Usage:") || len(out) < 150 {
			t.Errorf("mealbuddy %s: %q", strings.Join(args, " "), out)
		}
	}
	serve := mustCLI(t, t.TempDir(), "", "serve", "--help")
	for _, flag := range []string{"--signup", "--smtp-url", "--smtp-from", "MEALBUDDY_SMTP_URL"} {
		if !strings.Contains(serve, flag) {
			t.Errorf("serve --help lacks %s", flag)
		}
	}
}

func TestCLIInviteValidation(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"invite", "create", "--uses", "0"},
		{"invite", "create", "--expires", "soon"},
		{"invite", "create", "--expires", "-3h"},
		{"invite", "create", "--public-url", "mealbuddy.example"},
	} {
		if _, err := runCLI(t, dir, "", args...); err == nil {
			t.Errorf("mealbuddy %s succeeded", strings.Join(args, " "))
		}
	}
	out := mustCLI(t, dir, "", "invite", "create", "--expires", "0")
	if !strings.Contains(out, "expires: never") || strings.Contains(out, "link:") {
		t.Errorf("invite create --expires 0: %q", out)
	}
}

func TestServeRejectsUnknownSignupMode(t *testing.T) {
	_, err := runCLI(t, t.TempDir(), "", "serve", "--signup", "maybe", "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "--signup") {
		t.Errorf("serve --signup maybe: %v", err)
	}
}

func TestPrintableForTerminal(t *testing.T) {
	in := "광고\x1b[2J\x1b]0;owned\x07 줄\n바꿈\u202e역순"
	got := printable(in)
	if strings.ContainsAny(got, "\x1b\x07\n\u202e") || !strings.Contains(got, "광고") || !strings.Contains(got, "줄 바꿈") {
		t.Errorf("printable(%q) = %q", in, got)
	}
}
