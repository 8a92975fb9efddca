// Dispatch to the codecs of the MPLS, NSH and tunnel metadata actions,
// which live in their own files (mpls.go, nsh.go, tunmeta.go).

package ofactions

// decodeExtVendor decodes the Nicira actions of those files; ok false
// means "not one of them".
func decodeExtVendor(sub uint16, a []byte, version uint8, depth int) (Action, bool, error) {
	if act, ok, err := decodeMPLSVendor(sub, a); ok {
		return act, true, err
	}
	if act, ok, err := decodeTunVendor(sub, a); ok {
		return act, true, err
	}
	return decodeNSHVendor(sub, a, version)
}

// decodeExtStd decodes the standard actions of those files.
func decodeExtStd(typ uint16, a []byte, version uint8) (Action, bool, error) {
	return decodeMPLSStd(typ, a, version)
}

// appendExt encodes the actions of those files; ok false means "not one
// of them".
func appendExt(b []byte, a Action, version uint8) ([]byte, bool, error) {
	if b, ok, err := appendMPLS(b, a, version); ok {
		return b, true, err
	}
	if b, ok, err := appendTun(b, a, version); ok {
		return b, true, err
	}
	return appendNSH(b, a, version)
}

// parseExt parses the actions of those files; ok false means "not one of
// them".
func parseExt(name, arg string, depth int) (Action, bool, error) {
	if a, ok, err := parseMPLS(name, arg); ok {
		return a, true, err
	}
	if a, ok, err := parseTun(name, arg); ok {
		return a, true, err
	}
	return parseNSH(name, arg)
}
