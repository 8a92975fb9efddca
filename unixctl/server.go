package unixctl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// closeGrace bounds how long Close waits for requests in flight, so that a
// stuck handler or a client that never reads cannot hang shutdown.
const closeGrace = 5 * time.Second

// command is one registered command.
type command struct {
	usage            string
	minArgs, maxArgs int
	handler          Handler
}

// Server listens on one Unix socket and dispatches requests to registered
// commands. Each connection is served by its own goroutine, one request at a
// time; handlers of different connections run concurrently.
//
// Lock order: mu, then connMu. mu guards commands and logger; connMu guards
// conns, closed and serving. wg counts live connection goroutines.
type Server struct {
	path     string
	version  string
	listener *net.UnixListener

	mu       sync.RWMutex
	commands map[string]*command
	logger   Logger

	connMu  sync.Mutex
	conns   map[*serverConn]struct{}
	closed  bool
	serving bool

	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// serverConn is one accepted connection.
type serverConn struct {
	conn *net.UnixConn
}

// Listen creates the socket at path (removing a stale one) and returns a
// server that already answers list-commands and version (the version text is
// the reply of the "version" command, without trailing newline). The socket
// is made mode 0770 less the umask (0750 under the usual umask) like OVS's.
func Listen(path, version string) (*Server, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("unixctl: resolve %s: %w", path, err)
	}
	if err := removeStale(abs); err != nil {
		return nil, err
	}
	l, err := ListenRestricted(abs)
	if err != nil {
		return nil, fmt.Errorf("unixctl: %s: could not initialize control socket: %w", abs, err)
	}
	l.SetUnlinkOnClose(true)
	s := &Server{
		path:     abs,
		version:  version,
		listener: l,
		commands: make(map[string]*command),
		logger:   nopLogger{},
		conns:    make(map[*serverConn]struct{}),
	}
	s.registerBuiltins()
	return s, nil
}

// removeStale deletes a socket left behind by a dead server. A live server
// (one that accepts a connection) or a file that is not a socket is left
// alone and reported, so a mistake cannot delete someone else's file.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unixctl: stat %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("unixctl: %s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("unixctl: %s: another server is listening", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unixctl: remove stale socket %s: %w", path, err)
	}
	return nil
}

// Register adds a command. usage "" lists the command with an empty usage,
// as OVS does; usage Hidden keeps it out of list-commands. minArgs/maxArgs
// bound len(args); maxArgs < 0 means unbounded. Registering a name again
// replaces the earlier command. Safe to call while serving.
func (s *Server) Register(name, usage string, minArgs, maxArgs int, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[name] = &command{usage: usage, minArgs: minArgs, maxArgs: maxArgs, handler: h}
}

// SetLogger directs the server's diagnostics (dropped connections at WARN,
// each request and reply at DBG) to l. A nil l discards them.
func (s *Server) SetLogger(l Logger) {
	if l == nil {
		l = nopLogger{}
	}
	s.mu.Lock()
	s.logger = l
	s.mu.Unlock()
}

func (s *Server) log() Logger {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.logger
}

// Path is the absolute socket path.
func (s *Server) Path() string { return s.path }

// Serve accepts connections until Close; it returns nil after Close. It may
// be called only once.
func (s *Server) Serve() error {
	s.connMu.Lock()
	if s.serving {
		s.connMu.Unlock()
		return errors.New("unixctl: Serve called twice")
	}
	s.serving = true
	closed := s.closed
	s.connMu.Unlock()
	if closed {
		return nil
	}
	for {
		c, err := s.listener.AcceptUnix()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// Transient errors such as EMFILE: back off briefly rather
			// than spin, as net/http does.
			s.log().Warn("%s: accept failed: %v", s.path, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		sc := &serverConn{conn: c}
		if !s.track(sc) {
			c.Close()
			return nil
		}
		go s.serveConn(sc)
	}
}

func (s *Server) isClosed() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.closed
}

