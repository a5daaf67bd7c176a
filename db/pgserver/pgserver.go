// Package pgserver runs stockctl's own private PostgreSQL server from the machine's PostgreSQL binaries.
package pgserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/stockctl/stockctl/fault"
)

const (
	dbName = "stockctl"
	dbUser = "stockctl"
	// The port only names the socket file; the socket lives in our own directory, so
	// it cannot collide with a system server on 5432.
	port       = 5432
	socketName = ".s.PGSQL.5432"

	// settleTimeout bounds the wait for a postmaster that is already starting or stopping.
	settleTimeout = 30 * time.Second
	// pingTimeout keeps a wedged server from hanging every command.
	pingTimeout = 5 * time.Second
)

// Option changes how a Server is set up.
type Option func(*Server)

// WithTestTuning trades crash safety for speed; only for throwaway test servers.
func WithTestTuning() Option { return func(s *Server) { s.testTuning = true } }

// WithBinDir uses the PostgreSQL binaries in dir instead of searching for them.
func WithBinDir(dir string) Option { return func(s *Server) { s.binDir = dir } }

// Server is a private PostgreSQL cluster living under a stockctl home directory.
// A Server holds no open resources, so it is safe to use from several goroutines.
type Server struct {
	home       string
	pgDir      string
	dataDir    string
	runDir     string
	logFile    string
	lockFile   string
	binDir     string
	testTuning bool
}

// Status describes the private server.
type Status struct {
	Home        string `json:"home"`
	DataDir     string `json:"data_dir"`
	SocketDir   string `json:"socket_dir"`
	Initialised bool   `json:"initialised"`
	Running     bool   `json:"running"`
	PID         int    `json:"pid"`
	// Version is the running server's version, or the data directory's major version
	// when the server is stopped.
	Version string `json:"version"`
}

// DefaultHome is $STOCKCTL_HOME; else /var/lib/stockctl for root, whose own home
// directory the unprivileged server user cannot reach; else the XDG data directory.
func DefaultHome() (string, error) {
	if h := os.Getenv("STOCKCTL_HOME"); h != "" {
		return filepath.Abs(h)
	}
	if os.Geteuid() == 0 {
		return "/var/lib/stockctl", nil
	}
	// The XDG spec says relative values are to be ignored.
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "stockctl"), nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fault.Wrap(fault.Unavailable, err, "cannot find a home for stockctl's database (set STOCKCTL_HOME)")
	}
	return filepath.Join(h, ".local", "share", "stockctl"), nil
}

