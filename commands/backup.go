package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/backup"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/outfile"
	"github.com/stockctl/stockctl/io/printer"
)

func (a *App) dbBackupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE|-",
		Short: "Back up the business (its schema) to FILE, a pg_dump custom-format archive",
		Long: `Write a backup of the business to FILE: a pg_dump custom-format archive (-Fc) of
stockctl's schema (--schema, default stockctl) and of nothing else in the database. It is
made with the pg_dump of the server's major version (or the oldest newer one), found where
the server binaries are (STOCKCTL_PG_BINDIR, PATH, pg_config --bindir,
/usr/lib/postgresql/*/bin). pg_dump reads one consistent snapshot, so other commands may
go on working meanwhile.

FILE is written to a temporary file in the same directory and renamed into place when
complete, so it is never half a backup; an existing FILE is replaced (a symbolic link is
replaced by the file, its target is left alone). The new file gets the permissions the
umask gives (umask 077 keeps it to yourself). "-" writes the archive to standard output.

Backing up never changes the database: a URL database whose schema is older than this
stockctl can be backed up before "stockctl db migrate". On a terminal a progress line
shows the table being copied; then one line says what was written, its size and how long
it took. Restore with "stockctl db restore FILE".`,
		Example: `  stockctl db backup stockctl.dump
  stockctl db backup /var/backups/stockctl/$(date +%F).dump
  stockctl --schema shop_2 db backup shop_2.dump
  stockctl db backup - | ssh backup-host 'cat > stockctl.dump'`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.backup(c.Context(), argv[0])
		},
	}
}

func (a *App) backup(ctx context.Context, path string) (err error) {
	began := time.Now()
	var out io.Writer
	var file *outfile.File
	var count *countingWriter
	if path == "-" {
		if a.OutTTY {
			return fault.Usagef("FILE", "a backup is binary: redirect standard output to a file or a program, or name the file")
		}
		count = &countingWriter{w: a.Out}
		out = count
	} else {
		if file, err = outfile.Create(path); err != nil {
			if errors.Is(err, outfile.ErrDirectory) {
				return fault.Invalidf("FILE", "%s is a directory: name the backup file, e.g. %s", path, filepath.Join(path, time.Now().Format("2006-01-02")+".dump"))
			}
			return fileError("FILE", err)
		}
		defer file.Abort() // after Commit it does nothing
		out = file.OS()    // pg_dump's own stdout: a regular file lets it record table offsets
	}
	conn, target, err := a.backupTarget(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := db.SchemaVersion(ctx, conn.DB)
	if err != nil {
		return err
	}
	switch {
	case v.Legacy:
		return db.CheckSchema(ctx, conn.DB, "the database from "+a.app().Source().From)
	case v.Current == 0:
		return fault.NotFoundf("schema %s of the database from %s holds no stockctl business: nothing to back up", target.Schema, a.app().Source().From)
	}
	step, clear := a.progressLine("backing up")
	res, err := backup.Dump(ctx, conn.DB, target, out, step)
	clear()
	if err != nil {
		return err
	}
	var size int64
	where := "standard output"
	if file != nil {
		if size, err = file.Commit(); err != nil {
			return fileError("FILE", err)
		}
		where = path
	} else {
		size = count.n
	}
	a.say("backed up schema %s (%d tables, schema version %d) to %s: %s in %s",
		target.Schema, res.Tables, v.Current, where, humanBytes(size), elapsed(began))
	return nil
}

func (a *App) dbRestoreCmd() *cobra.Command {
	var replace, yes, dry bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore the business (its schema) from a backup made by db backup",
		Long: `Load a backup made by "stockctl db backup" into the business's schema (--schema,
default stockctl). The schema must be empty: missing, or holding no tables. One that holds
a business is refused (exit 5) unless --replace --yes, which replaces that schema, and only
that one: the whole file is read through first, so a damaged backup changes nothing; the old
business is moved aside (schema <schema>_replaced_<time>) and dropped only once the restore
has committed, so a restore that fails puts it back.

The restore runs with pg_restore (the server's major version) in one transaction
(--single-transaction --exit-on-error --no-owner --no-privileges): a restore that fails
leaves nothing of the backup behind. Objects belong to the user stockctl connects as.

A backup is restored under the schema name it was made from (its functions and defaults
name it); a backup of another schema is refused, naming the --schema to use. After the
restore the schema version is checked: a backup from an older stockctl is migrated on the
private database, and on a URL database reported like any old schema (exit 10, "run
stockctl db migrate"). --dry-run checks the file and the target and reads the whole backup
through, changing nothing.`,
		Example: `  stockctl db restore stockctl.dump
  stockctl db restore --replace --yes /var/backups/stockctl/2026-03-01.dump
  stockctl db restore --dry-run stockctl.dump
  stockctl --db postgres://inv@db.internal/inventory --schema shop_2 db restore shop_2.dump`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			if argv[0] == "-" {
				return fault.Usagef("FILE", "restore reads a file (pg_restore reads it more than once): save the backup to a file first")
			}
			if replace && !dry {
				schema, _, err := db.ResolveSchema(a.Schema)
				if err != nil {
					return err
				}
				if err := a.confirm(yes, "restore --replace drops schema "+schema+" and everything in it"); err != nil {
					return err
				}
			}
			return a.restore(c.Context(), argv[0], backup.RestoreOptions{Replace: replace, DryRun: dry})
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "drop the schema's business first (asks for --yes)")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm --replace")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check the backup and the target, read the backup through; restore nothing")
	return cmd
}

