//go:build linux

package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	// Through SyscallConn: Fd() would put master in blocking mode, and its
	// read deadline below would not work.
	rc, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n uint32
	var ioErr error
	rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
		}
	})
	if ioErr != nil {
		t.Fatal(ioErr)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

// TestCLIPasswordNoEcho types passwords into user create and set-password
// on a real terminal: they are read with echo off (the terminal never shows
// them), asked twice, and a mismatch changes nothing.
func TestCLIPasswordNoEcho(t *testing.T) {
	dir := t.TempDir()
	// run starts the command on a fresh terminal, types each answer once
	// the command has turned echo off for it, and returns what the
	// terminal showed and the command's error.
	run := func(answers []string, args ...string) (screen string, err error) {
		master, tty := openPTY(t)
		cmd := NewRootCommand()
		var out syncBuffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetIn(tty)
		cmd.SetArgs(append([]string{"--data", dir}, args...))
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(context.Background()) }()
		prompts := []string{"New password: ", "Repeat it: "}
		for i, a := range answers {
			deadline := time.Now().Add(wait)
			for {
				tio, terr := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
				if terr == nil && tio.Lflag&unix.ECHO == 0 && strings.Count(out.String(), prompts[i]) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("prompt %q with echo off never came; output %q", prompts[i], out.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			master.WriteString(a + "\n")
		}
		select {
		case err = <-done:
		case <-time.After(wait):
			t.Fatal("the command did not finish")
		}
		master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		var shown bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, rerr := master.Read(buf)
			shown.Write(buf[:n])
			if rerr != nil {
				break
			}
		}
		return shown.String() + out.String(), err
	}

	screen, err := run([]string{"typed-secret-1", "typed-secret-1"}, "user", "create",
		"--email", "tty@example.com", "--username", "tty", "--address", addrSajik)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, screen)
	}
	if strings.Contains(screen, "typed-secret-1") {
		t.Errorf("the password was echoed: %q", screen)
	}
	st := openTestStore(t, dir)
	u, err := st.UserByEmail(context.Background(), "tty@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !newHasher(PasswordCost{}).Check(u.PasswordHash, "typed-secret-1") {
		t.Error("the typed password is not the account's")
	}

	screen, err = run([]string{"typed-secret-2", "typed-secret-3"}, "user", "set-password", "tty@example.com")
	if err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("mismatched passwords: %v", err)
	}
	if strings.Contains(screen, "typed-secret-2") {
		t.Errorf("the password was echoed: %q", screen)
	}
	after, _ := st.UserByEmail(context.Background(), "tty@example.com")
	if after.PasswordHash != u.PasswordHash {
		t.Error("a mismatch changed the password")
	}
}
