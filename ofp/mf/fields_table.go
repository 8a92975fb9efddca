// Code generated from the field documentation of Open vSwitch 3.1
// (include/openvswitch/meta-flow.h): names, widths and numbers only. DO NOT EDIT.

package mf

const (
	DpHash FieldID = iota
	RecircID
	PacketType
	ConjID
	TunID
	TunSrc
	TunDst
	TunIPv6Src
	TunIPv6Dst
	TunFlags
	TunTTL
	TunTOS
	TunGBPID
	TunGBPFlags
	TunErspanIdx
	TunErspanVer
	TunErspanDir
	TunErspanHwid
	TunGtpuFlags
	TunGtpuMsgtype
	Metadata
	InPort
	InPortOXM
	ActsetOutput
	SkbPriority
	PktMark
	CtState
	CtZone
	CtMark
	CtLabel
	CtNwProto
	CtNwSrc
	CtNwDst
	CtIPv6Src
	CtIPv6Dst
	CtTpSrc
	CtTpDst
	Reg0
	Reg1
	Reg2
	Reg3
	Reg4
	Reg5
	Reg6
	Reg7
	Reg8
	Reg9
	Reg10
	Reg11
	Reg12
	Reg13
	Reg14
	Reg15
	XReg0
	XReg1
	XReg2
	XReg3
	XReg4
	XReg5
	XReg6
	XReg7
	XXReg0
	XXReg1
	XXReg2
	XXReg3
	EthSrc
	EthDst
	EthType
	VLANTCI
	DlVLAN
	VLANVID
	DlVLANPCP
	VLANPCP
	MPLSLabel
	MPLSTC
	MPLSBOS
	MPLSTTL
	IPv4Src
	IPv4Dst
	IPv6Src
	IPv6Dst
	IPv6Label
	IPProto
	IPDSCP
	IPDSCPShifted
	IPECN
	IPTTL
	IPFrag
	ARPOp
	ARPSPA
	ARPTPA
	ARPSHA
	ARPTHA
	TCPSrc
	TCPDst
	TCPFlags
	UDPSrc
	UDPDst
	SCTPSrc
	SCTPDst
	ICMPv4Type
	ICMPv4Code
	ICMPv6Type
	ICMPv6Code
	NDTarget
	NDSLL
	NDTLL
	NDReserved
	NDOptionsType
	// tun_metadata0..63 (tunmeta.go) and the NSH fields (nsh_fields.go)
	// follow, their table entries filled in by those files.
	TunMetadata0
	numFields = TunMetadata0 + NumTunMetadata + numNSHFields
)

