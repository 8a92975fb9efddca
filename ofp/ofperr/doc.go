// Package ofperr is the table of OpenFlow errors Open vSwitch can send or
// receive: one Code per error, with its name as ovs-ofctl prints it and its
// (type, code) or experimenter encoding in each OpenFlow version. It imports
// nothing from this module, so every codec package can return its errors.
package ofperr
