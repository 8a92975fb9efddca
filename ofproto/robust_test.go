package ofproto

import (
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
)

// TestGarbageBodies sends every handled message type with random bodies in
// every version: the switch must answer (or ignore) each without an
// internal failure and keep the connection.
func TestGarbageBodies(t *testing.T) {
	g := newGoldenBridge(t)
	rng := rand.New(rand.NewSource(1))
	before := internalErrors.Load()
	for _, v := range []uint8{ofp.Version10, ofp.Version13, ofp.Version14, ofp.Version15} {
		tc := dial(t, g.mgmt, v)
		for raw := range handlers {
			for i := 0; i < 20; i++ {
				hdr, err := ofp.AppendRawHeader(nil, raw, v, tc.nextXid(), 0)
				if err != nil {
					continue
				}
				body := make([]byte, rng.Intn(96))
				rng.Read(body)
				if i%2 == 0 && len(body) >= 8 {
					// Plausible lengths inside, to get past the first checks.
					binary.BigEndian.PutUint16(body[2:], uint16(rng.Intn(len(body)+8)))
				}
				msg := ofp.FinishMessage(append(hdr, body...), 0)
				tc.barrier(msg)
			}
		}
		tc.send(ofp.EncodeEchoRequest(v, 1, nil))
		if m := tc.recv(); m[1] != 3 {
			t.Fatalf("version %d: connection no longer answers: % x", v, m)
		}
	}
	if n := internalErrors.Load() - before; n != 0 {
		t.Errorf("%d requests hit an internal error", n)
	}
}
