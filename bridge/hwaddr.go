package bridge

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// applyHwaddr picks the bridge MAC and datapath ID, gives the LOCAL device
// that MAC, and logs a new datapath ID as OVS does.
func (r *reconciler) applyHwaddr(br *bridgeState, bc *bridgeConfig) {
	mac := pickBridgeMAC(br, bc)
	if local := br.ifaces[br.name]; local != nil && local.port != nil && !bytes.Equal(local.port.Info().MAC, mac) {
		if ifindex := local.port.Info().Ifindex; ifindex > 0 {
			if err := r.setMAC(ifindex, mac); err != nil {
				log.Warn("bridge %s: failed to set MAC address %s: %v", br.name, mac, err)
			}
		}
	}
	br.mac = mac
	dpid := datapathID(bc.otherConfig["datapath-id"], mac)
	if dpid != br.dpid {
		log.Info("bridge %s: using datapath ID %s", br.name, dpid)
		br.dpid = dpid
	}
}

// applyIfaceMACs gives internal interfaces the MAC of their Interface.mac
// column, as OVS does (the LOCAL port takes other_config:hwaddr instead).
func (r *reconciler) applyIfaceMACs(br *bridgeState, bc *bridgeConfig) {
	for _, ic := range bc.ifaces {
		is := br.ifaces[ic.name]
		if ic.mac == "" || ic.local || ic.typ != "internal" || is == nil || is.port == nil {
			continue
		}
		mac, err := parseMAC(ic.mac)
		if err != nil {
			log.Warn("interface %s: bad mac %q", ic.name, ic.mac)
			continue
		}
		info := is.port.Info()
		if bytes.Equal(info.MAC, mac) || info.Ifindex <= 0 {
			continue
		}
		if err := r.setMAC(info.Ifindex, mac); err != nil {
			log.Warn("interface %s: failed to set MAC address %s: %v", ic.name, mac, err)
		}
	}
}

// pickBridgeMAC follows OVS: other_config:hwaddr if it is a usable unicast
// address; else the lowest universally administered unicast MAC among the
// ports (a port's "mac" column, or its alphabetically first interface); else
// a locally administered MAC derived from the bridge's UUID, stable across
// restarts.
func pickBridgeMAC(br *bridgeState, bc *bridgeConfig) net.HardwareAddr {
	if hw := bc.otherConfig["hwaddr"]; hw != "" {
		mac, err := parseMAC(hw)
		switch {
		case err != nil:
		case mac[0]&1 != 0:
			log.Err("bridge %s: cannot set MAC address to multicast address %s", br.name, mac)
		case isZeroMAC(mac):
			log.Err("bridge %s: cannot set MAC address to zero", br.name)
		default:
			return mac
		}
	}
	// One candidate per port: its configured mac, else the MAC of its
	// alphabetically first interface unless that is the LOCAL one.
	first := make(map[string]ifaceConfig)
	for _, ic := range bc.ifaces {
		if f, ok := first[ic.portName]; !ok || ic.name < f.name {
			first[ic.portName] = ic
		}
	}
	var macs []net.HardwareAddr
	for _, ic := range first {
		if ic.portMAC != "" {
			if m, err := parseMAC(ic.portMAC); err == nil {
				macs = append(macs, m)
			}
			continue
		}
		if is := br.ifaces[ic.name]; !ic.local && is != nil && is.port != nil {
			macs = append(macs, is.port.Info().MAC)
		}
	}
	var best net.HardwareAddr
	for _, m := range macs {
		if len(m) != 6 || m[0]&1 != 0 || m[0]&2 != 0 || isZeroMAC(m) {
			continue
		}
		if best == nil || bytes.Compare(m, best) < 0 {
			best = m
		}
	}
	if best != nil {
		return best
	}
	return defaultMAC(bc.uuid)
}

// defaultMAC is the first six bytes of the bridge UUID as OVS lays it out in
// memory (four host-order 32-bit words; we match little-endian hosts), marked
// locally administered unicast.
func defaultMAC(u string) net.HardwareAddr {
	id, err := hex.DecodeString(strings.ReplaceAll(u, "-", ""))
	if err != nil || len(id) != 16 {
		return net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	}
	var words [16]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint32(words[4*i:], binary.BigEndian.Uint32(id[4*i:]))
	}
	mac := net.HardwareAddr(words[:6])
	mac[0] = mac[0]&^1 | 2
	return mac
}

// datapathID is other_config:datapath-id if valid (16 hex digits, or 0x and
// up to 16), else the MAC as 16 hex digits.
func datapathID(configured string, mac net.HardwareAddr) string {
	if v, ok := parseDatapathID(configured); ok {
		return fmt.Sprintf("%016x", v)
	}
	var b [8]byte
	copy(b[2:], mac)
	return fmt.Sprintf("%016x", binary.BigEndian.Uint64(b[:]))
}

func parseDatapathID(s string) (uint64, bool) {
	digits := s
	switch {
	case len(s) == 16:
	case len(s) > 2 && len(s) <= 18 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		digits = s[2:]
	default:
		return 0, false
	}
	if strings.TrimLeft(digits, "0123456789abcdefABCDEF") != "" {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 16, 64)
	return v, err == nil && v != 0
}

// parseMAC accepts xx:xx:xx:xx:xx:xx.
func parseMAC(s string) (net.HardwareAddr, error) {
	m, err := net.ParseMAC(s)
	if err != nil || len(m) != 6 {
		return nil, fmt.Errorf("bad MAC address %q", s)
	}
	return m, nil
}

func isZeroMAC(m net.HardwareAddr) bool {
	return bytes.Equal(m, make(net.HardwareAddr, len(m)))
}

// setLinkMAC sets a device's Ethernet address by ifindex.
func setLinkMAC(ifindex int, mac net.HardwareAddr) error {
	link, err := netlink.LinkByIndex(ifindex)
	if err != nil {
		return fmt.Errorf("find device %d: %w", ifindex, err)
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
		return fmt.Errorf("set MAC of %s: %w", link.Attrs().Name, err)
	}
	return nil
}
