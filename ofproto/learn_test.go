package ofproto

import (
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// tableText lists table id's rules as "priority,match attrs actions=...",
// one a line, in lookup order.
func (r *xlateRig) tableText(id uint8) string {
	r.br.mu.RLock()
	defer r.br.mu.RUnlock()
	var lines []string
	for _, rule := range r.br.tables[id].cls.ordered() {
		s := rule.Match.Format(int(rule.Priority))
		if s == "" {
			s = "priority=" + uitoa(uint64(rule.Priority))
		}
		if rule.Cookie != 0 {
			s = "cookie=0x" + strings.TrimLeft(hexU64(rule.Cookie), "0") + "," + s
		}
		if rule.IdleTimeout != 0 {
			s += ",idle_timeout=" + uitoa(uint64(rule.IdleTimeout))
		}
		if rule.HardTimeout != 0 {
			s += ",hard_timeout=" + uitoa(uint64(rule.HardTimeout))
		}
		if rule.Flags&ofp.FlagSendFlowRem != 0 {
			s += ",send_flow_rem"
		}
		lines = append(lines, s+" actions="+rule.Actions.String())
	}
	return strings.Join(lines, "\n")
}

func hexU64(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b[:])
}

// ethKey is tcpKey from MAC 00:00:00:00:00:<src>.
func ethKey(in uint32, src byte) *dpif.FlowKey {
	k := tcpKey(in, 1000, 80)
	k.SetEthSrc([6]byte{0, 0, 0, 0, 0, src})
	return k
}

func (r *xlateRig) revalidate(t *testing.T, key *dpif.FlowKey, packets uint64, tcpFlags uint16) *dpif.Upcall {
	t.Helper()
	u := &dpif.Upcall{Type: dpif.UpcallRevalidate, Key: key, Stats: dpif.MegaflowStats{Packets: packets, Bytes: 64 * packets, TCPFlags: tcpFlags}}
	if err := r.bk.HandleUpcall(u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLearnMACLearningSwitch(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,actions=learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)",
		"table=1,priority=0,actions=FLOOD",
	)
	// The learned flow is not seen by the translation that learns it.
	got := r.miss(t, ethKey(1, 1))
	want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=00:00:00:00:00:01),eth_type(0x0800),ipv4(frag=no), actions:2,3"
	if got != want {
		t.Errorf("megaflow\n got %s\nwant %s", got, want)
	}
	r.miss(t, ethKey(2, 2))
	want = "dl_dst=00:00:00:00:00:01 actions=output:1\ndl_dst=00:00:00:00:00:02 actions=output:2\npriority=0 actions=FLOOD"
	if got := r.tableText(1); got != want {
		t.Errorf("table 1\n got %s\nwant %s", got, want)
	}
	// Now a packet to 00:..:01 goes straight to port 1.
	k := ethKey(2, 2)
	k.SetEthDst([6]byte{0, 0, 0, 0, 0, 1})
	if got := r.miss(t, k); !strings.HasSuffix(got, "actions:1") {
		t.Errorf("packet to a learned MAC: %s", got)
	}
}

