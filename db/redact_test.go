package db

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRedactShapes pins how each shape of connection string is shown: the password
// hidden, the rest as written.
func TestRedactShapes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"postgres://inv:s3cret@db:5432/inv", "postgres://inv:xxxxx@db:5432/inv"},
		{"postgres://inv@db/inv?password=s3cret", "postgres://inv@db/inv?password=xxxxx"},
		{"host=db user=inv password=s3cret dbname=inv", "host=db user=inv password=xxxxx dbname=inv"},
		{"host=db password='se cret' dbname=inv", "host=db password=xxxxx dbname=inv"},
		{"postgres://inv@db/inv", "postgres://inv@db/inv"},
		{"postgres://stockctl@/stockctl?host=%2Ftmp%2Fa%20b%2Fpg%2Frun&port=5432&sslmode=disable",
			"postgres://stockctl@/stockctl?host=%2Ftmp%2Fa%20b%2Fpg%2Frun&port=5432&sslmode=disable"},
		// The scheme in any case or misspelt, spaces around the URL.
		{"POSTGRES://inv:s3cret@db/inv", "POSTGRES://inv:xxxxx@db/inv"},
		{"PostgreSQL://inv:s3cret@db/inv", "PostgreSQL://inv:xxxxx@db/inv"},
		{"postgress://inv:s3cret@db/inv", "postgress://inv:xxxxx@db/inv"},
		{"  postgres://inv:s3cret@db/inv \n", "  postgres://inv:xxxxx@db/inv \n"},
		{"postgres:/inv:s3cret@db/inv", "postgres:xxxxx@db/inv"},
		{"postgres//inv:s3cret@db/inv", "postgres//inv:xxxxx@db/inv"},
		{"inv:s3cret@db/inv", "inv:xxxxx@db/inv"},
		// Passwords holding the URL's own delimiters, unencoded.
		{"postgres://inv:s3c@ret@db/inv", "postgres://inv:xxxxx@db/inv"},
		{"postgres://inv:s3c/ret@db/inv", "postgres://inv:xxxxx@db/inv"},
		{"postgres://inv:s3c?ret@db/inv", "postgres://inv:xxxxx@db/inv"},
		{"postgres://inv:s3c:ret@db/inv", "postgres://inv:xxxxx@db/inv"},
		{"postgres://inv:s3c%zzret@db/inv", "postgres://inv:xxxxx@db/inv"},
		// No '@': the password reads as a port.
		{"postgres://inv:s3cret", "postgres://inv:xxxxx"},
		{"postgres://db:5432,db2:s3cret/inv", "postgres://db:5432,db2:xxxxx/inv"},
		{"postgres://[::1]:5432/inv", "postgres://[::1]:5432/inv"},
		// Query parameters, encoded names, a password holding '&'.
		{"postgres://inv@db/inv?sslmode=disable&PASSWORD=s3cret&application_name=x", "postgres://inv@db/inv?sslmode=disable&PASSWORD=xxxxx&application_name=x"},
		{"postgres://inv@db/inv?pass%77ord=s3cret", "postgres://inv@db/inv?pass%77ord=xxxxx"},
		{"postgres://inv@db/inv?sslpassword=s3cret", "postgres://inv@db/inv?sslpassword=xxxxx"},
		{"postgres://inv@db/inv?password=s3c&ret&sslmode=disable", "postgres://inv@db/inv?password=xxxxx&sslmode=disable"},
		// key=value: quoted, escaped, unterminated, spaced, a URL as a value.
		{`host=db password='s3c \' ret' dbname=inv`, "host=db password=xxxxx dbname=inv"},
		{`host=db password=s3c\ ret dbname=inv`, "host=db password=xxxxx dbname=inv"},
		{`host=db password='s3c ret dbname=inv`, "host=db password=xxxxx"},
		{"host=db password = s3cret dbname=inv", "host=db password = xxxxx dbname=inv"},
		{"host=db PassWord=s3cret", "host=db PassWord=xxxxx"},
		{"dbname=postgres://inv:s3cret@db/inv", "dbname=postgres://inv:xxxxx@db/inv"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestScrub: a message that echoes a connection string, whole, quoted or in pieces,
// keeps none of its password.
func TestScrub(t *testing.T) {
	t.Parallel()
	conn := `POSTGRES://inv:S3c"r%40et:Pw@db/inv`
	for _, msg := range []string{
		"cannot parse " + conn + ": invalid",
		`parse "POSTGRES://inv:S3c\"r%40et:Pw@db/inv": bad`,
		`password S3c"r@et:Pw refused`,
		"piece r%40et:Pw",
	} {
		got := Scrub(msg, conn)
		for _, secret := range []string{`S3c"r%40et:Pw`, `S3c"r@et:Pw`, `S3c\"r`, "r%40et", "r@et"} {
			if strings.Contains(got, secret) {
				t.Errorf("Scrub(%q) = %q: shows %q", msg, got, secret)
			}
		}
	}
	if got := Scrub("database inv on db:5432", conn); got != "database inv on db:5432" {
		t.Errorf("a message without secrets changed: %q", got)
	}
}

// Setting PGPASSWORD makes this test serial: t.Setenv refuses parallel tests.
func TestScrubPGPASSWORD(t *testing.T) {
	t.Setenv("PGPASSWORD", "envS3cret")
	if got := Scrub("password envS3cret for inv", "postgres://inv@db/inv"); strings.Contains(got, "envS3cret") {
		t.Fatalf("PGPASSWORD shown: %q", got)
	}
}

// TestParseErrorsHidePassword runs pgx's parser on malformed strings: whatever it
// complains about, stockctl's message does not show the password.
func TestParseErrorsHidePassword(t *testing.T) {
	t.Parallel()
	const pw = "S3cr3tPw"
	for _, conn := range []string{
		"POSTGRES://inv:" + pw + "@db/inv",
		" postgres://inv:" + pw + "@db/inv",
		"postgres://inv:" + pw,
		"postgres://inv:S3c%zzr3tPw@db/inv",
		"postgres://inv@db/inv?password=" + pw + "&oops",
		"host=db password='" + pw,
		"host db password=" + pw,
		"postgres://inv:" + pw + "@db:99999999/inv",
	} {
		_, err := pgx.ParseConfig(conn)
		if err == nil {
			t.Fatalf("%q parsed", conn)
		}
		for _, msg := range []string{connErr(err, conn), Redact(conn)} {
			if strings.Contains(msg, pw) || strings.Contains(msg, "S3c%zzr3tPw") || strings.Contains(msg, "zzr3tPw") {
				t.Errorf("%q: %q", conn, msg)
			}
		}
	}
}

// FuzzRedact: for a connection string built around a password of at least minSecret
// characters that appears nowhere else in it, neither Redact, nor Scrub of a message
// quoting it, nor the error of a failed parse shows the password.
func FuzzRedact(f *testing.F) {
	for i, pw := range []string{"S3cr3tPw", "p@ss/w?rd#1", "a b 'c' \\d", "pa%zzss", "x&y=z&w", "::::", "é密码🔑"} {
		f.Add(uint8(i), "postgres", "inv", pw, "db:5432", "/inv?sslmode=disable")
		f.Add(uint8(i+1), "POSTGRESS", "in:v", pw, "[::1]", "")
	}
	f.Fuzz(func(t *testing.T, form uint8, scheme, user, pw, host, tail string) {
		build := func(pw string) (conn string, secrets []string) {
			secrets = []string{pw}
			switch form % 7 {
			case 0:
				return scheme + "://" + user + ":" + pw + "@" + host + tail, secrets
			case 1:
				enc := url.PathEscape(pw)
				return scheme + "://" + user + ":" + enc + "@" + host + tail, append(secrets, enc)
			case 2:
				return scheme + "://" + user + "@" + host + "/inv?sslmode=disable&password=" + pw + tail, secrets
			case 3:
				q := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'"
				return "host=" + host + " user=" + user + " password=" + q + " dbname=inv" + tail, secrets
			case 4:
				var b strings.Builder
				for _, r := range pw {
					if isSpace(r) || r == '\\' || r == '\'' {
						b.WriteByte('\\')
					}
					b.WriteRune(r)
				}
				return "password=" + b.String() + " host=" + host + tail, secrets
			case 5:
				return scheme + ":/" + user + ":" + pw + "@" + host + tail, secrets
			default:
				return " " + scheme + "://" + user + ":" + pw + "@" + host + tail + " ", secrets
			}
		}
		conn, secrets := build(pw)
		rest, _ := build(mask)
		for _, s := range secrets {
			if len(s) < minSecret || strings.Contains(rest, s) || strings.Contains(s, "\x00") {
				return
			}
		}
		outs := map[string]string{
			"Redact": Redact(conn),
			"Scrub":  Scrub("connecting to "+conn+" failed", conn),
		}
		if _, err := pgx.ParseConfig(conn); err != nil {
			outs["parse error"] = connErr(err, conn)
		}
		for what, out := range outs {
			// The mask's own letters may spell a password's x's: only what is shown
			// besides them counts.
			out = strings.ReplaceAll(out, mask, "\x00")
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Fatalf("%s of %q shows %q: %q", what, conn, s, out)
				}
			}
		}
	})
}
