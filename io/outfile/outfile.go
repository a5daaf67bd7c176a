// Package outfile writes the files stockctl makes (exports, labels, rendered documents,
// rejects, backups, man pages) the one safe way:
//
//   - The content goes to a new temporary file in the same directory, which is synced and
//     renamed over the path only when complete: a reader sees the old file or the whole new
//     one, never half a file, and a failure removes the temporary file.
//   - The temporary file is created with O_EXCL, which never opens through a symbolic link,
//     and renaming replaces a link at the path with the new file: the file a link points to
//     is never written.
//   - The file is created with mode 0666 and the process's umask applies, as for any file a
//     program creates (umask 022 gives 0644, 027 gives 0640, 077 keeps it to its owner).
//
// A process killed while writing can leave its temporary file (.NAME.<random>.tmp) beside
// the path; nothing else does.
package outfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Mode is the mode files are created with, before the umask.
const Mode os.FileMode = 0o666

// ErrDirectory is the reason given when the path is a directory.
var ErrDirectory = errors.New("is a directory")

// Error is a failure to write the file at Path, whatever step failed; the temporary file's
// name is left out of it.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return "cannot write " + e.Path + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(path string, err error) *Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return &Error{Path: path, Err: err}
}

// File is a file being written under a temporary name next to its path. Commit renames it
// into place; Abort, or a Commit that fails, removes it.
type File struct {
	f    *os.File
	path string
	done bool
}

// Create starts writing the file at path. A path that is a directory (or a link to one) is
// refused with ErrDirectory.
func Create(path string) (*File, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, &Error{Path: path, Err: ErrDirectory}
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	if len(base) > 200 {
		base = base[:200] // the temporary name must fit where the path's name fits
	}
	for range 100 {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		tmp := filepath.Join(dir, "."+base+"."+hex.EncodeToString(b)+".tmp")
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, Mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fail(path, err)
		}
		return &File{f: f, path: path}, nil
	}
	return nil, fail(path, fs.ErrExist)
}

// Path is where the file goes once committed.
func (f *File) Path() string { return f.path }

// OS is the temporary file itself, for a program that must be handed an *os.File (its
// Write errors then name the temporary file). It must not be closed.
func (f *File) OS() *os.File { return f.f }

// Write writes to the temporary file; an error is an *Error naming the path.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	if err != nil {
		return n, fail(f.path, err)
	}
	return n, nil
}

// Commit makes the file durable and renames it over the path (a symbolic link there is
// replaced, not followed); it returns the file's size. When it fails, the temporary file
// is removed and the path is as it was.
func (f *File) Commit() (int64, error) {
	if f.done {
		return 0, &Error{Path: f.path, Err: fs.ErrClosed}
	}
	abort := func(err error) (int64, error) {
		f.Abort()
		return 0, fail(f.path, err)
	}
	st, err := f.f.Stat()
	if err != nil {
		return abort(err)
	}
	if err := f.f.Sync(); err != nil {
		return abort(err)
	}
	if err := f.f.Close(); err != nil {
		return abort(err)
	}
	if err := os.Rename(f.f.Name(), f.path); err != nil {
		return abort(err)
	}
	f.done = true
	// The rename is durable once the directory is; a failure here leaves a complete file.
	if d, err := os.Open(filepath.Dir(f.path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return st.Size(), nil
}

// Abort removes the temporary file, leaving the path as it was. It does nothing after
// Commit, so it may be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.f.Close()
	_ = os.Remove(f.f.Name())
}

// Write writes the file at path with what write writes to w, as Create and Commit do. An
// error from write is returned as it is (the temporary file removed); errors writing the
// file are *Error.
func Write(path string, write func(w io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	_, err = f.Commit()
	return err
}

// Same reports whether paths a and b name the same file: the same file on disk when both
// exist (symbolic links followed, so a link and its target are the same file), else the
// same absolute path once cleaned ("./x", "x" and "d/../x" are one).
func Same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}
