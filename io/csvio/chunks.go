package csvio

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ChunkRows is how many rows an import that checks its rows in Go (price breaks, special
// prices, stock levels, stock adjustments) reads, checks and writes at a time, all in the
// one transaction: its memory holds one chunk, whatever the file's size. An import takes
// another size from ImportOptions.ChunkRows.
const ChunkRows = 10000

// Chunk is the number of rows the import reads, checks and writes at a time: o.ChunkRows,
// or ChunkRows when that is not positive.
func (o ImportOptions) Chunk() int {
	if o.ChunkRows > 0 {
		return o.ChunkRows
	}
	return ChunkRows
}

// KeyLog remembers, across the chunks of one import, the key of each row that got past its
// own checks and the file row it is on, so that a key given again in a later chunk is
// refused as it is within one. The keys are kept in a temporary table of the import's
// transaction. A nil *KeyLog remembers nothing (a write that is not an import).
type KeyLog struct {
	q     sqlx.ExtContext
	table string
	made  bool
}

// NewKeyLog keeps keys in the temporary table name, made when the first key is noted.
func NewKeyLog(q sqlx.ExtContext, name string) *KeyLog { return &KeyLog{q: q, table: name} }

// Earlier returns, for each keys[j] that an earlier and other file row had, that row (rows[j]
// is the file row of keys[j]: a row checked again is not a repeat of itself).
func (l *KeyLog) Earlier(ctx context.Context, keys []string, rows []int) (map[int]int, error) {
	if l == nil || !l.made || len(keys) == 0 {
		return nil, nil
	}
	var found []struct {
		Key string `db:"key"`
		Row int    `db:"row_no"`
	}
	if err := sqlx.SelectContext(ctx, l.q, &found, `SELECT key, row_no FROM `+l.table+` WHERE key = ANY($1::text[])`, pq.Array(keys)); err != nil {
		return nil, fmt.Errorf("looking up the keys of earlier rows: %w", err)
	}
	first := make(map[string]int, len(found))
	for _, f := range found {
		first[f.Key] = f.Row
	}
	out := map[int]int{}
	for j, k := range keys {
		if row, ok := first[k]; ok && row != rows[j] {
			out[j] = row
		}
	}
	return out, nil
}

// Note remembers keys[j] as on file row rows[j]; a key noted before keeps its first row.
func (l *KeyLog) Note(ctx context.Context, keys []string, rows []int) error {
	if l == nil || len(keys) == 0 {
		return nil
	}
	if !l.made {
		// Keys compare byte for byte: the database's collation would cost more and change nothing.
		if _, err := l.q.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+l.table+` (key text COLLATE "C" PRIMARY KEY, row_no int NOT NULL) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("keeping the keys of the rows: %w", err)
		}
		l.made = true
	}
	rs := make([]int64, len(rows))
	for i, r := range rows {
		rs[i] = int64(r)
	}
	if _, err := l.q.ExecContext(ctx, `INSERT INTO `+l.table+` (key, row_no) SELECT * FROM unnest($1::text[], $2::int[])
		ON CONFLICT (key) DO NOTHING`, pq.Array(keys), pq.Array(rs)); err != nil {
		return fmt.Errorf("keeping the keys of the rows: %w", err)
	}
	return nil
}
