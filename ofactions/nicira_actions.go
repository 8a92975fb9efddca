// Actions that exist mostly as Nicira extensions: exit, conjunction,
// fin_timeout, pop_queue, MPLS TTL; and OpenFlow 1.0 enqueue.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Exit stops action processing (exit).
type Exit struct{}

func (a *Exit) String() string { return "exit" }

// Conjunction is conjunction(id,clause/n_clauses); Clause is 0-based.
type Conjunction struct {
	ID       uint32
	Clause   uint8
	NClauses uint8
}

func (a *Conjunction) String() string {
	return fmt.Sprintf("conjunction(%d,%d/%d)", a.ID, int(a.Clause)+1, a.NClauses)
}

// FinTimeout changes a flow's timeouts when a TCP FIN or RST is seen.
type FinTimeout struct{ IdleTimeout, HardTimeout uint16 }

func (a *FinTimeout) String() string {
	var parts []string
	if a.IdleTimeout != 0 {
		parts = append(parts, "idle_timeout="+strconv.Itoa(int(a.IdleTimeout)))
	}
	if a.HardTimeout != 0 {
		parts = append(parts, "hard_timeout="+strconv.Itoa(int(a.HardTimeout)))
	}
	return "fin_timeout(" + strings.Join(parts, ",") + ")"
}

// Enqueue outputs to a port's queue (OpenFlow 1.0 enqueue:port:queue).
type Enqueue struct {
	Port  uint16
	Queue uint32
}

func (a *Enqueue) String() string {
	return "enqueue:" + mf.PortString(a.Port) + ":" + strconv.FormatUint(uint64(a.Queue), 10)
}

// PopQueue restores the queue from before the last set_queue.
type PopQueue struct{}

func (a *PopQueue) String() string { return "pop_queue" }

// DecMPLSTTL decrements the MPLS TTL.
type DecMPLSTTL struct{}

func (a *DecMPLSTTL) String() string { return "dec_mpls_ttl" }

// SetMPLSTTL sets the MPLS TTL.
type SetMPLSTTL struct{ TTL uint8 }

func (a *SetMPLSTTL) String() string { return "set_mpls_ttl(" + strconv.Itoa(int(a.TTL)) + ")" }

// More Nicira subtypes and OpenFlow types used by these actions.
const (
	nxastSetMPLSTTL  = 25
	nxastDecMPLSTTL  = 26
	nxastExit        = 17
	nxastPopQueue    = 5
	nxastFinTimeout  = 19
	nxastConjunction = 34

	ofpat10Enqueue    = 11
	ofpat11SetMPLSTTL = 15
	ofpat11DecMPLSTTL = 16
)

