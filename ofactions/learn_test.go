package ofactions

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// learnCases: learn actions as given to ovs-ofctl, the match of the flow
// carrying them, and what OVS prints back (empty: the input). The first
// ones are the corpus flows and OVS's rendering from the golden dumps.
var learnCases = []struct{ text, match, want string }{
	{text: "learn(table=22,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])"},
	{text: "learn(table=22,idle_timeout=10,hard_timeout=20,fin_idle_timeout=5,fin_hard_timeout=15,priority=10,cookie=0x1234,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[])"},
	{
		text:  "learn(table=22,send_flow_rem,delete_learned,limit=10,result_dst=reg5[0],eth_type=0x800,ip_src=10.20.0.1,nw_dst=ip_src,load:0x5->reg1[])",
		match: "ip",
		want:  "learn(table=22,send_flow_rem,delete_learned,limit=10,result_dst=NXM_NX_REG5[0],eth_type=0x800,ip_src=10.20.0.1,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],load:0x5->NXM_NX_REG1[])",
	},
	{
		text:  "learn(table=23,priority=5,dl_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],NXM_OF_IP_PROTO[],output:NXM_OF_IN_PORT[]),resubmit(,21)",
		match: "ip",
		want:  "learn(table=23,priority=5,eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],NXM_OF_IP_PROTO[],output:NXM_OF_IN_PORT[]),resubmit(,21)",
	},
	{text: "learn(table=22,in_port=99,eth_dst=00:00:00:00:00:33,load:0x1->NXM_NX_REG1[],load:NXM_NX_REG0[]->NXM_NX_REG2[])"},
	{
		text:  "learn(table=22,eth_type=0x800,nw_proto=6,NXM_OF_TCP_SRC[]=NXM_OF_TCP_DST[],NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[],fin_idle_timeout=3)",
		match: "tcp",
		want:  "learn(table=22,fin_idle_timeout=3,eth_type=0x800,nw_proto=6,NXM_OF_TCP_SRC[]=NXM_OF_TCP_DST[],NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[])",
	},
	{text: "learn(table=22,hard_timeout=30,NXM_NX_REG3[0..7]=0x5)"},
	{text: "learn()", want: "learn(table=1)"},
	{text: "learn(table=0,limit=3,NXM_NX_REG1[3..10]=NXM_NX_REG2[8..15])"},
	{text: "learn(table=2,result_dst=NXM_NX_REG0[31],NXM_NX_XXREG0[]=NXM_NX_XXREG1[])"},
	{text: "learn(table=2,NXM_NX_REG0[0..15]=0x0,load:0xabcdef0123->OXM_OF_PKT_REG0[8..47])", want: "learn(table=2,NXM_NX_REG0[0..15]=0,load:0xabcdef0123->OXM_OF_PKT_REG0[8..47])"},
	{text: "learn(table=2,tun_id=0x1234567890abcdef,vlan_tci=0x1005,load:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[])"},
	{text: "learn(table=2,priority=0,cookie=0xffffffffffffffff,output:NXM_NX_REG7[0..15])"},
}

func TestLearnTextRoundTrip(t *testing.T) {
	for _, c := range learnCases {
		l, err := Parse(c.text)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		want := c.want
		if want == "" {
			want = c.text
		}
		if got := l.String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.text, got, want)
		}
		m, _ := mf.Parse(c.match)
		if err := Check(l, &m, version15); err != nil {
			t.Errorf("%s: check: %v", c.text, err)
		}
		// What is printed parses back to the same action.
		if l2, err := Parse(l.String()); err != nil || l2.String() != l.String() {
			t.Errorf("%s: printed text does not parse back: %v", c.text, err)
		}
	}
}

