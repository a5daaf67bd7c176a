package dbtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db/pgserver"
)

// The test server's life. Each run of the tests (one `go test` command, which runs one test
// binary per package, two or more at once) has a server of its own in a directory of its
// own, $TMPDIR/stockctl-test-$UID/r<pid>-<start>, named after the process that runs the
// binaries: the go command, or the test binary itself when it is run directly. The
// packages of one run share the server (and its migrated template), so the server's
// start (initdb, about 1 to 2 s) and the migrations are paid once per run, not once per
// package; two runs never share one.
//
// The first test process of a run that needs the server starts a reaper: the test binary
// run again, detached, with reapDirEnv set (init below catches it before any test runs).
// The reaper waits for the run's process to end and for every test process of the run to
// let go of users.lock (each holds it shared from its first database until it exits, so a
// crashed test binary lets go too), then stops the server and removes the directory. A
// directory whose reaper died (killed with the machine) is removed by the next run that
// finds it unused.
const (
	reapDirEnv = "STOCKCTL_DBTEST_REAP_DIR"
	reapRunEnv = "STOCKCTL_DBTEST_REAP_RUN"
	// runEnv carries a run's directory and process to test processes the tests start
	// themselves (a test binary re-run as a child), so they join their parent's run.
	runEnv = "STOCKCTL_DBTEST_RUN"

	usersLock  = "users.lock"
	reaperLock = "reaper.lock"
)

func init() {
	if dir := os.Getenv(reapDirEnv); dir != "" {
		os.Exit(reap(dir, os.Getenv(reapRunEnv)))
	}
}

// usersFile is this process's shared lock on its run's users.lock, held until it exits.
var usersFile *os.File

// root is the directory holding this user's test runs.
func root() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("stockctl-test-%d", os.Geteuid()))
}

// run names this process's run: "<pid>:<start time>" of the process the run ends with.
func run() string {
	if v := os.Getenv(runEnv); v != "" {
		if _, r, ok := strings.Cut(v, "|"); ok {
			return r
		}
	}
	if ppid := os.Getppid(); procComm(ppid) == "go" {
		if start, ok := procStart(ppid); ok {
			return strconv.Itoa(ppid) + ":" + start
		}
	}
	start, _ := procStart(os.Getpid())
	return strconv.Itoa(os.Getpid()) + ":" + start
}

// runDir returns the directory of this process's run.
func runDir() string {
	if v := os.Getenv(runEnv); v != "" {
		if dir, _, ok := strings.Cut(v, "|"); ok {
			return dir
		}
	}
	return filepath.Join(root(), "r"+strings.ReplaceAll(run(), ":", "-"))
}

// startServer joins (or opens) this process's run, makes sure its reaper runs and its
// server is up, and returns the server's admin URL.
func startServer(ctx context.Context, opts []pgserver.Option) (string, error) {
	removeAbandoned(ctx)
	dir, r := runDir(), run()
	for {
		// Traverse-only, so the server user (when the tests run as root) reaches its home.
		if err := mkdirAll(dir, 0o711); err != nil {
			return "", err
		}
		f, err := os.OpenFile(filepath.Join(dir, usersLock), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return "", err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
			f.Close()
			return "", err
		}
		// A reaper may have removed the directory between our open and our lock.
		if sameFile(f, filepath.Join(dir, usersLock)) {
			usersFile = f
			break
		}
		f.Close()
	}
	os.Setenv(runEnv, dir+"|"+r)
	if err := startReaper(dir, r); err != nil {
		return "", fmt.Errorf("starting the test server's reaper: %w", err)
	}
	srv := pgserver.New(dir, opts...)
	if _, err := srv.Ensure(ctx); err != nil {
		return "", err
	}
	if err := tune(ctx, srv.AdminURL()); err != nil {
		return "", fmt.Errorf("tuning the test server: %w", err)
	}
	return srv.AdminURL(), nil
}

