package ofperr

import (
	"fmt"
)

// Code is one OpenFlow error, independent of the wire version. The zero Code
// means "no error". Code implements error; its text is the OVS name
// (e.g. "OFPBMC_BAD_PREREQ").
type Code int

// Vendor (experimenter) ids used in experimenter error encodings.
const (
	nxVendor  = 0x00002320
	onfVendor = 0x4f4e4600
)

// Experimenter error message type in OF1.2+ and the Nicira vendor error type
// used in OF1.0/1.1.
const (
	TypeExperimenter = 0xffff
	TypeNXVendor     = 0xb0c2
)

// mapping says how a Code is encoded in versions minVer..maxVer (wire
// version numbers). typ -1 means an experimenter error with exp_type = code.
type mapping struct {
	vendor         uint32
	minVer, maxVer uint8
	typ            int
	code           int
}

type codeInfo struct {
	name     string
	mappings []mapping
}

func (c Code) Error() string { return c.String() }

// String returns the OVS name of the error, or "OFPERR_<n>" if unknown.
func (c Code) String() string {
	if c > 0 && c < numCodes {
		return codeTable[c].name
	}
	return fmt.Sprintf("OFPERR_%d", int(c))
}

// Valid reports whether c is a known error.
func (c Code) Valid() bool { return c > 0 && c < numCodes }

// FromName returns the Code named name (e.g. "OFPBAC_BAD_TYPE").
func FromName(name string) (Code, bool) {
	for c := Code(1); c < numCodes; c++ {
		if codeTable[c].name == name {
			return c, true
		}
	}
	return 0, false
}

// Encoding is the wire form of an error in one OpenFlow version.
type Encoding struct {
	// Type and Code are the error type and code. For an OF1.2+
	// experimenter error Type is TypeExperimenter and Code the exp_type.
	Type, Code uint16
	// Vendor is the vendor/experimenter id (0 for standard errors).
	Vendor uint32
	// Experimenter is true when the error travels in a vendor form: in
	// OF1.0/1.1 the Nicira envelope (type TypeNXVendor, code 0, then
	// vendor, Type, Code), in OF1.2+ the experimenter error.
	Experimenter bool
}

// Encode returns how c is sent in the given wire version; false if it has
// no encoding there.
func (c Code) Encode(version uint8) (Encoding, bool) {
	if !c.Valid() {
		return Encoding{}, false
	}
	for _, m := range codeTable[c].mappings {
		if version < m.minVer || version > m.maxVer {
			continue
		}
		switch {
		case m.vendor == 0:
			return Encoding{Type: uint16(m.typ), Code: uint16(m.code)}, true
		case m.typ >= 0:
			return Encoding{Type: uint16(m.typ), Code: uint16(m.code), Vendor: m.vendor, Experimenter: true}, true
		default:
			return Encoding{Type: TypeExperimenter, Code: uint16(m.code), Vendor: m.vendor, Experimenter: true}, true
		}
	}
	return Encoding{}, false
}

// Decode finds the Code for a received error. For standard errors vendor
// is 0; for the OF1.0 Nicira envelope pass the inner type and code with
// the vendor; for OF1.2+ experimenter errors pass TypeExperimenter, the
// exp_type and the experimenter id.
func Decode(version uint8, typ, code uint16, vendor uint32) (Code, bool) {
	for c := Code(1); c < numCodes; c++ {
		for _, m := range codeTable[c].mappings {
			if version < m.minVer || version > m.maxVer || m.vendor != vendor || uint16(m.code) != code {
				continue
			}
			if (m.typ >= 0 && uint16(m.typ) == typ) || (m.typ < 0 && typ == TypeExperimenter) {
				return c, true
			}
		}
	}
	return 0, false
}

// TypeName returns the OVS name of a standard error type for OF1.0
// ("OFPET_BAD_MATCH") and OF1.1+; it is what ovs-ofctl prints for unknown
// codes.
func TypeName(version uint8, typ uint16) string {
	names10 := []string{"OFPET_HELLO_FAILED", "OFPET_BAD_REQUEST", "OFPET_BAD_ACTION", "OFPET_FLOW_MOD_FAILED", "OFPET_PORT_MOD_FAILED", "OFPET_QUEUE_OP_FAILED"}
	names11 := []string{"OFPET_HELLO_FAILED", "OFPET_BAD_REQUEST", "OFPET_BAD_ACTION", "OFPET_BAD_INSTRUCTION", "OFPET_BAD_MATCH", "OFPET_FLOW_MOD_FAILED", "OFPET_GROUP_MOD_FAILED", "OFPET_PORT_MOD_FAILED", "OFPET_TABLE_MOD_FAILED", "OFPET_QUEUE_OP_FAILED", "OFPET_SWITCH_CONFIG_FAILED", "OFPET_ROLE_REQUEST_FAILED", "OFPET_METER_MOD_FAILED", "OFPET_TABLE_FEATURES_FAILED", "OFPET_BAD_PROPERTY", "OFPET_ASYNC_CONFIG_FAILED", "OFPET_FLOW_MONITOR_FAILED", "OFPET_BUNDLE_FAILED"}
	names := names11
	if version == 1 {
		names = names10
	}
	if int(typ) < len(names) {
		return names[typ]
	}
	return fmt.Sprintf("type %d", typ)
}
