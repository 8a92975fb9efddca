package bridge

import "maps"

// setDatapathConfig passes the Open_vSwitch other_config keys the
// userspace datapath follows (pmd-cpu-mask, pmd-maxsleep,
// emc-insert-inv-prob) to every open datapath, and keeps them for datapaths
// created later, which get them before their first port.
func (r *reconciler) setDatapathConfig(oc map[string]string) {
	r.dpConfig = maps.Clone(oc)
	for _, ds := range r.datapaths {
		ds.dp.SetOtherConfig(r.dpConfig)
		ds.dp.SetFlowLimit(flowLimitOf(r.dpConfig))
	}
}
