package vlog

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// syslogPath is the local syslog socket; tests point it elsewhere.
var syslogPath = "/dev/log"

// syslogRetry limits how often a missing syslog socket is looked for again.
const syslogRetry = 5 * time.Second

// Facility codes by name, as accepted by "FACILITY:name" (the values are
// the standard syslog ones, already shifted left by 3).
var facilities = []struct {
	name string
	code int
}{
	{"kern", 0 << 3}, {"user", 1 << 3}, {"mail", 2 << 3}, {"daemon", 3 << 3},
	{"auth", 4 << 3}, {"syslog", 5 << 3}, {"lpr", 6 << 3}, {"news", 7 << 3},
	{"uucp", 8 << 3}, {"clock", 9 << 3}, {"ftp", 11 << 3}, {"ntp", 12 << 3},
	{"audit", 13 << 3}, {"alert", 14 << 3}, {"clock2", 15 << 3},
	{"local0", 16 << 3}, {"local1", 17 << 3}, {"local2", 18 << 3},
	{"local3", 19 << 3}, {"local4", 20 << 3}, {"local5", 21 << 3},
	{"local6", 22 << 3}, {"local7", 23 << 3},
}

const (
	facilityDaemon = 3 << 3  // what messages to the syslog socket use by default
	facilityLocal0 = 16 << 3 // what %B shows by default
)

func facilityCode(name string) (int, bool) {
	for _, f := range facilities {
		if strings.EqualFold(f.name, name) {
			return f.code, true
		}
	}
	return 0, false
}

func currentFacility() int { return int(state.facility.Load()) }

// syslogDatagrams frames each line of a formatted message the way the C
// library's syslog() does ("<PRI>Mmm dd hh:mm:ss ident: line"), one line
// per newline-terminated chunk; empty lines are skipped.
func syslogDatagrams(rec *record, text string) []byte {
	facility := currentFacility()
	if facility == 0 {
		facility = facilityDaemon
	}
	prefix := "<" + strconv.Itoa(facility|syslogSeverity[rec.level]) + ">" +
		rec.time.Local().Format(time.Stamp) + " " + programName() + ": "
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		b.WriteString(prefix)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// syslogWriter sends each line it is given as one datagram to the local
// syslog socket. Without a syslog daemon messages are dropped silently.
type syslogWriter struct {
	mu       sync.Mutex
	conn     net.Conn
	lastFail time.Time
}

func (w *syslogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		if line != "" {
			w.send(line)
		}
	}
	return len(p), nil
}

// send delivers one datagram, reconnecting once if the socket went away
// (syslog daemons restart).
func (w *syslogWriter) send(line string) {
	for attempt := 0; attempt < 2; attempt++ {
		if w.conn == nil && !w.dial() {
			return
		}
		if _, err := w.conn.Write([]byte(line)); err == nil {
			return
		}
		w.conn.Close()
		w.conn = nil
		w.lastFail = time.Time{} // retry now: the socket may be back
	}
}

func (w *syslogWriter) dial() bool {
	if !w.lastFail.IsZero() && time.Since(w.lastFail) < syslogRetry {
		return false
	}
	c, err := net.Dial("unixgram", syslogPath)
	if err != nil {
		w.lastFail = time.Now()
		return false
	}
	w.conn = c
	w.lastFail = time.Time{}
	return true
}

// reset drops the connection so the next message dials again.
func (w *syslogWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	w.lastFail = time.Time{}
}
