package commands

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// dirNames lists a directory's entries, to see that no temporary file is left in it.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}

// TestEveryFileWriterIsSafe: every command that writes a file, given a path that is a
// symbolic link to another file, replaces the link with a complete file of the umask's
// mode, leaves the link's target as it was, and leaves no temporary file behind.
func TestEveryFileWriterIsSafe(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("sku,name,cost_price\nNEW-1,New,1\nNEW-2,Bad,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mask, ok := umask()
	if !ok {
		t.Fatal("cannot read the umask")
	}
	for _, tt := range []struct {
		name string
		file string // the file's name in its directory
		args func(path string) []string
		code int
		want string // the start of the file written
	}{
		{"product export", "p.csv", func(p string) []string { return []string{"product", "export", p} }, ExitOK, "sku,name,"},
		{"supplier price export", "sp.csv", func(p string) []string { return []string{"supplier", "price", "export", p} }, ExitOK, "supplier,"},
		{"stock levels export", "sl.csv", func(p string) []string { return []string{"stock", "levels", "export", p} }, ExitOK, "sku,location,"},
		{"price break export", "pb.csv", func(p string) []string { return []string{"price", "break", "export", p} }, ExitOK, "sku,price_type,"},
		{"price special export", "ps.csv", func(p string) []string { return []string{"price", "special", "export", p} }, ExitOK, "customer,sku,"},
		{"portal export", "portal.csv", func(p string) []string { return []string{"portal", "export", p} }, ExitOK, "sku,"},
		{"invoice export", "inv.csv", func(p string) []string { return []string{"invoice", "export", p} }, ExitOK, "invoice,"},
		{"invoice export json", "inv.json", func(p string) []string { return []string{"invoice", "export", p, "-o", "json"} }, ExitOK, "[\n"},
		{"product label", "l.svg", func(p string) []string { return []string{"product", "label", "DRILL-18V", "--out", p} }, ExitOK, "<svg"},
		{"po render", "po.html", func(p string) []string { return []string{"po", "render", "PO-000001", "--out", p} }, ExitOK, "<!DOCTYPE html>"},
		{"rfq render", "rfq.pdf", func(p string) []string { return []string{"rfq", "render", "RFQ-000001", "--out", p} }, ExitOK, "%PDF-"},
		{"rejects", "rejects.csv", func(p string) []string {
			return []string{"product", "import", bad, "--skip-invalid", "--rejects", p, "--dry-run"}
		}, ExitPartial, "sku,name,cost_price,reject_reasons\nNEW-2,Bad,abc,"},
		{"man page", "stockctl.1", func(p string) []string { return []string{"docs", "man", filepath.Dir(p)} }, ExitOK, ".nh"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			victim, path := filepath.Join(dir, "victim"), filepath.Join(dir, tt.file)
			if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			run(t, url, tt.args(path)...).wantCode(t, tt.code)
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the link's target was overwritten: %.40q", b)
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%s is not a regular file now: %v %v", path, fi, err)
			}
			if got, want := fi.Mode().Perm(), 0o666&^mask; got != want {
				t.Errorf("mode %04o; want %04o (umask %03o)", got, want, mask)
			}
			if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(tt.want)) {
				t.Errorf("the file starts %.60q; want %q", b, tt.want)
			}
			names := dirNames(t, dir)
			if tt.file == "stockctl.1" {
				names = slices.DeleteFunc(names, func(n string) bool { return n != "victim" && n != tt.file && !strings.HasPrefix(n, ".") })
			}
			if !slices.Equal(names, []string{tt.file, "victim"}) && !slices.Equal(names, []string{"victim", tt.file}) {
				t.Errorf("left in the directory: %v", names)
			}
		})
	}
}

