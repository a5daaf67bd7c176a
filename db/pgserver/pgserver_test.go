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
	// The isolation tests re-execute it as another OS user with this set to a URL: it
	// exits 0 when it gets in, exitRefused when the server will not have it.
	helperConnectEnv = "PGSERVER_TEST_HELPER_CONNECT"
	exitRefused      = 3
)

func TestMain(m *testing.M) {
	if u := os.Getenv(helperConnectEnv); u != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		who, err := queryString(ctx, u, "SELECT current_user")
		if err != nil {
			fmt.Println("refused:", err)
			os.Exit(exitRefused)
		}
		fmt.Println("connected as", who)
		os.Exit(0)
	}
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

// serverUser is the dedicated account a root Start runs the server as (and creates).
func serverUser(t *testing.T) *user.User {
	t.Helper()
	u, err := user.Lookup(dedicatedUser)
	if err != nil {
		t.Fatalf("user %s: %v", dedicatedUser, err)
	}
	return u
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	for in, want := range map[string]string{"15.14": "15", "9.6.24": "9.6", "16beta1": "16", "10.1": "10"} {
		if got := majorOf(in); got != want {
			t.Errorf("majorOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// helperCopy copies the test binary where any user can run it: go test builds it in a
// directory only its owner can enter.
func helperCopy(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := newHome(t)
	bin := filepath.Join(dir, "helper")
	in, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, in, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// connectAs runs the helper as OS user u to connect to url: whether it got in, and what
// it said.
func connectAs(t *testing.T, ctx context.Context, helper string, u *user.User, url string) (bool, string) {
	t.Helper()
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	var out []byte
	var err error
	// A process forked by a parallel test while helperCopy had the file open for writing
	// holds that descriptor until it execs, and exec then fails with "text file busy"
	// (golang/go#22315): start again, as Go's own tests do.
	for try := 0; ; try++ {
		cmd := exec.CommandContext(ctx, helper, "-test.run=^$")
		cmd.Dir = "/"
		cmd.Env = []string{helperConnectEnv + "=" + url, "PATH=/usr/bin:/bin", "HOME=/"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
		out, err = cmd.CombinedOutput()
		if !errors.Is(err, syscall.ETXTBSY) || try == 20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return true, string(out)
	case errors.As(err, &ee) && ee.ExitCode() == exitRefused:
		return false, string(out)
	}
	t.Fatalf("helper as %s: %v: %s", u.Username, err, out)
	return false, ""
}

// otherUsers are OS users who must never get in: nobody, postgres (whose processes a
// system PostgreSQL's COPY ... TO PROGRAM runs) and the server's own account.
func otherUsers(t *testing.T) []*user.User {
	t.Helper()
	var us []*user.User
	for _, name := range []string{"nobody", "postgres", dedicatedUser} {
		if u, err := user.Lookup(name); err == nil {
			us = append(us, u)
		}
	}
	if len(us) < 2 {
		t.Fatalf("want nobody and %s on this machine, found %d of them", dedicatedUser, len(us))
	}
	return us
}

// authLines are the lines of a pg_hba.conf or pg_ident.conf that say something, with
// white space normalised.
func authLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

// checkAuth: the socket uses peer authentication through a map that holds exactly the
// user running the test, as database user stockctl; nothing is trusted.
func checkAuth(t *testing.T, s *Server) {
	t.Helper()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(authLines(t, filepath.Join(s.dataDir, "pg_hba.conf")), "\n"), "local all all peer map=stockctl"; got != want {
		t.Errorf("pg_hba.conf says %q, want %q", got, want)
	}
	if got, want := strings.Join(authLines(t, filepath.Join(s.dataDir, "pg_ident.conf")), "\n"), `stockctl "`+me.Username+`" stockctl`; got != want {
		t.Errorf("pg_ident.conf says %q, want %q", got, want)
	}
}

// TestOnlyOwnerConnects: the user running stockctl gets in; nobody else does, not even
// with the socket directory opened to everyone, and not the account the server runs as.
//
// Trying other users needs root, to switch to them; run as another user the test checks
// what that user can see: the map names only them, and the socket directory is theirs
// alone (mode 0700), so no one else can reach the socket. The project's CI runs as root.
func TestOnlyOwnerConnects(t *testing.T) {
	t.Parallel()
	realBinDir(t)
	ctx := testCtx(t)
	s := New(newHome(t), WithTestTuning())
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	selectOne(t, ctx, s.URL())
	if _, err := queryString(ctx, s.AdminURL(), "SELECT 1::text"); err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	checkAuth(t, s)
	owner := strconv.Itoa(os.Geteuid())
	if os.Geteuid() == 0 {
		owner = serverUser(t).Uid
	}
	checkDir(t, s.runDir, 0o700, owner)
	if os.Geteuid() != 0 {
		t.Skip("connecting as other users needs root")
	}

	helper := helperCopy(t)
	for _, u := range otherUsers(t) {
		for _, url := range []string{s.URL(), s.AdminURL()} {
			if ok, out := connectAs(t, ctx, helper, u, url); ok {
				t.Errorf("user %s connected to %s: %s", u.Username, url, out)
			} else if u.Username == dedicatedUser && !strings.Contains(out, "Peer authentication failed") {
				// It owns the socket, so only peer authentication stands in its way.
				t.Errorf("user %s refused for another reason than peer authentication: %s", u.Username, out)
			}
		}
	}

	// With the socket open to everyone, peer authentication alone keeps them out.
	for _, d := range []string{s.pgDir, s.runDir} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(d, 0o700)
	}
	if err := os.Chmod(s.socketPath(), 0o777); err != nil {
		t.Fatal(err)
	}
	for _, u := range otherUsers(t) {
		if ok, out := connectAs(t, ctx, helper, u, s.URL()); ok || !strings.Contains(out, "Peer authentication failed") {
			t.Errorf("user %s with the socket open: connected %v: %s", u.Username, ok, out)
		}
	}
}

// postmasterUID is the user id a running postmaster runs as.
func postmasterUID(t *testing.T, s *Server) string {
	t.Helper()
	pid, err := readPID(s.pidFile())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatalf("no Uid in /proc/%d/status", pid)
	return ""
}

// oldCluster sets up home the way stockctl did before it had an account of its own, as
// root: run as postgres (else nobody), trusting every connection on its socket, running.
func oldCluster(t *testing.T, ctx context.Context, home string) (*Server, *account) {
	t.Helper()
	bin := realBinDir(t)
	var old *account
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			if a, err := fromUser(u); err == nil {
				old = a
				break
			}
		}
	}
	if old == nil {
		t.Skip("no postgres or nobody user to make an old cluster with")
	}
	s := New(home, WithTestTuning())
	for _, d := range []string{s.pgDir, s.runDir, s.dataDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := old.chown(d); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.command(ctx, old, bin, "initdb", "-D", s.dataDir, "-U", dbUser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	if err := s.writeConfig(s.dataDir, old); err != nil {
		t.Fatal(err)
	}
	if err := s.pgctlStart(ctx, old, bin); err != nil {
		t.Fatal(err)
	}
	if err := s.createDB(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`); err != nil {
		t.Fatal(err)
	}
	return s, old
}

// TestHandOverOldCluster: a root install made before stockctl had an account of its own
// (run as postgres, trusting its socket, running) is stopped, handed to the dedicated
// account and started again as it, with peer authentication, its data intact; several
// processes and goroutines racing to start it do it once, and again is a no-op.
func TestHandOverOldCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another account, so only root has clusters to hand over")
	}
	t.Parallel()
	ctx := testCtx(t)
	home := newHome(t)
	s, old := oldCluster(t, ctx, home)
	helper := helperCopy(t)
	oldUser, err := user.LookupId(strconv.FormatUint(uint64(old.uid), 10))
	if err != nil {
		t.Fatal(err)
	}
	// The hole being closed: the old cluster's owner walks in.
	if ok, out := connectAs(t, ctx, helper, oldUser, s.URL()); !ok {
		t.Fatalf("the old cluster should let its owner %s in: %s", old.name, out)
	}

	bin := realBinDir(t)
	const goroutines, processes = 2, 2
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
			if _, err := New(home, WithTestTuning()).Ensure(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	acct := serverUser(t)
	if uid := postmasterUID(t, s); uid != acct.Uid {
		t.Errorf("server runs as uid %s, want %s (%s)", uid, acct.Uid, dedicatedUser)
	}
	err = filepath.WalkDir(s.pgDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if uid := strconv.FormatUint(uint64(fi.Sys().(*syscall.Stat_t).Uid), 10); uid != acct.Uid {
			t.Errorf("%s is owned by uid %s, not %s", path, uid, dedicatedUser)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkAuth(t, s)
	var v string
	if v, err = queryString(ctx, s.URL(), "SELECT v FROM kept"); err != nil || v != "still here" {
		t.Fatalf("data after the hand-over: %q, %v", v, err)
	}
	for _, u := range otherUsers(t) {
		if ok, out := connectAs(t, ctx, helper, u, s.URL()); ok {
			t.Errorf("user %s connected after the hand-over: %s", u.Username, out)
		}
	}

	pid := mustStatus(t, ctx, s).PID
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if again := mustStatus(t, ctx, s).PID; again != pid {
		t.Errorf("Start after the hand-over restarted the server: pid %d, then %d", pid, again)
	}
}

// TestRunningTrustServerConverted: a running server of the right owner whose pg_hba.conf
// trusts the socket (a cluster from before peer authentication, as ordinary users have
// them) gets stockctl's authentication back on the next Ensure, by reload, not restart.
func TestRunningTrustServerConverted(t *testing.T) {
	t.Parallel()
	realBinDir(t)
	ctx := testCtx(t)
	s := New(newHome(t), WithTestTuning())
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pid := mustStatus(t, ctx, s).PID
	if err := os.WriteFile(filepath.Join(s.dataDir, "pg_hba.conf"), []byte("local all all trust\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := queryString(ctx, s.AdminURL(), "SELECT pg_reload_conf()::text"); err != nil {
		t.Fatal(err)
	}
	var helper string
	var intruder *user.User
	if os.Geteuid() == 0 {
		helper, intruder = helperCopy(t), serverUser(t)
		// The server's own account owns the socket: under trust it gets in.
		deadline := time.Now().Add(10 * time.Second)
		for ok, _ := connectAs(t, ctx, helper, intruder, s.URL()); !ok; ok, _ = connectAs(t, ctx, helper, intruder, s.URL()) {
			if time.Now().After(deadline) {
				t.Fatal("trust was never in force")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	if _, err := s.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	checkAuth(t, s)
	if again := mustStatus(t, ctx, s).PID; again != pid {
		t.Errorf("converting restarted the server: pid %d, then %d", pid, again)
	}
	if intruder == nil {
		return // connecting as another user needs root
	}
	// A reload applies to connections made once the postmaster has read the files again.
	deadline := time.Now().Add(10 * time.Second)
	for ok, out := connectAs(t, ctx, helper, intruder, s.URL()); ok; ok, out = connectAs(t, ctx, helper, intruder, s.URL()) {
		if time.Now().After(deadline) {
			t.Fatalf("user %s still gets in after Ensure: %s", intruder.Username, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOtherUsersHomeRefused: root does not take over an ordinary user's own stockctl
// home (its owner also owns the cluster), nor open up its mode.
func TestOtherUsersHomeRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root would hand a cluster over")
	}
	t.Parallel()
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	a, err := fromUser(nobody)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(newHome(t), "home")
	s := New(home)
	for _, d := range []string{home, s.pgDir, s.dataDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := a.chown(d); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Start(testCtx(t))
	if !fault.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "stockctl home of user nobody") || !strings.Contains(err.Error(), "STOCKCTL_HOME") {
		t.Fatalf("err = %v, want an unavailable error naming nobody's home", err)
	}
	for _, d := range []string{home, s.pgDir, s.dataDir} {
		checkDir(t, d, 0o700, nobody.Uid)
	}
}
