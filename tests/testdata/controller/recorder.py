# An os-ken application for tests/controller_test.go. It speaks OpenFlow 1.3
# and 1.5 (the switch's protocols column decides), installs a small
# pipeline when the switch connects and writes what it receives, one line
# per message, in a deterministic text form, to the file named by
# $CONTROLLER_LOG. The test drives traffic and reads the transcript.
#
# Pipeline:
#   table 0, priority 0:        table-miss -> CONTROLLER (no buffer)
#   table 0, priority 100, UDP to port 5000 -> goto table 1
#   table 1, priority 10, UDP, cookie 0xc0ffee -> CONTROLLER, max_len 128
# On a table-miss packet-in of the test's frame (ethertype 0x88b5) it sends
# the frame back out of port 2 with a packet-out, then adds a flow with a
# one-second hard timeout that asks for flow-removed, and a barrier.
import binascii
import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import (CONFIG_DISPATCHER, DEAD_DISPATCHER,
                                       MAIN_DISPATCHER, set_ev_cls)
from os_ken.ofproto import ofproto_v1_3, ofproto_v1_5

# The frames the test injects; anything else the kernel might send into the
# bridge is left out of the transcript.
TEST_ETH_TYPES = (0x0800, 0x88b5)


def fmt_match(match):
    return ",".join("%s=%s" % (k, fmt_value(v)) for k, v in sorted(match.items())) or "any"


def fmt_value(v):
    if isinstance(v, tuple):
        return "/".join(fmt_value(x) for x in v)
    if isinstance(v, int):
        return "0x%x" % v if v > 9 else str(v)
    return str(v)


def reason_name(ofp, prefix, value):
    for name in dir(ofp):
        if name.startswith(prefix) and getattr(ofp, name) == value:
            return name[len(prefix):]
    return str(value)


