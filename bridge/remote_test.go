package bridge

import "testing"

func TestParseRemote(t *testing.T) {
	cases := []struct{ in, endpoint, err string }{
		{"unix:/run/db.sock", "unix:/run/db.sock", ""},
		{"tcp:127.0.0.1:6640", "tcp:127.0.0.1:6640", ""},
		{"tcp:[::1]:6640", "tcp:[::1]:6640", ""},
		{"/run/db.sock", "", "/run/db.sock: connection attempt failed (Address family not supported by protocol)"},
		{"unix:", "", "unix:: connection attempt failed (Address family not supported by protocol)"},
		{"ssl:1.2.3.4:6640", "", "ssl:1.2.3.4:6640: connection attempt failed (Address family not supported by protocol)"},
		{"tcp:host.example:6640", "", "tcp:host.example:6640: bad peer name format"},
		{"tcp:1.2.3.4", "", "tcp:1.2.3.4: bad peer name format"},
	}
	for _, c := range cases {
		r, err := parseRemote(c.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		} else {
			checkText(t, c.in+" endpoint", r.endpoint(), c.endpoint)
		}
		checkText(t, c.in+" error", gotErr, c.err)
	}
}
