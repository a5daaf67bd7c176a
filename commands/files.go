package commands

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stockctl/stockctl/fault"
)

// writeFileAtomic writes path through a synced temporary file in the same directory renamed
// into place, so a failure never leaves half a file behind. field names the argument that
// gave the path, for the error.
func writeFileAtomic(path, field string, write func(w io.Writer) error) (err error) {
	cannot := func(err error) error {
		return fault.Invalidf(field, "cannot write %s: %v", path, unwrapPath(err))
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return cannot(err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return cannot(err)
	}
	if err = f.Close(); err != nil {
		return cannot(err)
	}
	// CreateTemp makes the file private (0600); exports and labels are ordinary documents.
	if err = os.Chmod(tmp, 0o644); err != nil {
		return cannot(err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return cannot(err)
	}
	return nil
}

// unwrapPath drops the temporary file name from an *fs.PathError, leaving the reason.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