var fieldTable = [numFields]Field{
	{ID: DpHash, Name: "dp_hash", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 35), 0x01}, {expHeader(nxVendor, 0), 0x01}}, slot: slotDpHash, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: RecircID, Name: "recirc_id", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatDecimal, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 36), 0x01}}, slot: slotRecircID, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: PacketType, Name: "packet_type", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatPacketType, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 44), 0x06}}, slot: slotPacketType, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ConjID, Name: "conj_id", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatDecimal, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 37), 0x01}}, slot: slotConjID, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunID, Name: "tun_id", Aliases: []string{"tunnel_id"}, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 16), 0x01}, {nxmHeader(0x8000, 38), 0x04}}, slot: slotTunID, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunSrc, Name: "tun_src", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 31), 0x01}}, slot: slotTunSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunDst, Name: "tun_dst", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 32), 0x01}}, slot: slotTunDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunIPv6Src, Name: "tun_ipv6_src", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 109), 0x01}}, slot: slotTunIPv6Src, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunIPv6Dst, Name: "tun_ipv6_dst", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 110), 0x01}}, slot: slotTunIPv6Dst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunFlags, Name: "tun_flags", Aliases: nil, Bytes: 2, Bits: 1, Maskable: true, Format: FormatTunFlags, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 104), 0x01}}, slot: slotTunFlags, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunTTL, Name: "tun_ttl", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{}, slot: slotTunTTL, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunTOS, Name: "tun_tos", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{}, slot: slotTunTOS, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunGBPID, Name: "tun_gbp_id", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 38), 0x01}}, slot: slotTunGBPID, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunGBPFlags, Name: "tun_gbp_flags", Aliases: nil, Bytes: 1, Bits: 8, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 39), 0x01}}, slot: slotTunGBPFlags, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunErspanIdx, Name: "tun_erspan_idx", Aliases: nil, Bytes: 4, Bits: 20, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 11), 0x01}}, slot: slotErspanIdx, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunErspanVer, Name: "tun_erspan_ver", Aliases: nil, Bytes: 1, Bits: 4, Maskable: true, Format: FormatDecimal, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 12), 0x01}}, slot: slotErspanVer, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunErspanDir, Name: "tun_erspan_dir", Aliases: nil, Bytes: 1, Bits: 1, Maskable: true, Format: FormatDecimal, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 13), 0x01}}, slot: slotErspanDir, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunErspanHwid, Name: "tun_erspan_hwid", Aliases: nil, Bytes: 1, Bits: 6, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 14), 0x01}}, slot: slotErspanHwid, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunGtpuFlags, Name: "tun_gtpu_flags", Aliases: nil, Bytes: 1, Bits: 8, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 15), 0x01}}, slot: slotGtpuFlags, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TunGtpuMsgtype, Name: "tun_gtpu_msgtype", Aliases: nil, Bytes: 1, Bits: 8, Maskable: true, Format: FormatDecimal, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{expHeader(nxVendor, 16), 0x01}}, slot: slotGtpuMsgtype, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Metadata, Name: "metadata", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 2), 0x03}}, slot: slotMetadata, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: InPort, Name: "in_port", Aliases: nil, Bytes: 2, Bits: 16, Maskable: false, Format: FormatPort, Prereq: PrereqNone, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 0), 0x01}}, slot: slotInPort, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: InPortOXM, Name: "in_port_oxm", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatPort32, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 0), 0x03}}, slot: slotInPort, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPort32},
	{ID: ActsetOutput, Name: "actset_output", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatPort32, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{expHeader(onfVendor, 43), 0x04}, {nxmHeader(0x8000, 43), 0x06}}, slot: slotActsetOutput, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPort32},
	{ID: SkbPriority, Name: "skb_priority", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatHex, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{}, slot: slotSkbPriority, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: PktMark, Name: "pkt_mark", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 33), 0x01}}, slot: slotPktMark, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtState, Name: "ct_state", Aliases: nil, Bytes: 4, Bits: 8, Maskable: true, Format: FormatCtState, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 105), 0x01}}, slot: slotCtState, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtZone, Name: "ct_zone", Aliases: nil, Bytes: 2, Bits: 16, Maskable: false, Format: FormatHex, Prereq: PrereqNone, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 106), 0x01}}, slot: slotCtZone, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtMark, Name: "ct_mark", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 107), 0x01}}, slot: slotCtMark, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtLabel, Name: "ct_label", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 108), 0x01}}, slot: slotCtLabel, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtNwProto, Name: "ct_nw_proto", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 119), 0x01}}, slot: slotCtNwProto, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtNwSrc, Name: "ct_nw_src", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 120), 0x01}}, slot: slotCtNwSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtNwDst, Name: "ct_nw_dst", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 121), 0x01}}, slot: slotCtNwDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtIPv6Src, Name: "ct_ipv6_src", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 122), 0x01}}, slot: slotCtIPv6Src, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtIPv6Dst, Name: "ct_ipv6_dst", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 123), 0x01}}, slot: slotCtIPv6Dst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtTpSrc, Name: "ct_tp_src", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 124), 0x01}}, slot: slotCtTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: CtTpDst, Name: "ct_tp_dst", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqCT, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 125), 0x01}}, slot: slotCtTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg0, Name: "reg0", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 0), 0x01}}, slot: slotRegs, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg1, Name: "reg1", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 1), 0x01}}, slot: slotRegs, slotOff: 4, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg2, Name: "reg2", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 2), 0x01}}, slot: slotRegs, slotOff: 8, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg3, Name: "reg3", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 3), 0x01}}, slot: slotRegs, slotOff: 12, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg4, Name: "reg4", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 4), 0x01}}, slot: slotRegs, slotOff: 16, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg5, Name: "reg5", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 5), 0x01}}, slot: slotRegs, slotOff: 20, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg6, Name: "reg6", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 6), 0x01}}, slot: slotRegs, slotOff: 24, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg7, Name: "reg7", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 7), 0x01}}, slot: slotRegs, slotOff: 28, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg8, Name: "reg8", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 8), 0x01}}, slot: slotRegs, slotOff: 32, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg9, Name: "reg9", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 9), 0x01}}, slot: slotRegs, slotOff: 36, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg10, Name: "reg10", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 10), 0x01}}, slot: slotRegs, slotOff: 40, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg11, Name: "reg11", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 11), 0x01}}, slot: slotRegs, slotOff: 44, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg12, Name: "reg12", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 12), 0x01}}, slot: slotRegs, slotOff: 48, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg13, Name: "reg13", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 13), 0x01}}, slot: slotRegs, slotOff: 52, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg14, Name: "reg14", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 14), 0x01}}, slot: slotRegs, slotOff: 56, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: Reg15, Name: "reg15", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 15), 0x01}}, slot: slotRegs, slotOff: 60, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg0, Name: "xreg0", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 0), 0x04}}, slot: slotRegs, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg1, Name: "xreg1", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 1), 0x04}}, slot: slotRegs, slotOff: 8, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg2, Name: "xreg2", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 2), 0x04}}, slot: slotRegs, slotOff: 16, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg3, Name: "xreg3", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 3), 0x04}}, slot: slotRegs, slotOff: 24, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg4, Name: "xreg4", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 4), 0x04}}, slot: slotRegs, slotOff: 32, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg5, Name: "xreg5", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 5), 0x04}}, slot: slotRegs, slotOff: 40, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg6, Name: "xreg6", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 6), 0x04}}, slot: slotRegs, slotOff: 48, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XReg7, Name: "xreg7", Aliases: nil, Bytes: 8, Bits: 64, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8001, 7), 0x04}}, slot: slotRegs, slotOff: 56, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XXReg0, Name: "xxreg0", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 111), 0x01}}, slot: slotRegs, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XXReg1, Name: "xxreg1", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 112), 0x01}}, slot: slotRegs, slotOff: 16, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XXReg2, Name: "xxreg2", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 113), 0x01}}, slot: slotRegs, slotOff: 32, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: XXReg3, Name: "xxreg3", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatHex, Prereq: PrereqNone, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 114), 0x01}}, slot: slotRegs, slotOff: 48, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: EthSrc, Name: "eth_src", Aliases: []string{"dl_src"}, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 2), 0x01}, {nxmHeader(0x8000, 4), 0x03}}, slot: slotDlSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: EthDst, Name: "eth_dst", Aliases: []string{"dl_dst"}, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 1), 0x01}, {nxmHeader(0x8000, 3), 0x03}}, slot: slotDlDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: EthType, Name: "eth_type", Aliases: []string{"dl_type"}, Bytes: 2, Bits: 16, Maskable: false, Format: FormatHex, Prereq: PrereqEthernet, Writable: false, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 3), 0x01}, {nxmHeader(0x8000, 5), 0x03}}, slot: slotDlType, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: VLANTCI, Name: "vlan_tci", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatHex, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 4), 0x01}}, slot: slotVlanTCI, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: DlVLAN, Name: "dl_vlan", Aliases: nil, Bytes: 2, Bits: 12, Maskable: false, Format: FormatDecimal, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{}, slot: slotVlanTCI, slotOff: 0, viewMask: 0xfff, viewShift: 0, view: viewVLANCFI},
	{ID: VLANVID, Name: "vlan_vid", Aliases: nil, Bytes: 2, Bits: 13, Maskable: true, Format: FormatDecimal, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x8000, 6), 0x03}}, slot: slotVlanTCI, slotOff: 0, viewMask: 0x1fff, viewShift: 0, view: viewBits},
	{ID: DlVLANPCP, Name: "dl_vlan_pcp", Aliases: nil, Bytes: 1, Bits: 3, Maskable: false, Format: FormatDecimal, Prereq: PrereqEthernet, Writable: true, OF10: true, headers: []fieldHeader{}, slot: slotVlanTCI, slotOff: 0, viewMask: 0xe000, viewShift: 13, view: viewVLANCFI},
	{ID: VLANPCP, Name: "vlan_pcp", Aliases: nil, Bytes: 1, Bits: 3, Maskable: false, Format: FormatDecimal, Prereq: PrereqVLANVID, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x8000, 7), 0x03}}, slot: slotVlanTCI, slotOff: 0, viewMask: 0xe000, viewShift: 13, view: viewVLANCFI},
	{ID: MPLSLabel, Name: "mpls_label", Aliases: nil, Bytes: 4, Bits: 20, Maskable: false, Format: FormatDecimal, Prereq: PrereqMPLS, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 34), 0x03}}, slot: slotMplsLSE, slotOff: 0, viewMask: 0xfffff000, viewShift: 12, view: viewBits},
	{ID: MPLSTC, Name: "mpls_tc", Aliases: nil, Bytes: 1, Bits: 3, Maskable: false, Format: FormatDecimal, Prereq: PrereqMPLS, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 35), 0x03}}, slot: slotMplsLSE, slotOff: 0, viewMask: 0xe00, viewShift: 9, view: viewBits},
	{ID: MPLSBOS, Name: "mpls_bos", Aliases: nil, Bytes: 1, Bits: 1, Maskable: false, Format: FormatDecimal, Prereq: PrereqMPLS, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 36), 0x04}}, slot: slotMplsLSE, slotOff: 0, viewMask: 0x100, viewShift: 8, view: viewBits},
	{ID: MPLSTTL, Name: "mpls_ttl", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqMPLS, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 30), 0x01}}, slot: slotMplsLSE, slotOff: 0, viewMask: 0xff, viewShift: 0, view: viewBits},
	{ID: IPv4Src, Name: "ip_src", Aliases: []string{"nw_src"}, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqIPv4, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 7), 0x01}, {nxmHeader(0x8000, 11), 0x03}}, slot: slotNwSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPv4Dst, Name: "ip_dst", Aliases: []string{"nw_dst"}, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqIPv4, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 8), 0x01}, {nxmHeader(0x8000, 12), 0x03}}, slot: slotNwDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPv6Src, Name: "ipv6_src", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqIPv6, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 19), 0x01}, {nxmHeader(0x8000, 26), 0x03}}, slot: slotIpv6Src, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPv6Dst, Name: "ipv6_dst", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqIPv6, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 20), 0x01}, {nxmHeader(0x8000, 27), 0x03}}, slot: slotIpv6Dst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPv6Label, Name: "ipv6_label", Aliases: nil, Bytes: 4, Bits: 20, Maskable: true, Format: FormatHex, Prereq: PrereqIPv6, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 27), 0x01}, {nxmHeader(0x8000, 28), 0x03}}, slot: slotIpv6Label, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPProto, Name: "nw_proto", Aliases: []string{"ip_proto"}, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqIPAny, Writable: false, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 6), 0x01}, {nxmHeader(0x8000, 10), 0x03}}, slot: slotNwProto, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPDSCP, Name: "nw_tos", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqIPAny, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 5), 0x01}}, slot: slotNwTOS, slotOff: 0, viewMask: 0xfc, viewShift: 0, view: viewBits},
	{ID: IPDSCPShifted, Name: "ip_dscp", Aliases: nil, Bytes: 1, Bits: 6, Maskable: false, Format: FormatDecimal, Prereq: PrereqIPAny, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x8000, 8), 0x03}}, slot: slotNwTOS, slotOff: 0, viewMask: 0xfc, viewShift: 2, view: viewBits},
	{ID: IPECN, Name: "nw_ecn", Aliases: []string{"ip_ecn"}, Bytes: 1, Bits: 2, Maskable: false, Format: FormatDecimal, Prereq: PrereqIPAny, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 28), 0x01}, {nxmHeader(0x8000, 9), 0x03}}, slot: slotNwTOS, slotOff: 0, viewMask: 0x3, viewShift: 0, view: viewBits},
	{ID: IPTTL, Name: "nw_ttl", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqIPAny, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 29), 0x01}}, slot: slotNwTTL, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: IPFrag, Name: "ip_frag", Aliases: []string{"nw_frag"}, Bytes: 1, Bits: 2, Maskable: true, Format: FormatFrag, Prereq: PrereqIPAny, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 26), 0x01}}, slot: slotNwFrag, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ARPOp, Name: "arp_op", Aliases: nil, Bytes: 2, Bits: 16, Maskable: false, Format: FormatDecimal, Prereq: PrereqARP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 15), 0x01}, {nxmHeader(0x8000, 21), 0x03}}, slot: slotNwProto, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8AsU16},
	{ID: ARPSPA, Name: "arp_spa", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqARP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 16), 0x01}, {nxmHeader(0x8000, 22), 0x03}}, slot: slotNwSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ARPTPA, Name: "arp_tpa", Aliases: nil, Bytes: 4, Bits: 32, Maskable: true, Format: FormatIPv4, Prereq: PrereqARP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 17), 0x01}, {nxmHeader(0x8000, 23), 0x03}}, slot: slotNwDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ARPSHA, Name: "arp_sha", Aliases: nil, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqARP, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 17), 0x01}, {nxmHeader(0x8000, 24), 0x03}}, slot: slotArpSha, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ARPTHA, Name: "arp_tha", Aliases: nil, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqARP, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 18), 0x01}, {nxmHeader(0x8000, 25), 0x03}}, slot: slotArpTha, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TCPSrc, Name: "tcp_src", Aliases: []string{"tp_src"}, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqTCP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 9), 0x01}, {nxmHeader(0x8000, 13), 0x03}}, slot: slotTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TCPDst, Name: "tcp_dst", Aliases: []string{"tp_dst"}, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqTCP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 10), 0x01}, {nxmHeader(0x8000, 14), 0x03}}, slot: slotTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: TCPFlags, Name: "tcp_flags", Aliases: nil, Bytes: 2, Bits: 12, Maskable: true, Format: FormatTCPFlags, Prereq: PrereqTCP, Writable: false, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 34), 0x01}, {expHeader(onfVendor, 42), 0x04}, {nxmHeader(0x8000, 42), 0x06}}, slot: slotTcpFlags, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: UDPSrc, Name: "udp_src", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqUDP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 11), 0x01}, {nxmHeader(0x8000, 15), 0x03}}, slot: slotTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: UDPDst, Name: "udp_dst", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqUDP, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 12), 0x01}, {nxmHeader(0x8000, 16), 0x03}}, slot: slotTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: SCTPSrc, Name: "sctp_src", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqSCTP, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 17), 0x03}}, slot: slotTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: SCTPDst, Name: "sctp_dst", Aliases: nil, Bytes: 2, Bits: 16, Maskable: true, Format: FormatDecimal, Prereq: PrereqSCTP, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x8000, 18), 0x03}}, slot: slotTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: ICMPv4Type, Name: "icmp_type", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqICMPv4, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 13), 0x01}, {nxmHeader(0x8000, 19), 0x03}}, slot: slotTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8In16},
	{ID: ICMPv4Code, Name: "icmp_code", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqICMPv4, Writable: true, OF10: true, headers: []fieldHeader{{nxmHeader(0x0000, 14), 0x01}, {nxmHeader(0x8000, 20), 0x03}}, slot: slotTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8In16},
	{ID: ICMPv6Type, Name: "icmpv6_type", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqICMPv6, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 21), 0x01}, {nxmHeader(0x8000, 29), 0x03}}, slot: slotTpSrc, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8In16},
	{ID: ICMPv6Code, Name: "icmpv6_code", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqICMPv6, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 22), 0x01}, {nxmHeader(0x8000, 30), 0x03}}, slot: slotTpDst, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8In16},
	{ID: NDTarget, Name: "nd_target", Aliases: nil, Bytes: 16, Bits: 128, Maskable: true, Format: FormatIPv6, Prereq: PrereqND, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 23), 0x01}, {nxmHeader(0x8000, 31), 0x03}}, slot: slotNdTarget, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: NDSLL, Name: "nd_sll", Aliases: nil, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqNDSolicit, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 24), 0x01}, {nxmHeader(0x8000, 32), 0x03}}, slot: slotArpSha, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: NDTLL, Name: "nd_tll", Aliases: nil, Bytes: 6, Bits: 48, Maskable: true, Format: FormatEthernet, Prereq: PrereqNDAdvert, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x0001, 25), 0x01}, {nxmHeader(0x8000, 33), 0x03}}, slot: slotArpTha, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: NDReserved, Name: "nd_reserved", Aliases: nil, Bytes: 4, Bits: 32, Maskable: false, Format: FormatDecimal, Prereq: PrereqND, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x1000, 1), 0x01}}, slot: slotIgmpGroup, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewPlain},
	{ID: NDOptionsType, Name: "nd_options_type", Aliases: nil, Bytes: 1, Bits: 8, Maskable: false, Format: FormatDecimal, Prereq: PrereqND, Writable: true, OF10: false, headers: []fieldHeader{{nxmHeader(0x1000, 2), 0x01}}, slot: slotTcpFlags, slotOff: 0, viewMask: 0x0, viewShift: 0, view: viewU8In16},
}