// tune turns off, on the run's own server, work that costs CPU and tells the tests nothing:
// JIT compiling the bulk tests' big statements (more CPU than it saves on their sizes) and
// autovacuum visiting hundreds of short-lived databases. Measured on inventory/stock and
// db together: 17 s of server CPU against 20 s.
func tune(ctx context.Context, url string) error {
	a, err := sqlx.Open("pgx", url)
	if err != nil {
		return err
	}
	defer a.Close()
	var jit, av string
	if err := a.QueryRowContext(ctx, `SELECT current_setting('jit'), current_setting('autovacuum')`).Scan(&jit, &av); err != nil {
		return err
	}
	if jit == "off" && av == "off" {
		return nil
	}
	for _, q := range []string{`ALTER SYSTEM SET jit = off`, `ALTER SYSTEM SET autovacuum = off`, `SELECT pg_reload_conf()`} {
		if _, err := a.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// startReaper runs a reaper for dir unless one holds reaperLock.
func startReaper(dir, run string) error {
	if !unlocked(filepath.Join(dir, reaperLock)) {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), reapDirEnv+"="+dir, reapRunEnv+"="+run)
	// Its own session, no streams: `go test` waits for its test binaries' output to close,
	// and an interrupt of the tests must not stop the reaper before it cleans up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// reap is the reaper's main: it returns the process's exit code.
func reap(dir, run string) int {
	f, err := os.OpenFile(filepath.Join(dir, reaperLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 1
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return 0 // another reaper has the run
	}
	pid, start, _ := strings.Cut(run, ":")
	for runAlive(pid, start) {
		time.Sleep(200 * time.Millisecond)
	}
	// The run is over; wait for test processes it left behind, then stop and remove.
	u, err := os.OpenFile(filepath.Join(dir, usersLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 1
	}
	if err := syscall.Flock(int(u.Fd()), syscall.LOCK_EX); err != nil {
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return remove(ctx, dir)
}

// remove stops the server of a run directory nobody uses and removes the directory.
func remove(ctx context.Context, dir string) int {
	if err := pgserver.New(dir).Stop(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: stopping the test server in %s: %v\n", dir, err)
		return 1
	}
	if err := os.RemoveAll(dir); err != nil {
		return 1
	}
	return 0
}

// removeAbandoned removes the run directories of runs that are over and whose reaper is
// gone: nothing holds their locks.
func removeAbandoned(ctx context.Context) {
	entries, err := os.ReadDir(root())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, "r") || !strings.Contains(name, "-") {
			continue
		}
		pid, start, _ := strings.Cut(name[1:], "-")
		dir := filepath.Join(root(), name)
		if runAlive(pid, start) || !unlocked(filepath.Join(dir, reaperLock)) {
			continue
		}
		u, err := os.OpenFile(filepath.Join(dir, usersLock), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(u.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			remove(ctx, dir)
		}
		u.Close()
	}
}

// unlocked reports whether nobody holds the lock file path (creating it).
func unlocked(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// runAlive reports whether process pid, started at start, still runs.
func runAlive(pid, start string) bool {
	n, err := strconv.Atoi(pid)
	if err != nil {
		return false
	}
	if s, ok := procStart(n); ok {
		return s == start
	}
	// No /proc: whether the pid exists at all.
	return syscall.Kill(n, 0) == nil || errors.Is(syscall.Kill(n, 0), syscall.EPERM)
}

// procStart is the start time of process pid (clock ticks since boot), from /proc.
func procStart(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	// After "pid (comm)" come the fields from the third on; starttime is the 22nd.
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", false
	}
	return f[19], true
}

func procComm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// mkdirAll creates dir and its missing parents with mode exactly (whatever the umask).
func mkdirAll(dir string, mode fs.FileMode) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := mkdirAll(filepath.Dir(dir), mode); err != nil {
		return err
	}
	if err := os.Mkdir(dir, mode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return os.Chmod(dir, mode)
}
