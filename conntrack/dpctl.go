package conntrack

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// ProgramName prefixes dpctl error messages, as OVS's program name does.
var ProgramName = "ovs-vswitchd"

// DatapathName is the one userspace datapath's name as dpctl accepts it.
const DatapathName = "netdev@ovs-netdev"

// Command describes one dpctl/* unixctl command this package serves. Args
// are everything after the command name, options included; MinArgs/MaxArgs
// count them the way unixctl registration does.
type Command struct {
	Name             string
	Usage            string
	MinArgs, MaxArgs int
	Run              func(args []string) (string, error)
}

// Commands lists the conntrack dpctl commands (and conntrack/show-hooks)
// bound to t, ready to register.
// An error's text is the complete reply body for the failed command.
func (t *Tracker) Commands() []Command {
	return append([]Command{
		{"dpctl/dump-conntrack", "[-m] [-s] [dp] [zone=N]", 0, 4, t.DumpConntrack},
		{"dpctl/flush-conntrack", "[dp] [zone=N] [mark=X[/M]] [labels=Y[/N]] [ct-orig-tuple] [ct-reply-tuple]", 0, 6, t.FlushConntrack},
		{"dpctl/ct-stats-show", "[dp] [zone=N]", 0, 3, t.CTStatsShow},
		{"dpctl/ct-bkts", "[dp] [gt=N]", 0, 2, t.CTBkts},
		{"dpctl/ct-set-maxconns", "[dp] maxconns", 1, 2, t.CTSetMaxconns},
		{"dpctl/ct-get-maxconns", "[dp]", 0, 1, t.CTGetMaxconns},
		{"dpctl/ct-get-nconns", "[dp]", 0, 1, t.CTGetNconns},
		{"dpctl/ct-enable-tcp-seq-chk", "[dp]", 0, 1, t.CTEnableTCPSeqChk},
		{"dpctl/ct-disable-tcp-seq-chk", "[dp]", 0, 1, t.CTDisableTCPSeqChk},
		{"dpctl/ct-get-tcp-seq-chk", "[dp]", 0, 1, t.CTGetTCPSeqChk},
		{"dpctl/ct-set-limits", "[dp] [default=L] [zone=N,limit=L]...", 1, math.MaxInt32, t.CTSetLimits},
		{"dpctl/ct-del-limits", "[dp] zone=N1[,N2]...", 1, 2, t.CTDelLimits},
		{"dpctl/ct-get-limits", "[dp] [zone=N1[,N2]...]", 0, 2, t.CTGetLimits},
		{"dpctl/ct-set-sweep-interval", "[dp] ms", 1, 2, t.CTSetSweepInterval},
		{"dpctl/ct-get-sweep-interval", "[dp]", 0, 1, t.CTGetSweepInterval},
		{"conntrack/show-hooks", "", 0, 0, t.ShowHooks},
	}, t.ipfCommands()...)
}

// dpctlError formats an error the way dpctl does: "prog: msg (strerror)\n",
// after any output already produced.
func dpctlError(before, msg, strerror string) error {
	return errors.New(before + ProgramName + ": " + msg + " (" + strerror + ")\n")
}

const errInval = "Invalid argument"

// dpOpts are the leading options dpctl understands.
type dpOpts struct {
	verbosity int
	stats     bool
}

// parseOpts strips leading options, as dpctl's handler does.
func parseOpts(args []string) (dpOpts, []string, error) {
	var o dpOpts
	for len(args) > 0 {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "--"):
			switch a {
			case "--statistics":
				o.stats = true
			case "--more":
				o.verbosity++
			case "--clear", "--may-create", "--names", "--no-names":
			default:
				return o, nil, errors.New("Unrecognized option " + a)
			}
		case len(a) > 1 && a[0] == '-':
			for _, c := range a[1:] {
				switch c {
				case 'm':
					o.verbosity++
				case 's':
					o.stats = true
				default:
					return o, nil, fmt.Errorf("Unrecognized option -%c", c)
				}
			}
		default:
			return o, args, nil
		}
		args = args[1:]
	}
	return o, args, nil
}

// openDP consumes an optional datapath argument. maxArgc is OVS's count of
// arguments including the command name at which a missing datapath is an
// error (the last argument was meant to be it).
func openDP(args []string, maxArgc int) ([]string, error) {
	if len(args) > 0 && args[0] == DatapathName {
		return args[1:], nil
	}
	if len(args)+1 == maxArgc {
		return nil, dpctlError("", "datapath not found", errInval)
	}
	return args, nil
}

