package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stockctl/stockctl/fault"
)

// The concurrency test re-executes the test binary with these set, to start the
// server from a second process.
const (
	helperHomeEnv = "PGSERVER_TEST_HELPER_HOME"
	helperBinEnv  = "PGSERVER_TEST_HELPER_BIN"
)

func TestMain(m *testing.M) {
	if home := os.Getenv(helperHomeEnv); home != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := New(home, WithTestTuning(), WithBinDir(os.Getenv(helperBinEnv))).Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newHome makes a home the server user can reach when the tests run as root:
// t.TempDir's 0700 parent would shut it out. Cleanup stops any server left in it.
func newHome(t *testing.T) string {
	t.Helper()
	home, err := os.MkdirTemp("", "pgs")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o711); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Tests may put their stockctl home one level down.
		pgs, _ := filepath.Glob(filepath.Join(home, "*", "pg"))
		for _, pg := range append(pgs, filepath.Join(home, "pg")) {
			if err := New(filepath.Dir(pg)).Stop(ctx); err != nil {
				t.Errorf("stopping server in %s: %v", pg, err)
			}
		}
		os.RemoveAll(home)
	})
	return home
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// realBinDir finds the machine's binaries the way Start does, or skips the test.
func realBinDir(t *testing.T) string {
	t.Helper()
	for _, d := range searchBinDirs(context.Background()) {
		if hasTools(d) {
			return d
		}
	}
	t.Skip("no PostgreSQL server binaries on this machine")
	return ""
}

func serverUser(t *testing.T) *user.User {
	t.Helper()
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			return u
		}
	}
	t.Fatal("no postgres or nobody user")
	return nil
}

func checkDir(t *testing.T, path string, mode fs.FileMode, uid string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != mode {
		t.Errorf("%s: mode %04o, want %04o", path, got, mode)
	}
	if got := strconv.FormatUint(uint64(fi.Sys().(*syscall.Stat_t).Uid), 10); got != uid {
		t.Errorf("%s: owner uid %s, want %s", path, got, uid)
	}
}

func selectOne(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	var dbname string
	if err := db.QueryRowContext(ctx, "SELECT 1, current_database()").Scan(&one, &dbname); err != nil {
		t.Fatalf("SELECT 1 over %s: %v", url, err)
	}
	if one != 1 || dbname != "stockctl" {
		t.Fatalf("got %d in %q, want 1 in stockctl", one, dbname)
	}
}

