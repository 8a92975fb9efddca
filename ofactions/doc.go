// Package ofactions is the single internal representation of OpenFlow
// actions: decoded from and encoded to every OpenFlow version and the Nicira
// extensions, parsed from and printed as ovs-ofctl text. It imports nothing
// from this module.
package ofactions
