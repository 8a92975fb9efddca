package ofproto

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
)

// selectionMethodProp is an NTR selection method group property.
func selectionMethodProp(method string, param uint64) []byte {
	b := make([]byte, 16+selectionMethodLength+8)
	binary.BigEndian.PutUint16(b, 0xffff)
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	binary.BigEndian.PutUint32(b[4:], ntrVendor)
	binary.BigEndian.PutUint32(b[8:], ntrSelectionMethod)
	copy(b[16:], method)
	binary.BigEndian.PutUint64(b[16+selectionMethodLength:], param)
	return b
}

func weighted(weights ...uint16) []bucket {
	var bs []bucket
	for i, w := range weights {
		b := mkBucket(uint32(i), uint16(i+1))
		b.Weight = w
		bs = append(bs, b)
	}
	return bs
}

func TestDPHashSelectTable(t *testing.T) {
	cases := []struct {
		name    string
		props   []byte
		buckets []bucket
		slots   []int // hash values per bucket; nil: slow-path selection
		alg     uint32
		basis   uint32
	}{
		{"default even", nil, weighted(1, 1), []int{8, 8}, dpif.HashSymL4, 0},
		{"default weighted", nil, weighted(1, 3), []int{4, 12}, dpif.HashSymL4, 0},
		{"lightest gets one of 128", nil, weighted(1, 100), []int{1, 127}, dpif.HashSymL4, 0},
		{"too many values", nil, weighted(1, 1000), nil, 0, 0},
		{"zero weights", nil, weighted(0, 0), nil, 0, 0},
		{"no buckets", nil, nil, nil, 0, 0},
		{"dp_hash with algorithm and basis", selectionMethodProp("dp_hash", 0<<32|7), weighted(1), []int{16}, dpif.HashL4, 7},
		{"dp_hash bad algorithm", selectionMethodProp("dp_hash", 9<<32), weighted(1), []int{16}, dpif.HashL4, 0},
		{"hash fields", selectionMethodProp("hash", 0), weighted(1), nil, 0, 0},
	}
	for _, c := range cases {
		s := newDPHashSelect(c.props, c.buckets)
		if c.slots == nil {
			if s != nil {
				t.Errorf("%s: got a dp_hash table, want slow-path selection", c.name)
			}
			continue
		}
		if s == nil {
			t.Errorf("%s: no dp_hash table", c.name)
			continue
		}
		got := make([]int, len(c.buckets))
		for _, i := range s.slots {
			got[i]++
		}
		if int(s.mask)+1 != len(s.slots) || s.alg != c.alg || s.basis != c.basis {
			t.Errorf("%s: mask %#x for %d slots, alg %d basis %d", c.name, s.mask, len(s.slots), s.alg, s.basis)
		}
		for i := range got {
			if got[i] != c.slots[i] {
				t.Errorf("%s: hash values per bucket %v, want %v", c.name, got, c.slots)
				break
			}
		}
	}
}

// A select group hashes in the datapath and recirculates; the second pass
// spreads flows over the buckets by dp_hash, and actions after the group
// still run on the recirculated packet.
func TestSelectGroupHashesThenRecirculates(t *testing.T) {
	r := newXlateRig(t, 4)
	if err := r.br.applyGroupMod(&groupMod{command: groupAdd, typ: groupTypeSelect, id: 1,
		buckets: []bucket{mkBucket(0, 2), mkBucket(1, 3)}}); err != nil {
		t.Fatal(err)
	}
	r.addFlows(t, "in_port=1,udp,actions=group:1,output:4")
	const n = 64
	for i := range n {
		r.input(1, udpFrame(uint16(1000+i)))
	}
	two, three := r.sent(t, 2), r.sent(t, 3)
	if two+three != n || two == 0 || three == 0 {
		t.Errorf("buckets sent %d and %d packets, want %d in all, some each", two, three, n)
	}
	if four := r.sent(t, 4); four != n {
		t.Errorf("port 4 after the group sent %d packets, want %d", four, n)
	}
	dump := r.dp.DumpFlowsText(false, nil, time.Now())
	if !strings.Contains(dump, "actions:hash(sym_l4(0)),recirc(0x") || !strings.Contains(dump, ",dp_hash(0x") {
		t.Errorf("datapath flows lack the hash pass or the dp_hash pass:\n%s", dump)
	}
}