// New describes the server under home; nothing is touched until Start.
func New(home string, opts ...Option) *Server {
	if home != "" {
		// The socket directory must be absolute, or the driver would treat it as a host name.
		if abs, err := filepath.Abs(home); err == nil {
			home = abs
		}
	}
	pg := filepath.Join(home, "pg")
	s := &Server{
		home:     home,
		pgDir:    pg,
		dataDir:  filepath.Join(pg, "data"),
		runDir:   filepath.Join(pg, "run"),
		logFile:  filepath.Join(pg, "server.log"),
		lockFile: filepath.Join(pg, "lock"),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// URL is the connection URL of the stockctl database.
func (s *Server) URL() string { return s.url(dbName) }

// AdminURL is the connection URL of the postgres maintenance database.
func (s *Server) AdminURL() string { return s.url("postgres") }

// url puts the socket directory in the host parameter because net/url rejects an
// escaped path in the host part. The port is explicit so a PGPORT in the
// environment cannot point the driver at a socket name we do not use.
func (s *Server) url(db string) string {
	// %20, not QueryEscape's "+", because pgx reads a "+" in the query as itself.
	return "postgres://" + dbUser + "@/" + db + "?host=" + strings.ReplaceAll(url.QueryEscape(s.runDir), "+", "%20") +
		"&port=" + strconv.Itoa(port) + "&sslmode=disable"
}

func (s *Server) socketPath() string   { return filepath.Join(s.runDir, socketName) }
func (s *Server) pidFile() string      { return filepath.Join(s.dataDir, "postmaster.pid") }
func (s *Server) sockLockFile() string { return s.socketPath() + ".lock" }

// Ensure returns the URL of a running server, starting it only when needed.
func (s *Server) Ensure(ctx context.Context) (string, error) {
	if s.answering(ctx) {
		return s.URL(), nil
	}
	if err := s.Start(ctx); err != nil {
		return "", err
	}
	return s.URL(), nil
}

// answering is the fast path run by every command: it takes no lock and only dials
// when the socket and a live postmaster are both there.
func (s *Server) answering(ctx context.Context) bool {
	if _, err := os.Stat(s.socketPath()); err != nil {
		return false
	}
	pid, err := readPID(s.pidFile())
	if err != nil || !alive(pid) || !s.current() {
		return false
	}
	_, err = queryString(ctx, s.URL(), "SELECT 'ok'")
	return err == nil
}

// current reports whether the cluster is set up the way Start leaves it: owned by the
// account the server must run as, and letting in only the user running stockctl. A cluster
// from an earlier stockctl (run as postgres, trusting its socket) is not, and goes through
// Start, which converts it. It only looks, creating nothing.
func (s *Server) current() bool {
	want := uint32(os.Geteuid())
	if want == 0 {
		a, err := lookupDedicated()
		if err != nil {
			return false
		}
		want = a.uid
	}
	fi, err := os.Stat(s.dataDir)
	if err != nil {
		return false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != want {
		return false
	}
	client, err := clientUser()
	if err != nil {
		return false
	}
	hba, ident := authFiles(client)
	return fileIs(filepath.Join(s.dataDir, "pg_hba.conf"), hba) && fileIs(filepath.Join(s.dataDir, "pg_ident.conf"), ident)
}

func fileIs(path, content string) bool {
	b, err := os.ReadFile(path)
	return err == nil && string(b) == content
}

// Status reports whether the server is initialised and answering.
func (s *Server) Status(ctx context.Context) (Status, error) {
	st := Status{Home: s.home, DataDir: s.dataDir, SocketDir: s.runDir}
	major, err := s.dataVersion()
	if err != nil {
		return st, err
	}
	st.Initialised = major != ""
	st.Version = major
	if v, err := queryString(ctx, s.AdminURL(), "SHOW server_version"); err == nil {
		st.Running = true
		st.Version = v
		if pid, err := readPID(s.pidFile()); err == nil {
			st.PID = pid
		}
	}
	return st, nil
}

// Start initialises the data directory if needed, starts the server if it is not
// running and makes sure the stockctl database exists. It is safe to call from
// several processes at once.
func (s *Server) Start(ctx context.Context) error {
	err := s.start(ctx)
	if err != nil && ctx.Err() != nil {
		// Report the interruption itself, not whatever it made fail.
		return fmt.Errorf("starting stockctl's PostgreSQL server: %w", ctx.Err())
	}
	return err
}

func (s *Server) start(ctx context.Context) error {
	if err := s.checkPaths(); err != nil {
		return err
	}
	client, err := clientUser()
	if err != nil {
		return err
	}
	acct, err := serverAccount(ctx)
	if err != nil {
		return err
	}
	if acct != nil {
		if err := checkReachable(s.home, acct); err != nil {
			return err
		}
	}
	if err := s.checkNotTheirs(acct); err != nil {
		return err
	}
	if err := s.makeHome(acct); err != nil {
		return err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	// Under the lock: a cluster of another account is stopped and handed over before
	// anything else changes hands.
	if err := s.handOver(ctx, acct); err != nil {
		return err
	}
	if err := s.makeDirs(acct); err != nil {
		return err
	}
	if _, err := queryString(ctx, s.AdminURL(), "SELECT 'ok'"); err == nil {
		return s.upAlready(ctx, acct, client)
	}
	major, err := s.dataVersion()
	if err != nil {
		return err
	}
	bin, err := s.findBinaries(ctx, acct, major)
	if err != nil {
		return err
	}
	if major == "" {
		if err := s.initdb(ctx, acct, bin, client); err != nil {
			return err
		}
	} else {
		running, err := s.settle(ctx)
		if err != nil {
			return err
		}
		if running {
			return s.upAlready(ctx, acct, client)
		}
	}
	// Rewritten before every start so a moved home or changed tuning takes effect, and a
	// cluster made by an earlier stockctl (trusting its socket) is converted.
	if err := s.writeConfig(s.dataDir, acct); err != nil {
		return err
	}
	if _, err := s.writeAuth(s.dataDir, acct, client); err != nil {
		return err
	}
	if err := s.pgctlStart(ctx, acct, bin); err != nil {
		return err
	}
	return s.createDB(ctx)
}

// upAlready finishes Start on a server found running: authentication that is not what
// writeAuth writes (a cluster from before peer authentication) is rewritten and reloaded,
// which applies to every connection made afterwards.
func (s *Server) upAlready(ctx context.Context, acct *account, client string) error {
	changed, err := s.writeAuth(s.dataDir, acct, client)
	if err != nil {
		return err
	}
	if changed {
		if _, err := queryString(ctx, s.AdminURL(), "SELECT pg_reload_conf()::text"); err != nil {
			return fault.Wrap(fault.Unavailable, err, "reloading PostgreSQL's authentication settings in %s", s.dataDir)
		}
	}
	return s.createDB(ctx)
}

// Stop shuts the server down with a fast shutdown; a server that is not running is not an error.
func (s *Server) Stop(ctx context.Context) error {
	if _, err := os.Stat(s.pgDir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.stopAs(ctx, s.owner())
}

// stopAs stops a running server of this data directory as a, which must own it. The
// caller holds the lock.
func (s *Server) stopAs(ctx context.Context, a *account) error {
	pid, err := readPID(s.pidFile())
	if err != nil || !s.isOurPostmaster(pid) {
		// No pid file, or a stale one that the next Start clears.
		return nil
	}
	major, err := s.dataVersion()
	if err != nil {
		return err
	}
	bin, err := s.findBinaries(ctx, a, major)
	if err != nil {
		return err
	}
	out, err := s.command(ctx, a, bin, "pg_ctl", "stop", "-D", s.dataDir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil && s.isOurPostmaster(pid) {
		return fmt.Errorf("stopping PostgreSQL in %s: %w", s.dataDir, cmdErr(err, out))
	}
	return nil
}

// handOver gives a cluster owned by another account to acct, the account the server must
// run as: every root install before stockctl had an account of its own ran as postgres (or
// nobody). It stops the server as its owner, then hands over the whole tree with the data
// directory itself last, so a crash part-way leaves a cluster that still reads as not
// handed over and the next Start finishes the job. The caller holds the lock.
func (s *Server) handOver(ctx context.Context, acct *account) error {
	if acct == nil {
		return nil
	}
	fi, err := os.Stat(s.dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing initialised: makeDirs hands over the directories
	}
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "reading the PostgreSQL data directory")
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == acct.uid {
		return nil
	}
	if st.Uid != 0 {
		if err := s.checkNotTheirs(acct); err != nil {
			return err
		}
		if err := s.stopAs(ctx, accountOf(st.Uid, st.Gid)); err != nil {
			return err
		}
	}
	return s.chownTree(acct)
}

// checkNotTheirs refuses, as root, a home whose owner also owns its cluster: that is an
// ordinary user's own stockctl home, not a root install, and handing it over (or even
// opening up the home's mode) would lock its owner out.
func (s *Server) checkNotTheirs(acct *account) error {
	if acct == nil {
		return nil
	}
	df, err := os.Stat(s.dataDir)
	if err != nil {
		return nil
	}
	hf, err := os.Stat(s.home)
	if err != nil {
		return nil
	}
	dst, ok1 := df.Sys().(*syscall.Stat_t)
	hst, ok2 := hf.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 || dst.Uid == 0 || dst.Uid == acct.uid || dst.Uid != hst.Uid {
		return nil
	}
	name := accountOf(dst.Uid, dst.Gid).name
	return fault.Unavailablef("%s is the stockctl home of user %s, whose own server runs there: run stockctl as %s, or set STOCKCTL_HOME to another directory",
		s.home, name, name)
}

// chownTree hands everything under home/pg to a, the data directory itself last; table
// spaces and a pg_wal linked elsewhere go with it.
func (s *Server) chownTree(a *account) error {
	walk := func(root string) error {
		err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if path == s.dataDir {
				return nil
			}
			return a.chown(path)
		})
		if err != nil {
			return fault.Wrap(fault.Unavailable, err, "handing %s to user %s", root, a.name)
		}
		return nil
	}
	if err := walk(s.pgDir); err != nil {
		return err
	}
	links, _ := filepath.Glob(filepath.Join(s.dataDir, "pg_tblspc", "*"))
	for _, link := range append(links, filepath.Join(s.dataDir, "pg_wal")) {
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if target, err := filepath.EvalSymlinks(link); err == nil {
			if err := walk(target); err != nil {
				return err
			}
		}
	}
	if err := a.chown(s.dataDir); err != nil {
		return err
	}
	syncDir(s.pgDir)
	return nil
}

// checkPaths rejects homes PostgreSQL cannot use before anything is created.
func (s *Server) checkPaths() error {
	if s.home == "" {
		return fault.Unavailablef("no home directory for stockctl's database: set STOCKCTL_HOME")
	}
	// pg_ctl passes paths through sh inside double quotes, unix_socket_directories is a
	// comma-separated list and drivers split hosts on commas, so these cannot be quoted safely.
	if strings.ContainsAny(s.home, "\",$`\\") || strings.ContainsFunc(s.home, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fault.Unavailablef("stockctl's home %q contains characters PostgreSQL's tools cannot handle in a path: set STOCKCTL_HOME to a plain directory", s.home)
	}
	// sun_path holds 108 bytes on Linux and 104 on the BSDs and macOS, NUL included.
	limit := 107
	if runtime.GOOS != "linux" {
		limit = 103
	}
	if n := len(s.socketPath()); n > limit {
		return fault.Unavailablef("PostgreSQL socket path %s is %d bytes, over the system limit of %d: set STOCKCTL_HOME to a shorter directory (e.g. %s)",
			s.socketPath(), n, limit, shortHomeHint())
	}
	return nil
}

func shortHomeHint() string {
	if os.Geteuid() == 0 {
		return "/var/lib/stockctl"
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".stockctl")
	}
	return "/tmp/stockctl"
}

// makeHome creates home and home/pg, where the lock lives; home gets the mode the
// server needs.
func (s *Server) makeHome(acct *account) error {
	homeMode := fs.FileMode(0o700)
	if acct != nil {
		// Traverse-only, so the server user can reach home/pg without listing home.
		homeMode = 0o711
	}
	if err := mkdirAll(s.home, homeMode); err != nil {
		return fault.Wrap(fault.Unavailable, err, "creating stockctl's home")
	}
	if acct != nil {
		fi, err := os.Stat(s.home)
		if err != nil {
			return fault.Wrap(fault.Unavailable, err, "stockctl's home")
		}
		if !acct.canSearch(fi) {
			if err := os.Chmod(s.home, homeMode); err != nil {
				return fault.Wrap(fault.Unavailable, err, "letting the PostgreSQL server user reach stockctl's home")
			}
		}
	}
	if err := os.Mkdir(s.pgDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fault.Wrap(fault.Unavailable, err, "creating %s", s.pgDir)
	}
	return nil
}

// makeDirs gives home/pg and home/pg/run the modes and owner the server needs; the caller
// holds the lock, so a server being handed over is never changed under its feet.
func (s *Server) makeDirs(acct *account) error {
	for _, dir := range []string{s.pgDir, s.runDir} {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fault.Wrap(fault.Unavailable, err, "creating %s", dir)
		}
		// Only the server's owner may reach the data and the socket (peer authentication
		// then lets in only the user running stockctl).
		if err := os.Chmod(dir, 0o700); err != nil {
			return fault.Wrap(fault.Unavailable, err, "setting permissions of %s", dir)
		}
		if err := acct.chown(dir); err != nil {
			return err
		}
	}
	// pg_ctl opens the log as the server user, so a log left by root must change hands.
	if _, err := os.Lstat(s.logFile); err == nil {
		if err := acct.chown(s.logFile); err != nil {
			return err
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll with mode applied exactly to each directory it creates, so
// a strict umask cannot make the way to home unreachable for the server user.
// Existing directories are left alone.
func mkdirAll(dir string, mode fs.FileMode) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, mode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process got there first and sets the mode itself.
			return nil
		}
		return err
	}
	return os.Chmod(dir, mode)
}

// lock serialises initialising, starting and stopping across processes.
func (s *Server) lock(ctx context.Context) (func(), error) {
	fl := flock.New(s.lockFile)
	ok, err := fl.TryLockContext(ctx, 50*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("lock not acquired")
		}
		return nil, fault.Wrap(fault.Unavailable, err, "locking %s", s.lockFile)
	}
	return func() { _ = fl.Unlock() }, nil
}