// track records a new connection; it fails once the server is closed.
func (s *Server) track(sc *serverConn) bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.closed {
		return false
	}
	s.conns[sc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(sc *serverConn) {
	s.connMu.Lock()
	delete(s.conns, sc)
	s.connMu.Unlock()
	s.wg.Done()
}

// serveConn reads requests from one connection and answers them in order.
// Malformed input closes this connection only.
func (s *Server) serveConn(sc *serverConn) {
	defer s.untrack(sc)
	defer sc.conn.Close()
	in := &boundedReader{r: sc.conn, max: maxRequestLen}
	dec := json.NewDecoder(in)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if !s.isClosed() && !isEOF(err) {
				s.log().Warn("%s: dropping connection: %v", s.path, err)
			}
			return
		}
		in.requestDone(dec)
		req, err := parseRequest(raw)
		if err != nil {
			s.log().Warn("%s: dropping connection: %v", s.path, err)
			return
		}
		if s.isClosed() {
			// Closing: requests already read but not started are dropped.
			return
		}
		if _, werr := sc.conn.Write(s.dispatch(req)); werr != nil {
			if !s.isClosed() {
				s.log().Warn("%s: send reply: %v", s.path, werr)
			}
			return
		}
	}
}

// isEOF reports the ordinary ends of a connection, which are not worth a
// warning.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)
}

// dispatch runs one request and returns the encoded reply. The checks and
// their order (unknown, too few, too many, non-string) are OVS's.
func (s *Server) dispatch(req *request) []byte {
	s.mu.RLock()
	cmd := s.commands[req.method]
	logger := s.logger
	s.mu.RUnlock()

	logger.Dbg("received request %s%s, id=%s", req.method, paramsText(req.params), req.id)
	text, failed := s.run(cmd, req)
	if failed {
		logger.Dbg("replying with error, id=%s: \"%s\"", req.id, text)
	} else {
		logger.Dbg("replying with success, id=%s: \"%s\"", req.id, text)
	}
	return encodeReply(req.id, text, failed)
}

func (s *Server) run(cmd *command, req *request) (text string, failed bool) {
	n := len(req.params)
	switch {
	case cmd == nil:
		return fmt.Sprintf("%q is not a valid command (use \"list-commands\" to see a list of valid commands)", req.method), true
	case n < cmd.minArgs:
		return fmt.Sprintf("%q command requires at least %d arguments", req.method, cmd.minArgs), true
	case cmd.maxArgs >= 0 && n > cmd.maxArgs:
		return fmt.Sprintf("%q command takes at most %d arguments", req.method, cmd.maxArgs), true
	}
	args := make([]string, n)
	for i, p := range req.params {
		if err := json.Unmarshal(p, &args[i]); err != nil || isNull(p) {
			return fmt.Sprintf("%q command has non-string argument", req.method), true
		}
	}
	return callHandler(cmd.handler, req.method, args)
}

func isNull(p json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(p), []byte("null")) }

// callHandler runs h, turning a panic into an error reply so that a bug in
// one command cannot take the daemon down.
func callHandler(h Handler, method string, args []string) (text string, failed bool) {
	defer func() {
		if r := recover(); r != nil {
			text, failed = fmt.Sprintf("%q command failed: internal error: %v", method, r), true
		}
	}()
	if h == nil {
		return "", false
	}
	out, err := h(args)
	if err != nil {
		return err.Error(), true
	}
	return out, false
}

// paramsText renders params compactly for debug logs, like OVS's
// "received request" line.
func paramsText(params []json.RawMessage) string {
	b, err := json.Marshal(params)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// Close stops accepting, lets replies in flight finish (up to closeGrace),
// closes idle connections and removes the socket. It is idempotent. Do not
// call it synchronously from a Handler: it would wait closeGrace for that
// handler; signal another goroutine (or use go s.Close()) instead.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.connMu.Lock()
		s.closed = true
		s.connMu.Unlock()
		s.closeErr = s.listener.Close()

		// Wake every reader; a connection handling a request finishes it,
		// writes the reply, and then stops because the server is closed.
		s.connMu.Lock()
		for sc := range s.conns {
			_ = sc.conn.SetReadDeadline(time.Now())
		}
		s.connMu.Unlock()

		done := make(chan struct{})
		go func() { s.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeGrace):
			// Give up on stuck requests: drop their connections and
			// return without waiting for their handlers.
			s.connMu.Lock()
			for sc := range s.conns {
				sc.conn.Close()
			}
			s.connMu.Unlock()
		}
		if s.closeErr != nil && errors.Is(s.closeErr, net.ErrClosed) {
			s.closeErr = nil
		}
	})
	return s.closeErr
}
