package conntrack

import (
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/conntrack/ipf"
)

// IPF is the tracker's fragment reassembler, which the datapath consults
// before handing packets to Execute.
func (t *Tracker) IPF() *ipf.IPF { return t.ipf }

// ipfCommands are the dpctl/ipf-* commands.
func (t *Tracker) ipfCommands() []Command {
	return []Command{
		{"dpctl/ipf-set-enabled", "[dp] v4|v6", 1, 2, func(a []string) (string, error) { return t.ipfSetEnabled(a, true) }},
		{"dpctl/ipf-set-disabled", "[dp] v4|v6", 1, 2, func(a []string) (string, error) { return t.ipfSetEnabled(a, false) }},
		{"dpctl/ipf-set-min-frag", "[dp] v4|v6 minfragment", 2, 3, t.IPFSetMinFrag},
		{"dpctl/ipf-set-max-nfrags", "[dp] maxfrags", 1, 2, t.IPFSetMaxNFrags},
		{"dpctl/ipf-get-status", "[dp]", 0, 1, t.IPFGetStatus},
	}
}

const errPerm = "Operation not permitted"

// ipfFamily reads the v4|v6 word as OVS does: its first two characters.
func ipfFamily(s string) (ipf.Family, bool) {
	switch {
	case strings.HasPrefix(s, "v4"):
		return ipf.V4, true
	case strings.HasPrefix(s, "v6"):
		return ipf.V6, true
	}
	return 0, false
}

// scanU32 parses a leading decimal number as %SCNu32 does: optional
// spaces and sign, then digits; trailing text is ignored.
func scanU32(s string) (uint32, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:n], 10, 64)
	if err != nil {
		v = 1<<64 - 1
	}
	if neg {
		v = -v
	}
	return uint32(v), true
}

// ipfSetEnabled implements dpctl/ipf-set-enabled and ipf-set-disabled
// [dp] v4|v6.
func (t *Tracker) ipfSetEnabled(args []string, on bool) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 4); err != nil {
		return "", err
	}
	verb := "disabling"
	if on {
		verb = "enabling"
	}
	var fam ipf.Family
	ok := len(args) > 0
	if ok {
		fam, ok = ipfFamily(args[len(args)-1])
	}
	if !ok {
		return "", dpctlError("", "parameter missing: 'v4' for IPv4 or 'v6' for IPv6", errInval)
	}
	t.ipf.SetEnabled(fam, on)
	return verb + " fragmentation reassembly successful", nil
}

// IPFSetMinFrag implements dpctl/ipf-set-min-frag [dp] v4|v6 minfragment.
func (t *Tracker) IPFSetMinFrag(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 4); err != nil {
		return "", err
	}
	var fam ipf.Family
	ok := len(args) >= 2
	if ok {
		fam, ok = ipfFamily(args[len(args)-2])
	}
	if !ok {
		return "", dpctlError("", "parameter missing: v4 for IPv4 or v6 for IPv6", errInval)
	}
	v, ok := scanU32(args[len(args)-1])
	if !ok {
		return "", dpctlError("", "parameter missing for minimum fragment size", errInval)
	}
	if !t.ipf.SetMinFragSize(fam, v) {
		return "", dpctlError("", "requested minimum fragment size too small; see documentation", errPerm)
	}
	return "setting minimum fragment size successful", nil
}

// IPFSetMaxNFrags implements dpctl/ipf-set-max-nfrags [dp] maxfrags.
func (t *Tracker) IPFSetMaxNFrags(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 3); err != nil {
		return "", err
	}
	var v uint32
	ok := len(args) > 0
	if ok {
		v, ok = scanU32(args[len(args)-1])
	}
	if !ok {
		return "", dpctlError("", "parameter missing for maximum fragments", errInval)
	}
	if !t.ipf.SetMaxFrags(v) {
		return "", dpctlError("", "setting maximum fragments failed", errPerm)
	}
	return "setting maximum fragments successful", nil
}

// IPFGetStatus implements dpctl/ipf-get-status [-m] [dp]: the settings and
// counters, and with -m the pending fragment lists.
func (t *Tracker) IPFGetStatus(args []string) (string, error) {
	o, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if _, err = openDP(args, 2); err != nil {
		return "", err
	}
	out := t.ipf.Status().Format()
	if o.verbosity > 0 {
		var b strings.Builder
		b.WriteString(out)
		b.WriteString("\n        Fragment Lists:\n\n")
		for _, l := range t.ipf.DumpLists() {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		out = b.String()
	}
	return out, nil
}