// dataVersion returns the major version in PG_VERSION, or "" when the data directory
// is not initialised.
func (s *Server) dataVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fault.Wrap(fault.Unavailable, err, "reading the PostgreSQL data directory")
	}
	return strings.TrimSpace(string(b)), nil
}

// initdb builds the cluster in a temporary directory and renames it into place, so a
// crash part-way never leaves a half-initialised data directory behind.
func (s *Server) initdb(ctx context.Context, acct *account, bin, client string) error {
	// We hold the lock, so any temporary directory left here is from a crashed run.
	if old, err := filepath.Glob(filepath.Join(s.pgDir, "data.tmp-*")); err == nil {
		for _, d := range old {
			_ = os.RemoveAll(d)
		}
	}
	if err := os.Remove(s.dataDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fault.Wrap(fault.Unavailable, err, "%s exists but is not a PostgreSQL data directory: move it away", s.dataDir)
	}
	tmp, err := os.MkdirTemp(s.pgDir, "data.tmp-")
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "creating the PostgreSQL data directory")
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := acct.chown(tmp); err != nil {
		return err
	}
	// writeAuth replaces initdb's pg_hba.conf before the first start.
	args := []string{"-D", tmp, "-U", dbUser, "--auth-local=peer", "--auth-host=reject", "--encoding=UTF8", "--locale=C"}
	if s.testTuning {
		args = append(args, "--no-sync")
	}
	if out, err := s.command(ctx, acct, bin, "initdb", args...).CombinedOutput(); err != nil {
		return fault.Wrap(fault.Unavailable, cmdErr(err, out), "initialising the PostgreSQL data directory")
	}
	if err := s.writeConfig(tmp, acct); err != nil {
		return err
	}
	if _, err := s.writeAuth(tmp, acct, client); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.dataDir); err != nil {
		return fault.Wrap(fault.Unavailable, err, "moving the new PostgreSQL data directory into place")
	}
	ok = true
	syncDir(s.pgDir)
	return nil
}