func TestLearnAttributesAndRefresh(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=2,tcp,actions=resubmit(,2)",
		"table=0,in_port=1,tcp,actions=learn(table=2,idle_timeout=10,hard_timeout=20,fin_idle_timeout=5,fin_hard_timeout=15,priority=10,cookie=0x1234,send_flow_rem,eth_type=0x800,nw_proto=6,NXM_OF_TCP_SRC[]=NXM_OF_TCP_DST[],NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[]),output:2",
	)
	r.miss(t, tcpKey(1, 1000, 80))
	want := "cookie=0x1234,priority=10,tcp,tp_src=80,tp_dst=1000,idle_timeout=10,hard_timeout=20,send_flow_rem actions=fin_timeout(idle_timeout=5,hard_timeout=15),load:0x1->NXM_NX_REG0[0..15],output:1"
	if got := r.tableText(2); got != want {
		t.Fatalf("table 2\n got %s\nwant %s", got, want)
	}
	learned := r.br.tables[2].cls.ordered()[0]
	old := time.Now().Add(-time.Hour)
	learned.modified = old

	// A revalidation without traffic has no side effects.
	r.revalidate(t, tcpKey(1, 1000, 80), 0, 0)
	if !learned.modified.Equal(old) {
		t.Error("a revalidation without traffic refreshed the learned flow")
	}
	// Traffic through the megaflow learns again: the same flow is only
	// refreshed.
	r.revalidate(t, tcpKey(1, 1000, 80), 3, 0x010)
	if r.br.tables[2].cls.ordered()[0] != learned || learned.modified.Equal(old) {
		t.Error("traffic did not refresh the learned flow in place")
	}

	// The learned flow's fin_timeout shortens its timeouts on FIN. The
	// miss's packet is credited by its own translation.
	k := tcpKey(2, 80, 1000)
	r.miss(t, k)
	if p, _ := learned.Stats(); p != 1 {
		t.Fatalf("learned flow has %d packets after one miss, want 1", p)
	}
	r.revalidate(t, k, 1, 0x011)
	got := r.br.tables[2].cls.ordered()[0]
	if got.IdleTimeout != 5 || got.HardTimeout != 15 || got.Cookie != 0x1234 {
		t.Errorf("after FIN: idle %d hard %d cookie %#x, want 5 15 0x1234", got.IdleTimeout, got.HardTimeout, got.Cookie)
	}
	if p, _ := got.Stats(); p != 2 {
		t.Errorf("replaced rule has %d packets, want its counter kept and the FIN's added (2)", p)
	}
}

func TestLearnDeleteLearned(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,actions=learn(table=3,cookie=0x7,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),output:2",
		"table=0,in_port=2,actions=learn(table=3,cookie=0x7,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),output:1",
		"table=3,cookie=0x8,priority=1,actions=drop",
	)
	r.miss(t, ethKey(1, 1))
	r.miss(t, ethKey(2, 2))
	del := func(match string) {
		t.Helper()
		fm, err := ofp.ParseFlow(match, ofp.FlowDeleteStrict)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.br.FlowMod(fm); err != nil {
			t.Fatal(err)
		}
	}
	want := "cookie=0x7,dl_dst=00:00:00:00:00:01 actions=output:1\ncookie=0x7,dl_dst=00:00:00:00:00:02 actions=output:2\ncookie=0x8,priority=1 actions=drop"
	if got := r.tableText(3); got != want {
		t.Fatalf("table 3\n got %s\nwant %s", got, want)
	}
	// Another flow still learns into table 3 with cookie 0x7.
	del("table=0,in_port=1")
	if got := r.tableText(3); got != want {
		t.Errorf("after deleting one learning flow\n got %s\nwant %s", got, want)
	}
	del("table=0,in_port=2")
	if got, want := r.tableText(3), "cookie=0x8,priority=1 actions=drop"; got != want {
		t.Errorf("after deleting both learning flows\n got %s\nwant %s", got, want)
	}
}

func TestLearnLimitAndResult(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,actions=learn(table=1,limit=1,result_dst=reg0[0],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,2)",
		"table=2,reg0=0x1,actions=output:2",
		"table=2,reg0=0,actions=output:3",
	)
	if got := r.miss(t, ethKey(1, 1)); !strings.HasSuffix(got, "actions:2") {
		t.Errorf("first MAC (learned): %s", got)
	}
	if got := r.miss(t, ethKey(1, 2)); !strings.HasSuffix(got, "actions:3") {
		t.Errorf("second MAC (over the limit): %s", got)
	}
	if got, want := r.tableText(1), "dl_dst=00:00:00:00:00:01 actions=output:1"; got != want {
		t.Errorf("table 1\n got %s\nwant %s", got, want)
	}
	// With the learned flow gone, a revalidation without traffic cannot
	// learn: the megaflow must not stay cached.
	fm, err := ofp.ParseFlow("table=1", ofp.FlowDelete)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.br.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	if u := r.revalidate(t, ethKey(1, 1), 0, 0); !u.NoInstall {
		t.Error("megaflow of a limited learn kept without its learned flow")
	}
	if u := r.revalidate(t, ethKey(1, 1), 1, 0); u.NoInstall || r.tableText(1) == "" {
		t.Errorf("traffic did not learn again (NoInstall %v, table 1 %q)", u.NoInstall, r.tableText(1))
	}
}

