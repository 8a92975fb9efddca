package conntrack

// The TFTP ALG: a hook for UDP connections committed with ct(alg=tftp). A
// read or write request makes the server answer from a new port, so every
// request expects a connection from the server, any port, to the client's
// port as the server sees it. Nothing is rewritten.

// RegisterTFTP registers the TFTP ALG hook ("tftp", helper tftp, UDP) at
// prio. New does this at PriorityNormal unless Config.NoDefaultHelpers is
// set.
func (t *Tracker) RegisterTFTP(prio int) error {
	return t.RegisterHook(Hook{Name: "tftp", Priority: prio, Helper: "tftp", Protocol: ProtoUDP,
		Update: tftpUpdate, Commit: tftpExpect})
}

func tftpUpdate(u *Update) bool {
	if u.Default() || u.Packet.MD.State&StateInvalid != 0 {
		return true
	}
	tftpExpect(u)
	return true
}

// tftpExpect handles a request (original direction): the server's reply
// comes from a new port to the client's port after NAT.
func tftpExpect(u *Update) {
	if u.Reply || u.ctx.icmpRelated || u.Conn.parentKey() != nil {
		return
	}
	u.Expect(u.Conn.rev.Dst.Port)
}
