package app

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/outfile"
)

// Every file stockctl writes goes through io/outfile: a temporary file in the same
// directory renamed into place, never through a symbolic link, with the umask's mode.

// FileHelp is the paragraph of a command's help that says how it writes the file named by
// arg (FILE, --out FILE ...).
func FileHelp(arg string) string {
	return arg + ` is written in full under a temporary name in its directory, then renamed into
place: it is never half written, and a failure leaves no file behind. A symbolic link at
` + arg + ` is replaced by the new file (the file it points to is left alone). The new file
gets the permissions the umask gives (0644 under umask 022, 0640 under 027).`
}

// WriteFile writes path with what write writes (see outfile.Write). field names the
// argument that gave the path, for the error.
func WriteFile(path, field string, write func(w io.Writer) error) error {
	return FileError(field, outfile.Write(path, write))
}

// FileError turns a failure to write a file into an invalid-input error on field: the
// path is the user's to fix. Other errors (the database's, the context's) pass as they are.
func FileError(field string, err error) error {
	var fe *outfile.Error
	if errors.As(err, &fe) {
		return fault.Invalidf(field, "%v", fe)
	}
	return err
}

// NotSameFile refuses an output that would replace an input of the same command, such as
// --rejects naming the file being imported: compared as files when both exist (through
// symbolic links), else as cleaned absolute paths. outFlag and inFlag name the arguments,
// as the user typed them ("--rejects", "FILE"); "-" (a standard stream) is never a file.
func NotSameFile(outFlag, out, inFlag, in string) error {
	if out == "" || in == "" || out == "-" || in == "-" || !outfile.Same(out, in) {
		return nil
	}
	return fault.Usagef(fieldName(outFlag), "%s %s and %s %s are the same file: writing %s would replace %s; give %s another file",
		outFlag, out, inFlag, in, outFlag, inFlag, outFlag)
}

// fieldName is the error field of an argument: the flag without its dashes.
func fieldName(arg string) string {
	for len(arg) > 0 && arg[0] == '-' {
		arg = arg[1:]
	}
	return arg
}

// UnwrapPath drops the file name from an *fs.PathError, leaving the reason.
func UnwrapPath(err error) error {
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
