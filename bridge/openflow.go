package bridge

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/vishvananda/netlink"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofproto"
)

// applyOpenFlow starts the bridge's OpenFlow agent or brings it up to
// date: datapath ID, protocols, fail mode, controllers and ports.
func (r *reconciler) applyOpenFlow(br *bridgeState, bc *bridgeConfig) {
	dpid, _ := strconv.ParseUint(br.dpid, 16, 64)
	controllers := confineControllers(r.rundir, br.name, bc.controllers)
	versions, err := ofproto.ParseVersions(bc.protocols)
	if err != nil {
		log.Warn("bridge %s: %v", br.name, err)
		versions = ofproto.DefaultVersions
	}
	if br.of == nil {
		of, err := ofproto.NewBridge(br.name, r.rundir, br.dp, ofproto.Config{
			DatapathID:  dpid,
			Versions:    versions,
			FailSecure:  bc.failSecure,
			Controllers: controllers,
			TLS:         r.tls,
		})
		if err != nil {
			log.Err("bridge %s: %v", br.name, err)
			return
		}
		of.SetPortAdmin(setLinkAdmin)
		if r.statusNotify != nil {
			of.SetStatusNotify(r.statusNotify)
		}
		br.of = of
		r.attachOpenFlow(br)
		br.ofPorts = make(map[uint16]bool)
		br.controllers = slices.Clone(controllers)
	} else {
		br.of.SetDatapathID(dpid)
		br.of.SetVersions(versions)
		br.of.SetFailMode(bc.failSecure)
		if !slices.Equal(br.controllers, controllers) {
			br.of.SetControllers(controllers)
			br.controllers = slices.Clone(controllers)
		}
	}
	r.syncOpenFlowPorts(br)
}

// syncOpenFlowPorts tells the OpenFlow agent about every open interface
// and forgets the ones that are gone.
func (r *reconciler) syncOpenFlowPorts(br *bridgeState) {
	seen := make(map[uint16]bool)
	for _, is := range br.ifaces {
		if is.port == nil || is.ofport == ofportNone {
			continue
		}
		no := uint16(is.ofport)
		seen[no] = true
		br.of.SetPort(openflowPort(no, is.name, is.port))
		r.mapPort(br, no, is.odp)
		br.ofPorts[no] = true
	}
	for no := range br.ofPorts {
		if !seen[no] {
			br.of.RemovePort(no)
			r.unmapPort(br, no)
			delete(br.ofPorts, no)
		}
	}
}

// openflowPort describes a datapath port the way OVS reports it over
// OpenFlow. Without a known link speed (tap and internal devices) OVS
// reports 10 Gb/s full duplex copper.
func openflowPort(no uint16, name string, p dpif.Port) ofproto.Port {
	info := p.Info()
	op := ofproto.Port{
		PortNo:   no,
		Name:     name,
		HWAddr:   info.MAC,
		LinkDown: !info.LinkUp,
		Stats:    func() dpif.PortStats { return p.Info().Stats },
	}
	if !info.AdminUp {
		op.Config |= ofproto.PortConfigDown
	}
	op.Curr, op.CurrSpeed = speedFeatures(info.LinkSpeed, info.FullDuplex)
	return op
}

// speedFeatures maps a link speed in bit/s to OpenFlow feature bits and
// kbps.
func speedFeatures(bps uint64, fullDuplex bool) (uint32, uint32) {
	type rate struct {
		bps    uint64
		hd, fd uint32
	}
	rates := []rate{
		{10e6, ofproto.Feature10MBHD, ofproto.Feature10MBFD},
		{100e6, ofproto.Feature100MBHD, ofproto.Feature100MBFD},
		{1e9, ofproto.Feature1GBHD, ofproto.Feature1GBFD},
		{10e9, 0, ofproto.Feature10GBFD},
		{40e9, 0, ofproto.Feature40GBFD},
		{100e9, 0, ofproto.Feature100GBFD},
		{1e12, 0, ofproto.Feature1TBFD},
	}
	for _, rt := range rates {
		if bps != rt.bps {
			continue
		}
		f := rt.fd
		if !fullDuplex && rt.hd != 0 {
			f = rt.hd
		}
		return f | ofproto.FeatureCopper, uint32(bps / 1000)
	}
	if bps == 0 {
		return ofproto.Feature10GBFD | ofproto.FeatureCopper, 10000000
	}
	return ofproto.FeatureOther, uint32(min(bps/1000, 0xffffffff))
}

// setLinkAdmin brings a device up or down for an OpenFlow port_mod.
func setLinkAdmin(name string, up bool) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find device %s: %w", name, err)
	}
	if up {
		err = netlink.LinkSetUp(link)
	} else {
		err = netlink.LinkSetDown(link)
	}
	if err != nil {
		return fmt.Errorf("set %s up=%v: %w", name, up, err)
	}
	return nil
}
