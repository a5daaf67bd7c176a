package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stockctl/stockctl/fault"
)

// account is the unprivileged user the server runs as when stockctl runs as root,
// because PostgreSQL refuses to run as root. A nil *account means "run as ourselves".
type account struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
}

// dedicatedUser is the system account the server runs as when stockctl runs as root: one of
// its own, never postgres or nobody, so that no other program's processes (a system
// PostgreSQL's COPY ... TO PROGRAM runs as postgres) own stockctl's data or socket. Every
// root home's server runs as it; each of them lets in only root (see authFiles).
const dedicatedUser = "stockctl-pg"

// serverAccount is the account the server must run as: nil unless we are root, else the
// dedicated account, created on first use as a package would create it.
func serverAccount(ctx context.Context) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var tried []string
	for attempt := 0; ; attempt++ {
		a, err := lookupDedicated()
		if err == nil || !errors.Is(err, errNoDedicated) {
			return a, err
		}
		if attempt == 3 {
			return nil, fault.Unavailablef("PostgreSQL refuses to run as root, so stockctl runs its server as the system user %s, which could not be created (%s): create it, e.g. useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin %s, or run stockctl as an ordinary user",
				dedicatedUser, strings.Join(tried, "; "), dedicatedUser)
		}
		if attempt > 0 {
			// Another stockctl may be creating it, holding the lock on /etc/passwd.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt) * 300 * time.Millisecond):
			}
		}
		tried = append(tried, createDedicated(ctx)...)
	}
}

var errNoDedicated = errors.New("no such user")

// lookupDedicated finds the dedicated account without creating it.
func lookupDedicated() (*account, error) {
	u, err := user.Lookup(dedicatedUser)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return nil, errNoDedicated
		}
		return nil, fault.Wrap(fault.Unavailable, err, "looking up user %s", dedicatedUser)
	}
	a, err := fromUser(u)
	if err != nil {
		return nil, fault.Wrap(fault.Unavailable, err, "user %s", dedicatedUser)
	}
	if a.uid == 0 || a.gid == 0 {
		return nil, fault.Unavailablef("user %s has user or group id 0, so PostgreSQL would run as root: make it an unprivileged system user", dedicatedUser)
	}
	return a, nil
}

// createDedicated runs the first account tool the machine has (useradd, else adduser) and
// returns what went wrong with each it tried; success shows in the next lookup.
func createDedicated(ctx context.Context) []string {
	shell := "/usr/sbin/nologin"
	for _, sh := range []string{"/usr/sbin/nologin", "/sbin/nologin", "/bin/false"} {
		if isProgram(sh) {
			shell = sh
			break
		}
	}
	var failed []string
	for _, c := range [][]string{
		{"useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", shell, dedicatedUser},
		{"adduser", "--system", "--group", "--no-create-home", "--home", "/nonexistent", "--shell", shell, dedicatedUser},
	} {
		path := findSbin(c[0])
		if path == "" {
			failed = append(failed, "no "+c[0])
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		cmd := exec.CommandContext(cctx, path, c[1:]...)
		cmd.Env = childEnv(nil, "")
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil {
			return nil
		}
		failed = append(failed, c[0]+": "+cmdErr(err, out).Error())
	}
	return failed
}

// findSbin looks for a system program on PATH and where PATH for root usually reaches.
func findSbin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		if p := filepath.Join(d, name); isProgram(p) {
			return p
		}
	}
	return ""
}

// owner is the account owning the existing cluster, which is who may stop it: nil when we
// are not root, there is no cluster, or root owns it (no server can run then).
func (s *Server) owner() *account {
	if os.Geteuid() != 0 {
		return nil
	}
	for _, dir := range []string{s.dataDir, s.pgDir} {
		fi, err := os.Stat(dir)
		if err != nil {
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok || st.Uid == 0 {
			continue
		}
		return accountOf(st.Uid, st.Gid)
	}
	return nil
}

// accountOf is the account with this user id, by name when it has one: users may appear
// or vanish between runs.
func accountOf(uid, gid uint32) *account {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		if a, err := fromUser(u); err == nil {
			return a
		}
	}
	return &account{name: strconv.FormatUint(uint64(uid), 10), uid: uid, gid: gid}
}

// clientUser is the operating system user the server lets in: the one running stockctl,
// which is root when stockctl runs as root. Its name goes into pg_ident.conf.
func clientUser() (string, error) {
	uid := strconv.Itoa(os.Geteuid())
	u, err := user.LookupId(uid)
	if err != nil {
		return "", fault.Wrap(fault.Unavailable, err, "PostgreSQL's peer authentication needs the name of user id %s, which has none: add it to the user database", uid)
	}
	name := u.Username
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == '"' || r == 0x7f }) {
		return "", fault.Unavailablef("user name %q cannot be written into PostgreSQL's pg_ident.conf: run stockctl as another user", name)
	}
	return name, nil
}

