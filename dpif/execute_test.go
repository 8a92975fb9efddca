package dpif

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// execOne runs acts on frame (received on port 1) and returns what each
// port sent.
func execOne(t *testing.T, nports int, frame []byte, acts []Action) [][][]byte {
	t.Helper()
	d, ports := newTestDP(t, nports)
	if err := d.Execute(frame, 1, acts); err != nil {
		t.Fatal(err)
	}
	out := make([][][]byte, len(ports))
	for i, p := range ports {
		if p != nil {
			out[i] = p.Sent()
		}
	}
	return out
}

func sentOne(t *testing.T, got [][]byte) []byte {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("sent %d frames, want 1", len(got))
	}
	return got[0]
}

func TestExecuteSetIPv4TCP(t *testing.T) {
	in := ckTCP("10.0.0.1", "10.0.0.2", 1000, 80, 0x018, 1, 1, []byte("hello"))
	acts := []Action{
		Set(setOf(SetIPv4, func(v, m *FlowKey) {
			v.SetNwSrc(tIP4("192.168.1.1"))
			m.SetNwSrc(0xffffffff)
			v.SetNwDst(tIP4("172.16.0.9"))
			m.SetNwDst(0xffff0000) // only the /16 changes: 172.16.0.2
			v.SetNwTTL(7)
			m.SetNwTTL(0xff)
			v.SetNwTOS(0x10)
			m.SetNwTOS(0xfc)
		})),
		Set(setOf(SetTCP, func(v, m *FlowKey) { v.SetTpSrc(4321); m.SetTpSrc(0xffff); v.SetTpDst(8080); m.SetTpDst(0xffff) })),
		Set(setOf(SetEth, func(v, m *FlowKey) { v.SetEthDst(tMAC("02:00:00:00:00:99")); m.SetEthDst(tMAC("ff:ff:ff:ff:ff:ff")) })),
		Output(2),
	}
	got := sentOne(t, execOne(t, 2, in, acts)[2])
	want := ckTCP("192.168.1.1", "172.16.0.2", 4321, 8080, 0x018, 1, 1, []byte("hello"))
	want[14+1] = 0x10 // tos
	want[14+8] = 7    // ttl
	copy(want[0:6], []byte{2, 0, 0, 0, 0, 0x99})
	// Recompute the IP header checksum after editing tos/ttl by hand.
	binary.BigEndian.PutUint16(want[24:], 0)
	binary.BigEndian.PutUint16(want[24:], fold(onesSum(want[14:34], 0)))
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(want))
	}
	if err := verifyCsums(got); err != nil {
		t.Fatal(err)
	}
}

func TestExecuteSetIPv6UDP(t *testing.T) {
	in := ckUDP6("fd00::1", "fd00::2", 53, 5353, []byte("query"))
	acts := []Action{
		Set(setOf(SetIPv6, func(v, m *FlowKey) {
			v.SetIPv6Src(tIP6("2001:db8::7"))
			m.SetIPv6Src(ones16())
			v.SetNwTTL(9)
			m.SetNwTTL(0xff)
		})),
		Set(setOf(SetUDP, func(v, m *FlowKey) { v.SetTpDst(5000); m.SetTpDst(0xffff) })),
		Output(2),
	}
	got := sentOne(t, execOne(t, 2, in, acts)[2])
	want := ckUDP6("2001:db8::7", "fd00::2", 53, 5000, []byte("query"))
	want[14+7] = 9
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(want))
	}
	if err := verifyCsums(got); err != nil {
		t.Fatal(err)
	}
}

func TestExecuteVLANPushPop(t *testing.T) {
	in := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, []byte("x"))
	tagged := tCat(in[:12], tTag(0x8100, 3<<13|10), in[12:])
	outs := execOne(t, 3, in, []Action{PushVLAN(0, 3<<13|10), Output(2), {Type: ActPopVLAN}, Output(3)})
	if got := sentOne(t, outs[2]); !bytes.Equal(got, tagged) {
		t.Fatalf("push: got %x\nwant %x", got, tagged)
	}
	if got := sentOne(t, outs[3]); !bytes.Equal(got, in) {
		t.Fatalf("pop: got %x\nwant %x", got, in)
	}
	// Two pushes make QinQ; the set rewrites the outer TCI only.
	outs = execOne(t, 2, in, []Action{PushVLAN(0, 10), PushVLAN(0x88a8, 20),
		Set(setOf(SetVLAN, func(v, m *FlowKey) { v.SetVLAN(0, 0, 30); m.SetVLAN(0, 0, 0x0fff) })), Output(2)})
	want := tCat(in[:12], tTag(0x88a8, 30), tTag(0x8100, 10), in[12:])
	if got := sentOne(t, outs[2]); !bytes.Equal(got, want) {
		t.Fatalf("qinq: got %x\nwant %x", got, want)
	}
	// Popping an untagged frame leaves it alone.
	if got := sentOne(t, execOne(t, 2, in, []Action{{Type: ActPopVLAN}, Output(2)})[2]); !bytes.Equal(got, in) {
		t.Fatalf("pop untagged: got %x", got)
	}
}