func TestLearnWireRoundTrip(t *testing.T) {
	for _, c := range learnCases {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []uint8{version10, version13, version15} {
			b, err := AppendActions(nil, l, v)
			if err != nil {
				t.Fatalf("%s: encode: %v", c.text, err)
			}
			back, err := DecodeActions(b, v)
			if err != nil {
				t.Fatalf("%s: decode %x: %v", c.text, b, err)
			}
			if back.String() != l.String() {
				t.Errorf("%s version %d: decoded %s", c.text, v, back.String())
			}
		}
	}
}

// TestLearnMatchesOVS has ovs-ofctl decode our encodings: it must print
// the same text and re-encode the same bytes.
func TestLearnMatchesOVS(t *testing.T) {
	for _, v := range []uint8{version10, version13, version15} {
		var texts, want []string
		var encs [][]byte
		for _, c := range learnCases {
			l, err := Parse(c.text)
			if err != nil {
				t.Fatal(err)
			}
			b, err := AppendActions(nil, l, v)
			if err != nil {
				t.Fatal(err)
			}
			texts, encs, want = append(texts, c.text), append(encs, b), append(want, "actions="+l.String())
		}
		checkOVSDecodes(t, v, texts, encs, want)
	}
}

func TestLearnParseErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"learn(table=255)", "table=255: table id 255 not valid for `learn' action"},
		{"learn(result_dst=reg0[0..1])", "result_dst in 'learn' action must be a single bit"},
		{"learn(result_dst=eth_type[0])", "eth_type[0] is read-only"},
		{"learn(foo=bar)", "foo=bar: unknown keyword foo"},
		{"learn(NXM_NX_REG0[0..7]=NXM_NX_REG1[])", "NXM_NX_REG0[0..7]=NXM_NX_REG1[]: bit widths of NXM_NX_REG0[0..7] (32) and NXM_NX_REG1[] (8) differ"},
		{"learn(NXM_NX_REG0[0..3]=0x10)", "NXM_NX_REG0[0..3]=0x10: NXM_NX_REG0[0..3] value 0x10 cannot be parsed as a subfield (0x10: unknown field `0x10') or an immediate value (NXM_NX_REG0[0..3]=0x10: value 0x10 does not fit into 4 bits)"},
		{"learn(load:->reg0[])", "load: missing source before `->' in `->reg0[]'"},
		{"learn(load:0x5)", "load: missing `->' in `0x5'"},
		{"learn(load:0x100->reg0[0..7])", "0x100->reg0[0..7]: value does not fit into 8 bits"},
		// From the corpus's bad flows: OVS swaps the widths in the message.
		{"learn(table=91,NXM_OF_ETH_DST[]=NXM_OF_IP_SRC[])", "table=91,NXM_OF_ETH_DST[]=NXM_OF_IP_SRC[]: bit widths of NXM_OF_ETH_DST[] (32) and NXM_OF_IP_SRC[] (48) differ"},
	} {
		_, err := Parse(c.text)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got error %v, want %q", c.text, err, c.want)
		}
	}
}

func TestLearnCheck(t *testing.T) {
	for _, c := range []struct {
		text, match string
		want        error
	}{
		// Sources need their prerequisites in the learning flow.
		{"learn(NXM_OF_IP_DST[]=NXM_OF_IP_SRC[])", "", ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"learn(eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[])", "ip", nil},
		// Destinations need theirs in the learned flow.
		{"learn(NXM_OF_IP_DST[]=NXM_OF_IP_SRC[])", "ip", ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"learn(load:0x1->NXM_OF_IN_PORT[])", "", nil},
		{"learn(load:0x1->NXM_NX_CT_STATE[0..7])", "", ofperr.OFPBAC_BAD_SET_ARGUMENT},
	} {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatalf("%s: %v", c.text, err)
		}
		m, _ := mf.Parse(c.match)
		if err := Check(l, &m, version13); !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%s / %q: check gave %v, want %v", c.text, c.match, err, c.want)
		}
	}
}

