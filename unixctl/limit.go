package unixctl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// maxRequestLen bounds one request, so that a client cannot make the
// daemon buffer without limit by sending a JSON value that never ends.
// Real requests are a few hundred bytes; the largest (a packet in hex
// for ofproto/trace, a long flow for dpctl/add-flow) stay far below it.
const maxRequestLen = 4 << 20

// errRequestTooLong ends a connection whose request exceeds maxRequestLen.
var errRequestTooLong = fmt.Errorf("request longer than %d bytes", maxRequestLen)

// boundedReader reads from r, failing once more than max bytes were read
// since the last reset.
type boundedReader struct {
	r   io.Reader
	n   int
	max int
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.max {
		return 0, errRequestTooLong
	}
	if len(p) > b.max-b.n {
		p = p[:b.max-b.n]
	}
	n, err := b.r.Read(p)
	b.n += n
	return n, err
}

// requestDone starts counting the next request: what the decoder has
// read ahead already belongs to it.
func (b *boundedReader) requestDone(dec *json.Decoder) {
	b.n = 0
	if br, ok := dec.Buffered().(*bytes.Reader); ok {
		b.n = br.Len()
	}
}
