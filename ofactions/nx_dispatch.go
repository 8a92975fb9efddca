// Dispatch of the Nicira actions in the nx_*.go files: one entry point
// each for decoding, encoding and text parsing, called from the generic
// codecs.

package ofactions

import (
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// decodeNX decodes the Nicira actions of the nx_*.go files; ok false
// means "not one of them".
func decodeNX(sub uint16, a []byte, version uint8, depth int) (Action, bool, error) {
	var act Action
	var err error
	switch sub {
	case nxastMultipath:
		act, err = decodeMultipath(a)
	case nxastBundle, nxastBundleLoad:
		act, err = decodeBundle(a, sub == nxastBundleLoad)
	case nxastClone:
		act, err = decodeClone(a, version, depth)
	case nxastStackPush, nxastStackPop:
		act, err = decodeStack(a, sub == nxastStackPush)
	case nxastSample, nxastSample2, nxastSample3:
		act, err = decodeSample(sub, a)
	case nxastCheckPktLarger:
		act, err = decodeCheckPktLarger(a)
	case nxastOutputTrunc:
		act, err = decodeOutputTrunc(a)
	case nxastController2:
		act, err = decodeController2(a)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return act, true, nil
}

// appendNX encodes the actions of the nx_*.go files (the same Nicira
// form in every OpenFlow version); ok false means "not one of them".
func appendNX(b []byte, a Action, version uint8) ([]byte, bool, error) {
	switch a := a.(type) {
	case *Multipath:
		return appendMultipath(b, a), true, nil
	case *Bundle:
		return appendBundle(b, a), true, nil
	case *Clone:
		b, err := appendClone(b, a, version)
		return b, true, err
	case *StackPush:
		return appendStack(b, nxastStackPush, a.Src), true, nil
	case *StackPop:
		return appendStack(b, nxastStackPop, a.Dst), true, nil
	case *Sample:
		return appendSample(b, a), true, nil
	case *CheckPktLarger:
		return appendCheckPktLarger(b, a), true, nil
	case *OutputTrunc:
		return appendOutputTrunc(b, a), true, nil
	}
	return b, false, nil
}

// parseNX parses the actions of the nx_*.go files from text; item is the
// whole action text (check_pkt_larger's destination follows its
// parenthesis). ok false means "not one of them".
func parseNX(name, arg, item string, depth int) (Action, bool, error) {
	var a Action
	var err error
	switch name {
	case "multipath":
		a, err = parseMultipath(arg)
	case "bundle", "bundle_load":
		a, err = parseBundle(arg, name == "bundle_load")
	case "clone":
		a, err = parseClone(arg, depth)
	case "push", "pop":
		a, err = parseStack(arg, name == "push")
	case "sample":
		a, err = parseSample(arg)
	case "check_pkt_larger":
		a, err = parseCheckPktLarger(item)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return a, true, nil
}

// checkNX validates the actions of the nx_*.go files against the flow's
// match, as OVS's ofpacts_check: subfields need their prerequisites
// (check_pkt_larger's destination is not checked, as in OVS), and clone's
// nested actions are checked like the outer ones.
func checkNX(a Action, m *mf.Match, check func(List) error) error {
	var sfs []Subfield
	switch a := a.(type) {
	case *Clone:
		return check(a.Actions)
	case *Multipath:
		sfs = append(sfs, a.Dst)
	case *Bundle:
		if a.Dst.Field != nil {
			sfs = append(sfs, a.Dst)
		}
	case *StackPush:
		sfs = append(sfs, a.Src)
	case *StackPop:
		sfs = append(sfs, a.Dst)
	}
	for _, sf := range sfs {
		if sf.Field != nil && !m.PrereqsOK(sf.Field) {
			return ofperr.OFPBAC_MATCH_INCONSISTENT
		}
	}
	return nil
}