const confMarker = "# ---- stockctl settings (rewritten by stockctl before each start) ----\n"

// writeConfig replaces stockctl's block at the end of postgresql.conf, where it
// overrides initdb's defaults.
func (s *Server) writeConfig(dataDir string, acct *account) error {
	path := filepath.Join(dataDir, "postgresql.conf")
	old, err := os.ReadFile(path)
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "reading PostgreSQL configuration")
	}
	conf := string(old)
	if i := strings.Index(conf, confMarker); i >= 0 {
		conf = conf[:i]
	}
	// A blank line sets our block apart; the check keeps the file stable across rewrites.
	if conf != "" && !strings.HasSuffix(conf, "\n\n") {
		conf = strings.TrimRight(conf, "\n") + "\n\n"
	}
	var b strings.Builder
	b.WriteString(confMarker)
	set := func(k, v string) { fmt.Fprintf(&b, "%s = %s\n", k, v) }
	set("listen_addresses", "''")
	set("unix_socket_directories", confQuote(s.runDir))
	set("unix_socket_permissions", "0700")
	set("port", strconv.Itoa(port))
	set("max_connections", "100")
	// A million-product import writes about 1 GB of WAL. With the default 1 GB PostgreSQL
	// checkpoints halfway through ("checkpoints are occurring too frequently") and then
	// logs every page it touches again in full; 2 GB lets such a job finish first.
	set("max_wal_size", "2GB")
	if s.testTuning {
		set("fsync", "off")
		set("synchronous_commit", "off")
		set("full_page_writes", "off")
	}
	conf += b.String()
	if conf == string(old) {
		return nil
	}
	tmp := path + ".stockctl-tmp"
	if err := os.WriteFile(tmp, []byte(conf), 0o600); err != nil {
		return fault.Wrap(fault.Unavailable, err, "writing PostgreSQL configuration")
	}
	if err := acct.chown(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fault.Wrap(fault.Unavailable, err, "writing PostgreSQL configuration")
	}
	return nil
}

