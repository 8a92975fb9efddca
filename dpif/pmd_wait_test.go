package dpif

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// waitFDPort is a dummy port that offers another descriptor to wait on and
// counts its receives.
type waitFDPort struct {
	*DummyPort
	fd    int
	recvs *atomic.Int64
}

func (p waitFDPort) WaitFD(int) int { return p.fd }

func (p waitFDPort) Recv(q int, b *Batch) error {
	p.recvs.Add(1)
	return p.DummyPort.Recv(q, b)
}

// TestPollerWaits forwards a frame that arrives after the poll goroutine
// has gone idle, for each way it can wait: parked on the netpoller (the
// port's eventfd), on a timer because the descriptor cannot be polled (a
// regular file), or on a timer because there is none. While idle it must
// wait, not spin on empty receives: on the 10 ms timer it makes about ten
// in 100 ms, a spinning loop thousands. Removing the port then stops the
// goroutine.
func TestPollerWaits(t *testing.T) {
	regular, err := os.CreateTemp(t.TempDir(), "wait")
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	for i, tc := range []struct {
		name string
		fd   func(*DummyPort) int
	}{
		{"netpoller", func(p *DummyPort) int { return p.WaitFD(0) }},
		{"not pollable", func(*DummyPort) int { return int(regular.Fd()) }},
		{"none", func(*DummyPort) int { return -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDatapath("dummy", fmt.Sprintf("h13wait%d", i))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var ports [2]*DummyPort
			for j := range ports {
				if ports[j], err = NewDummyPort("dummy", fmt.Sprintf("w%d%d", i, j), nil); err != nil {
					t.Fatal(err)
				}
			}
			recvs := new(atomic.Int64)
			d.AddPort(waitFDPort{ports[0], tc.fd(ports[0]), recvs})
			d.AddPort(ports[1])
			d.SetUpcallHandler(&firewall{})
			d.Start()
			time.Sleep(100 * time.Millisecond) // the poller finds nothing and waits
			if n := recvs.Load(); n > 50 {
				t.Fatalf("%d receives while idle: the poller spins", n)
			}
			if err := ports[0].Receive(0, hsSYN); err != nil {
				t.Fatal(err)
			}
			var got [][]byte
			for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
				got = ports[1].Sent()
			}
			if len(got) != 1 || string(got[0]) != string(hsSYN) {
				t.Fatalf("forwarded %d frames, want the SYN", len(got))
			}
			if err := d.RemovePort(1); err != nil {
				t.Fatal(err)
			}
		})
	}
}