// parseU16 parses a decimal 16-bit number, as OVS's %SCNu16 scan does.
func parseU16(s string) (uint16, bool) {
	v, err := strconv.ParseUint(s, 10, 16)
	return uint16(v), err == nil
}

func parseU32(s string) (uint32, bool) {
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

// DumpConntrack implements dpctl/dump-conntrack [-m] [-s] [dp] [zone=N].
func (t *Tracker) DumpConntrack(args []string) (string, error) {
	o, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	var zone *uint16
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "zone=") {
		if z, ok := parseU16(args[n-1][5:]); ok {
			zone = &z
			args = args[:n-1]
		}
	}
	if _, err := openDP(args, 2); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range t.Dump(zone) {
		b.WriteString(e.Format(o.verbosity > 0, o.stats))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// CTStatsShow implements dpctl/ct-stats-show [-m] [dp] [zone=N] [verbose].
func (t *Tracker) CTStatsShow(args []string) (string, error) {
	o, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	verbose := o.verbosity > 0
	var zone *uint16
	for last := -1; len(args) > 0 && last != len(args); {
		last = len(args)
		a := args[len(args)-1]
		if strings.HasPrefix(a, "verbose") {
			verbose = true
			args = args[:len(args)-1]
		} else if strings.HasPrefix(a, "zone=") {
			if z, ok := parseU16(a[5:]); ok {
				zone = &z
				args = args[:len(args)-1]
			}
		}
	}
	if _, err := openDP(args, 2); err != nil {
		return "", err
	}
	var total int
	counts := map[string]int{}
	var perState [numTCPStates]int
	for _, e := range t.Dump(zone) {
		total++
		switch e.Orig.Proto {
		case ProtoICMP:
			counts["ICMP"]++
		case ProtoICMPv6:
			counts["ICMPv6"]++ // counted in Total, never printed (as in 3.1)
		case ProtoTCP:
			counts["TCP"]++
			perState[e.TCP.summaryState()]++
		case ProtoUDP:
			counts["UDP"]++
		case ProtoSCTP:
			counts["SCTP"]++
		case ProtoUDPLite:
			counts["UDPLITE"]++
		case ProtoDCCP:
			counts["DCCP"]++
		case ProtoIGMP:
			counts["IGMP"]++
		default:
			counts["Other"]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Connections Stats:\n    Total: %d\n", total)
	for _, name := range []string{"TCP", "UDP", "UDPLITE", "SCTP", "ICMP", "DCCP", "IGMP", "Other"} {
		if counts[name] == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s: %d\n", name, counts[name])
		if name == "TCP" && verbose {
			b.WriteString("    Conn per TCP states:\n")
			for s, n := range perState {
				if n != 0 {
					fmt.Fprintf(&b, "\t  [%s]=%d\n", TCPState(s), n)
				}
			}
		}
	}
	return b.String(), nil
}

// CTBkts implements dpctl/ct-bkts [dp] [gt=N]. Like OVS 3.1's userspace
// tracker it reports a single bucket.
func (t *Tracker) CTBkts(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	gt := uint16(0)
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "gt=") {
		if v, ok := parseU16(args[n-1][3:]); ok {
			gt = v
			args = args[:n-1]
		}
	}
	if _, err := openDP(args, 2); err != nil {
		return "", err
	}
	const buckets = 1
	conns := len(t.Dump(nil))
	var b strings.Builder
	fmt.Fprintf(&b, "Total Buckets: %d\nCurrent Connections: %d\n\n", buckets, conns)
	if conns > 0 {
		b.WriteString("+-----------+-----------------------------------------+\n")
		b.WriteString("|  Buckets  |         Connections per Buckets         |\n")
		b.WriteString("+-----------+-----------------------------------------+")
		perBucket := [buckets]int{conns}
		for i, n := range perBucket {
			if i%8 == 0 {
				fmt.Fprintf(&b, "\n %3d..%3d   | ", i, i+7)
			}
			if n > int(gt) {
				fmt.Fprintf(&b, "%5d", n)
			} else {
				fmt.Fprintf(&b, "%5s", ".")
			}
		}
		b.WriteString("\n\n")
	}
	return b.String(), nil
}

// CTSetMaxconns implements dpctl/ct-set-maxconns [dp] maxconns.
func (t *Tracker) CTSetMaxconns(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 3); err != nil {
		return "", err
	}
	if len(args) == 0 {
		return "", dpctlError("", "maxconns missing or malformed", errInval)
	}
	v, ok := parseU32(args[len(args)-1])
	if !ok {
		return "", dpctlError("", "maxconns missing or malformed", errInval)
	}
	t.SetMaxConns(v)
	return "setting maxconns successful", nil
}

// CTGetMaxconns implements dpctl/ct-get-maxconns [dp].
func (t *Tracker) CTGetMaxconns(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n", t.maxConns.Load()), nil
}

// CTGetNconns implements dpctl/ct-get-nconns [dp].
func (t *Tracker) CTGetNconns(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n", t.NConns()), nil
}

// CTEnableTCPSeqChk implements dpctl/ct-enable-tcp-seq-chk [dp].
func (t *Tracker) CTEnableTCPSeqChk(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	t.SetTCPSeqCheck(true)
	return "enabling TCP sequence checking successful", nil
}

// CTDisableTCPSeqChk implements dpctl/ct-disable-tcp-seq-chk [dp].
func (t *Tracker) CTDisableTCPSeqChk(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	t.SetTCPSeqCheck(false)
	return "disabling TCP sequence checking successful", nil
}

// CTGetTCPSeqChk implements dpctl/ct-get-tcp-seq-chk [dp].
func (t *Tracker) CTGetTCPSeqChk(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	state := "disabled"
	if t.seqChk.Load() {
		state = "enabled"
	}
	return "TCP sequence checking: " + state + "\n", nil
}

// CTSetSweepInterval implements dpctl/ct-set-sweep-interval [dp] ms.
func (t *Tracker) CTSetSweepInterval(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 3); err != nil {
		return "", err
	}
	v, ok := uint32(0), false
	if len(args) > 0 {
		v, ok = parseU32(args[len(args)-1])
	}
	if !ok || v == 0 {
		return "", dpctlError("", "sweep interval missing or malformed", errInval)
	}
	t.SetSweepInterval(v)
	return "setting sweep interval successful", nil
}

// CTGetSweepInterval implements dpctl/ct-get-sweep-interval [dp].
func (t *Tracker) CTGetSweepInterval(args []string) (string, error) {
	if err := t.noArgs(args); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d\n", t.sweepInterval.Load()), nil
}

// noArgs handles commands whose only argument is an optional datapath.
func (t *Tracker) noArgs(args []string) error {
	_, args, err := parseOpts(args)
	if err != nil {
		return err
	}
	_, err = openDP(args, 2)
	return err
}

// CTSetLimits implements dpctl/ct-set-limits [dp] [default=L] [zone=N,limit=L]...
func (t *Tracker) CTSetLimits(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if len(args) > 0 && args[0] == DatapathName {
		args = args[1:]
	}
	var def *uint32
	if len(args) > 0 && strings.HasPrefix(args[0], "default=") {
		v, ok := parseU32(args[0][8:])
		if !ok {
			return "", dpctlError("", "invalid default limit", errInval)
		}
		def = &v
		args = args[1:]
	}
	type zl struct {
		zone  uint16
		limit uint32
	}
	var zones []zl
	for _, a := range args {
		z, l, msg := parseZoneLimitTuple(a)
		if msg != "" {
			return "", dpctlError("", msg, errInval)
		}
		zones = append(zones, zl{z, l})
	}
	if def != nil {
		t.SetDefaultZoneLimit(*def)
	}
	for _, z := range zones {
		t.SetZoneLimit(z.zone, z.limit)
	}
	return "", nil
}

// parseZoneLimitTuple parses "zone=N,limit=L"; msg is OVS's error text.
func parseZoneLimitTuple(s string) (zone uint16, limit uint32, msg string) {
	var haveZone, haveLimit bool
	for _, kv := range splitKV(s) {
		if kv[1] == "" {
			return 0, 0, "field " + kv[0] + " missing value"
		}
		switch kv[0] {
		case "zone":
			v, ok := parseU16(kv[1])
			if !ok {
				return 0, 0, "failed to parse field zone"
			}
			zone, haveZone = v, true
		case "limit":
			v, ok := parseU32(kv[1])
			if !ok {
				return 0, 0, "failed to parse field limit"
			}
			limit, haveLimit = v, true
		default:
			return 0, 0, "invalid zone limit field: " + kv[0]
		}
	}
	if !haveZone || !haveLimit {
		return 0, 0, "failed to parse zone limit"
	}
	return zone, limit, ""
}

// splitKV splits "k=v,k2=v2" into pairs; a key without '=' has value "".
func splitKV(s string) [][2]string {
	var out [][2]string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, v, _ := strings.Cut(f, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}

// parseZoneList parses "zone=N1[,N2]...".
func parseZoneList(s string) ([]uint16, string) {
	if !strings.HasPrefix(s, "zone=") {
		return nil, "invalid argument " + s
	}
	var zones []uint16
	for _, f := range strings.FieldsFunc(s[5:], func(r rune) bool { return r == ',' }) {
		z, ok := parseU16(f)
		if !ok {
			return nil, "invalid zone"
		}
		zones = append(zones, z)
	}
	if len(zones) == 0 {
		return nil, "invalid zone"
	}
	return zones, ""
}

// CTDelLimits implements dpctl/ct-del-limits [dp] zone=N1[,N2]...
func (t *Tracker) CTDelLimits(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 3); err != nil {
		return "", err
	}
	if len(args) == 0 {
		return "", dpctlError("", "invalid argument ", errInval)
	}
	zones, msg := parseZoneList(args[0])
	if msg != "" {
		return "", dpctlError("", msg, errInval)
	}
	for _, z := range zones {
		t.DeleteZoneLimit(z)
	}
	return "", nil
}

// CTGetLimits implements dpctl/ct-get-limits [dp] [zone=N1[,N2]...].
func (t *Tracker) CTGetLimits(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	if args, err = openDP(args, 3); err != nil {
		return "", err
	}
	var zones []uint16
	if len(args) > 0 {
		var msg string
		if zones, msg = parseZoneList(args[0]); msg != "" {
			return "", dpctlError("", msg, errInval)
		}
	}
	t.limits.mu.RLock()
	def := t.limits.def
	if zones == nil {
		for z, zl := range t.limits.zones {
			if zl.explicit {
				zones = append(zones, z)
			}
		}
		sort.Slice(zones, func(i, j int) bool { return zones[i] < zones[j] })
	}
	t.limits.mu.RUnlock()
	var b strings.Builder
	fmt.Fprintf(&b, "default limit=%d", def)
	for _, z := range zones {
		l, n, _ := t.limits.get(z)
		fmt.Fprintf(&b, "\nzone=%d,limit=%d,count=%d", z, l, n)
	}
	b.WriteByte('\n')
	return b.String(), nil
}

// FlushConntrack implements dpctl/flush-conntrack [dp] [zone=N]
// [ct-orig-tuple] [ct-reply-tuple].
func (t *Tracker) FlushConntrack(args []string) (string, error) {
	_, args, err := parseOpts(args)
	if err != nil {
		return "", err
	}
	// A drop-in may accept the datapath name (3.1 did not; later OVS does).
	if len(args) > 0 && args[0] == DatapathName {
		args = args[1:]
	}
	var zone *uint16
	if len(args) > 0 && strings.HasPrefix(args[0], "zone=") {
		z, ok := parseU16(args[0][5:])
		if !ok {
			return "", dpctlError("", "failed to parse zone", errInval)
		}
		zone = &z
		args = args[1:]
	}
	var m FlushMatch
	// mark=X[/M] and labels=Y[/N] are later-OVS syntax, accepted here too.
	if len(args) > 0 && strings.HasPrefix(args[0], "mark=") {
		v, mask, ok := parseMasked(args[0][5:], 32)
		if !ok {
			return "", dpctlError("", "failed to parse mark", errInval)
		}
		m.Mark, m.MarkMask = uint32(v.Lo), uint32(mask.Lo)
		args = args[1:]
	}
	if len(args) > 0 && strings.HasPrefix(args[0], "labels=") {
		v, mask, ok := parseMasked(args[0][7:], 128)
		if !ok {
			return "", dpctlError("", "failed to parse labels", errInval)
		}
		m.Label, m.LabelMask = v, mask
		args = args[1:]
	}
	for i := 0; i < 2 && len(args) > 0; i++ {
		tup := &m.Orig
		if i == 1 {
			tup = &m.Reply
		}
		if args[0] != "" {
			if msg := parseCTTuple(args[0], tup, &m); msg != "" {
				return "", dpctlError("", msg, errInval)
			}
		}
		args = args[1:]
	}
	if len(args) > 0 {
		return "", dpctlError("", "invalid arguments", errInval)
	}
	if err := t.Flush(zone, &m); err != nil {
		return "", dpctlError("", "failed to flush conntrack", "No such file or directory")
	}
	return "", nil
}

// parseCTTuple parses one ct tuple argument; it returns OVS's error text.
func parseCTTuple(s string, tup *FlushTuple, m *FlushMatch) string {
	for _, kv := range splitKV(s) {
		key, val := kv[0], kv[1]
		if val == "" {
			return "field " + key + " missing value"
		}
		switch key {
		case "ct_nw_src", "ct_nw_dst", "ct_ipv6_src", "ct_ipv6_dst":
			v6 := strings.HasPrefix(key, "ct_ipv6")
			dst := strings.HasSuffix(key, "dst")
			addr := &tup.Src
			if dst {
				addr = &tup.Dst
			}
			if m.Family != 0 && (m.Family == 6) != v6 {
				return "the L3 protocol does not match " + val
			}
			if addr.IsValid() {
				return key + " is set multiple times"
			}
			a, err := netip.ParseAddr(val)
			if err != nil || a.Is4() == v6 {
				return "failed to parse field " + key
			}
			*addr = a
			if v6 {
				m.Family = 6
			} else {
				m.Family = 4
			}
		case "ct_nw_proto":
			v, err := strconv.ParseUint(val, 0, 8)
			if err != nil {
				return "failed to parse field " + key
			}
			m.Proto = uint8(v)
		case "ct_tp_src", "ct_tp_dst":
			v, err := strconv.ParseUint(val, 0, 16)
			if err != nil {
				return "failed to parse field " + key
			}
			if key == "ct_tp_src" {
				tup.SrcPort = uint16(v)
			} else {
				tup.DstPort = uint16(v)
			}
		case "icmp_type", "icmp_code", "icmp_id":
			if m.Proto != ProtoICMP && m.Proto != ProtoICMPv6 {
				return "invalid L4 fields"
			}
			bitsz := 8
			if key == "icmp_id" {
				bitsz = 16
			}
			v, err := strconv.ParseUint(val, 0, bitsz)
			if err != nil {
				return "failed to parse field " + key
			}
			switch key {
			case "icmp_type":
				tup.ICMPType = uint8(v)
			case "icmp_code":
				tup.ICMPCode = uint8(v)
			default:
				tup.ICMPID = uint16(v)
			}
		default:
			return "invalid conntrack tuple field: " + key
		}
	}
	if m.Proto == 0 && (tup.SrcPort != 0 || tup.DstPort != 0) {
		return "port is set without protocol"
	}
	return ""
}

// parseMasked parses "value[/mask]" (decimal or 0x-hex, up to width bits);
// a missing mask means all ones.
func parseMasked(s string, width int) (v, mask Label, ok bool) {
	vs, ms, hasMask := strings.Cut(s, "/")
	if v, ok = parseWide(vs, width); !ok {
		return v, mask, false
	}
	if !hasMask {
		mask = Label{Hi: ^uint64(0), Lo: ^uint64(0)}
		if width <= 64 {
			mask = Label{Lo: ^uint64(0) >> (64 - width)}
		}
		return v, mask, true
	}
	mask, ok = parseWide(ms, width)
	return v, mask, ok
}

// parseWide parses an unsigned integer of up to width (<= 128) bits.
func parseWide(s string, width int) (Label, bool) {
	if hex, ok := strings.CutPrefix(s, "0x"); ok && width > 64 {
		if hex == "" || len(hex) > width/4 {
			return Label{}, false
		}
		var l Label
		for _, r := range hex {
			d, err := strconv.ParseUint(string(r), 16, 8)
			if err != nil {
				return Label{}, false
			}
			l.Hi = l.Hi<<4 | l.Lo>>60
			l.Lo = l.Lo<<4 | d
		}
		return l, true
	}
	v, err := strconv.ParseUint(s, 0, min(width, 64))
	return Label{Lo: v}, err == nil
}
