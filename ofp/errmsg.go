package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// nxVendorErrorCode is NXVC_VENDOR_ERROR, the code of an OF1.0/1.1 error
// whose type is the Nicira vendor error type.
const nxVendorErrorCode = 0

// EncodeError builds the OFPT_ERROR reply to request (its version and xid;
// the whole request is carried as data, as OVS does).
func EncodeError(code ofperr.Code, request []byte) []byte {
	h, err := ParseHeader(request)
	if err != nil {
		h = Header{Version: Version10}
	}
	data := request
	if int(h.Length) <= len(request) && err == nil {
		data = request[:h.Length]
	}
	return EncodeErrorData(code, h.Version, h.Xid, data)
}

// EncodeErrorData builds an OFPT_ERROR in the given version with data as
// payload. Codes with no encoding in that version are sent as
// NXBRC_UNENCODABLE_ERROR.
func EncodeErrorData(code ofperr.Code, version uint8, xid uint32, data []byte) []byte {
	enc, ok := code.Encode(version)
	if !ok {
		enc, _ = ofperr.NXBRC_UNENCODABLE_ERROR.Encode(version)
	}
	b := AppendHeader(nil, Header{Version: version, Type: typeError, Xid: xid})
	switch {
	case !enc.Experimenter:
		b = binary.BigEndian.AppendUint16(b, enc.Type)
		b = binary.BigEndian.AppendUint16(b, enc.Code)
	case version < Version12:
		b = binary.BigEndian.AppendUint16(b, ofperr.TypeNXVendor)
		b = binary.BigEndian.AppendUint16(b, nxVendorErrorCode)
		b = binary.BigEndian.AppendUint32(b, enc.Vendor)
		b = binary.BigEndian.AppendUint16(b, enc.Type)
		b = binary.BigEndian.AppendUint16(b, enc.Code)
	default:
		b = binary.BigEndian.AppendUint16(b, ofperr.TypeExperimenter)
		b = binary.BigEndian.AppendUint16(b, enc.Code)
		b = binary.BigEndian.AppendUint32(b, enc.Vendor)
	}
	b = append(b, data...)
	return setLength(b)
}

// ErrorMsg is a decoded OFPT_ERROR.
type ErrorMsg struct {
	Header
	Code ofperr.Code // 0 if the (type, code) pair is unknown
	Type uint16      // raw type and code, for unknown errors
	Raw  uint16
	Data []byte // usually the start of the offending request
}

// DecodeError parses an OFPT_ERROR message.
func DecodeError(msg []byte) (ErrorMsg, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return ErrorMsg{}, err
	}
	if h.Type != typeError {
		return ErrorMsg{}, ofperr.OFPBRC_BAD_TYPE
	}
	if int(h.Length) > len(msg) || h.Length < 12 {
		return ErrorMsg{}, ofperr.OFPBRC_BAD_LEN
	}
	body := msg[HeaderLen:h.Length]
	e := ErrorMsg{Header: h, Type: binary.BigEndian.Uint16(body), Raw: binary.BigEndian.Uint16(body[2:])}
	body = body[4:]
	var vendor uint32
	code := e.Raw
	switch e.Type {
	case ofperr.TypeExperimenter:
		if h.Version >= Version12 {
			if len(body) < 4 {
				return e, ofperr.OFPBRC_BAD_LEN
			}
			vendor, body = binary.BigEndian.Uint32(body), body[4:]
		}
	case ofperr.TypeNXVendor:
		if len(body) < 8 {
			return e, ofperr.OFPBRC_BAD_LEN
		}
		vendor = binary.BigEndian.Uint32(body)
		typ := binary.BigEndian.Uint16(body[4:])
		code = binary.BigEndian.Uint16(body[6:])
		body = body[8:]
		e.Code, _ = ofperr.Decode(h.Version, typ, code, vendor)
		e.Data = body
		return e, nil
	}
	e.Code, _ = ofperr.Decode(h.Version, e.Type, code, vendor)
	e.Data = body
	return e, nil
}

// String prints the first line ovs-ofctl prints for an error:
// "OFPT_ERROR (OF1.5) (xid=0x2): OFPBMC_BAD_PREREQ".
func (e ErrorMsg) String() string {
	name := e.Code.String()
	if !e.Code.Valid() {
		name = fmt.Sprintf("***decode error: %s (type %d, code %d)***", ofperr.TypeName(e.Version, e.Type), e.Type, e.Raw)
	}
	return fmt.Sprintf("OFPT_ERROR%s (xid=%#x): %s", VersionString(e.Version), e.Xid, name)
}