func (a *App) restore(ctx context.Context, path string, opts backup.RestoreOptions) error {
	began := time.Now()
	if _, err := backup.CheckFile(path); err != nil {
		return err
	}
	conn, target, err := a.backupTarget(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	arch, err := backup.Inspect(ctx, conn.DB, target, path)
	if err != nil {
		return err
	}
	if err := arch.Check(target.Schema); err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx, conn.DB)
	if err != nil {
		return err
	}
	if arch.Version > v.Target {
		return fault.Unavailablef("%s is a backup at schema version %d, newer than this stockctl knows (%d): upgrade stockctl to restore it", path, arch.Version, v.Target)
	}
	step, clear := a.progressLine("restoring")
	err = backup.Restore(ctx, conn.DB, target, arch, opts, step)
	clear()
	if err != nil {
		return err
	}
	if opts.DryRun {
		a.say("%s can be restored into schema %s: %d tables, schema version %d, made %s (nothing restored: --dry-run)",
			path, target.Schema, arch.Tables, arch.Version, arch.Created)
		return nil
	}
	a.say("restored schema %s (%d tables, schema version %d, made %s) from %s: %s in %s",
		target.Schema, arch.Tables, arch.Version, arch.Created, path, humanBytes(arch.Size), elapsed(began))
	if !a.app().Source().Private {
		return db.CheckSchema(ctx, conn.DB, "the database from "+a.app().Source().From)
	}
	applied, err := db.Migrate(ctx, conn.DB)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.say("migrated the restored schema %s from version %d to %d", target.Schema, arch.Version, applied[len(applied)-1])
	}
	return nil
}

// backupTarget connects without looking at the schema (a backup is for before a migrate
// too, and a restore starts from none) and says how pg_dump and pg_restore reach it.
func (a *App) backupTarget(ctx context.Context) (*sqlx.DB, backup.Target, error) {
	conn, err := a.connect(ctx)
	if err != nil {
		return nil, backup.Target{}, err
	}
	t := backup.Target{URL: a.app().Source().URL, BinDir: os.Getenv("STOCKCTL_PG_BINDIR")}
	if a.app().Source().Private {
		srv, err := a.privateServer()
		if err != nil {
			conn.Close()
			return nil, t, err
		}
		t.URL = srv.URL()
	}
	if t.Schema, err = db.SchemaOf(ctx, conn.DB); err != nil {
		conn.Close()
		return nil, t, err
	}
	return conn, t, nil
}

// progressLine shows a job's steps on one line of the terminal (stderr), rewritten in
// place; clear wipes it before the summary. Off a terminal it shows nothing.
func (a *App) progressLine(verb string) (step func(backup.Step), clear func()) {
	if !a.ErrTTY {
		return func(backup.Step) {}, func() {}
	}
	shown := false
	step = func(s backup.Step) {
		shown = true
		fmt.Fprintf(a.Err, "\r\x1b[K%s: %s (%d of %d tables)", verb, printer.Escape(s.What), min(s.Done, s.Total), s.Total)
	}
	clear = func() {
		if shown {
			fmt.Fprint(a.Err, "\r\x1b[K")
		}
	}
	return step, clear
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// humanBytes renders a size for people: 932 B, 14.2 kB, 3.1 MB.
func humanBytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	f, units := float64(n), []string{"kB", "MB", "GB", "TB"}
	i := -1
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// elapsed renders the time since began for people.
func elapsed(began time.Time) string {
	d := time.Since(began)
	if d < 10*time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
