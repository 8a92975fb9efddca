package unixctl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// request is one decoded JSON-RPC request. params stays raw so that a
// non-string argument can be reported by the dispatcher, after the argument
// count checks, in the order OVS checks them.
type request struct {
	id     json.RawMessage // compacted, echoed verbatim in the reply
	method string
	params []json.RawMessage
}

// allowedMembers are the only top-level members a JSON-RPC 1.0 message may
// carry; anything else makes the message invalid.
var allowedMembers = map[string]bool{
	"method": true, "params": true, "result": true, "error": true, "id": true,
}

// errNotRequest marks a well-formed message that is not a request (a reply,
// error or notification); like OVS, the server drops such a connection.
var errNotRequest = errors.New("unexpected message")

// present reports whether a member exists with a non-null value; JSON-RPC
// treats a null member as absent.
func present(m map[string]json.RawMessage, key string) bool {
	v, ok := m[key]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// parseRequest validates one top-level JSON value as a request.
func parseRequest(raw json.RawMessage) (*request, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("message is not a JSON object: %w", err)
	}
	for k := range m {
		if !allowedMembers[k] {
			return nil, fmt.Errorf("message has unexpected member %q", k)
		}
	}
	var kind string
	switch {
	case present(m, "result"):
		kind = "reply"
	case present(m, "error"):
		kind = "error"
	case present(m, "id"):
		kind = "request"
	default:
		kind = "notification"
	}
	if kind != "request" {
		return nil, fmt.Errorf("received %s: %w", kind, errNotRequest)
	}
	if !present(m, "method") {
		return nil, errors.New("request must have \"method\"")
	}
	if !present(m, "params") {
		return nil, errors.New("request must have \"params\"")
	}
	req := &request{}
	if err := json.Unmarshal(m["method"], &req.method); err != nil {
		return nil, errors.New("method is not a JSON string")
	}
	if err := json.Unmarshal(m["params"], &req.params); err != nil {
		return nil, errors.New("\"params\" must be JSON array")
	}
	var id bytes.Buffer
	if err := json.Compact(&id, m["id"]); err != nil {
		return nil, fmt.Errorf("bad id: %w", err)
	}
	req.id = id.Bytes()
	return req, nil
}

// withNewline applies OVS's rule for reply bodies: a non-empty text gets a
// trailing newline unless it already ends in one.
func withNewline(s string) string {
	if s != "" && s[len(s)-1] != '\n' {
		return s + "\n"
	}
	return s
}

// encodeString renders s as a JSON string without Go's HTML escaping, so the
// bytes match what OVS sends for ordinary text.
func encodeString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// encodeReply builds the exact reply shapes of OVS: a success carries
// "result" and a null "error"; an error carries "error" and no "result".
func encodeReply(id json.RawMessage, body string, failed bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"id":`)
	b.Write(id)
	if failed {
		b.WriteString(`,"error":`)
		b.Write(encodeString(withNewline(body)))
		b.WriteString(`}`)
	} else {
		b.WriteString(`,"result":`)
		b.Write(encodeString(withNewline(body)))
		b.WriteString(`,"error":null}`)
	}
	return b.Bytes()
}
