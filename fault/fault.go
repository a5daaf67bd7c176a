// Package fault is the small vocabulary of failure kinds that domain packages return and
// that commands map to exit codes.
package fault

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an error is; commands map each kind to one exit code.
type Kind int

const (
	// Unexpected is anything not classified: a bug or an environment failure.
	Unexpected Kind = iota
	// Usage is a wrong command line: unknown flag, missing argument, bad flag value.
	Usage
	// Invalid is input rejected by a rule; nothing was written.
	Invalid
	// NotFound is a named thing (SKU, code, document number) that does not exist.
	NotFound
	// Conflict is a rule violation caused by existing data (duplicate code, stock in use).
	Conflict
	// Unavailable is a database that cannot be reached or whose schema is out of date.
	Unavailable
	// Partial is a job that wrote what it could and reported the rest (--skip-invalid).
	Partial
	// Interrupted is a job stopped by a signal.
	Interrupted
)

func (k Kind) String() string {
	switch k {
	case Usage:
		return "usage"
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case Unavailable:
		return "unavailable"
	case Partial:
		return "partial"
	case Interrupted:
		return "interrupted"
	}
	return "unexpected"
}

// Error is a classified error. Field names the argument, flag, column or key that was wrong
// when there is one, so scripts can point at it.
type Error struct {
	Kind  Kind
	Field string
	Msg   string
	Err   error
	// Quiet keeps Err in the chain (errors.Is and errors.As find it) without adding its
	// text to the message: for a driver error, whose wording is not for users.
	Quiet bool
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Err != nil && !(e.Quiet && msg != "") {
		if msg == "" {
			msg = e.Err.Error()
		} else {
			msg = msg + ": " + e.Err.Error()
		}
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf finds the kind of the outermost classified error in err's chain.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return Unexpected
}

// FieldOf returns the field named by the outermost classified error, if any.
func FieldOf(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// Is reports whether err is classified as kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Invalidf is input that breaks a rule; field names what was wrong ("" when nothing single).
func Invalidf(field, format string, args ...any) error {
	return &Error{Kind: Invalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// NotFoundf is a named thing that does not exist.
func NotFoundf(format string, args ...any) error {
	return &Error{Kind: NotFound, Msg: fmt.Sprintf(format, args...)}
}

// Unknownf is a code given for field (an argument, flag or column) that names nothing that
// exists: a product, company, location, bay, batch, currency, unit ... It is a not-found
// error wherever the code was given.
func Unknownf(field, format string, args ...any) error {
	return &Error{Kind: NotFound, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Conflictf is a refusal because of data that already exists.
func Conflictf(format string, args ...any) error {
	return &Error{Kind: Conflict, Msg: fmt.Sprintf(format, args...)}
}

// Usagef is a wrong command line.
func Usagef(field, format string, args ...any) error {
	return &Error{Kind: Usage, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Unavailablef is a database that cannot be used as it is.
func Unavailablef(format string, args ...any) error {
	return &Error{Kind: Unavailable, Msg: fmt.Sprintf(format, args...)}
}

// Wrap classifies err as kind k with a message in front of it.
func Wrap(k Kind, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}
