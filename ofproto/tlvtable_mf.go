package ofproto

import "github.com/govswitchd/govswitchd/ofp/mf"

// setTunMetadataMap tells the match field table what tun_metadata0..63
// are mapped to, so flows can match and set them (their width is the
// option length). The table is process-wide: the last bridge to change
// its map sets it.
func setTunMetadataMap(t *tlvTable) error {
	var lens [mf.NumTunMetadata]uint8
	for i, m := range t {
		if m != nil {
			lens[i] = m.len
		}
	}
	return mf.SetTunMetadataMap(lens)
}