// decodeMoreVendor handles the Nicira actions of this file; ok false
// means "not one of them".
func decodeMoreVendor(sub uint16, a []byte) (Action, bool, error) {
	switch sub {
	case nxastExit:
		return &Exit{}, true, need(a, 16, false)
	case nxastPopQueue:
		return &PopQueue{}, true, need(a, 16, false)
	case nxastConjunction:
		c := &Conjunction{Clause: a[10], NClauses: a[11], ID: u32(a, 12)}
		if c.NClauses < 2 || c.NClauses > 64 || c.Clause >= c.NClauses {
			return nil, true, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return c, true, need(a, 16, false)
	case nxastFinTimeout:
		return &FinTimeout{IdleTimeout: u16(a, 10), HardTimeout: u16(a, 12)}, true, need(a, 16, false)
	case nxastDecMPLSTTL:
		return &DecMPLSTTL{}, true, need(a, 16, false)
	case nxastSetMPLSTTL:
		return &SetMPLSTTL{TTL: a[10]}, true, need(a, 16, false)
	}
	return nil, false, nil
}

// decodeMoreStd handles the standard actions of this file.
func decodeMoreStd(typ uint16, a []byte, version uint8) (Action, bool, error) {
	switch {
	case version == version10 && typ == ofpat10Enqueue:
		if err := need(a, 16, false); err != nil {
			return nil, true, err
		}
		return &Enqueue{Port: u16(a, 4), Queue: u32(a, 12)}, true, nil
	case version != version10 && typ == ofpat11DecMPLSTTL:
		return &DecMPLSTTL{}, true, need(a, 8, false)
	case version != version10 && typ == ofpat11SetMPLSTTL:
		return &SetMPLSTTL{TTL: a[4]}, true, need(a, 8, false)
	}
	return nil, false, nil
}

// appendMore encodes the actions of this file; ok false means "not one of
// them".
func appendMore(b []byte, a Action, version uint8) ([]byte, bool, error) {
	v10 := version == version10
	var body []byte
	switch a := a.(type) {
	case *Exit:
		b, _ = putNX(b, nxastExit, 16)
	case *PopQueue:
		b, _ = putNX(b, nxastPopQueue, 16)
	case *Conjunction:
		b, body = putNX(b, nxastConjunction, 16)
		body[0], body[1] = a.Clause, a.NClauses
		binary.BigEndian.PutUint32(body[2:], a.ID)
	case *FinTimeout:
		b, body = putNX(b, nxastFinTimeout, 16)
		binary.BigEndian.PutUint16(body, a.IdleTimeout)
		binary.BigEndian.PutUint16(body[2:], a.HardTimeout)
	case *Enqueue:
		if !v10 {
			// OpenFlow 1.1+ has no enqueue: set the queue, output,
			// restore the queue.
			var err error
			for _, x := range []Action{&SetQueue{Queue: a.Queue}, &Output{Port: a.Port, MaxLen: 0xffff}, &PopQueue{}} {
				if b, err = appendAction(b, x, version); err != nil {
					return b, true, err
				}
			}
			return b, true, nil
		}
		b, body = putStd(b, ofpat10Enqueue, 16)
		binary.BigEndian.PutUint16(body, a.Port)
		binary.BigEndian.PutUint32(body[8:], a.Queue)
	case *DecMPLSTTL:
		if v10 {
			b, _ = putNX(b, nxastDecMPLSTTL, 16)
		} else {
			b, _ = putStd(b, ofpat11DecMPLSTTL, 8)
		}
	case *SetMPLSTTL:
		if v10 {
			b, body = putNX(b, nxastSetMPLSTTL, 16)
		} else {
			b, body = putStd(b, ofpat11SetMPLSTTL, 8)
		}
		body[0] = a.TTL
	default:
		return b, false, nil
	}
	return b, true, nil
}

// parseMore parses the actions of this file; ok false means "not one of
// them".
func parseMore(name, arg string) (Action, bool, error) {
	switch name {
	case "exit":
		return &Exit{}, true, nil
	case "pop_queue":
		return &PopQueue{}, true, nil
	case "conjunction":
		var id uint32
		var clause, n int
		if _, err := fmt.Sscanf(arg, "%d,%d/%d", &id, &clause, &n); err != nil {
			return nil, true, fmt.Errorf("\"conjunction\" syntax is \"conjunction(id,i/n)\"")
		}
		if n < 2 || n > 64 {
			return nil, true, fmt.Errorf("number of clauses %d out of range 2...64", n)
		}
		if clause < 1 || clause > n {
			return nil, true, fmt.Errorf("clause index %d out of range 1...%d", clause, n)
		}
		return &Conjunction{ID: id, Clause: uint8(clause - 1), NClauses: uint8(n)}, true, nil
	case "fin_timeout":
		f := &FinTimeout{}
		for _, kv := range strings.Split(arg, ",") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			n, err := parseUint(v, 16)
			if err != nil {
				return nil, true, err
			}
			switch k {
			case "idle_timeout":
				f.IdleTimeout = uint16(n)
			case "hard_timeout":
				f.HardTimeout = uint16(n)
			default:
				return nil, true, fmt.Errorf("invalid key '%s' in 'fin_timeout' argument", k)
			}
		}
		return f, true, nil
	case "enqueue":
		ps, qs, ok := strings.Cut(strings.Replace(arg, ",", ":", 1), ":")
		if !ok {
			return nil, true, fmt.Errorf("\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"")
		}
		p, err := mf.ParsePort(ps)
		if err != nil {
			return nil, true, err
		}
		q, err := parseUint(qs, 32)
		if err != nil {
			return nil, true, err
		}
		return &Enqueue{Port: p, Queue: uint32(q)}, true, nil
	case "dec_mpls_ttl":
		return &DecMPLSTTL{}, true, nil
	case "set_mpls_ttl":
		n, err := parseUint(arg, 8)
		return &SetMPLSTTL{TTL: uint8(n)}, true, err
	}
	return nil, false, nil
}
