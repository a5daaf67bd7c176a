package backup

import (
	"net/url"
	"os"
	"strings"

	"github.com/stockctl/stockctl/fault"
)

// libpqKeywords are the connection settings libpq, and so pg_dump and pg_restore, accept.
// stockctl's URLs may carry settings only pgx knows (search_path, statement_cache_capacity
// ...), which libpq would refuse; the client programs need none of them.
var libpqKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "passfile": true,
	"channel_binding": true, "connect_timeout": true, "client_encoding": true, "options": true,
	"application_name": true, "fallback_application_name": true, "keepalives": true,
	"keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true,
	"tcp_user_timeout": true, "gssencmode": true, "sslmode": true, "sslnegotiation": true,
	"requiressl": true, "sslcompression": true, "sslcert": true, "sslkey": true, "sslpassword": true,
	"sslcertmode": true, "sslrootcert": true, "sslcrl": true, "sslcrldir": true, "sslsni": true,
	"requirepeer": true, "require_auth": true, "ssl_min_protocol_version": true,
	"ssl_max_protocol_version": true, "krbsrvname": true, "gsslib": true, "gssdelegation": true,
	"service": true, "target_session_attrs": true, "load_balance_hosts": true,
}

// clientConn turns the URL or key=value string stockctl connects with into one the
// PostgreSQL client programs accept, with the password taken out: it goes to the program in
// PGPASSWORD, never on its command line, where every user of the machine could read it.
func clientConn(raw string) (conn, password string, err error) {
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		return clientURL(raw)
	}
	return clientKeywords(raw)
}

// clientURL edits a URL as text, so whatever else it says reaches libpq as written. It
// finds the user information the way libpq and pgx do (up to an '@' that comes before any
// '/', even past a '?'), so the password pgx connected with is the one taken out.
func clientURL(raw string) (conn, password string, err error) {
	scheme, rest, _ := strings.Cut(raw, "://")
	userinfo := ""
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		userinfo, rest = rest[:i+1], rest[i+1:]
		if user, pw, ok := strings.Cut(userinfo[:i], ":"); ok {
			if password, err = url.PathUnescape(pw); err != nil {
				return "", "", fault.Usagef("db", "the database URL's password is not properly %%-encoded")
			}
			userinfo = user + "@"
		}
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := userinfo+rest[:end], rest[end:]
	path, query, _ := strings.Cut(tail, "?")
	var keep []string
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return "", "", fault.Usagef("db", "the database URL's parameter %q is not properly %%-encoded", k)
		}
		switch {
		case key == "password":
			if password, err = url.QueryUnescape(v); err != nil {
				return "", "", fault.Usagef("db", "the database URL's password is not properly %%-encoded")
			}
		case libpqKeywords[key]:
			keep = append(keep, kv)
		}
	}
	conn = scheme + "://" + authority + path
	if len(keep) > 0 {
		conn += "?" + strings.Join(keep, "&")
	}
	return conn, password, nil
}

// clientKeywords rewrites a key=value connection string (libpq's syntax: values bare or in
// single quotes, backslash escapes).
func clientKeywords(raw string) (conn, password string, err error) {
	var keep []string
	s := raw
	for {
		s = strings.TrimLeft(s, " \t\n\r\f\v")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return "", "", fault.Usagef("db", "the database connection string is not key=value pairs")
		}
		key := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\f\v")
		var val strings.Builder
		quoted := strings.HasPrefix(s, "'")
		if quoted {
			s = s[1:]
		}
		i, closed := 0, !quoted
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				i++
				val.WriteByte(s[i])
				continue
			}
			if quoted && c == '\'' {
				closed = true
				i++
				break
			}
			if !quoted && strings.IndexByte(" \t\n\r\f\v", c) >= 0 {
				break
			}
			val.WriteByte(c)
		}
		if !closed {
			return "", "", fault.Usagef("db", "the database connection string has an unterminated quoted value")
		}
		s = s[i:]
		switch {
		case key == "password":
			password = val.String()
		case libpqKeywords[key]:
			keep = append(keep, key+"='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(val.String())+"'")
		}
	}
	return strings.Join(keep, " "), password, nil
}

// childEnv is the environment of a client program: ours (PGHOST, PGSSLMODE ... mean to it
// what they meant to stockctl's own connection), plain C messages, which progress is read
// from, and the password when the URL carried one.
func childEnv(password string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" || (password != "" && k == "PGPASSWORD") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "LC_ALL=C")
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	return env
}
