package dpif

import "github.com/govswitchd/govswitchd/conntrack"

// ActionType says what one datapath action does.
type ActionType uint8

// Datapath action types, as OVS's OVS_ACTION_ATTR_*.
const (
	ActDrop      ActionType = iota // explicit drop: stop processing
	ActOutput                      // output(Port)
	ActSet                         // masked set of one header: Set
	ActPushVLAN                    // push_vlan(TPID, TCI)
	ActPopVLAN                     // pop_vlan
	ActPushMPLS                    // push_mpls(LSE, EthType)
	ActPopMPLS                     // pop_mpls(EthType)
	ActCT                          // ct(...): CT
	ActCTClear                     // ct_clear
	ActRecirc                      // recirc(Arg)
	ActUserspace                   // userspace(...): Userspace
	ActClone                       // clone(Nested)
	ActTrunc                       // trunc(Arg)
	ActMeter                       // meter(Arg)
	ActHash                        // hash(l4|sym_l4(Arg)): HashAlg
)

// Action is one datapath action. It is a small value: the common actions
// (output, recirc, push/pop) keep their arguments inline, the rare large
// ones hang off a pointer, so an action list is one contiguous slice that
// execution walks with a switch.
type Action struct {
	Type ActionType
	// HashAlg is the ActHash algorithm (HashL4 or HashSymL4).
	HashAlg uint8
	// EthType is push_mpls's new ethertype or pop_mpls's inner one.
	EthType uint16
	// TPID and TCI are push_vlan's tag; TCI carries VLANCFI as in keys.
	TPID, TCI uint16
	// Port is the odp port of ActOutput.
	Port uint32
	// Arg is the recirc id, meter id, trunc max_len or hash basis.
	Arg uint32
	// LSE is push_mpls's label stack entry.
	LSE uint32

	Set       *SetAction
	CT        *CTAction
	Userspace *UserspaceAction
	Nested    []Action // clone's actions
	// CheckPktLen is ActCheckPktLen's size and branches.
	CheckPktLen *CheckPktLenAction
	// Encap is the header push_nsh or push_eth adds (execute_nsh.go).
	Encap *EncapAction
}

// Hash algorithms of ActHash, as OVS_HASH_ALG_*.
const (
	HashL4    = 0
	HashSymL4 = 1
)

// SetHeader names the header a masked set rewrites.
type SetHeader uint8

// Headers a set action can rewrite.
const (
	SetEth SetHeader = iota
	SetIPv4
	SetIPv6
	SetTCP
	SetUDP
	SetSCTP
	SetVLAN
	SetMPLS
	SetSkbMark
	SetSkbPriority
	SetNSH // the NSH base, service path and MD type 1 context headers
)

// SetAction rewrites the bits of Mask in one header to those of Value. The
// fields live where the flow key keeps them (Value.SetNwSrc, Mask.Fields()
// .SetNwSrc(0xffffffff), ...), so translation builds it with the key's own
// setters. SetVLAN rewrites the outer tag's TCI (vlan0), SetMPLS the top
// label stack entry, SetSkbMark pkt_mark.
type SetAction struct {
	Header SetHeader
	Value  FlowKey
	Mask   FlowMask
}

// CTAction is a ct() action: the tracker's own Action (executed as is,
// without copying) plus what only the text shows.
type CTAction struct {
	conntrack.Action
	// Timeout is the timeout policy name printed as timeout=NAME ("" none).
	Timeout string
	// NATIPv6 says the NAT addresses are IPv6; NATHash is nat(...,hash),
	// which the userspace tracker ignores.
	NATIPv6, NATHash bool
}

// UserspaceKind says what a userspace action's cookie holds.
type UserspaceKind uint8

// Cookie kinds of a userspace action.
const (
	UserspaceController UserspaceKind = iota // packet-in to the controller
	UserspaceSlowPath                        // slow-pathed flow
	UserspaceUserdata                        // opaque bytes
)

// Slow path reasons of a UserspaceSlowPath cookie, as OVS's SLOW_*.
const (
	SlowCFM = 1 << iota
	SlowBFD
	SlowLACP
	SlowSTP
	SlowLLDP
	SlowAction
	SlowMatch
)

// UserspaceAction sends the packet to the upcall handler.
type UserspaceAction struct {
	PID  uint32
	Kind UserspaceKind

	// Controller cookie (controller(...)).
	Reason       uint16
	DontSend     bool
	Continuation bool
	RecircID     uint32
	RuleCookie   uint64
	ControllerID uint16
	MaxLen       uint16

	// SlowPath holds the Slow* reasons.
	SlowPath uint32
	// Userdata is an opaque cookie.
	Userdata []byte
}

// Output returns output(port).
func Output(port uint32) Action { return Action{Type: ActOutput, Port: port} }

// Recirc returns recirc(id).
func Recirc(id uint32) Action { return Action{Type: ActRecirc, Arg: id} }

// PushVLAN returns push_vlan with TPID tpid (0 means 0x8100) and VLAN id
// and priority from tci; the tag is marked present.
func PushVLAN(tpid, tci uint16) Action {
	if tpid == 0 {
		tpid = ethTypeVLAN
	}
	return Action{Type: ActPushVLAN, TPID: tpid, TCI: tci | VLANCFI}
}

// CT returns a ct() action.
func CT(a *CTAction) Action { return Action{Type: ActCT, CT: a} }

// Set returns a masked set action.
func Set(s *SetAction) Action { return Action{Type: ActSet, Set: s} }

// maxCloneDepth bounds nested clones, as OVS bounds nested actions.
const maxCloneDepth = 4

// NAT flag shorthands for the formatter and executor.
const (
	natSrc        = conntrack.NATSrc
	natDst        = conntrack.NATDst
	natPersistent = conntrack.NATPersistent
	natRandom     = conntrack.NATRandom
)
