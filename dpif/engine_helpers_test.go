package dpif

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// Frames with valid checksums for execution and conntrack tests.

func onesSum(b []byte, sum uint32) uint32 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// l4PseudoSum is the pseudo-header sum of an IPv4 or IPv6 header.
func l4PseudoSum(ip []byte, v6 bool, proto uint8, l4len int) uint32 {
	if v6 {
		return onesSum(ip[8:40], 0) + uint32(proto) + uint32(l4len)
	}
	return onesSum(ip[12:20], 0) + uint32(proto) + uint32(l4len)
}

// ckTCP builds eth/IPv4/TCP with correct checksums.
func ckTCP(src, dst string, sport, dport uint16, flags uint16, seq, ack uint32, payload []byte) []byte {
	l4 := tTCP(sport, dport, flags, 0)
	binary.BigEndian.PutUint32(l4[4:], seq)
	binary.BigEndian.PutUint32(l4[8:], ack)
	binary.BigEndian.PutUint16(l4[14:], 65535)
	l4 = tCat(l4, payload)
	return ckIPv4Frame(src, dst, 6, l4)
}

// ckUDP builds eth/IPv4/UDP with correct checksums.
func ckUDP(src, dst string, sport, dport uint16, payload []byte) []byte {
	return ckIPv4Frame(src, dst, 17, tUDP(sport, dport, payload))
}

func ckIPv4Frame(src, dst string, proto uint8, l4 []byte) []byte {
	ip := tIPv4(src, dst, proto, 0, 64, 0, nil, l4)
	binary.BigEndian.PutUint16(ip[10:], fold(onesSum(ip[:20], 0)))
	setL4Csum(ip[:20], ip[20:], false, proto)
	return tCat(tEth(0x0800), ip)
}

// ckUDP6 builds eth/IPv6/UDP with a correct checksum.
func ckUDP6(src, dst string, sport, dport uint16, payload []byte) []byte {
	ip := tIPv6(src, dst, 17, 0, 0, 64, tUDP(sport, dport, payload))
	setL4Csum(ip[:40], ip[40:], true, 17)
	return tCat(tEth(0x86dd), ip)
}

func setL4Csum(ip, l4 []byte, v6 bool, proto uint8) {
	off := map[uint8]int{6: 16, 17: 6}[proto]
	binary.BigEndian.PutUint16(l4[off:], 0)
	c := fold(onesSum(l4, l4PseudoSum(ip, v6, proto, len(l4))))
	if proto == 17 && c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(l4[off:], c)
}

// verifyCsums checks the IPv4 header checksum and the TCP/UDP checksum of
// an untagged or single-tagged frame.
func verifyCsums(f []byte) error {
	p := 12
	for binary.BigEndian.Uint16(f[p:]) == 0x8100 {
		p += 4
	}
	typ := binary.BigEndian.Uint16(f[p:])
	p += 2
	var ip, l4 []byte
	var proto uint8
	v6 := false
	switch typ {
	case 0x0800:
		ihl := int(f[p]&0xf) * 4
		ip = f[p : p+ihl]
		if fold(onesSum(ip, 0)) != 0 {
			return fmt.Errorf("bad IPv4 header checksum %#04x", binary.BigEndian.Uint16(ip[10:]))
		}
		tot := int(binary.BigEndian.Uint16(ip[2:]))
		l4 = f[p+ihl : p+tot]
		proto = ip[9]
	case 0x86dd:
		v6 = true
		ip = f[p : p+40]
		l4 = f[p+40 : p+40+int(binary.BigEndian.Uint16(ip[4:]))]
		proto = ip[6]
	default:
		return nil
	}
	if proto != 6 && proto != 17 {
		return nil
	}
	if proto == 17 && !v6 && binary.BigEndian.Uint16(l4[6:]) == 0 {
		return nil
	}
	if fold(onesSum(l4, l4PseudoSum(ip, v6, proto, len(l4)))) != 0 {
		return fmt.Errorf("bad L4 checksum")
	}
	return nil
}

// newTestDP makes a dummy datapath with dummy ports p1..pn (odp 1..n).
func newTestDP(t testing.TB, n int) (*Datapath, []*DummyPort) {
	t.Helper()
	d, err := NewDatapath("dummy", fmt.Sprintf("h13dp%d", n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ports := []*DummyPort{nil}
	for i := 1; i <= n; i++ {
		p, err := NewDummyPort("dummy", fmt.Sprintf("p%d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.AddPort(p); got != uint32(i) {
			t.Fatalf("port %d numbered %d", i, got)
		}
		ports = append(ports, p)
	}
	return d, ports
}

// inputFrames runs frames through d as a batch received on inPort.
func inputFrames(d *Datapath, inPort uint32, frames ...[]byte) {
	var b Batch
	for i, f := range frames {
		buf := make([]byte, Headroom+len(f)+64)
		copy(buf[Headroom:], f)
		b.Pkts[i].Reset(buf, Headroom, len(f))
	}
	b.N = len(frames)
	d.Input(inPort, &b)
}
