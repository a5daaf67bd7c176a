package commands

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
)

// dbStatus is what db status prints.
type dbStatus struct {
	Source        string `json:"source"`
	URL           string `json:"url"`
	Reachable     bool   `json:"reachable"`
	Running       *bool  `json:"running"`
	Home          string `json:"home"`
	DataDir       string `json:"data_dir"`
	ServerVersion string `json:"server_version"`
	Schema        int64  `json:"schema_version"`
	SchemaWanted  int64  `json:"schema_version_wanted"`
	Error         string `json:"error"`
}

func (a *App) dbCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "The database: the private server, its URL, status and schema migrations",
		Long: `Where the database comes from, first match wins: --db URL, STOCKCTL_DATABASE_URL,
DATABASE_URL, else stockctl's private PostgreSQL server. The private server runs from the
machine's PostgreSQL binaries with its data under $STOCKCTL_HOME (default ~/.local/share/stockctl,
or /var/lib/stockctl for root), listens on a Unix socket only, is started by the first command
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
		Short: "Say which database is used, whether it answers and its schema version",
		Long: `Say which database stockctl would use, whether it answers, and its schema version.
Exits 0 when the database answers with a current schema, 10 otherwise. It never starts the
private server.`,
		Example: "  stockctl db status\n  stockctl db status -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			st := dbStatus{}
			src := db.Resolve(a.DBURL)
			st.Source = src.From
			url := src.URL
			if src.Private {
				srv, err := a.privateServer()
				if err != nil {
					return err
				}
				ps, err := srv.Status(c.Context())
				if err != nil {
					return err
				}
				st.Running, st.Home, st.DataDir, st.ServerVersion = &ps.Running, ps.Home, ps.DataDir, ps.Version
				url = srv.URL()
				if !ps.Running {
					st.Error = "the private server is not running (it starts on the next command, or run stockctl db start)"
					_ = a.Printer().One(st)
					return fault.Unavailablef("%s", st.Error)
				}
			}
			st.URL = db.Redact(url)
			sess, err := a.session()
			if err != nil {
				return err
			}
			conn, err := db.Open(c.Context(), url, sess)
			if err != nil {
				st.Error = err.Error()
				_ = a.Printer().One(st)
				return err
			}
			defer conn.Close()
			st.Reachable = true
			if st.ServerVersion == "" {
				_ = conn.GetContext(c.Context(), &st.ServerVersion, `SHOW server_version`)
			}
			v, err := db.SchemaVersion(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			st.Schema, st.SchemaWanted = v.Current, v.Target
			schemaErr := db.CheckSchema(c.Context(), conn.DB, "the database")
			if schemaErr != nil {
				st.Error = schemaErr.Error()
			}
			if err := a.Printer().One(st); err != nil {
				return err
			}
			return schemaErr
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
			} else if !showPassword {
				u = db.Redact(u)
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
stockctl processes never migrate at once.`,
		Example: "  STOCKCTL_DATABASE_URL=postgres://inv@db.internal/inv stockctl db migrate",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			conn, err := a.connect(c.Context())
			if err != nil {
				return err
			}
			defer conn.Close()
			applied, err := db.Migrate(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			v, err := db.SchemaVersion(c.Context(), conn.DB)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				a.say("schema is up to date (version %d)", v.Current)
			} else {
				a.say("applied %d migration(s); schema is at version %d", len(applied), v.Current)
			}
			return nil
		},
	}
	cmd.AddCommand(start, stop, status, url, migrate, a.dbBackupCmd(), a.dbRestoreCmd())
	return cmd
}

// privateOnly refuses to manage a server when the database is given by URL.
func (a *App) privateOnly(verb string) (*pgserver.Server, error) {
	src := db.Resolve(a.DBURL)
	if !src.Private {
		return nil, fault.Usagef("db", "db %s manages stockctl's private server, but the database comes from %s: unset it to use the private server", verb, src.From)
	}
	return a.privateServer()
}
