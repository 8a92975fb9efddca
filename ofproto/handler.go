package ofproto

import (
	"fmt"
	"sync/atomic"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
	"github.com/govswitchd/govswitchd/vlog"
)

var connLog = vlog.New("connmgr")

// internalErrors counts requests whose handler failed unexpectedly.
var internalErrors atomic.Int64

// request is one received message with what the table decoder learned.
type request struct {
	ofp.MsgHeader
	msg []byte // exactly Length bytes
}

// body is the message-specific part after any vendor/stats header.
func (r *request) body() []byte { return r.msg[r.BodyOffset:] }

// handlerFunc processes one request; a returned ofperr.Code is sent back
// as an OpenFlow error carrying the request.
type handlerFunc func(c *conn, r *request) error

// handlers is the dispatch table, keyed by message layout.
var handlers map[ofp.Raw]handlerFunc

// modifiesState lists the requests a secondary controller may not send.
var modifiesState = map[ofp.Raw]bool{
	ofp.RawOFPT10FlowMod: true, ofp.RawOFPT11FlowMod: true, ofp.RawNXTFlowMod: true,
	ofp.RawNXTGroupMod: true, ofp.RawOFPT11GroupMod: true, ofp.RawOFPT15GroupMod: true,
	ofp.RawOFPT10PacketOut: true, ofp.RawOFPT11PacketOut: true, ofp.RawOFPT15PacketOut: true,
	ofp.RawOFPT10PortMod: true, ofp.RawOFPT11PortMod: true, ofp.RawOFPT14PortMod: true,
	ofp.RawOFPT11TableMod: true, ofp.RawOFPT14TableMod: true, ofp.RawOFPT13MeterMod: true,
	ofp.RawOFPT14BundleControl: true, ofp.RawONFT13BundleControl: true, ofp.RawNXTTlvTableMod: true,
	ofp.RawOFPT14BundleAddMessage: true, ofp.RawONFT13BundleAddMessage: true,
}

func init() {
	handlers = map[ofp.Raw]handlerFunc{
		ofp.RawOFPTHello:                   ignore,
		ofp.RawOFPTError:                   ignore,
		ofp.RawOFPTEchoReply:               ignore,
		ofp.RawOFPTEchoRequest:             handleEcho,
		ofp.RawOFPTFeaturesRequest:         handleFeatures,
		ofp.RawOFPTGetConfigRequest:        handleGetConfig,
		ofp.RawOFPTSetConfig:               handleSetConfig,
		ofp.RawOFPT10BarrierRequest:        handleBarrier,
		ofp.RawOFPT11BarrierRequest:        handleBarrier,
		ofp.RawNXTSetFlowFormat:            handleSetFlowFormat,
		ofp.RawNXTFlowModTableID:           handleFlowModTableID,
		ofp.RawNXTSetPacketInFormat:        handleSetPacketInFormat,
		ofp.RawOFPT12RoleRequest:           handleRoleRequest,
		ofp.RawNXTRoleRequest:              handleRoleRequest,
		ofp.RawOFPT13GetAsyncRequest:       handleGetAsync,
		ofp.RawOFPT14GetAsyncRequest:       handleGetAsync,
		ofp.RawOFPT13SetAsync:              handleSetAsync,
		ofp.RawOFPT14SetAsync:              handleSetAsync,
		ofp.RawNXTSetAsyncConfig:           handleSetAsync,
		ofp.RawNXTSetAsyncConfig2:          handleSetAsync,
		ofp.RawOFPT10FlowMod:               handleFlowMod,
		ofp.RawOFPT11FlowMod:               handleFlowMod,
		ofp.RawNXTFlowMod:                  handleFlowMod,
		ofp.RawNXTGroupMod:                 handleGroupMod,
		ofp.RawOFPT11GroupMod:              handleGroupMod,
		ofp.RawOFPT15GroupMod:              handleGroupMod,
		ofp.RawOFPSTDescRequest:            handleDescStats,
		ofp.RawOFPST10FlowRequest:          handleFlowStats,
		ofp.RawOFPST11FlowRequest:          handleFlowStats,
		ofp.RawNXSTFlowRequest:             handleFlowStats,
		ofp.RawOFPST10AggregateRequest:     handleAggregateStats,
		ofp.RawOFPST11AggregateRequest:     handleAggregateStats,
		ofp.RawOFPST15AggregateRequest:     handleAggregateStats,
		ofp.RawNXSTAggregateRequest:        handleAggregateStats,
		ofp.RawOFPSTTableRequest:           handleTableStats,
		ofp.RawOFPST13TableFeaturesRequest: handleTableFeaturesRequest,
		ofp.RawOFPST14TableDescRequest:     handleTableDesc,
		ofp.RawOFPT11TableMod:              handleTableMod,
		ofp.RawOFPT14TableMod:              handleTableMod,
		ofp.RawNXSTIpfixBridgeRequest:      handleIPFIXStats,
		ofp.RawNXSTIpfixFlowRequest:        handleIPFIXStats,
		ofp.RawOFPST10PortRequest:          handlePortStats,
		ofp.RawOFPST11PortRequest:          handlePortStats,
		ofp.RawOFPST10PortDescRequest:      handlePortDesc,
		ofp.RawOFPST15PortDescRequest:      handlePortDesc,
		ofp.RawOFPST10QueueRequest:         handleQueueStats,
		ofp.RawOFPST11QueueRequest:         handleQueueStats,
		ofp.RawNXSTGroupRequest:            handleGroupStats,
		ofp.RawOFPST11GroupRequest:         handleGroupStats,
		ofp.RawNXSTGroupDescRequest:        handleGroupDesc,
		ofp.RawOFPST11GroupDescRequest:     handleGroupDesc,
		ofp.RawOFPST15GroupDescRequest:     handleGroupDesc,
		ofp.RawNXSTGroupFeaturesRequest:    handleGroupFeatures,
		ofp.RawOFPT13MeterMod:              handleMeterMod,
		ofp.RawOFPT10PortMod:               handlePortMod,
		ofp.RawOFPT11PortMod:               handlePortMod,
		ofp.RawOFPT14PortMod:               handlePortMod,
		ofp.RawOFPST13MeterRequest:         handleMeterStats,
		ofp.RawOFPST13MeterConfigRequest:   handleMeterConfig,
		ofp.RawOFPST13MeterFeaturesRequest: handleMeterFeatures,
		ofp.RawOFPT14BundleControl:         handleBundleControl,
		ofp.RawONFT13BundleControl:         handleBundleControl,
		ofp.RawOFPT14BundleAddMessage:      handleBundleAdd,
		ofp.RawONFT13BundleAddMessage:      handleBundleAdd,
		ofp.RawOFPT10QueueGetConfigRequest: handleQueueGetConfig,
		ofp.RawOFPT11QueueGetConfigRequest: handleQueueGetConfig,
		ofp.RawOFPST14QueueDescRequest:     handleQueueDesc,
		ofp.RawNXTTlvTableRequest:          handleTLVTableRequest,
		ofp.RawNXTTlvTableMod:              handleTLVTableMod,
		ofp.RawNXTCtFlushZone:              handleCTFlushZone,
		ofp.RawNXTCtFlush:                  handleCTFlush,
		ofp.RawOFPT10PacketOut:             handlePacketOut,
		ofp.RawOFPT11PacketOut:             handlePacketOut,
		ofp.RawOFPT15PacketOut:             handlePacketOut,
		ofp.RawNXTResume:                   handleResume,
		ofp.RawNXSTFlowMonitorRequest:      handleFlowMonitor,
		ofp.RawOFPST14FlowMonitorRequest:   handleFlowMonitor,
		ofp.RawONFST13FlowMonitorRequest:   handleFlowMonitor,
		ofp.RawNXTFlowMonitorCancel:        handleFlowMonitorCancel,
		ofp.RawONFT13FlowMonitorCancel:     handleFlowMonitorCancel,
		ofp.RawNXTSetControllerID:          handleSetControllerID,
		ofp.RawOFPST12GroupFeaturesRequest: handleGroupFeatures,
	}
}