// TestInvoiceExportAtomic: invoice export, which wrote FILE in place, now writes it whole or
// not at all: a failure while writing (an unknown --fields, found as the rows are printed)
// leaves the old file and no temporary file; a missing directory writes nothing.
func TestInvoiceExportAtomic(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	dir := t.TempDir()
	path := filepath.Join(dir, "invoices.csv")
	if err := os.WriteFile(path, []byte("last month's export"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, url, "invoice", "export", path, "--fields", "invoice,nope").wantCode(t, ExitUsage).wantErr(t, `unknown field "nope"`)
	if b, _ := os.ReadFile(path); string(b) != "last month's export" {
		t.Fatalf("a failed export changed the file: %.60q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"invoices.csv"}) {
		t.Fatalf("left in the directory: %v", names)
	}
	run(t, url, "invoice", "export", filepath.Join(dir, "no", "such", "x.csv")).wantCode(t, ExitInvalid).wantErr(t, "cannot write", "no such file or directory")
	run(t, url, "invoice", "export", dir).wantCode(t, ExitInvalid).wantErr(t, "is a directory")
	run(t, url, "invoice", "export", path).wantCode(t, ExitOK).wantErr(t, "invoice lines written to "+path)
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "invoice,") || !strings.Contains(string(b), "INV-000001") {
		t.Fatalf("export: %.80q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"invoices.csv"}) {
		t.Fatalf("left in the directory: %v", names)
	}
}

// The child half of TestExportUnderUmask027: the test binary run again as stockctl under
// umask 027 (the umask belongs to the process, so a parallel test cannot change its own).
func TestUmaskChild(t *testing.T) {
	args := os.Getenv("STOCKCTL_UMASK_CHILD_ARGS")
	if args == "" {
		t.Skip("run by TestExportUnderUmask027")
	}
	syscall.Umask(0o027)
	os.Args = append([]string{"stockctl"}, strings.Split(args, "\x1f")...)
	os.Exit(Main())
}

// TestExportUnderUmask027: the umask decides a written file's mode: 0640 under umask 027
// (before, every export was forced to 0644), and docs man's directory's: 0750.
func TestExportUnderUmask027(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"invoice", "export", filepath.Join(dir, "inv.csv")},
		{"docs", "man", filepath.Join(dir, "man")},
	} {
		cmd := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^TestUmaskChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "STOCKCTL_UMASK_CHILD_ARGS="+strings.Join(append([]string{"--db", url}, args...), "\x1f"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	for _, name := range []string{"inv.csv", "man", "man/stockctl.1"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o640)
		if fi.IsDir() {
			want = 0o750
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o under umask 027; want %04o", name, got, want)
		}
	}
}

// TestRejectsNeverReplaceTheInput: --rejects naming the file being imported, by the same
// name, another spelling of it or a symbolic link either way, is refused before anything is
// read or written (exit 4, naming both); --out naming the --template file likewise.
func TestRejectsNeverReplaceTheInput(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	const text = "sku,name,cost_price\nNEW-1,New,1\nNEW-2,Bad,abc\n"
	in, link := filepath.Join(dir, "in.csv"), filepath.Join(dir, "link.csv")
	if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{
		{in, in},
		{in, dir + "/./in.csv"},
		{in, dir + "/sub/../in.csv"}, // no such "sub": the same once cleaned
		{in, link},
		{link, in},
	} {
		run(t, url, "product", "import", pair[0], "--skip-invalid", "--rejects", pair[1]).wantCode(t, ExitUsage).
			wantErr(t, "--rejects "+pair[1]+" and FILE "+pair[0]+" are the same file", "give --rejects another file")
	}
	for _, imp := range [][]string{{"stock", "levels", "import"}, {"supplier", "price", "import"}, {"price", "break", "import"}} {
		run(t, url, append(imp, in, "--skip-invalid", "--rejects", link)...).wantCode(t, ExitUsage).wantErr(t, "are the same file")
	}
	if b, _ := os.ReadFile(in); string(b) != text {
		t.Fatalf("the input was changed: %q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"in.csv", "link.csv"}) {
		t.Fatalf("left in the directory: %v", names)
	}
	var n []map[string]any
	run(t, url, "product", "list", "--search", "NEW", "-o", "json").wantCode(t, ExitOK).json(t, &n)
	if len(n) != 0 {
		t.Fatalf("a refused import imported: %v", n)
	}
	// Another file is fine.
	rejects := filepath.Join(dir, "rejects.csv")
	run(t, url, "product", "import", in, "--skip-invalid", "--rejects", rejects).wantCode(t, ExitPartial)
	if b, _ := os.ReadFile(rejects); !strings.HasPrefix(string(b), "sku,name,cost_price,reject_reasons\nNEW-2,") {
		t.Fatalf("rejects: %q", b)
	}

	// po render: --out may not replace the --template it renders with.
	tpl := filepath.Join(dir, "mine.html")
	if err := os.WriteFile(tpl, []byte("<p>{{.Number}}</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, url, "po", "render", "PO-000001", "--template", tpl, "--out", dir+"/./mine.html").wantCode(t, ExitUsage).
		wantErr(t, "--out "+dir+"/./mine.html and --template "+tpl+" are the same file")
	if b, _ := os.ReadFile(tpl); string(b) != "<p>{{.Number}}</p>\n" {
		t.Fatalf("the template was changed: %q", b)
	}
}