var headerNames = []struct {
	h    Header
	name string
}{
	{nxmHeader(0x0001, 35), "NXM_NX_DP_HASH"},
	{expHeader(nxVendor, 0), "NXOXM_ET_DP_HASH"},
	{nxmHeader(0x0001, 36), "NXM_NX_RECIRC_ID"},
	{nxmHeader(0x8000, 44), "OXM_OF_PACKET_TYPE"},
	{nxmHeader(0x0001, 37), "NXM_NX_CONJ_ID"},
	{nxmHeader(0x0001, 16), "NXM_NX_TUN_ID"},
	{nxmHeader(0x8000, 38), "OXM_OF_TUNNEL_ID"},
	{nxmHeader(0x0001, 31), "NXM_NX_TUN_IPV4_SRC"},
	{nxmHeader(0x0001, 32), "NXM_NX_TUN_IPV4_DST"},
	{nxmHeader(0x0001, 109), "NXM_NX_TUN_IPV6_SRC"},
	{nxmHeader(0x0001, 110), "NXM_NX_TUN_IPV6_DST"},
	{nxmHeader(0x0001, 104), "NXM_NX_TUN_FLAGS"},
	{nxmHeader(0x0001, 38), "NXM_NX_TUN_GBP_ID"},
	{nxmHeader(0x0001, 39), "NXM_NX_TUN_GBP_FLAGS"},
	{expHeader(nxVendor, 11), "NXOXM_ET_ERSPAN_IDX"},
	{expHeader(nxVendor, 12), "NXOXM_ET_ERSPAN_VER"},
	{expHeader(nxVendor, 13), "NXOXM_ET_ERSPAN_DIR"},
	{expHeader(nxVendor, 14), "NXOXM_ET_ERSPAN_HWID"},
	{expHeader(nxVendor, 15), "NXOXM_ET_GTPU_FLAGS"},
	{expHeader(nxVendor, 16), "NXOXM_ET_GTPU_MSGTYPE"},
	{nxmHeader(0x8000, 2), "OXM_OF_METADATA"},
	{nxmHeader(0x0000, 0), "NXM_OF_IN_PORT"},
	{nxmHeader(0x8000, 0), "OXM_OF_IN_PORT"},
	{expHeader(onfVendor, 43), "ONFOXM_ET_ACTSET_OUTPUT"},
	{nxmHeader(0x8000, 43), "OXM_OF_ACTSET_OUTPUT"},
	{nxmHeader(0x0001, 33), "NXM_NX_PKT_MARK"},
	{nxmHeader(0x0001, 105), "NXM_NX_CT_STATE"},
	{nxmHeader(0x0001, 106), "NXM_NX_CT_ZONE"},
	{nxmHeader(0x0001, 107), "NXM_NX_CT_MARK"},
	{nxmHeader(0x0001, 108), "NXM_NX_CT_LABEL"},
	{nxmHeader(0x0001, 119), "NXM_NX_CT_NW_PROTO"},
	{nxmHeader(0x0001, 120), "NXM_NX_CT_NW_SRC"},
	{nxmHeader(0x0001, 121), "NXM_NX_CT_NW_DST"},
	{nxmHeader(0x0001, 122), "NXM_NX_CT_IPV6_SRC"},
	{nxmHeader(0x0001, 123), "NXM_NX_CT_IPV6_DST"},
	{nxmHeader(0x0001, 124), "NXM_NX_CT_TP_SRC"},
	{nxmHeader(0x0001, 125), "NXM_NX_CT_TP_DST"},
	{nxmHeader(0x0001, 0), "NXM_NX_REG0"},
	{nxmHeader(0x0001, 1), "NXM_NX_REG1"},
	{nxmHeader(0x0001, 2), "NXM_NX_REG2"},
	{nxmHeader(0x0001, 3), "NXM_NX_REG3"},
	{nxmHeader(0x0001, 4), "NXM_NX_REG4"},
	{nxmHeader(0x0001, 5), "NXM_NX_REG5"},
	{nxmHeader(0x0001, 6), "NXM_NX_REG6"},
	{nxmHeader(0x0001, 7), "NXM_NX_REG7"},
	{nxmHeader(0x0001, 8), "NXM_NX_REG8"},
	{nxmHeader(0x0001, 9), "NXM_NX_REG9"},
	{nxmHeader(0x0001, 10), "NXM_NX_REG10"},
	{nxmHeader(0x0001, 11), "NXM_NX_REG11"},
	{nxmHeader(0x0001, 12), "NXM_NX_REG12"},
	{nxmHeader(0x0001, 13), "NXM_NX_REG13"},
	{nxmHeader(0x0001, 14), "NXM_NX_REG14"},
	{nxmHeader(0x0001, 15), "NXM_NX_REG15"},
	{nxmHeader(0x8001, 0), "OXM_OF_PKT_REG0"},
	{nxmHeader(0x8001, 1), "OXM_OF_PKT_REG1"},
	{nxmHeader(0x8001, 2), "OXM_OF_PKT_REG2"},
	{nxmHeader(0x8001, 3), "OXM_OF_PKT_REG3"},
	{nxmHeader(0x8001, 4), "OXM_OF_PKT_REG4"},
	{nxmHeader(0x8001, 5), "OXM_OF_PKT_REG5"},
	{nxmHeader(0x8001, 6), "OXM_OF_PKT_REG6"},
	{nxmHeader(0x8001, 7), "OXM_OF_PKT_REG7"},
	{nxmHeader(0x0001, 111), "NXM_NX_XXREG0"},
	{nxmHeader(0x0001, 112), "NXM_NX_XXREG1"},
	{nxmHeader(0x0001, 113), "NXM_NX_XXREG2"},
	{nxmHeader(0x0001, 114), "NXM_NX_XXREG3"},
	{nxmHeader(0x0000, 2), "NXM_OF_ETH_SRC"},
	{nxmHeader(0x8000, 4), "OXM_OF_ETH_SRC"},
	{nxmHeader(0x0000, 1), "NXM_OF_ETH_DST"},
	{nxmHeader(0x8000, 3), "OXM_OF_ETH_DST"},
	{nxmHeader(0x0000, 3), "NXM_OF_ETH_TYPE"},
	{nxmHeader(0x8000, 5), "OXM_OF_ETH_TYPE"},
	{nxmHeader(0x0000, 4), "NXM_OF_VLAN_TCI"},
	{nxmHeader(0x8000, 6), "OXM_OF_VLAN_VID"},
	{nxmHeader(0x8000, 7), "OXM_OF_VLAN_PCP"},
	{nxmHeader(0x8000, 34), "OXM_OF_MPLS_LABEL"},
	{nxmHeader(0x8000, 35), "OXM_OF_MPLS_TC"},
	{nxmHeader(0x8000, 36), "OXM_OF_MPLS_BOS"},
	{nxmHeader(0x0001, 30), "NXM_NX_MPLS_TTL"},
	{nxmHeader(0x0000, 7), "NXM_OF_IP_SRC"},
	{nxmHeader(0x8000, 11), "OXM_OF_IPV4_SRC"},
	{nxmHeader(0x0000, 8), "NXM_OF_IP_DST"},
	{nxmHeader(0x8000, 12), "OXM_OF_IPV4_DST"},
	{nxmHeader(0x0001, 19), "NXM_NX_IPV6_SRC"},
	{nxmHeader(0x8000, 26), "OXM_OF_IPV6_SRC"},
	{nxmHeader(0x0001, 20), "NXM_NX_IPV6_DST"},
	{nxmHeader(0x8000, 27), "OXM_OF_IPV6_DST"},
	{nxmHeader(0x0001, 27), "NXM_NX_IPV6_LABEL"},
	{nxmHeader(0x8000, 28), "OXM_OF_IPV6_FLABEL"},
	{nxmHeader(0x0000, 6), "NXM_OF_IP_PROTO"},
	{nxmHeader(0x8000, 10), "OXM_OF_IP_PROTO"},
	{nxmHeader(0x0000, 5), "NXM_OF_IP_TOS"},
	{nxmHeader(0x8000, 8), "OXM_OF_IP_DSCP"},
	{nxmHeader(0x0001, 28), "NXM_NX_IP_ECN"},
	{nxmHeader(0x8000, 9), "OXM_OF_IP_ECN"},
	{nxmHeader(0x0001, 29), "NXM_NX_IP_TTL"},
	{nxmHeader(0x0001, 26), "NXM_NX_IP_FRAG"},
	{nxmHeader(0x0000, 15), "NXM_OF_ARP_OP"},
	{nxmHeader(0x8000, 21), "OXM_OF_ARP_OP"},
	{nxmHeader(0x0000, 16), "NXM_OF_ARP_SPA"},
	{nxmHeader(0x8000, 22), "OXM_OF_ARP_SPA"},
	{nxmHeader(0x0000, 17), "NXM_OF_ARP_TPA"},
	{nxmHeader(0x8000, 23), "OXM_OF_ARP_TPA"},
	{nxmHeader(0x0001, 17), "NXM_NX_ARP_SHA"},
	{nxmHeader(0x8000, 24), "OXM_OF_ARP_SHA"},
	{nxmHeader(0x0001, 18), "NXM_NX_ARP_THA"},
	{nxmHeader(0x8000, 25), "OXM_OF_ARP_THA"},
	{nxmHeader(0x0000, 9), "NXM_OF_TCP_SRC"},
	{nxmHeader(0x8000, 13), "OXM_OF_TCP_SRC"},
	{nxmHeader(0x0000, 10), "NXM_OF_TCP_DST"},
	{nxmHeader(0x8000, 14), "OXM_OF_TCP_DST"},
	{nxmHeader(0x0001, 34), "NXM_NX_TCP_FLAGS"},
	{expHeader(onfVendor, 42), "ONFOXM_ET_TCP_FLAGS"},
	{nxmHeader(0x8000, 42), "OXM_OF_TCP_FLAGS"},
	{nxmHeader(0x0000, 11), "NXM_OF_UDP_SRC"},
	{nxmHeader(0x8000, 15), "OXM_OF_UDP_SRC"},
	{nxmHeader(0x0000, 12), "NXM_OF_UDP_DST"},
	{nxmHeader(0x8000, 16), "OXM_OF_UDP_DST"},
	{nxmHeader(0x8000, 17), "OXM_OF_SCTP_SRC"},
	{nxmHeader(0x8000, 18), "OXM_OF_SCTP_DST"},
	{nxmHeader(0x0000, 13), "NXM_OF_ICMP_TYPE"},
	{nxmHeader(0x8000, 19), "OXM_OF_ICMPV4_TYPE"},
	{nxmHeader(0x0000, 14), "NXM_OF_ICMP_CODE"},
	{nxmHeader(0x8000, 20), "OXM_OF_ICMPV4_CODE"},
	{nxmHeader(0x0001, 21), "NXM_NX_ICMPV6_TYPE"},
	{nxmHeader(0x8000, 29), "OXM_OF_ICMPV6_TYPE"},
	{nxmHeader(0x0001, 22), "NXM_NX_ICMPV6_CODE"},
	{nxmHeader(0x8000, 30), "OXM_OF_ICMPV6_CODE"},
	{nxmHeader(0x0001, 23), "NXM_NX_ND_TARGET"},
	{nxmHeader(0x8000, 31), "OXM_OF_IPV6_ND_TARGET"},
	{nxmHeader(0x0001, 24), "NXM_NX_ND_SLL"},
	{nxmHeader(0x8000, 32), "OXM_OF_IPV6_ND_SLL"},
	{nxmHeader(0x0001, 25), "NXM_NX_ND_TLL"},
	{nxmHeader(0x8000, 33), "OXM_OF_IPV6_ND_TLL"},
	{nxmHeader(0x1000, 1), "ERICOXM_OF_ICMPV6_ND_RESERVED"},
	{nxmHeader(0x1000, 2), "ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE"},
}
