package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestCLIUserCreateValidatesAsRegister runs each sign-up through both the
// register route and `user create` under the same rules: both refuse it on
// the same field, or both accept it.
func TestCLIUserCreateValidatesAsRegister(t *testing.T) {
	type signupCase struct {
		name      string
		email     string
		username  string
		password  string
		address   string
		regions   []string
		allowFree bool
		field     string // the field both refuse; "" when both accept
	}
	ok := func(c signupCase) signupCase {
		if c.email == "" {
			c.email = "kim@example.com"
		}
		if c.username == "" {
			c.username = "kim"
		}
		if c.password == "" {
			c.password = "password123"
		}
		if c.address == "" {
			c.address = addrSajik
		}
		return c
	}
	tests := []signupCase{
		ok(signupCase{name: "Valid"}),
		ok(signupCase{name: "EmailNoAt", email: "kim.example.com", field: "email"}),
		ok(signupCase{name: "EmailNoDot", email: "kim@localhost", field: "email"}),
		ok(signupCase{name: "EmailWithName", email: "Kim <kim@example.com>", field: "email"}),
		ok(signupCase{name: "EmailTooLong", email: strings.Repeat("k", 250) + "@example.com", field: "email"}),
		ok(signupCase{name: "UsernameBlank", username: "   ", field: "username"}),
		ok(signupCase{name: "UsernameTooLong", username: strings.Repeat("김", 31), field: "username"}),
		ok(signupCase{name: "UsernameTab", username: "kim\tlee", field: "username"}),
		ok(signupCase{name: "PasswordShort", password: "short12", field: "password"}),
		ok(signupCase{name: "PasswordTooLong", password: strings.Repeat("p", 129), field: "password"}),
		ok(signupCase{name: "AddressUnknown", address: "어딘가 먼 곳", field: "address"}),
		ok(signupCase{name: "AddressTooLong", address: strings.Repeat("동", 101), field: "address"}),
		ok(signupCase{name: "AddressOutsideRegion", regions: []string{"제주특별자치도"}, field: "address"}),
		ok(signupCase{name: "AddressInsideRegion", address: addrYongdam, regions: []string{"제주특별자치도"}}),
		ok(signupCase{name: "FreeAddressAllowed", address: "우리 아파트 101동", allowFree: true}),
		ok(signupCase{name: "FreeAddressOutsideRegion", address: "우리 아파트 101동", allowFree: true,
			regions: []string{"제주특별자치도"}, field: "address"}),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(c *Config) { c.Regions, c.AllowFreeAddress = tc.regions, tc.allowFree })
			r := e.do(req{method: "POST", path: "/api/user/register/", body: map[string]any{
				"email": tc.email, "username": tc.username, "password": tc.password, "password2": tc.password, "address": tc.address,
			}})
			args := []string{"user", "create", "--email", tc.email, "--username", tc.username, "--address", tc.address}
			for _, region := range tc.regions {
				args = append(args, "--region", region)
			}
			if tc.allowFree {
				args = append(args, "--allow-free-address")
			}
			dir := t.TempDir()
			out, err := runCLI(t, dir, tc.password+"\n", args...)

			if tc.field == "" {
				if r.status != http.StatusCreated {
					t.Errorf("register refused: %d %s", r.status, r.raw)
				}
				if err != nil {
					t.Errorf("user create refused: %v\n%s", err, out)
				}
				if list := mustCLI(t, dir, "", "user", "list"); !strings.Contains(list, tc.email) {
					t.Errorf("user create made no account:\n%s", list)
				}
				return
			}
			if r.status != http.StatusBadRequest || r.fieldErrs(t)[tc.field] == nil {
				t.Errorf("register: %d %s, want 400 on %s", r.status, r.raw, tc.field)
			}
			if err == nil {
				t.Fatalf("user create accepted it:\n%s", out)
			}
			// The CLI names the flag (or the password input) and says what
			// register says.
			flag := "--" + tc.field
			if tc.field == "password" {
				flag = "password (standard input)"
			}
			msg := r.fieldErrs(t)[tc.field].([]any)[0].(string)
			if !strings.Contains(err.Error(), flag+": "+msg) {
				t.Errorf("user create: %q, want %q", err, flag+": "+msg)
			}
			if list := mustCLI(t, dir, "", "user", "list"); strings.Contains(list, "@") {
				t.Errorf("a refused create made an account:\n%s", list)
			}
		})
	}
}

// TestCLIUserCreateTaken checks that a taken email or username is refused
// as register refuses it, and that the serve flags' environment twins set
// the address rules of user create too.
func TestCLIUserCreateTaken(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "password123\n", "user", "create", "--email", "kim@example.com", "--username", "kim", "--address", addrSajik)
	for _, tc := range []struct{ email, username, want string }{
		{"KIM@example.com", "lee", "--email: 이미 가입된 이메일이에요."},
		{"lee@example.com", "kim", "--username: 이미 사용 중인 유저명이에요."},
	} {
		_, err := runCLI(t, dir, "password123\n", "user", "create", "--email", tc.email, "--username", tc.username, "--address", addrSajik)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s/%s: %v, want %q", tc.email, tc.username, err, tc.want)
		}
	}

	t.Setenv("MEALBUDDY_REGION", "제주특별자치도")
	if _, err := runCLI(t, dir, "password123\n", "user", "create", "--email", "park@example.com", "--username", "park", "--address", addrSajik); err == nil || !strings.Contains(err.Error(), "제주특별자치도") {
		t.Errorf("MEALBUDDY_REGION ignored: %v", err)
	}
	t.Setenv("MEALBUDDY_ALLOW_FREE_ADDRESS", "true")
	mustCLI(t, dir, "password123\n", "user", "create", "--email", "park@example.com", "--username", "park", "--address", "제주특별자치도 어느 마을")
}

// TestCLISetPasswordChecksLength checks that set-password, whose length
// check moved out of readPassword, still refuses what the API refuses.
func TestCLISetPasswordChecksLength(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "password123\n", "user", "create", "--email", "kim@example.com", "--username", "kim", "--address", addrSajik)
	for _, pw := range []string{"short12", strings.Repeat("p", 129)} {
		if _, err := runCLI(t, dir, pw+"\n", "user", "set-password", "kim"); err == nil || !strings.Contains(err.Error(), "password (standard input): ") {
			t.Errorf("a %d-character password: %v, want a refusal", len(pw), err)
		}
	}
	mustCLI(t, dir, "password1234\n", "user", "set-password", "kim")
}