func fromUser(u *user.User) (*account, error) {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	a := &account{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := strconv.ParseUint(id, 10, 32); err == nil {
				a.groups = append(a.groups, uint32(g))
			}
		}
	}
	return a, nil
}

func (a *account) inGroup(gid uint32) bool {
	if gid == a.gid {
		return true
	}
	for _, g := range a.groups {
		if g == gid {
			return true
		}
	}
	return false
}

// canSearch reports whether the account may traverse the directory fi, by mode bits
// (ACLs are not consulted).
func (a *account) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return perm&0o100 != 0
	case a.inGroup(st.Gid):
		return perm&0o010 != 0
	}
	return perm&0o001 != 0
}

// chown hands path to the server user; a nil account owns everything already.
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "handing %s to user %s", path, a.name)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == a.uid && st.Gid == a.gid {
		return nil
	}
	if err := os.Lchown(path, int(a.uid), int(a.gid)); err != nil {
		return fault.Wrap(fault.Unavailable, err, "handing %s to user %s", path, a.name)
	}
	return nil
}

// checkReachable fails when a directory above home would stop the server user from
// reaching its data. Those directories are not ours, so they are reported, not changed.
func checkReachable(home string, a *account) error {
	dirs := parents(home)
	// Both the path as written and as resolved: each is walked through on the way.
	if real := resolve(home); real != home {
		dirs = append(dirs, parents(real)...)
	}
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if errors.Is(err, fs.ErrNotExist) {
			// MkdirAll will create it searchable.
			continue
		}
		if err != nil {
			return fault.Wrap(fault.Unavailable, err, "checking the way to stockctl's home")
		}
		if !a.canSearch(fi) {
			return fault.Unavailablef("PostgreSQL refuses to run as root, so stockctl runs it as user %s, but %s (mode %04o) does not let %s through to %s: set STOCKCTL_HOME to a directory outside it, e.g. /var/lib/stockctl",
				a.name, d, fi.Mode().Perm(), a.name, home)
		}
	}
	return nil
}

// parents lists the directories above p, nearest first.
func parents(p string) []string {
	var out []string
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == filepath.Dir(d) {
			return out
		}
	}
}

// resolve follows symlinks in the part of p that exists.
func resolve(p string) string {
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// command prepares a PostgreSQL tool, switched to the server user when we are root.
func (s *Server) command(ctx context.Context, a *account, bin, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	// The server user may not be allowed into our working directory.
	cmd.Dir = s.pgDir
	cmd.Env = childEnv(a, s.pgDir)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if a != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: a.groups}
	}
	return cmd
}

// childEnv drops PG* variables (PGDATA, PGPORT... would redirect the tools) and fixes
// the locale so the tools' messages are plain; as root HOME moves to a place the
// server user can use.
func childEnv(a *account, home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" || (a != nil && k == "HOME") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "LC_ALL=C")
	if a != nil {
		env = append(env, "HOME="+home)
	}
	return env
}

// readPID reads the pid on the first line of a postmaster.pid or socket lock file.
func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s: no pid on its first line", path)
	}
	return pid, nil
}

// alive reports whether a process exists; EPERM means it does, owned by someone else.
func alive(pid int) bool {
	if pid <= 0 {
		// kill(0) and kill(-1) address process groups, never a single process.
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// isOurPostmaster tells a live postmaster of this data directory from a dead pid or
// one reused by another program, which would leave postmaster.pid stale.
func (s *Server) isOurPostmaster(pid int) bool {
	if !alive(pid) {
		return false
	}
	proc := "/proc/" + strconv.Itoa(pid)
	comm, err := os.ReadFile(proc + "/comm")
	if err != nil {
		// Without /proc a live pid gets the benefit of the doubt; PostgreSQL checks again.
		_, perr := os.Stat("/proc/self")
		return perr != nil
	}
	if c := strings.TrimSpace(string(comm)); c != "postgres" && c != "postmaster" {
		return false
	}
	if stat, err := os.ReadFile(proc + "/stat"); err == nil {
		// A zombie still answers signal 0 but is dead.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return false
		}
	}
	// The postmaster works in its data directory, which tells ours from another cluster's.
	if cwd, err := os.Readlink(proc + "/cwd"); err == nil {
		a, errA := os.Stat(cwd)
		b, errB := os.Stat(s.dataDir)
		return errA == nil && errB == nil && os.SameFile(a, b)
	}
	return true
}
