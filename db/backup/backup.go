// Package backup writes and loads backups of one business: a pg_dump custom-format archive
// of its schema and nothing else, made and restored by the machine's PostgreSQL client
// programs (found like the server's, db/pgserver.Tool).
package backup

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
)

// Target is a business's schema in a database, as the client programs reach it.
type Target struct {
	// URL is the database as stockctl connects to it; a password in it goes to the
	// programs in their environment, never on their command line.
	URL    string
	Schema string
	// BinDir is where the PostgreSQL programs are (STOCKCTL_PG_BINDIR); "" searches for them.
	BinDir string
}

// Step is how far a backup or restore has come: What is being done (the table whose rows
// are copied, or the indexes and constraints built after them), Done of Total tables.
type Step struct {
	What        string
	Done, Total int
}

// Result says what a backup wrote.
type Result struct {
	Tables int    // tables in the schema, each dumped with its rows
	Tool   string // the pg_dump that wrote it
}

// ServerMajor is the database server's major version in PG_VERSION's form ("15", "9.6").
func ServerMajor(ctx context.Context, d *sql.DB) (string, error) {
	var n int
	if err := d.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&n); err != nil {
		return "", fault.Wrap(fault.Unavailable, db.Classify(err), "reading the server's version")
	}
	if n >= 100000 {
		return strconv.Itoa(n / 10000), nil
	}
	return fmt.Sprintf("%d.%d", n/10000, n/100%100), nil
}

