package ofproto

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// matchesFlow reports whether flow satisfies m, comparing the whole flow:
// the reference the tuple space is checked against.
func matchesFlow(m *mf.Match, flow *mf.Flow) bool {
	v, mk, f := m.Flow.Bytes(), m.Mask.Bytes(), flow.Bytes()
	for i := 0; i < flowSize; i += 8 {
		mw := binary.NativeEndian.Uint64(mk[i:])
		if mw == 0 {
			continue
		}
		if (binary.NativeEndian.Uint64(f[i:])^binary.NativeEndian.Uint64(v[i:]))&mw != 0 {
			return false
		}
	}
	return true
}

// linearLookup is the definition the tuple space must agree with: the
// first rule, in priority order, that the flow matches.
func linearLookup(rules []*Rule, flow *mf.Flow) *Rule {
	for _, r := range rules {
		if matchesFlow(&r.Match, flow) {
			return r
		}
	}
	return nil
}

// randomShapeRule makes a rule over a few fields of the metadata, L2, L3
// and L4 stages, each wildcarded, exact or (for addresses and ports)
// prefix-masked, with values from small ranges so that flows hit them.
func randomShapeRule(rng *rand.Rand, priority uint16) *Rule {
	var m mf.Match
	if rng.IntN(2) == 0 {
		m.SetExact(mf.InPort, uint64(1+rng.IntN(3)))
	}
	if rng.IntN(3) != 0 {
		m.SetExact(mf.EthType, 0x0800)
		if rng.IntN(3) != 0 {
			plen := []int{8, 16, 24, 32}[rng.IntN(4)]
			m.SetUint(mf.IPv4Src, 0x0a000000|uint64(rng.IntN(4))<<16|uint64(rng.IntN(4))<<8|uint64(rng.IntN(4)),
				uint64(0xffffffff)<<(32-plen)&0xffffffff)
		}
		if rng.IntN(2) == 0 {
			m.SetExact(mf.IPProto, 6)
			if rng.IntN(2) == 0 {
				m.SetUint(mf.TCPDst, randomPort(rng), []uint64{0xffff, 0xfffc, 0xff00}[rng.IntN(3)])
			}
			if rng.IntN(4) == 0 {
				m.SetExact(mf.TCPSrc, randomPort(rng))
			}
		}
	}
	if rng.IntN(4) == 0 {
		m.SetExact(mf.Reg0, uint64(rng.IntN(2)))
	}
	return newRule(0, priority, &m, nil)
}

// randomPort is mostly one of a few small ports, so that flows hit rules,
// and sometimes any port, so that the port prefixes of misses vary.
func randomPort(rng *rand.Rand) uint64 {
	if rng.IntN(3) == 0 {
		return uint64(rng.IntN(65536))
	}
	return uint64(rng.IntN(6))
}

func randomShapeFlow(rng *rand.Rand) *mf.Flow {
	var m mf.Match
	m.SetExact(mf.InPort, uint64(1+rng.IntN(3)))
	m.SetExact(mf.EthType, []uint64{0x0800, 0x0806}[rng.IntN(2)])
	m.SetExact(mf.IPv4Src, 0x0a000000|uint64(rng.IntN(4))<<16|uint64(rng.IntN(4))<<8|uint64(rng.IntN(4)))
	m.SetExact(mf.IPProto, []uint64{6, 17}[rng.IntN(2)])
	m.SetExact(mf.TCPDst, randomPort(rng))
	m.SetExact(mf.TCPSrc, randomPort(rng))
	m.SetExact(mf.Reg0, uint64(rng.IntN(2)))
	return &m.Flow
}

// TestTupleSpaceAgreesWithLinearScan checks, on random tables and flows,
// that the tuple space finds the rule a scan in priority order finds, and
// that the mask it reports is sound: every flow agreeing with the flow
// under that mask finds the same rule, which is what lets a megaflow
// stand for all of them.
func TestTupleSpaceAgreesWithLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var c classifier
		// Distinct priorities: equal ones across subtables are ordered
		// differently by the two (OVS leaves that order undefined).
		prios := rng.Perm(1000)
		n := 1 + rng.IntN(40)
		for i := range n {
			c.insert(randomShapeRule(rng, uint16(prios[i])))
		}
		// Remove a few, so removal paths are in play too.
		for range rng.IntN(4) {
			if len(c.rules) > 1 {
				c.remove(c.ordered()[rng.IntN(len(c.rules))])
			}
		}
		for range 50 {
			flow := randomShapeFlow(rng)
			var wc mf.Flow
			got := c.lookup(flow, &wc)
			if want := linearLookup(c.ordered(), flow); got != want {
				t.Fatalf("round %d: tuple space found %v, scan %v", round, ruleString(got), ruleString(want))
			}
			// Flows that differ only outside wc find the same rule.
			for range 20 {
				other := randomShapeFlow(rng)
				o, f, w := other.Bytes(), flow.Bytes(), wc.Bytes()
				for i := range o {
					o[i] = f[i]&w[i] | o[i]&^w[i]
				}
				if r := linearLookup(c.ordered(), other); r != got {
					t.Fatalf("round %d: mask is unsound: the flow finds %v, a flow equal under the mask finds %v",
						round, ruleString(got), ruleString(r))
				}
			}
		}
	}
}

