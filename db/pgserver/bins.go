package pgserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stockctl/stockctl/fault"
)

// ErrNoBinaries is wrapped in the error Start returns when no PostgreSQL server binaries are found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found")

var serverTools = []string{"pg_ctl", "initdb", "postgres"}

// findBinaries returns the directory holding pg_ctl, initdb and postgres. An
// initialised cluster (wantMajor != "") needs binaries of its own major version, so
// after a PostgreSQL upgrade the old version's directory is preferred.
func (s *Server) findBinaries(ctx context.Context, a *account, wantMajor string) (string, error) {
	var dirs []string
	if s.binDir != "" {
		dirs = []string{s.binDir}
	} else {
		dirs = searchBinDirs(ctx)
	}
	var found []string
	for _, d := range dirs {
		if hasTools(d) && !slices.Contains(found, d) {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		where := "looked for pg_ctl on PATH, pg_config --bindir, /usr/lib/postgresql/*/bin"
		if s.binDir != "" {
			where = "looked for pg_ctl, initdb and postgres in " + s.binDir
		}
		return "", &fault.Error{Kind: fault.Unavailable, Err: fmt.Errorf(
			"%w (%s): install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) or point stockctl at a server with --db URL or STOCKCTL_DATABASE_URL",
			ErrNoBinaries, where)}
	}
	if wantMajor == "" {
		return found[0], nil
	}
	var seen []string
	for _, d := range found {
		v := s.binMajor(ctx, a, d)
		if v == wantMajor {
			return d, nil
		}
		if v == "" {
			v = "unknown"
		}
		seen = append(seen, d+" is "+v)
	}
	return "", fault.Unavailablef("the data directory %s was made by PostgreSQL %s, but the server binaries found are another version (%s): install PostgreSQL %s next to it (Debian/Ubuntu: apt-get install postgresql-%s), or upgrade the data directory with pg_upgrade",
		s.dataDir, wantMajor, strings.Join(seen, "; "), wantMajor, wantMajor)
}

// searchBinDirs lists candidate directories for the server binaries, best first: PATH,
// pg_config, then the newest Debian-style versioned directory.
func searchBinDirs(ctx context.Context) []string { return binDirsFor(ctx, "pg_ctl") }

// binDirsFor lists candidate directories, best first: the one holding program on PATH,
// pg_config --bindir, then the Debian-style versioned directories, newest first.
func binDirsFor(ctx context.Context, program string) []string {
	var dirs []string
	if p, err := exec.LookPath(program); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		// PATH often holds symlinks; the real directory is where initdb and postgres sit.
		if r, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(r))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := exec.CommandContext(cctx, p, "--bindir").Output()
		cancel()
		if d := strings.TrimSpace(string(out)); err == nil && d != "" {
			dirs = append(dirs, d)
		}
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(versioned, func(x, y string) int {
		return compareVersions(filepath.Base(filepath.Dir(y)), filepath.Base(filepath.Dir(x)))
	})
	return append(dirs, versioned...)
}

func hasTools(dir string) bool {
	for _, t := range serverTools {
		if !isProgram(filepath.Join(dir, t)) {
			return false
		}
	}
	return true
}

// isProgram reports whether path is an executable file (through symlinks).
func isProgram(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// binMajor is the major version of the binaries in dir, in PG_VERSION's form ("15", "9.6").
func (s *Server) binMajor(ctx context.Context, a *account, dir string) string {
	if v := dirMajor(dir); v != "" {
		return v
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := s.command(cctx, a, dir, "pg_ctl", "--version").Output()
	if err != nil {
		return ""
	}
	return versionMajor(out)
}

// dirMajor is the major version a Debian-style directory (/usr/lib/postgresql/15/bin) is
// named for, or "".
func dirMajor(dir string) string {
	if v, ok := strings.CutPrefix(dir, "/usr/lib/postgresql/"); ok {
		if v, ok := strings.CutSuffix(v, "/bin"); ok && !strings.Contains(v, "/") {
			return v
		}
	}
	return ""
}

// versionMajor reads the major version from a tool's --version output,
// "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"; "" when there is none.
func versionMajor(out []byte) string {
	_, after, _ := strings.Cut(string(out), ") ")
	f := strings.Fields(after)
	if len(f) == 0 {
		return ""
	}
	return majorOf(f[0])
}

// Tool finds a PostgreSQL client program (pg_dump, pg_restore ...) that works with a server
// of major version wantMajor ("15", "9.6"): in binDir when it is given (STOCKCTL_PG_BINDIR),
// else where the server binaries are looked for (PATH, pg_config --bindir,
// /usr/lib/postgresql/*/bin). A program of the server's own major version is preferred;
// else the oldest newer one, since the client programs handle older servers but not newer
// ones. It returns the program's path and its major version.
func Tool(ctx context.Context, binDir, name, wantMajor string) (path, major string, err error) {
	if binDir != "" {
		return pickTool(ctx, []string{binDir}, name, wantMajor, "looked in "+binDir+" (STOCKCTL_PG_BINDIR)")
	}
	return pickTool(ctx, binDirsFor(ctx, name), name, wantMajor, "looked on PATH, pg_config --bindir, /usr/lib/postgresql/*/bin")
}

// pickTool is Tool's choice among the directories, best first; where says where they came
// from, for the error.
func pickTool(ctx context.Context, dirs []string, name, wantMajor, where string) (path, major string, err error) {
	var tried, found []string
	best, bestMajor := "", ""
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if slices.Contains(tried, p) || !isProgram(p) {
			continue
		}
		tried = append(tried, p)
		v := dirMajor(d)
		if v == "" {
			v = programMajor(ctx, p)
		}
		switch {
		case v == "":
			found = append(found, p+" is of unknown version")
			continue
		case v == wantMajor:
			return p, v, nil
		case compareVersions(v, wantMajor) > 0 && (best == "" || compareVersions(v, bestMajor) < 0):
			best, bestMajor = p, v
		}
		found = append(found, p+" is "+v)
	}
	if best != "" {
		return best, bestMajor, nil
	}
	if len(found) > 0 {
		where += "; found " + strings.Join(found, ", ")
	}
	return "", "", fault.Unavailablef(
		"%s of PostgreSQL %s or newer is needed for a server of version %s (%s): install PostgreSQL %s's client programs (Debian/Ubuntu: apt-get install postgresql-client-%s) or point STOCKCTL_PG_BINDIR at them",
		name, wantMajor, wantMajor, where, wantMajor, wantMajor)
}

// programMajor runs a program with --version and reads its major version; "" when it
// cannot tell.
func programMajor(ctx context.Context, path string) string {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, path, "--version")
	cmd.Env = childEnv(nil, "")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return versionMajor(out)
}

// majorOf turns "15.14" into "15" and "9.6.24" into "9.6": before 10 the major
// version had two parts.
func majorOf(v string) string {
	parts := strings.SplitN(v, ".", 3)
	first := leadingDigits(parts[0])
	if n, err := strconv.Atoi(first); err == nil && n < 10 && len(parts) > 1 {
		return first + "." + leadingDigits(parts[1])
	}
	return first
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// compareVersions orders dotted versions numerically, so 10 sorts after 9.6.
func compareVersions(x, y string) int {
	xs, ys := strings.Split(x, "."), strings.Split(y, ".")
	for i := 0; i < len(xs) || i < len(ys); i++ {
		var a, b int
		if i < len(xs) {
			a, _ = strconv.Atoi(leadingDigits(xs[i]))
		}
		if i < len(ys) {
			b, _ = strconv.Atoi(leadingDigits(ys[i]))
		}
		if a != b {
			return a - b
		}
	}
	return 0
}
