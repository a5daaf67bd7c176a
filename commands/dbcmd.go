package commands

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// dbStatus is what db status prints. On a terminal the rows that do not apply (the private
// server's home for a URL database, a version the server never answered) are left out.
type dbStatus struct {
	Source        string `json:"source"` // --db, STOCKCTL_DATABASE_URL, DATABASE_URL or private
	Database      string `json:"database"`
	Host          string `json:"host"`
	Schema        string `json:"schema"`
	SchemaFrom    string `json:"schema_from"` // --schema, STOCKCTL_SCHEMA or default
	URL           string `json:"url"`
	Running       *bool  `json:"running"` // the private server; null for a URL database
	Home          string `json:"home"`
	DataDir       string `json:"data_dir"`
	Reachable     bool   `json:"reachable"`
	ServerVersion string `json:"server_version"`
	SchemaVersion int64  `json:"schema_version"`
	SchemaWanted  int64  `json:"schema_version_wanted"`
}

// fields are the status rows worth a line on a terminal: those that say something.
func (st dbStatus) fields() []string {
	f := []string{"source", "database", "host", "schema", "schema_from", "url"}
	if st.Running != nil {
		f = append(f, "running", "home", "data_dir")
	}
	f = append(f, "reachable")
	if st.Reachable {
		f = append(f, "server_version", "schema_version", "schema_version_wanted")
	}
	return f
}

func (a *App) dbCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "The database: the private server, its URL, status and schema migrations",
		Long: `Where the database comes from, first match wins: --db URL, STOCKCTL_DATABASE_URL,
DATABASE_URL, else stockctl's private PostgreSQL server. The private server runs from the
machine's PostgreSQL binaries with its data under $STOCKCTL_HOME (default ~/.local/share/stockctl,
or /var/lib/stockctl for root), listens on a Unix socket only and lets in only the user who
runs stockctl (as root it runs as the system user stockctl-pg), is started by the first command
that needs it and keeps running until "stockctl db stop".

The private database is migrated automatically; a database given by URL is changed only by
"stockctl db migrate".

"stockctl db backup FILE" writes one business (its schema) to a file, and "stockctl db
restore FILE" loads it into an empty schema of this or another database.`,
	}
	start := &cobra.Command{
		Use:     "start",
		Short:   "Initialise (first time) and start the private PostgreSQL server",
		Example: "  stockctl db start",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			srv, err := a.privateOnly("start")
			if err != nil {
				return err
			}
			if err := srv.Start(c.Context()); err != nil {
				return err
			}
			st, err := srv.Status(c.Context())
			if err != nil {
				return err
			}
			a.say("private database running in %s", st.DataDir)
			return nil
		},
	}
	stop := &cobra.Command{
		Use:     "stop",
		Short:   "Stop the private PostgreSQL server",
		Example: "  stockctl db stop",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			srv, err := a.privateOnly("stop")
			if err != nil {
				return err
			}
			if err := srv.Stop(c.Context()); err != nil {
				return err
			}
			a.say("private database stopped")
			return nil
		},
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say which database and schema are used, where that came from, and whether they answer",
		Long: `Say which database and schema stockctl would use and where each choice came from
(source: --db, STOCKCTL_DATABASE_URL, DATABASE_URL or private; schema_from: --schema,
STOCKCTL_SCHEMA or default), whether the database answers, and its schema version. On a
terminal only the rows that apply are shown; -o json always has every key.

Exits 0 when the database answers with a current schema, 10 otherwise, saying why once on
stderr (the private server stopped, the schema missing or behind). It never starts the
private server.`,
		Example: "  stockctl db status\n  stockctl db status -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.dbStatus(c.Context())
			if st.Source == "" {
				return err // not even the source could be worked out: a usage error
			}
			p := a.Printer()
			if p.Format == printer.Table && len(a.Fields) == 0 {
				p.Fields = st.fields()
			}
			if perr := p.One(st); perr != nil {
				return perr
			}
			return err
		},
	}
	var showPassword bool
	url := &cobra.Command{
		Use:   "url",
		Short: "Print the URL of the database stockctl uses (psql takes it too)",
		Long: `Print the URL of the database stockctl uses. A password in it is hidden unless
--show-password. For the private server the URL names its socket directory, e.g.
  psql "$(stockctl db url)"`,
		Example: "  psql \"$(stockctl db url)\"",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			src := db.Resolve(a.DBURL)
			u := src.URL
			if src.Private {
				srv, err := a.privateServer()
				if err != nil {
					return err
				}
				u = srv.URL()
			}
			if !showPassword {
				u = db.Scrub(db.Redact(u))
			}
			_, err := fmt.Fprintln(a.Out, u)
			return err
		},
	}
	url.Flags().BoolVar(&showPassword, "show-password", false, "print the password of a URL database in clear")
	migrate := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the schema migrations this stockctl carries",
		Long: `Apply every pending schema migration to the database (private or URL). Migrations are
embedded in the binary, applied in order, each in its own transaction, under a lock so two
stockctl processes never migrate at once.

Everything goes into stockctl's own schema (stockctl, or --schema / STOCKCTL_SCHEMA), created
if missing; nothing outside it is touched. A database from a stockctl that kept its tables in
public has exactly those tables, views, functions and sequences moved into schema stockctl
first, with every row.`,
		Example: "  STOCKCTL_DATABASE_URL=postgres://inv@db.internal/inv stockctl db migrate\n  stockctl --schema north db migrate     # a second business beside the first",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			conn, err := a.connect(c.Context())
			if err != nil {
				return err
			}
			defer conn.Close()
			sch, err := db.SchemaOf(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			applied, err := db.Migrate(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			v, err := db.SchemaVersion(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				a.say("schema %s is up to date (version %d)", sch, v.Current)
			} else {
				a.say("applied %d migration(s); schema %s is at version %d", len(applied), sch, v.Current)
			}
			return nil
		},
	}
	cmd.AddCommand(start, stop, status, url, migrate, a.dbBackupCmd(), a.dbRestoreCmd())
	return cmd
}

