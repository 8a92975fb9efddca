package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// ctExecMove is move:SRC->ct_mark/ct_label inside ct(exec(...)): the
// source bits, read from the flow now, become a masked write of the
// destination bits, like a load of their current value.
func (x *xlate) ctExecMove(ca *dpif.CTAction, m *ofactions.Move) {
	if m.Src.Field == nil || m.Dst.Field == nil {
		return
	}
	markField(&x.wc, m.Src.Field.ID)
	src := fieldBytes(&x.flow, m.Src.Field.ID)
	s := &ofactions.SetField{Field: m.Dst.Field}
	n := m.Dst.Field.Bytes
	for i := 0; i < m.Src.NBits && i < m.Dst.NBits; i++ {
		setBit(s.Mask[:n], m.Dst.Ofs+i, 1)
		setBit(s.Value[:n], m.Dst.Ofs+i, bitOf(src[:m.Src.Field.Bytes], m.Src.Ofs+i))
	}
	if s.Mask == (mf.ValueMask{}) {
		return
	}
	x.ctExec(ca, s)
}
