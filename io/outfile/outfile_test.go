package outfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// names lists a directory, to see that nothing but the expected files is left in it.
func names(t *testing.T, dir string) []string {
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

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// TestWriteReplacesWhole: the file appears only complete: while it is being written the old
// content is still there, and afterwards no temporary file is left.
func TestWriteReplacesWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, "new, "); err != nil {
			return err
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("half-way the file reads %q; want the old content", b)
		}
		_, err := io.WriteString(w, "complete")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new, complete" {
		t.Fatalf("file reads %q", b)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out.csv"}) {
		t.Fatalf("left in the directory: %v", got)
	}
}

// TestFailureLeavesNothing: a writer that fails, a directory that does not exist and a path
// that is a directory leave the old file (or none) and no temporary file.
func TestFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	if err != boom {
		t.Fatalf("Write returned %v; want the writer's own error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after a failure the file reads %q", b)
	}
	// A new file that fails is not created at all.
	if err := Write(filepath.Join(dir, "new.csv"), func(io.Writer) error { return boom }); err != boom {
		t.Fatal(err)
	}
	var fe *Error
	err = Write(filepath.Join(dir, "no", "such", "out.csv"), writeString("x"))
	if !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("missing directory: %v", err)
	}
	err = Write(dir, writeString("x"))
	if !errors.As(err, &fe) || !errors.Is(err, ErrDirectory) || err.Error() != "cannot write "+dir+": is a directory" {
		t.Fatalf("directory: %v", err)
	}
	// Abort drops a started file; Commit after Abort fails without touching the path.
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("x"))
	f.Abort()
	if _, err := f.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after Abort the file reads %q", b)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out.csv"}) {
		t.Fatalf("left in the directory: %v", got)
	}
}

// TestSymlinkReplacedNotFollowed: a symbolic link at the path is replaced by the new file;
// the file it pointed to keeps its content and mode.
func TestSymlinkReplacedNotFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	victim, link := filepath.Join(dir, "victim"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, writeString("export")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target was written: %q", b)
	}
	fi, err := os.Lstat(link)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file now: %v %v", link, fi, err)
	}
	if b, _ := os.ReadFile(link); string(b) != "export" {
		t.Fatalf("the new file reads %q", b)
	}
	// A dangling link is replaced too, and nothing is created where it pointed.
	nowhere, dangling := filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")
	if err := os.Symlink(nowhere, dangling); err != nil {
		t.Fatal(err)
	}
	if err := Write(dangling, writeString("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(nowhere); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the dangling link's target was created: %v", err)
	}
}

// The child half of TestUmaskApplies: the test binary run again with another umask (the
// umask is the process's, so the test that changes it must be a process of its own).
func TestUmaskChild(t *testing.T) {
	path := os.Getenv("OUTFILE_UMASK_CHILD")
	if path == "" {
		t.Skip("run by TestUmaskApplies")
	}
	syscall.Umask(0o027)
	if err := Write(path, writeString("x")); err != nil {
		t.Fatal(err)
	}
}

// TestUmaskApplies: a file is created 0666 less the umask: 0640 under umask 027, where a
// fixed mode would give 0644 (and the old 0600 temporary files 0600).
func TestUmaskApplies(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.csv")
	cmd := exec.Command(os.Args[0], "-test.run=^TestUmaskChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OUTFILE_UMASK_CHILD="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Fatalf("mode %04o under umask 027; want 0640", got)
	}
}

// TestSame: the same file by another spelling, through a link, or not yet existing.
func TestSame(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, link := filepath.Join(dir, "in.csv"), filepath.Join(dir, "link.csv")
	if err := os.WriteFile(in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{in, in, true},
		{in, "./" + rel, true},
		{in, link, true},
		{link, in, true},
		{in, dir + "/./sub/../in.csv", true}, // no such "sub": compared as cleaned paths
		{in, filepath.Join(dir, "other.csv"), false},
		{filepath.Join(dir, "new.csv"), dir + "/x/../new.csv", true},
		{filepath.Join(dir, "new.csv"), filepath.Join(dir, "new2.csv"), false},
	} {
		if got := Same(tt.a, tt.b); got != tt.want {
			t.Errorf("Same(%s, %s) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
