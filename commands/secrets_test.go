package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db"
)

// leakCommands are run for every malformed URL: the two that show the URL and one that
// fails to connect with it.
var leakCommands = [][]string{{"db", "url"}, {"db", "status"}, {"region", "list"}}

// localOnly fails the test unless conn, as the driver reads it, points only at this
// machine, so a malformed URL can never send a connection attempt elsewhere.
func localOnly(t *testing.T, conn string) {
	t.Helper()
	cfg, err := db.Config(conn, db.Session{})
	if err != nil {
		return // refused before any connection is tried
	}
	hosts := []string{cfg.Host}
	for _, fb := range cfg.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		if h != "127.0.0.1" && h != "::1" {
			t.Fatalf("test URL %q would connect to %q", conn, h)
		}
	}
}

// TestMalformedURLsHidePassword runs the command line with malformed database URLs: a
// scheme in another case or misspelt, spaces, delimiters and escapes in the password,
// passwords in the query and in key=value strings. Neither stdout nor stderr ever shows
// the password, as written or decoded.
func TestMalformedURLsHidePassword(t *testing.T) {
	t.Parallel()
	const pw = "Pw7kQz2r"
	cases := []struct {
		conn    string
		secrets []string // besides pw
	}{
		{conn: "POSTGRES://inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "PostgreSQL://inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgress://inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgre://inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: " postgres://inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgres://inv:" + pw + "@127.0.0.1:1/inv?connect_timeout=2 "},
		{conn: "\tpostgres://inv:" + pw + "@127.0.0.1:1/inv\n"},
		{conn: "postgres:/inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgres//inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgres:inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "inv:" + pw + "@127.0.0.1:1/inv"},
		{conn: "postgres://inv:" + pw},
		{conn: "postgres://inv:Pw/7kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw/7kQz2r"}},
		{conn: "postgres://inv:Pw?7kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw?7kQz2r"}},
		{conn: "postgres://inv:Pw:7kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw:7kQz2r"}},
		{conn: "postgres://inv:Pw 7kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw 7kQz2r"}},
		{conn: "postgres://inv:Pw%407kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw%407kQz2r", "Pw@7kQz2r"}},
		{conn: "postgres://inv:Pw%zz7kQz2r@127.0.0.1:1/inv", secrets: []string{"Pw%zz7kQz2r", "zz7kQz2r"}},
		{conn: "postgres://inv:" + pw + "@127.0.0.1:1,127.0.0.1:2/inv"},
		{conn: "postgresql://inv:" + pw + "@[::1]:1/inv"},
		{conn: "postgres://inv@127.0.0.1:1/inv?password=" + pw},
		{conn: "postgres://inv@127.0.0.1:1/inv?sslmode=disable&password=" + pw + "&connect_timeout=2"},
		{conn: "POSTGRES://inv@127.0.0.1:1/inv?password=" + pw},
		{conn: "postgres://inv@127.0.0.1:1/inv?pass%77ord=" + pw},
		{conn: "postgres://inv@127.0.0.1:1/inv?password=Pw7k&Qz2r", secrets: []string{"Pw7k&Qz2r"}},
		{conn: "host=127.0.0.1 port=1 user=inv password=" + pw + " dbname=inv"},
		{conn: `host=127.0.0.1 port=1 password='Pw 7k\'Qz\\2r'`, secrets: []string{`Pw 7k'Qz\2r`, `Pw 7k\'Qz\\2r`}},
		{conn: "host=127.0.0.1 port=1 password='" + pw},
		{conn: `host=127.0.0.1 port=1 password=Pw\ 7kQz2r`, secrets: []string{"Pw 7kQz2r", `Pw\ 7kQz2r`}},
		{conn: "host=127.0.0.1 port=1 password = " + pw},
		{conn: "PASSWORD=" + pw + " host=127.0.0.1 port=1"},
		{conn: "host=127.0.0.1 port=1 dbname=POSTGRES://inv:" + pw + "@127.0.0.1:1/inv"},
	}
	for _, c := range cases {
		localOnly(t, c.conn)
		secrets := append([]string{pw}, c.secrets...)
		for _, args := range leakCommands {
			r := run(t, c.conn, args...)
			for _, s := range secrets {
				if strings.Contains(r.out, s) || strings.Contains(r.err, s) {
					t.Errorf("%q %s shows %q:\nstdout: %s\nstderr: %s", c.conn, strings.Join(args, " "), s, r.out, r.err)
				}
			}
			switch {
			case args[0] == "db" && args[1] == "url" && !strings.Contains(r.out, "xxxxx"):
				t.Errorf("%q db url shows no hidden password: %q", c.conn, r.out)
			case args[0] == "region" && (r.code == ExitOK || r.err == ""):
				t.Errorf("%q region list did not fail: %d %q", c.conn, r.code, r.err)
			}
		}
	}
}

// PGPASSWORD's value never appears in any output either, even where a URL holds it. The
// test sets an environment variable, so it cannot run in parallel with others.
func TestPGPASSWORDHidden(t *testing.T) {
	const pw = "EnvPw5kQz"
	t.Setenv("PGPASSWORD", pw)
	for _, conn := range []string{
		"postgres://inv@127.0.0.1:1/inv",
		"POSTGRES://inv@127.0.0.1:1/inv",
		"host=127.0.0.1 port=1 user=inv",
		"postgres://" + pw + "@127.0.0.1:1/inv",
		"postgres://inv:" + pw + "@127.0.0.1:1/" + pw,
	} {
		localOnly(t, conn)
		for _, args := range leakCommands {
			r := run(t, conn, args...)
			if strings.Contains(r.out, pw) || strings.Contains(r.err, pw) {
				t.Errorf("%q %s shows PGPASSWORD:\nstdout: %s\nstderr: %s", conn, strings.Join(args, " "), r.out, r.err)
			}
		}
	}
	// --show-password is the one way to see a URL's password, asked for by name.
	if r := run(t, "postgres://inv:"+pw+"@127.0.0.1:1/inv", "db", "url", "--show-password"); !strings.Contains(r.out, pw) {
		t.Errorf("db url --show-password: %q", r.out)
	}
}