func ruleString(r *Rule) string {
	if r == nil {
		return "no rule"
	}
	return fmt.Sprintf("%v priority %d", &r.Match, r.Priority)
}

// A flow ruled out by in_port leaves the other stages wildcarded.
func TestTupleSpaceStagedMask(t *testing.T) {
	var c classifier
	var m mf.Match
	m.SetExact(mf.InPort, 1)
	m.SetExact(mf.EthType, 0x0800)
	m.SetUint(mf.IPv4Src, 0x0a000000, 0xffffff00)
	c.insert(newRule(0, 10, &m, nil))

	var fm mf.Match
	fm.SetExact(mf.InPort, 2)
	fm.SetExact(mf.EthType, 0x0800)
	fm.SetExact(mf.IPv4Src, 0x0a000001)
	var wc mf.Flow
	if r := c.lookup(&fm.Flow, &wc); r != nil {
		t.Fatalf("in_port=2 matched %v", ruleString(r))
	}
	var only mf.Match
	only.SetExact(mf.InPort, 0)
	if wc != only.Mask {
		t.Errorf("mask after a metadata miss is %v, want in_port only", &mf.Match{Flow: wc, Mask: wc})
	}
}

// A flow the rules' ports rule out gets the port bits up to the first one
// that differs from every rule's, and the earlier stages: OVS's
// tcp(dst=22/0xffc0) behind rules for 80 and 443.
func TestTupleSpacePortPrefix(t *testing.T) {
	var c classifier
	for _, port := range []uint64{80, 443} {
		var m mf.Match
		m.SetExact(mf.EthType, 0x0800)
		m.SetExact(mf.IPProto, 6)
		m.SetExact(mf.TCPDst, port)
		c.insert(newRule(0, 10, &m, nil))
	}
	for _, tc := range []struct {
		port, mask uint64
		match      bool
	}{
		{22, 0xffc0, false}, // 22 and 80 first differ in bit 9 of 16
		{81, 0xffff, false}, // 81 differs from 80 in the last bit only
		{443, 0xffff, true},
		{32768, 0x8000, false},
	} {
		var fm mf.Match
		fm.SetExact(mf.InPort, 1)
		fm.SetExact(mf.EthType, 0x0800)
		fm.SetExact(mf.IPProto, 6)
		fm.SetExact(mf.TCPSrc, 1234)
		fm.SetExact(mf.TCPDst, tc.port)
		var wc mf.Flow
		if r := c.lookup(&fm.Flow, &wc); (r != nil) != tc.match {
			t.Errorf("port %d: found %v", tc.port, ruleString(r))
		}
		var want mf.Match
		want.SetExact(mf.EthType, 0)
		want.SetExact(mf.IPProto, 0)
		want.SetUint(mf.TCPDst, 0, tc.mask)
		if wc != want.Mask {
			t.Errorf("port %d: mask %v, want %v", tc.port, &mf.Match{Flow: wc, Mask: wc}, &mf.Match{Flow: want.Mask, Mask: want.Mask})
		}
	}
}

// BenchmarkLookup10k looks up flows in a table like the bench harness's
// t10k: 10,000 rules of one shape (in_port, ip, nw_src/24) at mixed
// priorities, each flow hitting one of them.
func BenchmarkLookup10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var c classifier
	var flows []mf.Flow
	for i := range 10000 {
		var m mf.Match
		m.SetExact(mf.InPort, 1)
		m.SetExact(mf.EthType, 0x0800)
		m.SetUint(mf.IPv4Src, 0x0a000000|uint64(i)<<8, 0xffffff00)
		c.insert(newRule(0, uint16(100+rng.IntN(1000)), &m, nil))
		m.SetExact(mf.IPv4Src, 0x0a000001|uint64(i)<<8)
		flows = append(flows, m.Flow)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var wc mf.Flow
		if c.lookup(&flows[i%len(flows)], &wc) == nil {
			b.Fatal("no rule")
		}
	}
}