// SchemaTables counts the tables in schema; exists is false when there is no such schema.
func SchemaTables(ctx context.Context, d *sql.DB, schema string) (exists bool, tables int, err error) {
	err = d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
		(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p'))`, schema).Scan(&exists, &tables)
	return exists, tables, db.Classify(err)
}

// Dump writes a custom-format archive of t.Schema, and of no other schema, to w, using the
// pg_dump that matches the server's version. pg_dump reads one consistent snapshot, so
// commands may go on working meanwhile. An *os.File is handed to pg_dump as it is: a
// regular file lets it record where each table's data starts, which restores need least.
func Dump(ctx context.Context, d *sql.DB, t Target, w io.Writer, progress func(Step)) (Result, error) {
	if progress == nil {
		progress = func(Step) {}
	}
	var res Result
	major, err := ServerMajor(ctx, d)
	if err != nil {
		return res, err
	}
	if _, res.Tables, err = SchemaTables(ctx, d, t.Schema); err != nil {
		return res, err
	}
	if res.Tool, _, err = pgserver.Tool(ctx, t.BinDir, "pg_dump", major); err != nil {
		return res, err
	}
	done := 0
	watch := func(line string) {
		if table, ok := strings.CutPrefix(line, "dumping contents of table "); ok {
			done++
			progress(Step{What: tableName(table), Done: done, Total: res.Tables})
		}
	}
	progress(Step{What: "reading the definitions", Total: res.Tables})
	err = run(ctx, t, res.Tool, w, watch, "--format=custom", "--schema="+t.Schema, "--verbose")
	if err != nil {
		return res, fault.Wrap(fault.Unexpected, err, "backing up schema %s", t.Schema)
	}
	return res, nil
}

// Archive is what a backup file holds, read from its table of contents.
type Archive struct {
	Path       string
	Schemas    []string // the schemas it creates; a stockctl backup has one
	Tables     int      // tables whose rows it holds
	Version    int64    // the stockctl schema version it was made at; 0 when it has none
	Created    string   // when pg_dump made it
	DumpedFrom string   // the server's version
	DumpedBy   string   // pg_dump's version
	Size       int64

	tool    string   // the pg_restore that read it
	toc     []string // pg_restore --list
	hasMeta bool     // it holds a stockctl version table
}

var (
	tocSchema    = regexp.MustCompile(`^\d+; \d+ \d+ SCHEMA - (\S+)`)
	tocTableData = regexp.MustCompile(`^\d+; \d+ \d+ TABLE DATA (\S+) (\S+)`)
	tocTable     = regexp.MustCompile(`^\d+; \d+ \d+ TABLE (\S+) (\S+)`)
)

// versionTable is goose's table, as db/migrate.go names it.
const versionTable = "stockctl_schema_version"

// Inspect reads a backup's table of contents and the schema version it records, with the
// pg_restore that matches the server's version. A file that is not a pg_dump custom-format
// archive, or that pg_restore cannot read, is refused as invalid.
func Inspect(ctx context.Context, d *sql.DB, t Target, path string) (Archive, error) {
	a := Archive{Path: path}
	var err error
	if a.Size, err = CheckFile(path); err != nil {
		return a, err
	}
	major, err := ServerMajor(ctx, d)
	if err != nil {
		return a, err
	}
	if a.tool, _, err = pgserver.Tool(ctx, t.BinDir, "pg_restore", major); err != nil {
		return a, err
	}
	var list bytes.Buffer
	if err := run(ctx, Target{}, a.tool, &list, nil, "--list", path); err != nil {
		return a, fault.Wrap(fault.Invalid, err, "%s is damaged or not a stockctl backup", path)
	}
	tables := map[string]int{}
	for _, line := range strings.Split(list.String(), "\n") {
		a.toc = append(a.toc, line)
		if v, ok := strings.CutPrefix(line, ";     Dumped from database version: "); ok {
			a.DumpedFrom = v
		} else if v, ok := strings.CutPrefix(line, ";     Dumped by pg_dump version: "); ok {
			a.DumpedBy = v
		} else if v, ok := strings.CutPrefix(line, "; Archive created at "); ok {
			a.Created = v
		} else if m := tocSchema.FindStringSubmatch(line); m != nil {
			a.Schemas = append(a.Schemas, m[1])
		} else if m := tocTableData.FindStringSubmatch(line); m != nil {
			tables[m[1]]++
		} else if m := tocTable.FindStringSubmatch(line); m != nil && m[2] == versionTable {
			a.hasMeta = true
		}
	}
	if len(a.Schemas) == 1 {
		a.Tables = tables[a.Schemas[0]]
		if a.hasMeta {
			if a.Version, err = archiveVersion(ctx, a, a.Schemas[0]); err != nil {
				return a, err
			}
		}
	}
	return a, nil
}

// CheckFile refuses a file that cannot be read or is no pg_dump custom-format archive,
// without a database; it returns the file's size.
func CheckFile(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fault.Invalidf("FILE", "cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fault.Invalidf("FILE", "cannot read %s: %v", path, unwrapPath(err))
	}
	if st.IsDir() {
		return 0, fault.Invalidf("FILE", "%s is a directory, not a backup file", path)
	}
	magic := make([]byte, 5)
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != "PGDMP" {
		return 0, fault.Invalidf("FILE", "%s is not a stockctl backup (one made by stockctl db backup: a pg_dump custom-format archive)", path)
	}
	return st.Size(), nil
}

// archiveVersion reads the highest applied migration from the archive's version table.
func archiveVersion(ctx context.Context, a Archive, schema string) (int64, error) {
	var out bytes.Buffer
	if err := run(ctx, Target{}, a.tool, &out, nil, "--file=-", "--data-only",
		"--schema="+schema, "--table="+versionTable, a.Path); err != nil {
		return 0, fault.Wrap(fault.Invalid, err, "%s is damaged: reading its schema version", a.Path)
	}
	var cols []string
	var version int64
	inCopy := false
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !inCopy && strings.HasPrefix(line, "COPY ") && strings.HasSuffix(line, " FROM stdin;"):
			open, close := strings.IndexByte(line, '('), strings.IndexByte(line, ')')
			if open < 0 || close < open {
				continue
			}
			cols = strings.Split(line[open+1:close], ", ")
			inCopy = true
		case inCopy && line == `\.`:
			inCopy = false
		case inCopy:
			row := map[string]string{}
			for i, v := range strings.Split(line, "\t") {
				if i < len(cols) {
					row[cols[i]] = v
				}
			}
			v, err := strconv.ParseInt(row["version_id"], 10, 64)
			if err == nil && row["is_applied"] != "f" && v > version {
				version = v
			}
		}
	}
	return version, nil
}

