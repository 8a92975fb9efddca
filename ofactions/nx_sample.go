// sample(...): NXAST_SAMPLE, NXAST_SAMPLE2 and NXAST_SAMPLE3, per-flow
// IPFIX sampling.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Sample directions (NX_ACTION_SAMPLE_*).
const (
	SampleDefault = 0
	SampleIngress = 1
	SampleEgress  = 2
)

// Sample sends Probability/65535 of the packets to IPFIX collector set
// CollectorSetID.
type Sample struct {
	Probability    uint16
	CollectorSetID uint32
	ObsDomainID    uint32
	ObsPointID     uint32
	SamplingPort   uint16 // mf.PortNone when absent
	Direction      uint8
	// Raw is the Nicira subtype it came as (0 when parsed from text), so
	// that it encodes back the same way.
	Raw uint16
}

func (a *Sample) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "sample(probability=%d,collector_set_id=%d,obs_domain_id=%d,obs_point_id=%d",
		a.Probability, a.CollectorSetID, a.ObsDomainID, a.ObsPointID)
	if a.SamplingPort != mf.PortNone {
		sb.WriteString(",sampling_port=" + mf.PortString(a.SamplingPort))
	}
	switch a.Direction {
	case SampleIngress:
		sb.WriteString(",ingress")
	case SampleEgress:
		sb.WriteString(",egress")
	}
	sb.WriteByte(')')
	return sb.String()
}

const (
	nxastSample  = 29
	nxastSample2 = 38
	nxastSample3 = 41
)

func decodeSample(sub uint16, a []byte) (Action, error) {
	s := &Sample{Raw: sub, SamplingPort: mf.PortNone}
	if sub == nxastSample {
		if err := need(a, 24, false); err != nil {
			return nil, err
		}
	} else if err := need(a, 32, false); err != nil {
		return nil, err
	}
	s.Probability, s.CollectorSetID, s.ObsDomainID, s.ObsPointID = u16(a, 10), u32(a, 12), u32(a, 16), u32(a, 20)
	if sub != nxastSample {
		s.SamplingPort = u16(a, 24)
	}
	if sub == nxastSample3 {
		for _, c := range a[27:32] {
			if c != 0 {
				return nil, ofperr.NXBRC_MUST_BE_ZERO
			}
		}
		if a[26] > SampleEgress {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		s.Direction = a[26]
	}
	if s.Probability == 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	return s, nil
}

func appendSample(b []byte, a *Sample) []byte {
	var body []byte
	switch {
	case a.Raw == nxastSample3 || a.Direction != SampleDefault:
		b, body = putNX(b, nxastSample3, 32)
	case a.Raw == nxastSample2 || a.SamplingPort != mf.PortNone:
		b, body = putNX(b, nxastSample2, 32)
	default:
		b, body = putNX(b, nxastSample, 24)
	}
	binary.BigEndian.PutUint16(body, a.Probability)
	binary.BigEndian.PutUint32(body[2:], a.CollectorSetID)
	binary.BigEndian.PutUint32(body[6:], a.ObsDomainID)
	binary.BigEndian.PutUint32(body[10:], a.ObsPointID)
	if len(body) > 14 {
		binary.BigEndian.PutUint16(body[14:], a.SamplingPort)
		body[16] = a.Direction
	}
	return b
}

func parseSample(arg string) (Action, error) {
	s := &Sample{SamplingPort: mf.PortNone}
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		var n uint64
		switch k {
		case "":
		case "probability":
			if n, err = parseUint(v, 16); err == nil && n == 0 {
				err = fmt.Errorf("invalid probability value \"%s\"", v)
			}
			s.Probability = uint16(n)
		case "collector_set_id":
			n, err = parseUint(v, 32)
			s.CollectorSetID = uint32(n)
		case "obs_domain_id":
			n, err = parseUint(v, 32)
			s.ObsDomainID = uint32(n)
		case "obs_point_id":
			n, err = parseUint(v, 32)
			s.ObsPointID = uint32(n)
		case "sampling_port":
			p, perr := mf.ParsePort(v)
			if perr != nil {
				err = fmt.Errorf("%s: unknown port", v)
			}
			s.SamplingPort = p
		case "ingress":
			s.Direction = SampleIngress
		case "egress":
			s.Direction = SampleEgress
		default:
			err = fmt.Errorf("invalid key \"%s\" in \"sample\" argument", k)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.Probability == 0 {
		return nil, fmt.Errorf("non-zero \"probability\" must be specified on sample")
	}
	return s, nil
}
