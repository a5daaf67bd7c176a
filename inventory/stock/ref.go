package stock

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Idempotency refs (--ref). A posting given a ref claims (scope, ref) in posting_refs in
// its own transaction and keeps there, in that transaction, the request in canonical form
// and, once posted, its result. The same ref again, with the same request, posts nothing
// and is answered with the result kept; with a different request it is refused (a
// fault.Conflict) naming the ref and the first difference. Refs posted before migration
// 00016 kept neither: they are answered "already posted" without a comparison, since there
// is nothing to compare with, and without a result.

// Field is one value of a request in canonical form, by name; "" is a value not given.
type Field struct{ Name, Value string }

// Fields are the values of a request or of one of its lines. They are kept as a JSON object
// of the values given ({"sku": "W", "qty": "5"}): a field not given is no field, so
// requests kept by a version with fewer fields compare with a later one's.
type Fields []Field

// MarshalJSON writes the object of the values given, in order.
func (fs Fields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for _, f := range fs {
		if f.Value == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		k, err := json.Marshal(f.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads the object, its fields sorted by name (jsonb keeps no order).
func (fs *Fields) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*fs = make(Fields, 0, len(m))
	for k, v := range m {
		*fs = append(*fs, Field{k, v})
	}
	slices.SortFunc(*fs, func(x, y Field) int { return strings.Compare(x.Name, y.Name) })
	return nil
}

// TextField is a text value, without surrounding spaces.
func TextField(name, v string) Field { return Field{name, strings.TrimSpace(v)} }

// DecField is a decimal as a number: 5, 5.0 and 5.00 are all "5".
func DecField(name string, d decimal.Decimal) Field { return Field{name, canonicalDecimal(d)} }

// DecPtrField is DecField, or "" when d is nil.
func DecPtrField(name string, d *decimal.Decimal) Field {
	if d == nil {
		return Field{name, ""}
	}
	return DecField(name, *d)
}

// DateField is a day as YYYY-MM-DD, or "" when t is nil.
func DateField(name string, t *time.Time) Field {
	if t == nil {
		return Field{name, ""}
	}
	return Field{name, t.Format(time.DateOnly)}
}

// SetField is a set of names (serials): trimmed, sorted and separated by spaces, so the
// order they are given in does not count.
func SetField(name string, vs []string) Field {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return Field{name, strings.Join(out, " ")}
}

// FlagField is yes or no.
func FlagField(name string, b bool) Field {
	if b {
		return Field{name, "yes"}
	}
	return Field{name, "no"}
}

// IntField is a whole number, or "" when 0 (not given).
func IntField(name string, n int) Field {
	if n == 0 {
		return Field{name, ""}
	}
	return Field{name, strconv.Itoa(n)}
}

func canonicalDecimal(d decimal.Decimal) string {
	if e := d.Exponent(); e >= 0 {
		return d.String()
	}
	s := d.StringFixed(-d.Exponent())
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// KeptLines is how many lines a request keeps for naming the first line that differs:
// beyond it (big stock import files) only a digest of the lines and one digest per
// KeptLines lines are kept, and a difference is named by the block of lines it is in.
// Measured roughly on the shared 2-core test machine: 10,000 rows of opening stock are
// 0.9 MB of JSON (45 KB stored, compressed), 0.3-0.5 s to write as jsonb and 0.2-0.4 s to
// read back and parse, held in memory while the file is read (as a chunk of rows is), next
// to some 7 s to post them; a million rows would be 90 MB. The digests cost about 2 µs a row.
const KeptLines = 10_000

// Request is what a posting under a ref asked for, in canonical form: its fields and its
// lines (adjustments, file rows, receipt lines), each a list of fields.
type Request struct {
	Fields Fields `json:"fields,omitempty"`
	// Lines are kept while Count <= KeptLines.
	Lines  []Fields `json:"lines,omitempty"`
	Count  int      `json:"count"`
	Digest string   `json:"digest"`           // SHA-256 of the lines
	Blocks []string `json:"blocks,omitempty"` // SHA-256 of each KeptLines lines, when Lines are not kept
}

// RequestBuilder puts a Request together a line at a time, so a file is never held whole,
// and checks it as it goes against the request its ref was posted with (prior): the first
// difference comes back as an error at once (a fault.Conflict naming the ref), so a file
// that differs is read only up to where it does.
type RequestBuilder struct {
	ref, noun string
	prior     *Request
	req       Request
	all       hash.Hash
	block     hash.Hash
	inBlock   int
	blockFrom string // label of the first line of the current block
	blockTo   string // and of the last so far
	buf       []byte // a line's encoding, for the digests
}

// NewRequestBuilder starts the request of a posting under ref with its fields, compared
// at once with prior's when prior is not nil. noun names a line in messages ("row",
// "adjustment", "line").
func NewRequestBuilder(ref, noun string, prior *Request, fields ...Field) (*RequestBuilder, error) {
	b := &RequestBuilder{ref: ref, noun: noun, prior: prior, all: sha256.New(), block: sha256.New()}
	b.req.Fields = fields
	if prior != nil {
		if err := b.compare(prior.Fields, fields, ""); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Line adds the next line; label names it in messages ("row 12"; "" when the request
// has one line and needs no name).
func (b *RequestBuilder) Line(label string, fields ...Field) error {
	i := b.req.Count
	b.req.Count++
	if b.req.Count <= KeptLines {
		b.req.Lines = append(b.req.Lines, fields)
	} else {
		b.req.Lines = nil
	}
	buf := b.buf[:0]
	for _, f := range fields {
		if f.Value == "" { // a field not given is no field: requests stay comparable when fields are added
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(len(f.Name)))
		buf = append(buf, f.Name...)
		buf = binary.AppendUvarint(buf, uint64(len(f.Value)))
		buf = append(buf, f.Value...)
	}
	buf = append(buf, 0) // end of line
	b.all.Write(buf)
	b.block.Write(buf)
	b.buf = buf
	if b.inBlock == 0 {
		b.blockFrom = label
	}
	b.inBlock++
	b.blockTo = label
	if p := b.prior; p != nil && p.Lines != nil && i < len(p.Lines) {
		if err := b.compare(p.Lines[i], fields, label); err != nil {
			return err
		}
	}
	if b.inBlock == KeptLines {
		return b.endBlock()
	}
	return nil
}

// endBlock closes the current block of lines and compares its digest with the prior's
// block, when the prior kept no lines and its block has as many.
func (b *RequestBuilder) endBlock() error {
	k := len(b.req.Blocks)
	sum := hex.EncodeToString(b.block.Sum(nil))
	b.req.Blocks = append(b.req.Blocks, sum)
	n := b.inBlock
	b.block.Reset()
	b.inBlock = 0
	p := b.prior
	if p == nil || p.Lines != nil || k >= len(p.Blocks) || min(KeptLines, p.Count-k*KeptLines) != n || p.Blocks[k] == sum {
		return nil
	}
	return refConflict("ref %s was posted with other %ss: the first difference is between %s and %s (of a posting of over %d %ss only a digest of each %d is kept, not the %ss themselves)",
		b.ref, b.noun, b.blockFrom, b.blockTo, KeptLines, b.noun, KeptLines, b.noun)
}

// Done ends the request and returns it, or the difference from the prior that the lines
// did not already show: their number, or (between requests that kept no lines and no
// block says where) their digest.
func (b *RequestBuilder) Done() (Request, error) {
	if b.inBlock > 0 {
		if err := b.endBlock(); err != nil {
			return Request{}, err
		}
	}
	b.req.Digest = hex.EncodeToString(b.all.Sum(nil))
	if b.req.Count <= KeptLines {
		b.req.Blocks = nil
	}
	if p := b.prior; p != nil {
		if p.Count != b.req.Count {
			return Request{}, refConflict("ref %s was posted with %s; this run has %d", b.ref, plural(p.Count, b.noun), b.req.Count)
		}
		if p.Digest != b.req.Digest {
			return Request{}, refConflict("ref %s was posted with other %ss", b.ref, b.noun)
		}
	}
	return b.req, nil
}

// compare returns the first field of now whose value differs from was's, in now's order,
// then any field only was has.
func (b *RequestBuilder) compare(was, now []Field, label string) error {
	value := func(fs []Field, name string) (string, bool) {
		for _, f := range fs {
			if f.Name == name {
				return f.Value, true
			}
		}
		return "", false
	}
	for _, f := range now {
		if v, _ := value(was, f.Name); v != f.Value {
			return differs(b.ref, label, f.Name, v, f.Value)
		}
	}
	for _, f := range was {
		if _, ok := value(now, f.Name); !ok && f.Value != "" {
			return differs(b.ref, label, f.Name, f.Value, "")
		}
	}
	return nil
}

// differs says that ref was posted with another value of one field: "ref cron-1 was
// posted with qty 5; this run asks 7".
func differs(ref, label, name, was, now string) error {
	at := ""
	if label != "" {
		at = " in " + label
	}
	var msg string
	switch {
	case was == "":
		msg = fmt.Sprintf("ref %s was posted without %s%s; this run asks %s %s", ref, name, at, name, quote(now))
	case now == "":
		msg = fmt.Sprintf("ref %s was posted with %s %s%s; this run leaves it out", ref, name, quote(was), at)
	default:
		msg = fmt.Sprintf("ref %s was posted with %s %s%s; this run asks %s", ref, name, quote(was), at, quote(now))
	}
	return refConflict("%s", msg)
}

// refConflict refuses a ref reused with another request.
func refConflict(format string, args ...any) error {
	return &fault.Error{Kind: fault.Conflict, Field: "ref",
		Msg: fmt.Sprintf(format, args...) + ": nothing was posted (a different posting needs a new ref)"}
}

func quote(v string) string {
	if strings.ContainsAny(v, " \t\"';") {
		return strconv.Quote(v)
	}
	return v
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// claim is what claiming a ref found.
type claim struct {
	fresh bool // the ref is new: post, then keepRef
	// prior and result are what the ref was posted with and what came of it; both nil for
	// refs posted before migration 00016, which kept neither.
	prior  *Request
	result []byte
}

// ClaimRef records ref in scope in q's transaction and reports whether it is new, so a
// document posted under a ref is posted once even when two runs race (see Adjust). It
// keeps no request: the caller's ref is the document itself (a stocktake's number).
func ClaimRef(ctx context.Context, q sqlx.ExtContext, scope, ref string) (bool, error) {
	c, err := claimRef(ctx, q, scope, ref)
	return c.fresh, err
}

// claimRef records ref in scope and reports whether it is new, and if not what it was
// posted with. A second transaction with the same ref waits for the first and then sees
// it, so a ref is applied once even when two runs race.
func claimRef(ctx context.Context, q sqlx.ExtContext, scope, ref string) (claim, error) {
	if err := bounds.CheckText("a ref", ref, bounds.MaxRef); err != nil {
		return claim{}, fault.Invalidf("ref", "--ref: %v", err)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO posting_refs (scope, ref) VALUES ($1, $2) ON CONFLICT (scope, ref) DO NOTHING`, scope, ref)
	if err != nil {
		return claim{}, db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return claim{fresh: true}, nil
	}
	var kept struct {
		Request []byte `db:"request"`
		Result  []byte `db:"result"`
	}
	if err := sqlx.GetContext(ctx, q, &kept, `SELECT request, result FROM posting_refs WHERE scope = $1 AND ref = $2`, scope, ref); err != nil {
		return claim{}, db.Classify(err)
	}
	c := claim{result: kept.Result}
	if kept.Request != nil {
		c.prior = new(Request)
		if err := json.Unmarshal(kept.Request, c.prior); err != nil {
			return claim{}, fmt.Errorf("ref %s: the request kept with it does not read: %w", ref, err)
		}
	}
	return c, nil
}

// keepRef keeps with a ref claimed fresh the request, the number of moves posted and the
// result (written by db.JSON, so decimals keep their scale).
func keepRef(ctx context.Context, q sqlx.ExtContext, scope, ref string, req Request, moves int, result any) error {
	rq, err := json.Marshal(req)
	if err != nil {
		return err
	}
	rs, err := db.JSON(result)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE posting_refs SET request = $3, result = $4, moves = $5 WHERE scope = $1 AND ref = $2`,
		scope, ref, string(rq), string(rs), moves)
	return db.Classify(err)
}