// authFiles are the pg_hba.conf and pg_ident.conf of the server: peer authentication on
// the socket (there is no TCP), through a map that lets in the operating system user client
// as database user stockctl, and no one else; in particular not the account the server runs
// as, so not even a program the server itself starts can connect.
func authFiles(client string) (hba, ident string) {
	const head = "# stockctl's private PostgreSQL server. stockctl rewrites this file before each start.\n"
	hba = head + `#
# Nothing listens on TCP. On the Unix socket only the operating system users in the map
# "stockctl" of pg_ident.conf get in, each as the database user it maps to.
# TYPE  DATABASE  USER  METHOD
local   all       all   peer map=stockctl
`
	ident = head + fmt.Sprintf(`#
# The operating system user who runs stockctl, as the database user stockctl.
# MAPNAME  SYSTEM-USERNAME  PG-USERNAME
stockctl   "%s"  %s
`, client, dbUser)
	return hba, ident
}

// writeAuth writes pg_hba.conf and pg_ident.conf (see authFiles) when they say anything
// else, and reports whether it did.
func (s *Server) writeAuth(dataDir string, acct *account, client string) (bool, error) {
	hba, ident := authFiles(client)
	changed := false
	for _, f := range []struct{ name, content string }{{"pg_ident.conf", ident}, {"pg_hba.conf", hba}} {
		path := filepath.Join(dataDir, f.name)
		if fileIs(path, f.content) {
			continue
		}
		if err := replaceFile(path, []byte(f.content), acct); err != nil {
			return changed, fault.Wrap(fault.Unavailable, err, "writing PostgreSQL's %s", f.name)
		}
		changed = true
	}
	return changed, nil
}

