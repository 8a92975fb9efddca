package offload

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Commands implements Commander: the ct-offload/dummy-* commands.
func (d *Dummy) Commands() []conntrack.Command {
	return []conntrack.Command{
		{Name: "ct-offload/dummy-show", Usage: "", MinArgs: 0, MaxArgs: 0, Run: d.ShowCommand},
		{Name: "ct-offload/dummy-set-traffic", Usage: "ID PACKETS BYTES [REPLY_PACKETS REPLY_BYTES]", MinArgs: 3, MaxArgs: 5, Run: d.SetTrafficCommand},
		{Name: "ct-offload/dummy-fail", Usage: "on|off [add|established|update|delete|flush]", MinArgs: 1, MaxArgs: 2, Run: d.FailCommand},
		{Name: "ct-offload/dummy-refuse", Usage: "on|off", MinArgs: 1, MaxArgs: 1, Run: d.RefuseCommand},
	}
}

func cmdError(cmd, msg string) error { return errors.New(cmd + ": " + msg + "\n") }

func parseOnOff(s string) (bool, bool) {
	switch s {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

// ShowCommand implements ct-offload/dummy-show: the dummy's own view (call
// counts, injected failures, and what it holds with the traffic it was told
// to report).
func (d *Dummy) ShowCommand(args []string) (string, error) {
	if len(args) != 0 {
		return "", cmdError("ct-offload/dummy-show", "takes no arguments")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "dummy: %d connections, %d batches\n  calls:", len(d.conns), d.nbatch)
	var failing []string
	for k := OpKind(0); int(k) < numOps; k++ {
		fmt.Fprintf(&b, " %s=%d", k, d.calls[k])
		if d.fail[k] {
			failing = append(failing, k.String())
		}
	}
	b.WriteByte('\n')
	if len(failing) == 0 {
		failing = []string{"none"}
	}
	refuse := "off"
	if d.refuse {
		refuse = "on"
	}
	fmt.Fprintf(&b, "  failing: %s\n  refuse: %s\n", strings.Join(failing, ","), refuse)
	for _, c := range d.connsLocked() {
		dc := d.conns[c]
		fmt.Fprintf(&b, "  %d: %s", c, formatConn(dc.orig, dc.reply))
		if dc.established {
			b.WriteString(",established")
		}
		if !dc.oc.IsZero() || !dc.rc.IsZero() {
			fmt.Fprintf(&b, ",packets=%d,bytes=%d,reply_packets=%d,reply_bytes=%d", dc.oc.Packets, dc.oc.Bytes, dc.rc.Packets, dc.rc.Bytes)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func (d *Dummy) connsLocked() []uint64 {
	ids := make([]uint64, 0, len(d.conns))
	for id := range d.conns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// SetTrafficCommand implements ct-offload/dummy-set-traffic ID PACKETS
// BYTES [REPLY_PACKETS REPLY_BYTES]: the cumulative counters the dummy
// reports for connection ID (as ct-offload/show numbers it) from the next
// poll on, which also counts as use at that time.
func (d *Dummy) SetTrafficCommand(args []string) (string, error) {
	const cmd = "ct-offload/dummy-set-traffic"
	if len(args) != 3 && len(args) != 5 {
		return "", cmdError(cmd, "expected ID PACKETS BYTES [REPLY_PACKETS REPLY_BYTES]")
	}
	var v [5]uint64
	for i, a := range args {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return "", cmdError(cmd, fmt.Sprintf("invalid number %q", a))
		}
		v[i] = n
	}
	orig := conntrack.Counters{Packets: v[1], Bytes: v[2]}
	reply := conntrack.Counters{Packets: v[3], Bytes: v[4]}
	if err := d.SetTraffic(v[0], orig, reply); err != nil {
		return "", cmdError(cmd, fmt.Sprintf("no offloaded connection %d", v[0]))
	}
	return "", nil
}

// FailCommand implements ct-offload/dummy-fail on|off [OP]: make one
// operation (all without OP) fail with an injected error, or succeed again.
func (d *Dummy) FailCommand(args []string) (string, error) {
	const cmd = "ct-offload/dummy-fail"
	on, ok := false, len(args) > 0
	if ok {
		on, ok = parseOnOff(args[0])
	}
	if !ok || len(args) > 2 {
		return "", cmdError(cmd, "expected on|off [add|established|update|delete|flush]")
	}
	if len(args) == 1 {
		d.SetFail(0, true, on)
		return "", nil
	}
	for k := OpKind(0); int(k) < numOps; k++ {
		if k.String() == args[1] {
			d.SetFail(k, false, on)
			return "", nil
		}
	}
	return "", cmdError(cmd, fmt.Sprintf("unknown operation %q", args[1]))
}

// RefuseCommand implements ct-offload/dummy-refuse on|off: CanOffload
// answers no while on.
func (d *Dummy) RefuseCommand(args []string) (string, error) {
	on, ok := false, len(args) == 1
	if ok {
		on, ok = parseOnOff(args[0])
	}
	if !ok {
		return "", cmdError("ct-offload/dummy-refuse", "expected on|off")
	}
	d.SetRefuse(on)
	return "", nil
}
