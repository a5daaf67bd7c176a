package db

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// Bulk is a transaction on one connection that can also COPY rows into a table, for imports
// that stream a file into a staging table and merge it with set-based SQL.
type Bulk struct {
	*sqlx.Tx
	conn *sqlx.Conn
}

// CopyBinary streams r, the data of a COPY in PostgreSQL's binary format, into columns of
// table (usually a temporary staging table) inside the transaction, and returns how many
// rows it copied. An error reading r abandons the COPY and is returned.
func (b *Bulk) CopyBinary(ctx context.Context, table string, columns []string, r io.Reader) (int64, error) {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	stmt := "COPY " + pgx.Identifier{table}.Sanitize() + " (" + strings.Join(cols, ", ") + ") FROM STDIN (FORMAT binary)"
	var n int64
	err := b.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs the pgx driver, the connection is a %T", driverConn)
		}
		tag, err := c.Conn().PgConn().CopyFrom(ctx, r, stmt)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// InBulk runs fn in one transaction on a connection of its own, committed when fn succeeds
// and rolled back when it fails or rollback is set (--dry-run). Unlike InTx it is not rerun
// on a serialization failure: its input is a stream that cannot be read twice.
func InBulk(ctx context.Context, d *sqlx.DB, rollback bool, fn func(b *Bulk) error) (err error) {
	conn, err := d.Connx(ctx)
	if err != nil {
		return Classify(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return Classify(err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Bulk{Tx: tx, conn: conn}); err != nil {
		_ = tx.Rollback()
		return Classify(err)
	}
	if rollback {
		return Classify(tx.Rollback())
	}
	return Classify(tx.Commit())
}

// CopyOut runs a COPY ... TO STDOUT statement inside the transaction and streams what it
// writes to w; it returns the number of rows copied.
func (b *Bulk) CopyOut(ctx context.Context, w io.Writer, copySQL string) (int64, error) {
	var n int64
	err := b.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs the pgx driver, the connection is a %T", driverConn)
		}
		tag, err := c.Conn().PgConn().CopyTo(ctx, w, copySQL)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