func ignore(*conn, *request) error { return nil }

// handle processes one message from the peer. Errors go back to the peer;
// the connection stays up.
func (c *conn) handle(msg []byte) {
	// A bug in one handler must not take the switch down: log it and
	// answer like OVS does for an internal failure.
	defer func() {
		if p := recover(); p != nil {
			internalErrors.Add(1)
			connLog.Err("%s: internal error handling % x: %v", c.b.name, msg[:min(len(msg), 64)], p)
			c.sendError(ofperr.OFPBRC_EPERM, msg)
		}
	}()
	mh, err := ofp.DecodeRaw(msg)
	if err != nil {
		c.sendError(err, msg)
		return
	}
	r := &request{MsgHeader: mh, msg: msg[:mh.Length]}
	version := c.negotiatedVersion()
	if mh.Version != version && mh.Raw != ofp.RawOFPTHello && mh.Raw != ofp.RawOFPTError &&
		mh.Raw != ofp.RawOFPTEchoRequest && mh.Raw != ofp.RawOFPTEchoReply {
		c.sendError(ofperr.OFPBRC_BAD_VERSION, msg)
		return
	}
	h := handlers[mh.Raw]
	if h == nil {
		if isStatsRequest(msg) {
			c.sendError(ofperr.OFPBRC_BAD_STAT, msg)
		} else {
			c.sendError(ofperr.OFPBRC_BAD_TYPE, msg)
		}
		return
	}
	if modifiesState[mh.Raw] {
		c.mu.Lock()
		secondary := c.role == roleSecondary
		c.mu.Unlock()
		if secondary {
			c.sendError(ofperr.OFPBRC_IS_SECONDARY, msg)
			return
		}
	}
	if err := h(c, r); err != nil {
		c.sendError(err, msg)
	}
}

// isStatsRequest reports whether msg is a stats/multipart request.
func isStatsRequest(msg []byte) bool {
	if msg[0] == ofp.Version10 {
		return msg[1] == 16
	}
	return msg[1] == 18
}

// reply starts a reply of type raw to r (same version and xid).
func reply(raw ofp.Raw, r *request) []byte {
	b, err := ofp.AppendRawHeader(nil, raw, r.Version, r.Xid, 0)
	if err != nil {
		// Every handler pairs its request with a reply valid in the
		// request's version; handle recovers if one does not.
		panic(fmt.Sprintf("no %s in version %#x", raw.Name(), r.Version))
	}
	return b
}

// flowCodecVersion rejects OpenFlow 1.1, whose standard match and
// actions the codec (ofp) does not implement; 1.0 and 1.2+ are served.
func flowCodecVersion(r *request) error {
	if r.Version == ofp.Version11 {
		return ofperr.OFPBRC_BAD_VERSION
	}
	return nil
}

// finish sets the length of a single message built with reply.
func finish(b []byte) []byte { return ofp.FinishMessage(b, 0) }

// rawFor picks the layout of a reply for r's version.
func rawFor(r *request, candidates ...ofp.Raw) (ofp.Raw, error) {
	raw, ok := ofp.RawFor(r.Version, candidates...)
	if !ok {
		return 0, ofperr.OFPBRC_BAD_VERSION
	}
	return raw, nil
}