func TestLearnDecodeErrors(t *testing.T) {
	valid := func(text string) []byte {
		l, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		b, err := AppendActions(nil, l, version10)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := valid("learn(table=2,NXM_NX_REG0[]=NXM_NX_REG1[])")
	// Two 14-byte specs leave 4 bytes of padding.
	padded := valid("learn(table=2,NXM_NX_REG0[]=NXM_NX_REG1[],NXM_NX_REG2[]=NXM_NX_REG3[])")
	two := valid("learn(table=2,limit=1,NXM_NX_REG0[]=NXM_NX_REG1[])")
	mod := func(b []byte, f func(b []byte)) []byte {
		c := append([]byte(nil), b...)
		f(c)
		return c
	}
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", mod(base, func(b []byte) { b[3] = 24 })[:24], ofperr.OFPBAC_BAD_LEN},
		{"pad", mod(base, func(b []byte) { b[27] = 1 }), ofperr.OFPBAC_BAD_ARGUMENT},
		{"table 255", mod(base, func(b []byte) { b[26] = 255 }), ofperr.OFPBAC_BAD_ARGUMENT},
		{"learn flags", mod(base, func(b []byte) { b[25] = LearnWriteResult }), ofperr.OFPBAC_BAD_ARGUMENT},
		{"pad2", mod(two, func(b []byte) { b[39] = 1 }), ofperr.NXBAC_MUST_BE_ZERO},
		{"result ofs without result", mod(two, func(b []byte) { b[37] = 1 }), ofperr.OFPBAC_BAD_ARGUMENT},
		{"immediate output", mod(base, func(b []byte) { b[32] |= 0x20 | 0x10 }), ofperr.OFPBAC_BAD_ARGUMENT},
		{"unknown field", mod(base, func(b []byte) { b[34], b[35] = 0x7f, 0x7f }), ofperr.OFPBAC_BAD_SET_TYPE},
		{"bad range", mod(base, func(b []byte) { b[39] = 5 }), ofperr.OFPBAC_BAD_SET_LEN},
		{"trailing garbage", mod(padded, func(b []byte) { b[len(b)-1] = 1 }), ofperr.OFPBAC_BAD_ARGUMENT},
	} {
		if _, err := DecodeActions(c.b, version10); err != c.want {
			t.Errorf("%s: %x: got %v, want %v", c.name, c.b, err, c.want)
		}
	}
}

// TestLearnExecute builds the learned flow for a packet.
func TestLearnExecute(t *testing.T) {
	l, err := Parse("learn(table=22,idle_timeout=10,hard_timeout=20,fin_idle_timeout=5,fin_hard_timeout=15,priority=10,cookie=0x1234,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[])")
	if err != nil {
		t.Fatal(err)
	}
	pkt, err := mf.Parse("in_port=3,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_vlan=5")
	if err != nil {
		t.Fatal(err)
	}
	lf := l[0].(*Learn).Execute(&pkt.Flow)
	if got, want := lf.Match.String(), "vlan_tci=0x0005/0x0fff,dl_dst=00:00:00:00:00:01"; got != want {
		t.Errorf("match %s, want %s", got, want)
	}
	if got, want := lf.Actions.String(), "fin_timeout(idle_timeout=5,hard_timeout=15),load:0x3->NXM_NX_REG0[0..15],output:3"; got != want {
		t.Errorf("actions %s, want %s", got, want)
	}
	if lf.Table != 22 || lf.Priority != 10 || lf.Cookie != 0x1234 || lf.IdleTimeout != 10 || lf.HardTimeout != 20 {
		t.Errorf("flow mod fields %+v", lf)
	}
	var wc mf.Flow
	l[0].(*Learn).Mask(&wc)
	wm := mf.Match{Mask: wc}
	for _, id := range []mf.FieldID{mf.EthSrc, mf.InPort} {
		if !wm.IsWildcard(id) {
			continue
		}
		t.Errorf("mask does not cover %s", mf.ByID(id).Name)
	}
	if !wm.IsWildcard(mf.EthDst) {
		t.Errorf("mask covers eth_dst, which learn does not read")
	}
}