// Check refuses an archive that is not a backup of one stockctl schema named schema.
// A business is restored under the name it was backed up from: its functions carry the
// schema in their search_path and its column defaults name its sequences, so the same
// objects under another name would still work in the old one.
func (a Archive) Check(schema string) error {
	switch {
	case len(a.Schemas) == 0 || (len(a.Schemas) == 1 && !a.hasMeta):
		return fault.Invalidf("FILE", "%s is not a stockctl backup: it holds no stockctl schema", a.Path)
	case len(a.Schemas) > 1:
		return fault.Invalidf("FILE", "%s is not a stockctl backup: it holds several schemas (%s), a stockctl backup holds one business's", a.Path, strings.Join(a.Schemas, ", "))
	case a.Schemas[0] != schema:
		return fault.Invalidf("schema", "%s holds the business of schema %s, not %s: restore it with --schema %s (a business is restored under the schema name it was backed up from)",
			a.Path, a.Schemas[0], schema, a.Schemas[0])
	}
	return nil
}

// RestoreOptions say how Restore treats a schema that already holds tables.
type RestoreOptions struct {
	// Replace replaces a schema that holds tables (and only that schema), once the whole
	// archive has been read through without error: the old one is renamed aside, and
	// dropped when the restore has committed or renamed back when it failed.
	Replace bool
	// DryRun checks everything, reads the whole archive through, and changes nothing.
	DryRun bool
}

// Restore loads a checked archive into t.Schema with pg_restore in one transaction, so a
// restore that fails leaves nothing behind. The schema must be missing or hold no tables;
// one that holds tables is refused (a conflict) unless opts.Replace. An existing empty
// schema is kept (it may have been made for a user who cannot create schemas) and the
// archive's own CREATE SCHEMA left out.
func Restore(ctx context.Context, d *sql.DB, t Target, a Archive, opts RestoreOptions, progress func(Step)) error {
	if progress == nil {
		progress = func(Step) {}
	}
	if err := a.Check(t.Schema); err != nil {
		return err
	}
	exists, tables, err := SchemaTables(ctx, d, t.Schema)
	if err != nil {
		return err
	}
	if tables > 0 && !opts.Replace {
		return fault.Conflictf("schema %s already holds a business (%d tables): restore into an empty schema, or replace it with --replace --yes (drops schema %s and everything in it first)",
			t.Schema, tables, t.Schema)
	}
	if (tables > 0 && opts.Replace) || opts.DryRun {
		// Read every block before anything is dropped, so a damaged file stops here.
		progress(Step{What: "reading the backup through", Total: a.Tables})
		if err := run(ctx, Target{}, a.tool, io.Discard, nil, "--file="+os.DevNull, a.Path); err != nil {
			return fault.Wrap(fault.Invalid, err, "%s is damaged (nothing was changed)", a.Path)
		}
	}
	if opts.DryRun {
		return nil
	}
	// --replace moves the old business aside under another name instead of dropping it, so
	// a restore that fails puts it back, and a process killed half way leaves it there to be
	// renamed back by hand, never lost. It is dropped once the restore has committed.
	aside := ""
	if tables > 0 {
		aside = fmt.Sprintf("%s_replaced_%d", t.Schema, time.Now().Unix())
		if len(aside) > 63 {
			aside = fmt.Sprintf("replaced_%d", time.Now().UnixNano())
		}
		if err := renameSchema(ctx, d, t.Schema, aside); err != nil {
			return err
		}
		exists = false
	}
	args := []string{"--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--verbose"}
	if exists {
		list, err := os.CreateTemp("", "stockctl-restore-*.list")
		if err != nil {
			return err
		}
		defer os.Remove(list.Name())
		for _, line := range a.toc {
			if tocSchema.MatchString(line) {
				line = ";" + line
			}
			fmt.Fprintln(list, line)
		}
		if err := list.Close(); err != nil {
			return err
		}
		args = append(args, "--use-list="+list.Name())
	}
	done, building := 0, false
	watch := func(line string) {
		if table, ok := strings.CutPrefix(line, "processing data for table "); ok {
			done++
			progress(Step{What: tableName(table), Done: done, Total: a.Tables})
		} else if done > 0 && !building && strings.HasPrefix(line, "creating ") {
			building = true
			progress(Step{What: "indexes and constraints", Done: done, Total: a.Tables})
		}
	}
	progress(Step{What: "creating the tables", Total: a.Tables})
	if err := run(ctx, t, a.tool, io.Discard, watch, append(args, a.Path)...); err != nil {
		if aside != "" {
			if rerr := renameSchema(context.WithoutCancel(ctx), d, aside, t.Schema); rerr != nil {
				return fault.Wrap(fault.Unexpected, err, "restoring %s into schema %s was rolled back, and putting the old business back failed too (%v): it is kept in schema %s; rename it back with ALTER SCHEMA %s RENAME TO %s",
					a.Path, t.Schema, rerr, aside, aside, t.Schema)
			}
			return fault.Wrap(fault.Unexpected, err, "restoring %s into schema %s (rolled back: the old business is back as it was)", a.Path, t.Schema)
		}
		return fault.Wrap(fault.Unexpected, err, "restoring %s into schema %s (rolled back: nothing of it was restored)", a.Path, t.Schema)
	}
	if aside != "" {
		if err := db.DropSchema(ctx, d, aside); err != nil {
			return fault.Wrap(fault.Unexpected, err, "restored %s into schema %s, but dropping the replaced business kept in schema %s failed: drop it with DROP SCHEMA %s CASCADE", a.Path, t.Schema, aside, aside)
		}
	}
	return nil
}

