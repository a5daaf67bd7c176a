package db_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// What the driver says when the server goes away mid-command, in its many forms, is
// "unavailable" (exit 10) with a sentence of our own and none of the driver's words.
func TestClassifyLostConnection(t *testing.T) {
	t.Parallel()
	broken := &net.OpError{Op: "write", Net: "unix", Err: os.NewSyscallError("write", syscall.EPIPE)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for name, err := range map[string]error{
		"broken pipe":      fmt.Errorf("failed to write startup message: %w", broken),
		"connection reset": reset,
		"unexpected EOF":   fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF),
		"EOF":              io.EOF,
		"conn closed":      fmt.Errorf("query: %w", pgconn.ErrConnClosed),
		"bad connection":   driver.ErrBadConn,
		"connection done":  sql.ErrConnDone,
		"admin shutdown":   &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"},
		"crash shutdown":   &pgconn.PgError{Severity: "FATAL", Code: "57P02", Message: "terminating connection because of crash of another server process"},
		"cannot connect":   &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is shutting down"},
		"class 08":         &pgconn.PgError{Severity: "FATAL", Code: "08006", Message: "connection failure"},
	} {
		got := db.Classify(err)
		if fault.KindOf(got) != fault.Unavailable {
			t.Errorf("%s: kind %v (%v), want unavailable", name, fault.KindOf(got), got)
			continue
		}
		msg := got.Error()
		if !strings.HasPrefix(msg, "the database went away") {
			t.Errorf("%s: message %q", name, msg)
		}
		for _, raw := range []string{"SQLSTATE", "conn closed", "broken pipe", "EOF", "driver:", "sql:", "57P0"} {
			if strings.Contains(msg, raw) {
				t.Errorf("%s: %q carries the driver's %q", name, msg, raw)
			}
		}
	}
}

// Errors the database raises keep their kind but not the driver's wording; the original
// stays in the chain for code that asks for it.
func TestClassifyKeepsTheCauseButNotItsWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  *pgconn.PgError
		kind fault.Kind
	}{
		{&pgconn.PgError{Code: "23505", Message: `duplicate key value violates unique constraint "products_sku_key"`, Detail: "Key (sku)=(W) already exists.", ConstraintName: "products_sku_key"}, fault.Conflict},
		{&pgconn.PgError{Code: "23514", Message: `new row for relation "price_breaks" violates check constraint "price_breaks_price_check"`, ConstraintName: "price_breaks_price_check", TableName: "price_breaks"}, fault.Invalid},
		{&pgconn.PgError{Code: "22003", Message: "numeric field overflow"}, fault.Invalid},
		{&pgconn.PgError{Code: "22008", Message: "date/time field value out of range"}, fault.Invalid},
		{&pgconn.PgError{Code: "54000", Message: "index row size 3016 exceeds btree version 4 maximum 2704"}, fault.Invalid},
		{&pgconn.PgError{Code: "XX000", Message: "internal error"}, fault.Unexpected},
	} {
		got := db.Classify(c.err)
		if fault.KindOf(got) != c.kind {
			t.Errorf("%s: kind %v, want %v", c.err.Code, fault.KindOf(got), c.kind)
		}
		if strings.Contains(got.Error(), "SQLSTATE") || strings.Contains(got.Error(), "violates") {
			t.Errorf("%s: %q carries the driver's words", c.err.Code, got)
		}
		if db.SQLState(got) != c.err.Code {
			t.Errorf("%s: the cause is lost: %q", c.err.Code, db.SQLState(got))
		}
	}
	if got := db.Classify(sql.ErrNoRows); fault.KindOf(got) != fault.NotFound || strings.Contains(got.Error(), "sql:") {
		t.Errorf("no rows: %v", got)
	}
	if got := db.Classify(context.Canceled); fault.KindOf(got) != fault.Interrupted {
		t.Errorf("cancelled: %v", got)
	}
}
