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

// searchBinDirs lists candidate directories, best first: PATH, pg_config, then the
// newest Debian-style versioned directory.
func searchBinDirs(ctx context.Context) []string {
	var dirs []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
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
		fi, err := os.Stat(filepath.Join(dir, t))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// binMajor is the major version of the binaries in dir, in PG_VERSION's form ("15", "9.6").
func (s *Server) binMajor(ctx context.Context, a *account, dir string) string {
	if v, ok := strings.CutPrefix(dir, "/usr/lib/postgresql/"); ok {
		if v, ok := strings.CutSuffix(v, "/bin"); ok && !strings.Contains(v, "/") {
			return v
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
	out, err := s.command(cctx, a, dir, "pg_ctl", "--version").Output()
	if err != nil {
		return ""
	}
	_, after, _ := strings.Cut(string(out), ") ")
	f := strings.Fields(after)
	if len(f) == 0 {
		return ""
	}
	return majorOf(f[0])
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
