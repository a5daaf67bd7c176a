//go:build linux

package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// The child half of TestStocktakeScanOnARealTerminal: the test binary run again as stockctl,
// its standard streams a pseudo-terminal, the way a person with a USB scanner runs it.
func TestStocktakeScanTTYChild(t *testing.T) {
	args := os.Getenv("STOCKCTL_TTY_CHILD_ARGS")
	if args == "" {
		t.Skip("run by TestStocktakeScanOnARealTerminal")
	}
	os.Args = append([]string{"stockctl"}, strings.Split(args, "\x1f")...)
	os.Exit(Main())
}

// openPTY opens a pseudo-terminal pair: the controlling side and the terminal side.
func openPTY() (ptmx, pts *os.File, err error) {
	ptmx, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), req, uintptr(arg)); e != 0 {
			return e
		}
		return nil
	}
	var unlock int32
	var n uint32
	if err = ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err == nil {
		err = ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	}
	if err == nil {
		pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		ptmx.Close()
		return nil, nil, err
	}
	return ptmx, pts, nil
}

// A scanner types codes into a terminal: stockctl sees a terminal on its standard input
// (not a pipe), prints the running tally, and ends on Ctrl-D.
func TestStocktakeScanOnARealTerminal(t *testing.T) {
	ptmx, pts, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer ptmx.Close()
	url, unit, box := stocktakeSetup(t)
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W").wantCode(t, ExitOK)

	cmd := exec.Command(os.Args[0], "-test.run=^TestStocktakeScanTTYChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STOCKCTL_TTY_CHILD_ARGS="+strings.Join([]string{
		"--db", url, "--actor", "scanner", "stocktake", "scan", "ST-000001"}, "\x1f"), "NO_COLOR=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close()

	// Read the terminal as it fills; type the next code once the previous one is answered.
	out := make(chan []byte, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				out <- append([]byte(nil), buf[:n]...)
			}
			if err != nil { // EIO once the child has gone
				close(out)
				return
			}
		}
	}()
	var screen bytes.Buffer
	waitFor := func(s string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for !strings.Contains(screen.String(), s) {
			select {
			case b, ok := <-out:
				if !ok {
					t.Fatalf("terminal closed before %q appeared:\n%s", s, screen.String())
				}
				screen.Write(b)
			case <-deadline:
				t.Fatalf("%q never appeared on the terminal:\n%s", s, screen.String())
			}
		}
	}
	waitFor("Ctrl-D ends")
	for i, c := range []struct{ code, answer string }{
		{unit, "+1 W bay A1: counted 1 of 10 expected"},
		{box, "+12 W (box) bay A1: counted 13 of 10 expected"},
		{"NOPE", `! NOPE: unknown code "NOPE"`},
	} {
		if _, err := io.WriteString(ptmx, c.code+"\r"); err != nil {
			t.Fatal(err)
		}
		waitFor(c.answer)
		waitFor(fmt.Sprintf("[%d scans", i+1))
	}
	if _, err := ptmx.Write([]byte{4}); err != nil { // Ctrl-D
		t.Fatal(err)
	}
	waitFor("ST-000001: 3 scans, 2 counted (13 units on 1 lines), 1 not counted")
	for range out {
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != ExitPartial {
		t.Fatalf("exit: %v, want %d\n%s", err, ExitPartial, screen.String())
	}
	// The terminal echoed each code on its own line, the tally after it.
	if !strings.Contains(screen.String(), unit+"\r\n  +1 W") {
		t.Fatalf("echo and tally:\n%q", screen.String())
	}
	var doc stDocJSON
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if l := doc.line(t, "W", "A1"); s(l.Counted) != "13" {
		t.Fatalf("counted: %+v", l)
	}
}
