package ofp

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func TestContinuationRoundTrip(t *testing.T) {
	out2 := []byte{0, 0, 0, 16, 0, 0, 0, 2, 0xff, 0xff, 0, 0, 0, 0, 0, 0} // output:2
	c := &Continuation{
		Bridge:      [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		Stack:       [][]byte{{0x11}, {0, 0, 0, 0x22}},
		Mirrors:     3,
		Conntracked: true,
		Segments: []ContinuationSegment{
			{Actions: out2},
			{Unroll: true, Table: 1, Cookie: 0x21},                // no actions: only the changes
			{Unroll: true, Table: 3, Cookie: 0x21, Actions: out2}, // cookie unchanged
			{Unroll: true, Table: 3, Cookie: 0, Actions: out2},
		},
		ActionSet: out2,
		OdpPort:   7,
	}
	b := AppendContinuation(nil, c)
	if len(b)%8 != 0 {
		t.Fatalf("continuation property is %d bytes, not a multiple of 8", len(b))
	}
	typ, p, rest, err := pullProp(b)
	if err != nil || typ != PacketIn2Continuation || len(rest) != 0 {
		t.Fatalf("outer property: type %d, %d bytes left, %v", typ, len(rest), err)
	}
	inner, _ := propNested(p)
	got, err := DecodeContinuation(inner)
	if err != nil {
		t.Fatal(err)
	}
	// Decoding gives every actions property the table and cookie in
	// force, and drops segments without actions.
	want := *c
	want.Segments = []ContinuationSegment{
		{Unroll: true, Actions: out2},
		{Unroll: true, Table: 3, Cookie: 0x21, Actions: out2},
		{Unroll: true, Table: 3, Cookie: 0, Actions: out2},
	}
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, &want)
	}
	// The table id 1 of the empty segment is written, then 3.
	var tables []byte
	for r := inner; len(r) > 0; {
		typ, p, rr, _ := pullProp(r)
		if typ == contTableID {
			tables = append(tables, p[0])
		}
		r = rr
	}
	if !bytes.Equal(tables, []byte{1, 3}) {
		t.Errorf("table id properties %v, want [1 3]", tables)
	}
	if AppendContinuation(nil, &Continuation{}) != nil {
		t.Error("an empty continuation is not left out")
	}
}

func TestDecodePacketIn2(t *testing.T) {
	pkt := []byte{1, 2, 3}
	body := AppendPacketIn2Props(nil, &PacketIn2{Packet: pkt, TableID: 4, Cookie: 9, Reason: 1, Metadata: []byte{0, 0, 0, 4, 0, 0, 0, 1}})
	pi, err := DecodePacketIn2(body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pi.Packet, pkt) || pi.FullLen != 3 || pi.TableID != 4 || pi.Cookie != 9 || pi.Reason != 1 || pi.BufferID != NoBuffer {
		t.Errorf("decoded %+v", pi)
	}
	noCookie := AppendPacketIn2Props(nil, &PacketIn2{Packet: pkt, Cookie: NoCookie})
	if pi, err := DecodePacketIn2(noCookie); err != nil || pi.Cookie != NoCookie {
		t.Errorf("without cookie: %+v, %v", pi, err)
	}
	for _, c := range []struct {
		what string
		body []byte
		want error
	}{
		{"no packet", AppendProp(nil, PacketIn2Reason, []byte{1}), ofperr.OFPBRC_BAD_LEN},
		{"unknown property", AppendProp(bytes.Clone(body), 0x55, nil), ofperr.OFPBPC_BAD_TYPE},
		{"short full_len", AppendProp(bytes.Clone(body), PacketIn2FullLen, []byte{0, 0, 0, 1}), ofperr.OFPBRC_BAD_LEN},
		{"truncated property", body[:len(body)-1], ofperr.OFPBPC_BAD_LEN},
	} {
		if _, err := DecodePacketIn2(c.body); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}
}

func FuzzDecodeContinuation(f *testing.F) {
	f.Add(AppendContinuation(nil, &Continuation{Bridge: [16]byte{1}, Stack: [][]byte{{1}}, Conntracked: true,
		Segments: []ContinuationSegment{{Unroll: true, Table: 2, Cookie: 3, Actions: make([]byte, 8)}}, OdpPort: 1})[8:])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeContinuation(b)
		if err != nil {
			return
		}
		// What decodes encodes back to something that decodes the same.
		enc := AppendContinuation(nil, c)
		if len(enc) == 0 {
			return
		}
		again, err := DecodeContinuation(enc[8:])
		if err != nil {
			t.Fatalf("re-encoded continuation does not decode: %v", err)
		}
		if len(again.Segments) != len(nonEmpty(c.Segments)) {
			t.Fatalf("segments %d, want %d", len(again.Segments), len(nonEmpty(c.Segments)))
		}
	})
}

func nonEmpty(s []ContinuationSegment) []ContinuationSegment {
	var out []ContinuationSegment
	for _, x := range s {
		if len(x.Actions) > 0 {
			out = append(out, x)
		}
	}
	return out
}

func FuzzDecodePacketIn2(f *testing.F) {
	f.Add(AppendPacketIn2Props(nil, &PacketIn2{Packet: []byte{1}, Cookie: NoCookie}))
	f.Fuzz(func(t *testing.T, b []byte) {
		pi, err := DecodePacketIn2(b)
		if err != nil {
			return
		}
		if pi.FullLen < uint32(len(pi.Packet)) {
			t.Fatalf("full length %d below packet length %d", pi.FullLen, len(pi.Packet))
		}
	})
}
