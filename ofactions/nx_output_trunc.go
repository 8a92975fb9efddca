// output(port=N,max_len=M): NXAST_OUTPUT_TRUNC, output of at most M bytes
// of the packet.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// OutputTrunc outputs the packet truncated to MaxLen bytes to Port.
type OutputTrunc struct {
	Port   uint16
	MaxLen uint32
}

func (a *OutputTrunc) String() string {
	return "output(port=" + mf.PortString(a.Port) + ",max_len=" + strconv.FormatUint(uint64(a.MaxLen), 10) + ")"
}

const (
	nxastOutputTrunc = 39
	ethHeaderLen     = 14
)

func decodeOutputTrunc(a []byte) (Action, error) {
	if err := need(a, 16, false); err != nil {
		return nil, err
	}
	o := &OutputTrunc{Port: u16(a, 10), MaxLen: u32(a, 12)}
	if o.MaxLen < ethHeaderLen {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	if !validOutputPort(o.Port) {
		return nil, ofperr.OFPBAC_BAD_OUT_PORT
	}
	return o, nil
}

func appendOutputTrunc(b []byte, a *OutputTrunc) []byte {
	b, body := putNX(b, nxastOutputTrunc, 16)
	binary.BigEndian.PutUint16(body, a.Port)
	binary.BigEndian.PutUint32(body[2:], a.MaxLen)
	return b
}

// isOutputTrunc says whether an output argument is the port=,max_len=
// form, by OVS's test.
func isOutputTrunc(arg string) bool {
	return strings.Contains(arg, "port") && strings.Contains(arg, "max_len")
}

func parseOutputTrunc(arg string) (Action, error) {
	o := &OutputTrunc{}
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "port":
			p, err := mf.ParsePort(v)
			if err != nil {
				return nil, fmt.Errorf("output to unknown truncate port: %s", v)
			}
			if p > mf.PortMax && p != mf.PortLocal && p != mf.PortInPort {
				return nil, fmt.Errorf("output to unsupported truncate port: %s", v)
			}
			o.Port = p
		case "max_len":
			n, err := parseUint(v, 32)
			if err != nil {
				return nil, err
			}
			if n < ethHeaderLen {
				return nil, fmt.Errorf("max_len %d is less than the minimum value %d", n, ethHeaderLen)
			}
			o.MaxLen = uint32(n)
		default:
			return nil, fmt.Errorf("invalid key '%s' in output_trunc argument", k)
		}
	}
	return o, nil
}