// dbStatus works out db status: which database and schema, where each choice came from,
// whether it answers and its schema version. The error says what is wrong, once.
func (a *App) dbStatus(ctx context.Context) (dbStatus, error) {
	var st dbStatus
	src := db.Resolve(a.DBURL)
	schema, schemaFrom, err := db.ResolveSchema(a.Schema)
	if err != nil {
		return st, err
	}
	url := src.URL
	st.Source, st.Schema, st.SchemaFrom = src.From, schema, schemaFrom
	var stopped error
	if src.Private {
		srv, err := a.privateServer()
		if err != nil {
			return st, err
		}
		ps, err := srv.Status(ctx)
		if err != nil {
			return st, err
		}
		st.Running, st.Home, st.DataDir = &ps.Running, ps.Home, ps.DataDir
		url = srv.URL()
		if !ps.Running {
			stopped = fault.Unavailablef("the private server is not running: it starts with the next command that needs it, or run stockctl db start")
		}
	}
	// Scrub hides PGPASSWORD's value too, should it appear anywhere in these.
	st.URL = db.Scrub(db.Redact(url))
	t, err := db.Describe(url)
	if err != nil {
		return st, err
	}
	st.Database, st.Host = db.Scrub(t.Database, url), db.Scrub(t.Host, url)
	if stopped != nil {
		return st, stopped
	}
	sess, err := a.session()
	if err != nil {
		return st, err
	}
	conn, err := db.Open(ctx, url, sess)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	st.Reachable = true
	_ = conn.GetContext(ctx, &st.ServerVersion, `SHOW server_version`)
	v, err := db.SchemaVersion(ctx, conn.DB)
	if err != nil {
		return st, err
	}
	st.SchemaVersion, st.SchemaWanted = v.Current, v.Target
	return st, db.CheckSchema(ctx, conn.DB, t.String())
}

// privateOnly refuses to manage a server when the database is given by URL.
func (a *App) privateOnly(verb string) (*pgserver.Server, error) {
	src := db.Resolve(a.DBURL)
	if !src.Private {
		return nil, fault.Usagef("db", "db %s manages stockctl's private server, but the database comes from %s: unset it to use the private server", verb, src.From)
	}
	return a.privateServer()
}
