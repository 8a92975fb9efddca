package unixctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ServerError is a reply in which the server reported failure (ovs-appctl
// exits with status 2 for these). Text is the error body as sent, usually
// ending in a newline.
type ServerError struct {
	Text string
}

func (e *ServerError) Error() string {
	return string(bytes.TrimRight([]byte(e.Text), "\n"))
}

// Client is one connection to a unixctl server, used for sequential calls.
type Client struct {
	mu     sync.Mutex
	conn   net.Conn
	dec    *json.Decoder
	nextID int64
}

// Dial connects to the server socket at path.
func Dial(path string) (*Client, error) {
	c, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("unixctl: cannot connect to %q: %w", path, err)
	}
	return &Client{conn: c, dec: json.NewDecoder(c)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// reply is what a client accepts back; result and error stay raw to tell a
// null from a missing member and a string from another type.
type reply struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// Call sends one request and waits for the reply with the same id. A server
// error reply yields a *ServerError; anything else is a transport or
// protocol error.
func (c *Client) Call(ctx context.Context, method string, args ...string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if args == nil {
		args = []string{}
	}
	id := c.nextID
	c.nextID++
	req, err := json.Marshal(map[string]any{"id": id, "method": method, "params": args})
	if err != nil {
		return "", fmt.Errorf("unixctl: encode %s request: %w", method, err)
	}

	// Unblock reads and writes when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	defer stop()

	if _, err := c.conn.Write(req); err != nil {
		return "", c.ctxErr(ctx, fmt.Errorf("unixctl: send %s: %w", method, err))
	}
	wantID, _ := json.Marshal(id)
	for {
		var r reply
		if err := c.dec.Decode(&r); err != nil {
			return "", c.ctxErr(ctx, fmt.Errorf("unixctl: receive %s reply: %w", method, err))
		}
		if !bytes.Equal(bytes.TrimSpace(r.ID), wantID) {
			continue // not ours; OVS's client waits for the matching id too
		}
		return decodeReply(method, r)
	}
}

func (c *Client) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// decodeReply applies the rules ovs-appctl applies to a reply.
func decodeReply(method string, r reply) (string, error) {
	if !isNull(r.Error) && len(r.Error) > 0 {
		var text string
		if err := json.Unmarshal(r.Error, &text); err != nil {
			return "", fmt.Errorf("unixctl: %s: unexpected error type in reply: %s", method, r.Error)
		}
		return "", &ServerError{Text: text}
	}
	if len(r.Result) == 0 || isNull(r.Result) {
		return "", fmt.Errorf("unixctl: %s: reply has neither result nor error", method)
	}
	var text string
	if err := json.Unmarshal(r.Result, &text); err != nil {
		return "", fmt.Errorf("unixctl: %s: unexpected result type in reply: %s", method, r.Result)
	}
	return text, nil
}

// Call connects to the server at path, runs one command and disconnects.
// The result text is returned verbatim (usually ending in a newline); a
// server error reply yields a *ServerError.
func Call(path, method string, args ...string) (string, error) {
	return CallContext(context.Background(), path, method, args...)
}

// CallContext is Call with a context bounding the whole exchange.
func CallContext(ctx context.Context, path, method string, args ...string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return "", fmt.Errorf("unixctl: cannot connect to %q: %w", path, err)
	}
	c := &Client{conn: conn, dec: json.NewDecoder(conn)}
	defer c.Close()
	return c.Call(ctx, method, args...)
}

// IsServerError reports whether err carries a server error reply.
func IsServerError(err error) bool {
	var se *ServerError
	return errors.As(err, &se)
}