func mustStatus(t *testing.T, ctx context.Context, s *Server) Status {
	t.Helper()
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestLifecycle covers start, restart as a no-op, stop, and starting over stale pid files.
func TestLifecycle(t *testing.T) {
	realBinDir(t)
	ctx := testCtx(t)
	// A home that does not exist yet, so Start chooses its mode.
	home := filepath.Join(newHome(t), "home")
	s := New(home, WithTestTuning())

	st := mustStatus(t, ctx, s)
	if st.Initialised || st.Running {
		t.Fatalf("fresh home: %+v", st)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st = mustStatus(t, ctx, s)
	if !st.Initialised || !st.Running || st.PID <= 0 || st.Version == "" {
		t.Fatalf("after Start: %+v", st)
	}
	if st.DataDir != filepath.Join(home, "pg", "data") || st.SocketDir != filepath.Join(home, "pg", "run") {
		t.Errorf("layout: %+v", st)
	}
	selectOne(t, ctx, s.URL())

	want, homeMode := strconv.Itoa(os.Geteuid()), fs.FileMode(0o700)
	if os.Geteuid() == 0 {
		want, homeMode = serverUser(t).Uid, 0o711
	}
	for _, d := range []string{s.pgDir, s.dataDir, s.runDir} {
		checkDir(t, d, 0o700, want)
	}
	checkDir(t, home, homeMode, strconv.Itoa(os.Geteuid()))
	conf, err := os.ReadFile(filepath.Join(s.dataDir, "postgresql.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"listen_addresses = ''", "unix_socket_permissions = 0700", "fsync = off"} {
		if !strings.Contains(string(conf), line+"\n") {
			t.Errorf("postgresql.conf lacks %q", line)
		}
	}

	if err := s.Start(ctx); err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if again := mustStatus(t, ctx, s); again.PID != st.PID {
		t.Errorf("second Start restarted the server: pid %d, then %d", st.PID, again.PID)
	}
	if url, err := s.Ensure(ctx); err != nil || url != s.URL() {
		t.Errorf("Ensure = %q, %v", url, err)
	}

	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if st := mustStatus(t, ctx, s); st.Running || !st.Initialised || st.PID != 0 {
		t.Fatalf("after Stop: %+v", st)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop of a stopped server: %v", err)
	}

	// A pid file left by a crash: first a dead pid, then a live process that is not postgres.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	for name, pid := range map[string]int{"dead pid": dead.Process.Pid, "live non-postgres pid": os.Getpid()} {
		t.Run(name, func(t *testing.T) {
			content := fmt.Sprintf("%d\n%s\n1700000000\n5432\n%s\n\n  5432001    0\nready   \n", pid, s.dataDir, s.runDir)
			for _, f := range []string{s.pidFile(), s.sockLockFile()} {
				if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			url, err := s.Ensure(ctx)
			if err != nil {
				t.Fatalf("start over stale pid file: %v", err)
			}
			selectOne(t, ctx, url)
			if st := mustStatus(t, ctx, s); !st.Running || st.PID == pid {
				t.Errorf("status: %+v", st)
			}
			if err := s.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// wrappedBinDir is a bin directory whose initdb counts its runs in the returned file.
func wrappedBinDir(t *testing.T, real string) (string, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgsbin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// initdb runs as the server user when we are root, so it must reach the counter.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	count := filepath.Join(dir, "initdb-runs")
	if err := os.WriteFile(count, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(count, 0o666); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\necho run >> '%s'\nexec '%s' \"$@\"\n", count, filepath.Join(real, "initdb"))
	if err := os.WriteFile(filepath.Join(dir, "initdb"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"pg_ctl", "postgres"} {
		if err := os.Symlink(filepath.Join(real, tool), filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, count
}

// TestConcurrentStart starts one fresh home from goroutines and other processes at once.
func TestConcurrentStart(t *testing.T) {
	bin, count := wrappedBinDir(t, realBinDir(t))
	ctx := testCtx(t)
	home := newHome(t)

	const goroutines, processes = 3, 2
	errs := make(chan error, goroutines+processes)
	var wg sync.WaitGroup
	for i := 0; i < processes; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperHomeEnv+"="+home, helperBinEnv+"="+bin)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("helper process: %v: %s", err, out)
			}
		}()
	}
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := New(home, WithTestTuning(), WithBinDir(bin)).Start(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	runs, err := os.ReadFile(count)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(runs), "run\n"); n != 1 {
		t.Errorf("initdb ran %d times, want 1", n)
	}
	s := New(home)
	if st := mustStatus(t, ctx, s); !st.Running {
		t.Fatalf("not running: %+v", st)
	}
	selectOne(t, ctx, s.URL())
	if leftovers, _ := filepath.Glob(filepath.Join(home, "pg", "data.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary data directories left: %v", leftovers)
	}
}

func TestNoBinaries(t *testing.T) {
	s := New(newHome(t), WithBinDir(t.TempDir()))
	_, err := s.Ensure(testCtx(t))
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	if k := fault.KindOf(err); k != fault.Unavailable {
		t.Errorf("kind %v, want unavailable", k)
	}
	if !strings.Contains(err.Error(), "install PostgreSQL") || !strings.Contains(err.Error(), "STOCKCTL_DATABASE_URL") {
		t.Errorf("message does not say what to do: %v", err)
	}
}

func TestSocketPathTooLong(t *testing.T) {
	home := filepath.Join(newHome(t), strings.Repeat("x", 100))
	err := New(home).Start(testCtx(t))
	if !fault.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "STOCKCTL_HOME") {
		t.Fatalf("err = %v, want an unavailable error suggesting STOCKCTL_HOME", err)
	}
	if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("home was created anyway")
	}
}

func TestUnreachableHomeAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	parent := filepath.Join(newHome(t), "private")
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(parent, "stockctl")
	err := New(home).Start(testCtx(t))
	if !fault.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), parent) || !strings.Contains(err.Error(), "STOCKCTL_HOME") {
		t.Fatalf("err = %v, want an unavailable error naming %s", err, parent)
	}
	if fi, _ := os.Stat(parent); fi.Mode().Perm() != 0o700 {
		t.Errorf("%s was changed to %04o", parent, fi.Mode().Perm())
	}
	if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("home was created anyway")
	}
}

func TestDefaultHome(t *testing.T) {
	t.Setenv("STOCKCTL_HOME", "/srv/stock")
	if h, err := DefaultHome(); err != nil || h != "/srv/stock" {
		t.Errorf("with STOCKCTL_HOME: %q, %v", h, err)
	}
	t.Setenv("STOCKCTL_HOME", "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	want := "/xdg/stockctl"
	if os.Geteuid() == 0 {
		want = "/var/lib/stockctl"
	}
	if h, err := DefaultHome(); err != nil || h != want {
		t.Errorf("DefaultHome = %q, %v; want %q", h, err, want)
	}
}

// TestURL checks the driver reads the socket directory out of URL, spaces and all.
func TestURL(t *testing.T) {
	s := New("/tmp/a home/x'y")
	cfg, err := pgx.ParseConfig(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "/tmp/a home/x'y/pg/run" || cfg.Database != "stockctl" || cfg.User != "stockctl" || cfg.Port != 5432 {
		t.Errorf("parsed %s as host %q db %q user %q port %d", s.URL(), cfg.Host, cfg.Database, cfg.User, cfg.Port)
	}
	if cfg, err := pgx.ParseConfig(s.AdminURL()); err != nil || cfg.Database != "postgres" {
		t.Errorf("admin URL: %v %v", cfg.Database, err)
	}
}

func TestMajorOf(t *testing.T) {
	for in, want := range map[string]string{"15.14": "15", "9.6.24": "9.6", "16beta1": "16", "10.1": "10"} {
		if got := majorOf(in); got != want {
			t.Errorf("majorOf(%q) = %q, want %q", in, got, want)
		}
	}
}
