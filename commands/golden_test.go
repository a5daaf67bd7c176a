package commands

import (
	"bytes"
	"flag"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/demo"
)

// update rewrites the golden files: go test ./commands -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenDay is the database's day (stockctl.today) in the golden runs, so the demo's batch
// expiry dates, which it sets that many days after the database's today, come out the same
// every run. It is long past, so no run's real today (masked below) is ever one of those
// dates.
const goldenDay = "2025-12-01"

// TestGolden pins every command's output while the code is rearranged: it loads the demo
// into a fresh database and runs each of demo.NextSteps in order, as a script would (not a
// TTY), once per output format (table, -o json, -o csv; a step's own -o is replaced), each
// format in a database of its own because some steps change data. Every step's stdout,
// stderr and exit code are compared byte for byte with testdata/golden/<format>.txt after
// masking what differs between runs (see goldenMask).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			base := dbtest.NewURL(t)
			sep := "?"
			if strings.Contains(base, "?") {
				sep = "&"
			}
			url := base + sep + "options=-cstockctl.today%3D" + goldenDay
			dir := t.TempDir()
			mask := goldenMask(t, base, dir, time.Now().UTC())

			run(t, url, "demo", "--yes").wantCode(t, ExitOK)
			var got bytes.Buffer
			for _, step := range demo.NextSteps {
				args := goldenArgs(step, format, dir)
				r := run(t, url, args...)
				fmt.Fprintf(&got, "$ stockctl %s\n%s--- stderr\n%s--- exit %d\n\n",
					strings.Join(goldenArgs(step, format, "/tmp"), " "), r.out, r.err, r.code)
			}
			out := mask(time.Now().UTC(), got.String())

			file := filepath.Join("testdata", "golden", format+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test ./commands -run Golden -update writes it)", err)
			}
			if out != string(want) {
				t.Fatalf("%s differs from the golden file:\n%s", format, firstDifference(string(want), out))
			}
		})
	}
}

// goldenArgs is a step of the demo's list as arguments in format: "stockctl" and the comment
// dropped, any -o replaced, and files under /tmp written to dir instead.
func goldenArgs(step, format, dir string) []string {
	fields := strings.Fields(strings.SplitN(step, "#", 2)[0])[1:]
	var args []string
	for i := 0; i < len(fields); i++ {
		switch a := fields[i]; {
		case a == "-o" || a == "--output":
			i++ // and its value
		case strings.HasPrefix(a, "/tmp/"):
			args = append(args, filepath.Join(dir, filepath.Base(a)))
		default:
			args = append(args, a)
		}
	}
	if format != "table" {
		args = append(args, "-o", format)
	}
	return args
}

// goldenMask returns the function that makes a run's output comparable with another run's,
// replacing, in this order:
//   - the test's temporary directory by /tmp, as the steps are written;
//   - the names of the per-test database (stockctl_t_…) and of its template by <DB>, and
//     where the test server is (db status): its user by <USER>, host or socket directory
//     (as typed and as escaped in a URL) by <HOST>, port by <PORT>, version by <VERSION>;
//   - every date with a time of day (created_at and friends; rows the migrations insert
//     carry the time the test template was made, which may be days ago) by <TIMESTAMP>:
//     stockctl prints dates without one, so no date of the demo is hidden;
//   - the real day in UTC (when the run began and when it ended, in case it crossed
//     midnight), the day documents default to, by <TODAY>;
//   - the size of a PDF written ("pdf, 2546 bytes") by <SIZE>: the PDF carries the day it
//     was printed and when it was made, compressed, so its size may change by a byte.
//
// Everything else, including every fixed date of the demo and every date the database
// works out from goldenDay, is compared as it is.
func goldenMask(t *testing.T, base, dir string, began time.Time) func(ended time.Time, s string) string {
	t.Helper()
	raw, err := openRaw(base)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var version string
	if err := raw.Get(&version, `SHOW server_version`); err != nil {
		t.Fatal(err)
	}
	u, err := neturl.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	host, port := u.Query().Get("host"), u.Query().Get("port")
	if host == "" {
		host = u.Hostname()
	}
	if port == "" {
		port = u.Port()
	}
	var server []string // pairs for strings.NewReplacer, the longer first
	if host != "" {
		server = append(server, neturl.QueryEscape(host), "<HOST>", host, "<HOST>")
	}
	if port != "" {
		server = append(server, "port="+port, "port=<PORT>", ":"+port+"/", ":<PORT>/")
	}
	if user := u.User.Username(); user != "" {
		server = append(server, "//"+user+"@", "//<USER>@")
	}
	server = append(server, version, "<VERSION>")
	replaceServer := strings.NewReplacer(server...)

	return func(ended time.Time, s string) string {
		s = strings.ReplaceAll(s, dir, "/tmp")
		s = goldenDB.ReplaceAllString(s, "<DB>")
		s = replaceServer.Replace(s)
		s = goldenTimestamp.ReplaceAllString(s, "<TIMESTAMP>")
		for _, day := range []time.Time{began, ended} {
			s = strings.ReplaceAll(s, day.Format(time.DateOnly), "<TODAY>")
		}
		s = goldenPDFSize.ReplaceAllString(s, "(pdf, <SIZE> bytes")
		return s
	}
}

var (
	goldenPDFSize   = regexp.MustCompile(`\(pdf, [0-9]+ bytes`)
	goldenDB        = regexp.MustCompile(`stockctl_(t|tmpl)_[0-9a-z_]+`)
	goldenTimestamp = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?`)
)

// firstDifference shows the first line where got and want part, with a little context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		if i < len(w) && i < len(g) && w[i] == g[i] {
			continue
		}
		step := ""
		for j := i; j >= 0 && j < len(g); j-- {
			if strings.HasPrefix(g[j], "$ stockctl ") {
				step = g[j]
				break
			}
		}
		line := func(l []string) string {
			if i < len(l) {
				return fmt.Sprintf("%q", l[i])
			}
			return "(end)"
		}
		return fmt.Sprintf("in %s\nline %d: want %s\n         got  %s", step, i+1, line(w), line(g))
	}
	return "(no difference)"
}