// renameSchema renames a business's schema; both names are stockctl's own.
func renameSchema(ctx context.Context, d *sql.DB, from, to string) error {
	if err := db.CheckSchemaName(from); err != nil {
		return err
	}
	if err := db.CheckSchemaName(to); err != nil {
		return err
	}
	_, err := d.ExecContext(ctx, `ALTER SCHEMA `+pgx.Identifier{from}.Sanitize()+` RENAME TO `+pgx.Identifier{to}.Sanitize())
	return db.Classify(err)
}

// run runs a client program; with a Target the connection is added (--dbname, the
// password in the environment). Its stdout goes to out; each line it logs is handed to
// watch without the program's name; the lines that say what went wrong make the error,
// with any password hidden.
func run(ctx context.Context, t Target, tool string, out io.Writer, watch func(string), args ...string) error {
	password := ""
	if t.URL != "" {
		conn, pw, err := clientConn(t.URL)
		if err != nil {
			return err
		}
		password = pw
		args = append([]string{"--dbname=" + conn}, args...)
	}
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = childEnv(password)
	cmd.Stdout = out
	log := &logLines{watch: watch}
	cmd.Stderr = log
	err := cmd.Run()
	log.flush()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := strings.Join(log.problems, "\n")
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "xxxxx")
	}
	msg = db.Scrub(msg, t.URL)
	var exit *exec.ExitError
	if msg == "" || !errors.As(err, &exit) {
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("%s: %w%s", tool, err, msg)
	}
	return errors.New(msg)
}

// logLines splits a program's log into lines: progress for watch, problems kept (the
// last ones) for the error.
type logLines struct {
	mu       sync.Mutex
	buf      []byte
	watch    func(string)
	problems []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.line(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *logLines) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.line(string(l.buf))
		l.buf = nil
	}
}

// line sorts one line: "pg_dump: error: ...", "pg_restore: detail: ..." and lines of no
// program ("Command was: ...") are problems; the rest is progress.
func (l *logLines) line(s string) {
	s = strings.TrimRight(s, "\r")
	if strings.TrimSpace(s) == "" {
		return
	}
	prog, rest, ok := strings.Cut(s, ": ")
	if !ok || (prog != "pg_dump" && prog != "pg_restore") {
		l.problem(s)
		return
	}
	for _, p := range []string{"error: ", "warning: ", "detail: ", "hint: ", "while PROCESSING TOC", "from TOC entry"} {
		if strings.HasPrefix(rest, p) {
			l.problem(s)
			return
		}
	}
	if l.watch != nil {
		l.watch(rest)
	}
}

func (l *logLines) problem(s string) {
	const keep = 12
	if len(l.problems) == keep {
		l.problems = l.problems[1:]
	}
	l.problems = append(l.problems, s)
}

// tableName turns pg_dump's "schema.table" (quoted) into the table's name.
func tableName(s string) string {
	s = strings.Trim(s, `"`)
	if _, name, ok := strings.Cut(s, "."); ok {
		return name
	}
	return s
}

// unwrapPath drops the path an *os.PathError repeats, leaving the reason.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