// TestWriteLearnFuzzSeeds adds the learn cases' encodings to the
// FuzzDecodeActions corpus when GOVSWITCHD_WRITE_SEEDS=1.
func TestWriteLearnFuzzSeeds(t *testing.T) {
	if os.Getenv("GOVSWITCHD_WRITE_SEEDS") == "" {
		t.Skip("set GOVSWITCHD_WRITE_SEEDS=1 to regenerate fuzz seeds")
	}
	for i, c := range learnCases {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatal(err)
		}
		for vi, v := range []uint8{version10, version13, version15} {
			b, err := AppendActions(nil, l, v)
			if err != nil {
				t.Fatal(err)
			}
			writeSeed(t, "FuzzDecodeActions", fmt.Sprintf("learn%02d-%d", i, vi), fmt.Sprintf("[]byte(%q)\nbyte(%d)\n", b, vi))
		}
	}
}

// FuzzDecodeLearn feeds arbitrary learn bodies (after the Nicira
// header) to the decoder: it must not panic, and what it accepts must
// survive an encode/decode round trip.
func FuzzDecodeLearn(f *testing.F) {
	for _, c := range learnCases {
		l, err := Parse(c.text)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := AppendActions(nil, l[:1], version10)
		f.Add(b[10:], b[9] == nxastLearn2)
	}
	f.Fuzz(func(t *testing.T, body []byte, two bool) {
		sub := uint16(nxastLearn)
		if two {
			sub = nxastLearn2
		}
		a := []byte{0xff, 0xff, 0, 0, 0, 0, 0x23, 0x20, byte(sub >> 8), byte(sub)}
		a = append(a, body...)
		for len(a)%8 != 0 {
			a = append(a, 0)
		}
		if len(a) > 0xfff8 {
			return
		}
		a[2], a[3] = byte(len(a)>>8), byte(len(a))
		l, err := DecodeActions(a, version10)
		if err != nil {
			return
		}
		_ = l.String()
		fuzzRoundTrip(t, l, version10, false)
		fuzzRoundTrip(t, l, version15, false)
		if lr, ok := l[0].(*Learn); ok {
			var flow, wc mf.Flow
			lr.Execute(&flow)
			lr.Mask(&wc)
		}
	})
}

// FuzzParseLearn: whatever learn text parses prints as text that parses
// back to the same action, and encodes to bytes that decode to it.
func FuzzParseLearn(f *testing.F) {
	for _, c := range learnCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil || len(l) == 0 {
			return
		}
		if _, ok := l[0].(*Learn); !ok {
			return
		}
		text := l.String()
		l2, err := Parse(text)
		if err != nil {
			t.Fatalf("printed actions %q do not parse: %v", text, err)
		}
		if l2.String() != text {
			t.Fatalf("print/parse not stable: %q -> %q", text, l2.String())
		}
		b, err := AppendActions(nil, l[:1], version10)
		if err != nil {
			return
		}
		back, err := DecodeActions(b, version10)
		if err != nil {
			// What the text parser accepts but the wire refuses must be
			// a range or writability problem OVS's check reports too.
			return
		}
		if back.String() != l[:1].String() {
			t.Fatalf("wire round trip changed %q to %q", l[:1].String(), back.String())
		}
	})
}

// BenchmarkLearnExecute is the translation-time cost of a MAC-learning
// learn: building the learned flow and widening the megaflow mask.
func BenchmarkLearnExecute(b *testing.B) {
	l, err := Parse("learn(table=1,hard_timeout=300,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[])")
	if err != nil {
		b.Fatal(err)
	}
	pkt, err := mf.Parse("in_port=3,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02")
	if err != nil {
		b.Fatal(err)
	}
	a := l[0].(*Learn)
	var wc mf.Flow
	b.ReportAllocs()
	for b.Loop() {
		a.Execute(&pkt.Flow)
		a.Mask(&wc)
	}
}