// replaceFile writes path through a temporary file renamed over it, owned by acct.
func replaceFile(path string, content []byte, acct *account) error {
	tmp := path + ".stockctl-tmp"
	if err := os.WriteFile(tmp, content, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := acct.chown(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

func confQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// settle deals with a postmaster.pid left in the data directory: it waits for a live
// postmaster of ours to come up or go away, and removes a stale pid file so the start
// is not refused. It reports whether the server turned out to be answering.
func (s *Server) settle(ctx context.Context) (bool, error) {
	deadline := time.Now().Add(settleTimeout)
	for {
		pid, err := readPID(s.pidFile())
		if errors.Is(err, fs.ErrNotExist) {
			return false, s.clearSocketLock()
		}
		if err != nil || !s.isOurPostmaster(pid) {
			// Unreadable, or its pid is dead or reused by another program: a crash remnant
			// that would make PostgreSQL refuse to start.
			if err := os.Remove(s.pidFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return false, fault.Wrap(fault.Unavailable, err, "removing stale %s", s.pidFile())
			}
			return false, s.clearSocketLock()
		}
		if _, err := queryString(ctx, s.AdminURL(), "SELECT 'ok'"); err == nil {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, fault.Unavailablef("PostgreSQL (pid %d) is running on %s but has not answered on %s for %s: see %s, or stop that process",
				pid, s.dataDir, s.socketPath(), settleTimeout, s.logFile)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// clearSocketLock removes a socket lock file not held by our postmaster; PostgreSQL
// only recognises dead pids as stale and would refuse to start over a reused one.
func (s *Server) clearSocketLock() error {
	pid, err := readPID(s.sockLockFile())
	if errors.Is(err, fs.ErrNotExist) || (err == nil && s.isOurPostmaster(pid)) {
		return nil
	}
	if err := os.Remove(s.sockLockFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fault.Wrap(fault.Unavailable, err, "removing stale %s", s.sockLockFile())
	}
	return nil
}

func (s *Server) pgctlStart(ctx context.Context, acct *account, bin string) error {
	cmd := s.command(ctx, acct, bin, "pg_ctl", "start", "-w", "-t", "60", "-l", s.logFile, "-D", s.dataDir)
	// A session of its own keeps the server alive after the terminal's Ctrl-C reaches us.
	cmd.SysProcAttr.Setsid = true
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := cmdErr(err, out).Error()
		if tail := logTail(s.logFile, 10); tail != "" {
			msg += "\n" + s.logFile + ":\n" + tail
		}
		return fault.Unavailablef("starting PostgreSQL in %s: %s", s.dataDir, msg)
	}
	return nil
}

// createDB creates the stockctl database on first start.
func (s *Server) createDB(ctx context.Context) error {
	db, err := sql.Open("pgx", s.AdminURL())
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "connecting to the private PostgreSQL server")
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		return fault.Wrap(fault.Unavailable, err, "connecting to the private PostgreSQL server")
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize())
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P04" {
		// Created meanwhile by someone not going through our lock.
		return nil
	}
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "creating database %s", dbName)
	}
	return nil
}

// queryString runs one query returning one value; it doubles as the liveness check.
func queryString(ctx context.Context, dsn, q string) (string, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	var v string
	err = db.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}

// cmdErr attaches the last lines of a tool's output, which say why it failed.
func cmdErr(err error, out []byte) error {
	text := strings.TrimSpace(string(out))
	if lines := strings.Split(text, "\n"); len(lines) > 15 {
		text = strings.Join(lines[len(lines)-15:], "\n")
	}
	if text == "" {
		return err
	}
	return fmt.Errorf("%w: %s", err, text)
}

func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// syncDir makes a rename durable; failure only weakens crash safety, so it is ignored.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}