func TestExecuteMPLS(t *testing.T) {
	in := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, []byte("x"))
	lse := uint32(100<<12 | 1<<8 | 64)
	outs := execOne(t, 3, in, []Action{
		{Type: ActPushMPLS, LSE: lse, EthType: 0x8847}, Output(2),
		Set(setOf(SetMPLS, func(v, m *FlowKey) { v.SetMPLSLSE(5); m.SetMPLSLSE(0xff) })), // ttl 5
		{Type: ActPopMPLS, EthType: 0x0800}, Output(3),
	})
	want := tCat(in[:12], tU16(0x8847), tU32(lse), in[14:])
	if got := sentOne(t, outs[2]); !bytes.Equal(got, want) {
		t.Fatalf("push: got %x\nwant %x", got, want)
	}
	if got := sentOne(t, outs[3]); !bytes.Equal(got, in) {
		t.Fatalf("pop: got %x\nwant %x", got, in)
	}
}

func TestExecuteCloneTruncHash(t *testing.T) {
	in := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, bytes.Repeat([]byte("y"), 100))
	outs := execOne(t, 3, in, []Action{
		{Type: ActClone, Nested: []Action{
			Set(setOf(SetEth, func(v, m *FlowKey) { v.SetEthSrc(tMAC("02:00:00:00:00:01")); m.SetEthSrc(tMAC("ff:ff:ff:ff:ff:ff")) })),
			Output(2)}},
		{Type: ActTrunc, Arg: 60}, Output(3), Output(3),
		{Type: ActHash, Arg: 1}, {Type: ActMeter, Arg: 1},
	})
	clone := append([]byte(nil), in...)
	copy(clone[6:12], []byte{2, 0, 0, 0, 0, 1})
	if got := sentOne(t, outs[2]); !bytes.Equal(got, clone) {
		t.Fatalf("clone: got %x", got)
	}
	if len(outs[3]) != 2 || !bytes.Equal(outs[3][0], in[:60]) || !bytes.Equal(outs[3][1], in) {
		t.Fatalf("trunc applies to the next output only: got %d frames", len(outs[3]))
	}
}