func TestLearnTrace(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,actions=learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]),output:2",
	)
	out, err := r.bk.Trace(r.br, "in_port=1,dl_src=00:00:00:00:00:01", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, ">> suppressing side effects, so learn action ignored") {
		t.Errorf("trace does not say the learn was suppressed:\n%s", out)
	}
	if !strings.Contains(out, "Megaflow: recirc_id=0,eth,in_port=1,dl_src=00:00:00:00:00:01,dl_type=0x0000") {
		t.Errorf("trace megaflow does not match the learned source:\n%s", out)
	}
	if r.tableText(1) != "" {
		t.Errorf("trace learned a flow: %s", r.tableText(1))
	}
}

// TestLearnPacketOut: a packet-out learns too, and like OVS it does not
// check the learn's limit there (the result bit says success).
func TestLearnPacketOut(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,ip,actions=learn(table=1,limit=1,result_dst=reg0[0],eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[]),resubmit(,2)",
		"table=2,reg0=0x1,actions=output:2",
	)
	for _, src := range []byte{1, 9} {
		f := udpFrame(1000)
		f[29] = src
		if err := r.bk.PacketOut(r.br, f, 1, ofactions.List{&ofactions.Output{Port: mf.PortTable}}); err != nil {
			t.Fatal(err)
		}
	}
	want := "ip,nw_dst=10.0.0.1 actions=drop\nip,nw_dst=10.0.0.9 actions=drop"
	if got := r.tableText(1); got != want {
		t.Errorf("table 1\n got %s\nwant %s", got, want)
	}
	if n := r.sent(t, 2); n != 2 {
		t.Errorf("port 2 sent %d packets, want both (result bit set)", n)
	}
}

// TestLearnDeleteLearnedOnReplace: re-adding the same learning flow keeps
// what it learned; changing its actions to no longer learn deletes it.
func TestLearnDeleteLearnedOnReplace(t *testing.T) {
	learning := "table=0,in_port=1,actions=learn(table=3,cookie=0x7,delete_learned,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])"
	r := newXlateRig(t, 2, learning)
	r.miss(t, ethKey(1, 1))
	want := "cookie=0x7,dl_dst=00:00:00:00:00:01 actions=drop"
	if got := r.tableText(3); got != want {
		t.Fatalf("table 3\n got %s\nwant %s", got, want)
	}
	r.addFlows(t, learning)
	if got := r.tableText(3); got != want {
		t.Errorf("after re-adding the learning flow\n got %s\nwant %s", got, want)
	}
	fm, err := ofp.ParseFlow("table=0,in_port=1,actions=output:2", ofp.FlowModify)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.br.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	if got := r.tableText(3); got != "" {
		t.Errorf("after modifying the learning flow's actions, table 3 still has\n%s", got)
	}
}

// TestFinTimeoutRunningRule: fin_timeout changes the rule whose actions
// run it, not the last rule a resubmit looked up; only FIN or RST do.
func TestFinTimeoutRunningRule(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,idle_timeout=100,tcp,actions=resubmit(,1),fin_timeout(idle_timeout=7,hard_timeout=9)",
		"table=1,idle_timeout=100,actions=output:2",
	)
	r.miss(t, tcpKey(1, 1000, 80))
	if got, want := r.tableText(0), "tcp,idle_timeout=100 actions=resubmit(,1),fin_timeout(idle_timeout=7,hard_timeout=9)"; got != want {
		t.Fatalf("without FIN: table 0\n got %s\nwant %s", got, want)
	}
	k := tcpKey(1, 1000, 80)
	k.SetTCPFlags(0x011)
	r.miss(t, k)
	if got, want := r.tableText(0), "tcp,idle_timeout=7,hard_timeout=9 actions=resubmit(,1),fin_timeout(idle_timeout=7,hard_timeout=9)"; got != want {
		t.Errorf("after FIN: table 0\n got %s\nwant %s", got, want)
	}
	if got, want := r.tableText(1), "priority=32768,idle_timeout=100 actions=output:2"; got != want {
		t.Errorf("after FIN: table 1\n got %s\nwant %s", got, want)
	}
}
