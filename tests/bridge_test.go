package tests

import (
	"sort"
	"strings"
	"testing"
)

// interfaceColumns are the Interface columns the daemon writes (or must
// leave alone) that are stable across runs; statistics are not.
const interfaceColumns = "name,type,options,ofport,ofport_request,error,admin_state,link_state," +
	"link_speed,duplex,mtu,mtu_request,mac_in_use,ifindex,status"

// showDB returns normalised "ovs-vsctl show" output, its blocks sorted
// (ovs-vsctl prints bridges and ports in UUID order, random per run).
func (e *env) showDB() string {
	e.t.Helper()
	return sortIndented(normalize(e.mustVsctl("show")))
}

// sortIndented sorts, at every level of an indented listing, the sibling
// blocks (a line with the more-indented lines under it).
func sortIndented(text string) string {
	type node struct {
		line     string
		children []*node
	}
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	root := &node{}
	stack := []*node{root}
	depths := []int{-1}
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		for indent(l) <= depths[len(depths)-1] {
			stack, depths = stack[:len(stack)-1], depths[:len(depths)-1]
		}
		n := &node{line: l}
		parent := stack[len(stack)-1]
		parent.children = append(parent.children, n)
		stack, depths = append(stack, n), append(depths, indent(l))
	}
	var render func(n *node) string
	render = func(n *node) string {
		var kids []string
		for _, c := range n.children {
			kids = append(kids, render(c))
		}
		sort.Strings(kids)
		if n == root {
			return strings.Join(kids, "")
		}
		return n.line + "\n" + strings.Join(kids, "")
	}
	return render(root)
}

// listInterfaces returns the stable Interface columns of every row,
// normalised, one block per interface, sorted by name.
func (e *env) listInterfaces() string {
	e.t.Helper()
	out := e.mustVsctl("--columns="+interfaceColumns, "list", "Interface")
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	for i := range blocks {
		blocks[i] = normalize(blocks[i])
	}
	sort.Strings(blocks) // "name" is the first column
	return strings.Join(blocks, "\n\n") + "\n"
}

// addVeth creates a veth pair inside the daemon's namespace, both ends up.
func (e *env) addVeth(name, peer string) {
	e.t.Helper()
	for _, args := range [][]string{
		{"link", "add", name, "type", "veth", "peer", "name", peer},
		{"link", "set", name, "up"},
		{"link", "set", peer, "up"},
	} {
		if r := e.inNS("ip", args...); r.code != 0 {
			e.t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
		}
	}
}

func TestBridgesAndPortsCycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon()
	e.addVeth("gv1", "gv1p")
	e.addVeth("gv2", "gv2p")
	e.addVeth("gv3", "gv3p")

	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	e.mustVsctl("add-port", "br0", "gv1")
	e.mustVsctl("add-port", "br0", "gv2")
	e.mustVsctl("add-br", "br1", "--", "set", "bridge", "br1", "datapath_type=netdev")
	e.mustVsctl("add-port", "br1", "gv3")

	// A device that does not exist: ovs-vsctl still succeeds but warns,
	// reading the daemon's error from the database.
	r := e.vsctl("add-port", "br1", "nodev0")
	expect(t, "add-port of a missing device", r, result{
		stderr: "ovs-vsctl: Error detected while setting up 'nodev0': could not open network device nodev0 (No such device).  See ovs-vswitchd log for details.\n" +
			"ovs-vsctl: The default log directory is \"" + e.dir + "\".\n",
	})

	e.golden("two-bridges.show", e.showDB())
	e.golden("two-bridges.interfaces", e.listInterfaces())

	e.mustVsctl("del-port", "br0", "gv2")
	e.mustVsctl("del-br", "br1")
	e.golden("after-del.show", e.showDB())
	e.golden("after-del.interfaces", e.listInterfaces())

	// The ports' devices survive in the namespace; only br0's own is ours.
	e.mustVsctl("del-br", "br0")
	e.golden("empty.show", e.showDB())
	e.stopDaemon(pid)
	if got := e.files(); len(got) != 0 {
		t.Errorf("files left after exit: %q", got)
	}
}

func TestBridgesSurviveDatabaseRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon()
	e.addVeth("gv1", "gv1p")
	e.addVeth("gv2", "gv2p")
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	e.mustVsctl("add-port", "br0", "gv1")

	e.stopOVSDB()
	e.startOVSDB()

	// The daemon reconnects; the bridge and its ports are still there and
	// later changes are applied (ovs-vsctl waits for the daemon's cur_cfg).
	e.mustVsctl("add-port", "br0", "gv2")
	if processGone(pid) {
		t.Fatal("daemon died with the database")
	}
	e.golden("db-restart.show", e.showDB())
	// The restarted server lost the ephemeral columns (status, link state,
	// ...); the daemon writes them again.
	e.eventuallyGolden("db-restart.interfaces", e.listInterfaces)
	if r := e.inNS("ip", "link", "show", "br0"); r.code != 0 {
		t.Errorf("bridge device br0 gone after database restart: %s", r)
	}
	e.stopDaemon(pid)
}