// TestOutputBatching sends a batch of four packets of one flow to two
// ports: one Send per port. As in OVS, the three packets behind the one
// that missed hit the megaflow its upcall installed, not the EMC.
func TestOutputBatching(t *testing.T) {
	d, ports := newTestDP(t, 3)
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		u.Actions = []Action{Output(2), Output(3)}
		return nil
	}))
	f := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil)
	inputFrames(d, 1, f, f, f, f)
	if n2, n3 := len(ports[2].Sent()), len(ports[3].Sent()); n2 != 4 || n3 != 4 {
		t.Fatalf("sent %d and %d, want 4 and 4", n2, n3)
	}
	got, _ := d.PMDStatsShow(nil)
	want := `main thread:
  packets received: 4
  packet recirculations: 0
  avg. datapath passes per packet: 1.00
  phwol hits: 0
  mfex opt hits: 0
  simple match hits: 0
  emc hits: 0
  smc hits: 0
  megaflow hits: 3
  avg. subtable lookups per megaflow hit: 1.00
  miss with success upcall: 1
  miss with failed upcall: 0
  avg. packets per output batch: 4.00
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestRecircInClone recirculates a modified copy while the original goes
// on: each comes out of its own port unchanged by the other.
func TestRecircInClone(t *testing.T) {
	d, ports := newTestDP(t, 3)
	newSrc := tMAC("02:00:00:00:00:aa")
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		if u.Key.RecircID() == 0 {
			u.Actions = []Action{
				{Type: ActClone, Nested: []Action{
					Set(setOf(SetEth, func(v, m *FlowKey) { v.SetEthSrc(newSrc); m.SetEthSrc(tMAC("ff:ff:ff:ff:ff:ff")) })),
					Recirc(7)}},
				Output(3)}
			return nil
		}
		u.Mask.Fields().SetEthSrc(tMAC("ff:ff:ff:ff:ff:ff"))
		if u.Key.EthSrc() == newSrc {
			u.Actions = []Action{Output(2)}
		}
		return nil
	}))
	in := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil)
	inputFrames(d, 1, in, in)
	mod := append([]byte(nil), in...)
	copy(mod[6:12], newSrc[:])
	got2, got3 := ports[2].Sent(), ports[3].Sent()
	if len(got2) != 2 || len(got3) != 2 || !bytes.Equal(got2[1], mod) || !bytes.Equal(got3[1], in) {
		t.Fatalf("port 2 got %d, port 3 got %d frames, or wrong bytes", len(got2), len(got3))
	}
}

// TestRecircDepthBound drops a packet that recirculates forever.
func TestRecircDepthBound(t *testing.T) {
	d, _ := newTestDP(t, 1)
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error { u.Actions = []Action{Recirc(1)}; return nil }))
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil))
	c := &d.main.ctr
	if c.recirc.Load() != maxRecirc || c.recircDrops.Load() != 1 || c.upcallOK.Load() != 2 {
		t.Fatalf("recirculations %d, drops %d, upcalls %d", c.recirc.Load(), c.recircDrops.Load(), c.upcallOK.Load())
	}
}

// TestExecuteSetAfterPush rewrites L3/L4 after a push moved the headers.
func TestExecuteSetAfterPush(t *testing.T) {
	in := ckTCP("10.0.0.1", "10.0.0.2", 1000, 80, 0x010, 1, 1, nil)
	outs := execOne(t, 2, in, []Action{PushVLAN(0, 5),
		Set(setOf(SetIPv4, func(v, m *FlowKey) { v.SetNwDst(tIP4("10.9.9.9")); m.SetNwDst(0xffffffff) })),
		Set(setOf(SetTCP, func(v, m *FlowKey) { v.SetTpDst(443); m.SetTpDst(0xffff) })),
		Output(2)})
	plain := ckTCP("10.0.0.1", "10.9.9.9", 1000, 443, 0x010, 1, 1, nil)
	want := tCat(plain[:12], tTag(0x8100, 5), plain[12:])
	got := sentOne(t, outs[2])
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if err := verifyCsums(got); err != nil {
		t.Fatal(err)
	}
}

// TestExecuteGarbage runs every action over damaged frames: nothing may
// panic.
func TestExecuteGarbage(t *testing.T) {
	d, _ := newTestDP(t, 2)
	all := func(v, m *FlowKey) {
		for i := range m {
			m[i] = ^uint64(0)
			v[i] = 0x0123456789abcdef
		}
	}
	var acts []Action
	for h := SetEth; h <= SetSkbPriority; h++ {
		acts = append(acts, Set(setOf(h, all)))
	}
	acts = append(acts, PushVLAN(0, 1), Action{Type: ActPushMPLS, LSE: 1, EthType: 0x8847},
		Action{Type: ActPopMPLS, EthType: 0x800}, Action{Type: ActPopVLAN}, Action{Type: ActPopVLAN},
		CT(ctCommit1), Action{Type: ActHash, Arg: 1}, Action{Type: ActTrunc, Arg: 1}, Output(2),
		Action{Type: ActClone, Nested: []Action{Output(2), Action{Type: ActPopMPLS}}}, Output(9), Output(2))
	seeds := [][]byte{
		ckTCP("10.0.0.1", "10.0.0.2", 1, 2, 0x2, 1, 0, []byte("x")),
		ckUDP6("fd00::1", "fd00::2", 1, 2, []byte("y")),
		tCat(tEth(0x8847), tU32(1<<12|64), tU32(1<<12|1<<8|64), make([]byte, 20)),
		tCat(tEth(0x0800, tTag(0x8100, 3)), make([]byte, 30)),
	}
	state := uint32(1)
	rnd := func() uint32 { state = state*1664525 + 1013904223; return state >> 8 }
	for i := range 3000 {
		f := append([]byte(nil), seeds[i%len(seeds)]...)
		f = f[:int(rnd())%(len(f)+1)]
		for range rnd() % 4 {
			if len(f) > 0 {
				f[int(rnd())%len(f)] = byte(rnd())
			}
		}
		if err := d.Execute(f, 1, acts); err != nil {
			t.Fatal(err)
		}
		inputFrames(d, 1, f)
	}
}
