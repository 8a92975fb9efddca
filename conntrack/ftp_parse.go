package conntrack

import (
	"bytes"
	"errors"
	"net/netip"
)

// ftpCmd is the kind of FTP control message the ALG acts on.
type ftpCmd uint8

const (
	ftpOther ftpCmd = iota // nothing to expect (sequence skew still applies)
	ftpPORT                // PORT h1,h2,h3,h4,p1,p2 (active, RFC 959)
	ftpEPRT                // EPRT |af|addr|port| (active, RFC 2428)
	ftpPASV                // 227 ... h1,h2,h3,h4,p1,p2 (passive reply)
	ftpEPSV                // 229 ... (|||port|) (extended passive reply)
)

// ftpMaxExamined is how much of a segment's payload is examined, as in OVS:
// the commands of interest are short and come first.
const ftpMaxExamined = 128

var errFTPFormat = errors.New("Invalid FTP control packet format")

// ftpMsg is a parsed FTP control message of interest. For messages carrying
// an address, addrOff/addrLen locate its text in the payload so NAT can
// replace it.
type ftpMsg struct {
	cmd     ftpCmd
	addr    netip.Addr // invalid for EPSV
	addrOff int
	addrLen int
	port    uint16
}

// parseFTP recognises and parses an FTP control message at the start of a TCP
// payload. IPv4 control connections look for PORT, EPRT, 227 and 229; IPv6
// ones for EPRT and an "Extended Passive" reply, as OVS does. Messages of no
// interest return ftpOther and no error; malformed ones errFTPFormat.
func parseFTP(payload []byte, v6 bool) (ftpMsg, error) {
	msg := payload[:min(len(payload), ftpMaxExamined)]
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	switch {
	case hasPrefixFold(msg, "EPRT"):
		return parseEPRT(msg, v6)
	case v6 && containsFold(msg, "EXTENDED PASSIVE"), !v6 && hasPrefixFold(msg, "229"):
		return parseEPSV(msg)
	case !v6 && hasPrefixFold(msg, "PORT"):
		return parsePORT(msg, ftpPORT)
	case !v6 && hasPrefixFold(msg, "227"):
		return parsePORT(msg, ftpPASV)
	}
	return ftpMsg{}, nil
}

// parsePORT parses the six comma-separated numbers of PORT and of the 227
// reply, which start at the first digit after the first space.
func parsePORT(msg []byte, cmd ftpCmd) (ftpMsg, error) {
	sp := bytes.IndexByte(msg, ' ')
	if sp < 0 {
		return ftpMsg{}, errFTPFormat
	}
	i := sp
	for i < len(msg) && !isDigit(msg[i]) {
		i++
	}
	var v [6]int
	start := i
	addrEnd := 0
	for n := range v {
		if n > 0 {
			if i >= len(msg) || msg[i] != ',' {
				return ftpMsg{}, errFTPFormat
			}
			if n == 4 {
				addrEnd = i
			}
			i++
		}
		val, next, ok := parseDecimal(msg, i, 3, 255)
		if !ok {
			return ftpMsg{}, errFTPFormat
		}
		v[n], i = val, next
	}
	port := uint16(v[4]<<8 | v[5])
	if port == 0 {
		return ftpMsg{}, errFTPFormat
	}
	addr := netip.AddrFrom4([4]byte{byte(v[0]), byte(v[1]), byte(v[2]), byte(v[3])})
	return ftpMsg{cmd: cmd, addr: addr, addrOff: start, addrLen: addrEnd - start, port: port}, nil
}

// parseEPRT parses "EPRT <d><af><d><addr><d><port><d>"; the address family
// must match the control connection's (1 for IPv4, 2 for IPv6).
func parseEPRT(msg []byte, v6 bool) (ftpMsg, error) {
	i := len("EPRT")
	for i < len(msg) && msg[i] == ' ' {
		i++
	}
	if i == len("EPRT") || i >= len(msg) {
		return ftpMsg{}, errFTPFormat
	}
	d := msg[i]
	fields := bytes.SplitN(msg[i+1:], []byte{d}, 4)
	if d < 33 || d > 126 || len(fields) < 4 {
		return ftpMsg{}, errFTPFormat
	}
	af, addrText, portText := string(fields[0]), fields[1], fields[2]
	if v6 && af != "2" || !v6 && af != "1" {
		return ftpMsg{}, errFTPFormat
	}
	addr, err := netip.ParseAddr(string(addrText))
	if err != nil || addr.Is4() == v6 || addr.Zone() != "" {
		return ftpMsg{}, errFTPFormat
	}
	port, next, ok := parseDecimal(portText, 0, 5, 65535)
	if !ok || next != len(portText) || port == 0 {
		return ftpMsg{}, errFTPFormat
	}
	off := i + 1 + len(fields[0]) + 1
	return ftpMsg{cmd: ftpEPRT, addr: addr, addrOff: off, addrLen: len(addrText), port: uint16(port)}, nil
}

// parseEPSV parses the port of a 229 reply: the first number after "(".
func parseEPSV(msg []byte) (ftpMsg, error) {
	i := bytes.IndexByte(msg, '(')
	if i < 0 {
		return ftpMsg{}, errFTPFormat
	}
	for i < len(msg) && !isDigit(msg[i]) {
		i++
	}
	port, _, ok := parseDecimal(msg, i, 5, 65535)
	if !ok || port == 0 {
		return ftpMsg{}, errFTPFormat
	}
	return ftpMsg{cmd: ftpEPSV, port: uint16(port)}, nil
}

// parseDecimal reads 1..maxDigits digits at msg[i:] with a value <= maxVal.
func parseDecimal(msg []byte, i, maxDigits, maxVal int) (val, next int, ok bool) {
	start := i
	for i < len(msg) && isDigit(msg[i]) {
		if i-start == maxDigits {
			return 0, i, false
		}
		val = val*10 + int(msg[i]-'0')
		i++
	}
	return val, i, i > start && val <= maxVal
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

func containsFold(b []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if bytes.EqualFold(b[i:i+len(sub)], []byte(sub)) {
			return true
		}
	}
	return false
}