class Recorder(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION, ofproto_v1_5.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super(Recorder, self).__init__(*args, **kwargs)
        self.out = open(os.environ["CONTROLLER_LOG"], "a", buffering=1)
        self.barriers = {}

    def log(self, text):
        self.out.write(text + "\n")

    def barrier(self, dp, label):
        req = dp.ofproto_parser.OFPBarrierRequest(dp)
        dp.set_xid(req)
        self.barriers[req.xid] = label
        dp.send_msg(req)

    def add_flow(self, dp, table, priority, match, inst, **kw):
        parser = dp.ofproto_parser
        dp.send_msg(parser.OFPFlowMod(dp, table_id=table, priority=priority,
                                      match=match, instructions=inst, **kw))

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        self.log("connected version=0x%02x" % msg.version)
        self.log("features datapath_id=0x%016x n_buffers=%d n_tables=%d auxiliary_id=%d capabilities=0x%x" %
                 (msg.datapath_id, msg.n_buffers, msg.n_tables, msg.auxiliary_id, msg.capabilities))

        apply = ofp.OFPIT_APPLY_ACTIONS
        self.add_flow(dp, 0, 0, parser.OFPMatch(), [parser.OFPInstructionActions(
            apply, [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)])])
        self.add_flow(dp, 0, 100, parser.OFPMatch(eth_type=0x0800, ip_proto=17, udp_dst=5000),
                      [parser.OFPInstructionGotoTable(1)])
        self.add_flow(dp, 1, 10, parser.OFPMatch(eth_type=0x0800, ip_proto=17), [parser.OFPInstructionActions(
            apply, [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, 128)])], cookie=0xc0ffee)
        dp.send_msg(parser.OFPPortDescStatsRequest(dp, 0))
        self.barrier(dp, "setup")

    @set_ev_cls(ofp_event.EventOFPPortDescStatsReply, MAIN_DISPATCHER)
    def port_desc(self, ev):
        for p in sorted(ev.msg.body, key=lambda p: p.port_no):
            self.log("port-desc " + self.fmt_port(ev.msg.datapath.ofproto, p))

    def fmt_port(self, ofp, p):
        s = "port_no=%s name=%s hw_addr=%s config=0x%x state=0x%x" % (
            fmt_value(p.port_no), p.name.decode() if isinstance(p.name, bytes) else p.name,
            p.hw_addr, p.config, p.state)
        if hasattr(p, "curr"):
            s += " curr=0x%x advertised=0x%x supported=0x%x peer=0x%x curr_speed=%d max_speed=%d" % (
                p.curr, p.advertised, p.supported, p.peer, p.curr_speed, p.max_speed)
        for prop in getattr(p, "properties", []) or []:
            if prop.type == ofp.OFPPDPT_ETHERNET:
                s += " ethernet(curr=0x%x advertised=0x%x supported=0x%x peer=0x%x curr_speed=%d max_speed=%d)" % (
                    prop.curr, prop.advertised, prop.supported, prop.peer, prop.curr_speed, prop.max_speed)
            else:
                s += " prop(type=%d)" % prop.type
        return s

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def barrier_reply(self, ev):
        self.log("barrier-reply %s" % self.barriers.pop(ev.msg.xid, "unexpected xid"))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        data = msg.data
        eth_type = int.from_bytes(data[12:14], "big") if len(data) >= 14 else None
        if eth_type not in TEST_ETH_TYPES:
            return
        self.log("packet-in buffer_id=0x%x total_len=%d reason=%s table_id=%d cookie=0x%x match=%s data_len=%d data=%s" % (
            msg.buffer_id, msg.total_len, reason_name(ofp, "OFPR_", msg.reason), msg.table_id, msg.cookie,
            fmt_match(msg.match), len(data), binascii.hexlify(data).decode()))
        if eth_type != 0x88b5:
            return
        actions = [parser.OFPActionOutput(2)]
        if msg.version == ofproto_v1_5.OFP_VERSION:
            out = parser.OFPPacketOut(dp, ofp.OFP_NO_BUFFER, parser.OFPMatch(in_port=ofp.OFPP_CONTROLLER),
                                      actions, data)
        else:
            out = parser.OFPPacketOut(dp, ofp.OFP_NO_BUFFER, ofp.OFPP_CONTROLLER, actions, data)
        dp.send_msg(out)
        self.add_flow(dp, 0, 300, parser.OFPMatch(eth_type=0x88b6), [], cookie=0xdead,
                      hard_timeout=1, flags=ofp.OFPFF_SEND_FLOW_REM)
        self.barrier(dp, "packet-out")

    @set_ev_cls(ofp_event.EventOFPFlowRemoved, MAIN_DISPATCHER)
    def flow_removed(self, ev):
        msg = ev.msg
        ofp = msg.datapath.ofproto
        s = "flow-removed reason=%s table_id=%d priority=%d idle_timeout=%d hard_timeout=%d cookie=0x%x match=%s" % (
            reason_name(ofp, "OFPRR_", msg.reason), msg.table_id, msg.priority, msg.idle_timeout,
            msg.hard_timeout, msg.cookie, fmt_match(msg.match))
        if getattr(msg, "stats", None) is not None:
            # Durations and idle times depend on the clock.
            s += " stats=" + fmt_match({k: v for k, v in msg.stats.items() if k not in ("duration", "idle_time")})
        else:
            s += " packet_count=%d byte_count=%d" % (msg.packet_count, msg.byte_count)
        self.log(s)

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def port_status(self, ev):
        msg = ev.msg
        ofp = msg.datapath.ofproto
        self.log("port-status reason=%s %s" % (reason_name(ofp, "OFPPR_", msg.reason), self.fmt_port(ofp, msg.desc)))

    @set_ev_cls(ofp_event.EventOFPErrorMsg, [CONFIG_DISPATCHER, MAIN_DISPATCHER])
    def error(self, ev):
        msg = ev.msg
        self.log("error type=%d code=%d" % (msg.type, msg.code))

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def dead(self, ev):
        self.log("disconnected")
