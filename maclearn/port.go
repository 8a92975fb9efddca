package maclearn

import "strconv"

// Port is an OpenFlow port number (OVS's 16-bit ofp_port_t), the identity
// the table remembers a MAC behind. With no bonds, a port is its own bundle.
type Port uint16

// Reserved OpenFlow port numbers that matter here.
const (
	PortLocal Port = 0xfffe // the bridge's own internal port
	PortNone  Port = 0xffff // "no port": never learned
)

var reservedPortNames = map[Port]string{
	0xfff8: "IN_PORT", 0xfff9: "TABLE", 0xfffa: "NORMAL", 0xfffb: "FLOOD",
	0xfffc: "ALL", 0xfffd: "CONTROLLER", PortLocal: "LOCAL", PortNone: "NONE",
}

// String formats p as ovs-ofctl and fdb/show do: a decimal number, or the
// name of a reserved port.
func (p Port) String() string {
	if name, ok := reservedPortNames[p]; ok {
		return name
	}
	return strconv.Itoa(int(p))
}
