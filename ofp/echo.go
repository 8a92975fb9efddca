package ofp

import "github.com/govswitchd/govswitchd/ofp/ofperr"

// EncodeEchoRequest builds an ECHO_REQUEST carrying payload.
func EncodeEchoRequest(version uint8, xid uint32, payload []byte) []byte {
	b := AppendHeader(nil, Header{Version: version, Type: typeEchoRequest, Xid: xid})
	return setLength(append(b, payload...))
}

// EncodeEchoReply answers an ECHO_REQUEST: same version, xid and payload.
func EncodeEchoReply(request []byte) ([]byte, error) {
	h, err := ParseHeader(request)
	if err != nil {
		return nil, err
	}
	if h.Type != typeEchoRequest {
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	if int(h.Length) > len(request) {
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	b := AppendHeader(nil, Header{Version: h.Version, Type: typeEchoReply, Xid: h.Xid})
	return setLength(append(b, request[HeaderLen:h.Length]...)), nil
}
