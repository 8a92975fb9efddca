// Code generated from the message documentation of Open vSwitch 3.1
// (include/openvswitch/ofp-msgs.h): names and numbers only. DO NOT EDIT.

package ofp

const (
	_ Raw = iota
	RawOFPTHello
	RawOFPTError
	RawOFPTEchoRequest
	RawOFPTEchoReply
	RawOFPTFeaturesRequest
	RawOFPT10FeaturesReply
	RawOFPT11FeaturesReply
	RawOFPT13FeaturesReply
	RawOFPTGetConfigRequest
	RawOFPTGetConfigReply
	RawOFPTSetConfig
	RawOFPT10PacketIn
	RawOFPT11PacketIn
	RawOFPT12PacketIn
	RawOFPT13PacketIn
	RawNXTPacketIn
	RawNXTPacketIn2
	RawOFPT10FlowRemoved
	RawOFPT11FlowRemoved
	RawOFPT15FlowRemoved
	RawNXTFlowRemoved
	RawOFPT10PortStatus
	RawOFPT11PortStatus
	RawOFPT14PortStatus
	RawOFPT10PacketOut
	RawOFPT11PacketOut
	RawOFPT15PacketOut
	RawOFPT10FlowMod
	RawOFPT11FlowMod
	RawNXTFlowMod
	RawNXTGroupMod
	RawOFPT11GroupMod
	RawOFPT15GroupMod
	RawOFPT10PortMod
	RawOFPT11PortMod
	RawOFPT14PortMod
	RawOFPT11TableMod
	RawOFPT14TableMod
	RawOFPT10BarrierRequest
	RawOFPT11BarrierRequest
	RawOFPT10BarrierReply
	RawOFPT11BarrierReply
	RawOFPT10QueueGetConfigRequest
	RawOFPT11QueueGetConfigRequest
	RawOFPT10QueueGetConfigReply
	RawOFPT11QueueGetConfigReply
	RawOFPT12RoleRequest
	RawNXTRoleRequest
	RawOFPT12RoleReply
	RawNXTRoleReply
	RawOFPT13GetAsyncRequest
	RawOFPT14GetAsyncRequest
	RawOFPT13GetAsyncReply
	RawOFPT14GetAsyncReply
	RawOFPT13SetAsync
	RawNXTSetAsyncConfig
	RawNXTSetAsyncConfig2
	RawOFPT14SetAsync
	RawOFPT13MeterMod
	RawONFT13RoleStatus
	RawOFPT14RoleStatus
	RawOFPT14TableStatus
	RawNXTRequestforward
	RawONFT13Requestforward
	RawOFPT14Requestforward
	RawOFPT14BundleControl
	RawONFT13BundleControl
	RawOFPT14BundleAddMessage
	RawONFT13BundleAddMessage
	RawOFPSTDescRequest
	RawOFPSTDescReply
	RawOFPST10FlowRequest
	RawOFPST11FlowRequest
	RawNXSTFlowRequest
	RawOFPST10FlowReply
	RawOFPST11FlowReply
	RawOFPST13FlowReply
	RawOFPST15FlowReply
	RawNXSTFlowReply
	RawOFPST10AggregateRequest
	RawOFPST11AggregateRequest
	RawOFPST15AggregateRequest
	RawNXSTAggregateRequest
	RawOFPSTAggregateReply
	RawOFPST15AggregateReply
	RawNXSTAggregateReply
	RawOFPSTTableRequest
	RawOFPST10TableReply
	RawOFPST11TableReply
	RawOFPST12TableReply
	RawOFPST13TableReply
	RawOFPST10PortRequest
	RawOFPST11PortRequest
	RawOFPST10PortReply
	RawOFPST11PortReply
	RawOFPST13PortReply
	RawOFPST14PortReply
	RawOFPST10QueueRequest
	RawOFPST11QueueRequest
	RawOFPST10QueueReply
	RawOFPST11QueueReply
	RawOFPST13QueueReply
	RawOFPST14QueueReply
	RawNXSTGroupRequest
	RawOFPST11GroupRequest
	RawNXSTGroupReply
	RawOFPST11GroupReply
	RawOFPST13GroupReply
	RawNXSTGroupDescRequest
	RawOFPST11GroupDescRequest
	RawOFPST15GroupDescRequest
	RawNXSTGroupDescReply
	RawOFPST11GroupDescReply
	RawNXSTGroupFeaturesRequest
	RawOFPST12GroupFeaturesRequest
	RawNXSTGroupFeaturesReply
	RawOFPST12GroupFeaturesReply
	RawOFPST13MeterRequest
	RawOFPST13MeterReply
	RawOFPST13MeterConfigRequest
	RawOFPST13MeterConfigReply
	RawOFPST13MeterFeaturesRequest
	RawOFPST13MeterFeaturesReply
	RawOFPST13TableFeaturesRequest
	RawOFPST13TableFeaturesReply
	RawOFPST14TableDescRequest
	RawOFPST14TableDescReply
	RawOFPST10PortDescRequest
	RawOFPST15PortDescRequest
	RawOFPST10PortDescReply
	RawOFPST11PortDescReply
	RawOFPST14PortDescReply
	RawOFPST14QueueDescRequest
	RawOFPST14QueueDescReply
	RawOFPST14FlowMonitorRequest
	RawONFST13FlowMonitorRequest
	RawNXSTFlowMonitorRequest
	RawOFPST14FlowMonitorReply
	RawONFST13FlowMonitorReply
	RawNXSTFlowMonitorReply
	RawONFT13FlowMonitorCancel
	RawNXTFlowMonitorCancel
	RawONFT13FlowMonitorPaused
	RawNXTFlowMonitorPaused
	RawONFT13FlowMonitorResumed
	RawNXTFlowMonitorResumed
	RawNXTSetFlowFormat
	RawNXTFlowModTableID
	RawNXTSetPacketInFormat
	RawNXTFlowAge
	RawNXTSetControllerID
	RawNXTTlvTableMod
	RawNXTTlvTableRequest
	RawNXTTlvTableReply
	RawNXTResume
	RawNXTCtFlushZone
	RawNXTCtFlush
	RawNXSTIpfixBridgeRequest
	RawNXSTIpfixBridgeReply
	RawNXSTIpfixFlowRequest
	RawNXSTIpfixFlowReply
	numRaws
)

var rawTable = []rawInfo{
	{RawOFPTHello, "OFPT_HELLO", 1, 7, kindOFPT, 0, false},
	{RawOFPTError, "OFPT_ERROR", 1, 7, kindOFPT, 1, false},
	{RawOFPTEchoRequest, "OFPT_ECHO_REQUEST", 1, 7, kindOFPT, 2, false},
	{RawOFPTEchoReply, "OFPT_ECHO_REPLY", 1, 7, kindOFPT, 3, false},
	{RawOFPTFeaturesRequest, "OFPT_FEATURES_REQUEST", 1, 7, kindOFPT, 5, false},
	{RawOFPT10FeaturesReply, "OFPT_FEATURES_REPLY", 1, 1, kindOFPT, 6, false},
	{RawOFPT11FeaturesReply, "OFPT_FEATURES_REPLY", 2, 3, kindOFPT, 6, false},
	{RawOFPT13FeaturesReply, "OFPT_FEATURES_REPLY", 4, 7, kindOFPT, 6, false},
	{RawOFPTGetConfigRequest, "OFPT_GET_CONFIG_REQUEST", 1, 7, kindOFPT, 7, false},
	{RawOFPTGetConfigReply, "OFPT_GET_CONFIG_REPLY", 1, 7, kindOFPT, 8, false},
	{RawOFPTSetConfig, "OFPT_SET_CONFIG", 1, 7, kindOFPT, 9, false},
	{RawOFPT10PacketIn, "OFPT_PACKET_IN", 1, 1, kindOFPT, 10, false},
	{RawOFPT11PacketIn, "OFPT_PACKET_IN", 2, 2, kindOFPT, 10, false},
	{RawOFPT12PacketIn, "OFPT_PACKET_IN", 3, 3, kindOFPT, 10, false},
	{RawOFPT13PacketIn, "OFPT_PACKET_IN", 4, 7, kindOFPT, 10, false},
	{RawNXTPacketIn, "NXT_PACKET_IN", 1, 7, kindNXT, 17, false},
	{RawNXTPacketIn2, "NXT_PACKET_IN2", 1, 7, kindNXT, 30, false},
	{RawOFPT10FlowRemoved, "OFPT_FLOW_REMOVED", 1, 1, kindOFPT, 11, false},
	{RawOFPT11FlowRemoved, "OFPT_FLOW_REMOVED", 2, 5, kindOFPT, 11, false},
	{RawOFPT15FlowRemoved, "OFPT_FLOW_REMOVED", 6, 7, kindOFPT, 11, false},
	{RawNXTFlowRemoved, "NXT_FLOW_REMOVED", 1, 7, kindNXT, 14, false},
	{RawOFPT10PortStatus, "OFPT_PORT_STATUS", 1, 1, kindOFPT, 12, false},
	{RawOFPT11PortStatus, "OFPT_PORT_STATUS", 2, 4, kindOFPT, 12, false},
	{RawOFPT14PortStatus, "OFPT_PORT_STATUS", 5, 7, kindOFPT, 12, false},
	{RawOFPT10PacketOut, "OFPT_PACKET_OUT", 1, 1, kindOFPT, 13, false},
	{RawOFPT11PacketOut, "OFPT_PACKET_OUT", 2, 5, kindOFPT, 13, false},
	{RawOFPT15PacketOut, "OFPT_PACKET_OUT", 6, 7, kindOFPT, 13, false},
	{RawOFPT10FlowMod, "OFPT_FLOW_MOD", 1, 1, kindOFPT, 14, false},
	{RawOFPT11FlowMod, "OFPT_FLOW_MOD", 2, 7, kindOFPT, 14, false},
	{RawNXTFlowMod, "NXT_FLOW_MOD", 1, 7, kindNXT, 13, false},
	{RawNXTGroupMod, "NXT_GROUP_MOD", 1, 1, kindNXT, 31, false},
	{RawOFPT11GroupMod, "OFPT_GROUP_MOD", 2, 5, kindOFPT, 15, false},
	{RawOFPT15GroupMod, "OFPT_GROUP_MOD", 6, 7, kindOFPT, 15, false},
	{RawOFPT10PortMod, "OFPT_PORT_MOD", 1, 1, kindOFPT, 15, false},
	{RawOFPT11PortMod, "OFPT_PORT_MOD", 2, 4, kindOFPT, 16, false},
	{RawOFPT14PortMod, "OFPT_PORT_MOD", 5, 7, kindOFPT, 16, false},
	{RawOFPT11TableMod, "OFPT_TABLE_MOD", 2, 4, kindOFPT, 17, false},
	{RawOFPT14TableMod, "OFPT_TABLE_MOD", 5, 7, kindOFPT, 17, false},
	{RawOFPT10BarrierRequest, "OFPT_BARRIER_REQUEST", 1, 1, kindOFPT, 18, false},
	{RawOFPT11BarrierRequest, "OFPT_BARRIER_REQUEST", 2, 7, kindOFPT, 20, false},
	{RawOFPT10BarrierReply, "OFPT_BARRIER_REPLY", 1, 1, kindOFPT, 19, false},
	{RawOFPT11BarrierReply, "OFPT_BARRIER_REPLY", 2, 7, kindOFPT, 21, false},
	{RawOFPT10QueueGetConfigRequest, "OFPT_QUEUE_GET_CONFIG_REQUEST", 1, 1, kindOFPT, 20, false},
	{RawOFPT11QueueGetConfigRequest, "OFPT_QUEUE_GET_CONFIG_REQUEST", 2, 4, kindOFPT, 22, false},
	{RawOFPT10QueueGetConfigReply, "OFPT_QUEUE_GET_CONFIG_REPLY", 1, 1, kindOFPT, 21, false},
	{RawOFPT11QueueGetConfigReply, "OFPT_QUEUE_GET_CONFIG_REPLY", 2, 4, kindOFPT, 23, false},
	{RawOFPT12RoleRequest, "OFPT_ROLE_REQUEST", 3, 7, kindOFPT, 24, false},
	{RawNXTRoleRequest, "NXT_ROLE_REQUEST", 1, 7, kindNXT, 10, false},
	{RawOFPT12RoleReply, "OFPT_ROLE_REPLY", 3, 7, kindOFPT, 25, false},
	{RawNXTRoleReply, "NXT_ROLE_REPLY", 1, 7, kindNXT, 11, false},
	{RawOFPT13GetAsyncRequest, "OFPT_GET_ASYNC_REQUEST", 4, 4, kindOFPT, 26, false},
	{RawOFPT14GetAsyncRequest, "OFPT_GET_ASYNC_REQUEST", 5, 7, kindOFPT, 26, false},
	{RawOFPT13GetAsyncReply, "OFPT_GET_ASYNC_REPLY", 4, 4, kindOFPT, 27, false},
	{RawOFPT14GetAsyncReply, "OFPT_GET_ASYNC_REPLY", 5, 7, kindOFPT, 27, false},
	{RawOFPT13SetAsync, "OFPT_SET_ASYNC", 4, 4, kindOFPT, 28, false},
	{RawNXTSetAsyncConfig, "NXT_SET_ASYNC_CONFIG", 1, 7, kindNXT, 19, false},
	{RawNXTSetAsyncConfig2, "NXT_SET_ASYNC_CONFIG2", 1, 4, kindNXT, 27, false},
	{RawOFPT14SetAsync, "OFPT_SET_ASYNC", 5, 7, kindOFPT, 28, false},
	{RawOFPT13MeterMod, "OFPT_METER_MOD", 4, 7, kindOFPT, 29, false},
	{RawONFT13RoleStatus, "ONFT_ROLE_STATUS", 4, 4, kindONFT, 1911, false},
	{RawOFPT14RoleStatus, "OFPT_ROLE_STATUS", 5, 7, kindOFPT, 30, false},
	{RawOFPT14TableStatus, "OFPT_TABLE_STATUS", 5, 7, kindOFPT, 31, false},
	{RawNXTRequestforward, "NXT_REQUESTFORWARD", 1, 3, kindNXT, 132, false},
	{RawONFT13Requestforward, "ONFT_REQUESTFORWARD", 4, 4, kindONFT, 2350, false},
	{RawOFPT14Requestforward, "OFPT_REQUESTFORWARD", 5, 7, kindOFPT, 32, false},
	{RawOFPT14BundleControl, "OFPT_BUNDLE_CONTROL", 5, 7, kindOFPT, 33, false},
	{RawONFT13BundleControl, "ONFT_BUNDLE_CONTROL", 4, 4, kindONFT, 2300, false},
	{RawOFPT14BundleAddMessage, "OFPT_BUNDLE_ADD_MESSAGE", 5, 7, kindOFPT, 34, false},
	{RawONFT13BundleAddMessage, "ONFT_BUNDLE_ADD_MESSAGE", 4, 4, kindONFT, 2301, false},
	{RawOFPSTDescRequest, "OFPST_DESC request", 1, 7, kindOFPST, 0, false},
	{RawOFPSTDescReply, "OFPST_DESC reply", 1, 7, kindOFPST, 0, true},
	{RawOFPST10FlowRequest, "OFPST_FLOW request", 1, 1, kindOFPST, 1, false},
	{RawOFPST11FlowRequest, "OFPST_FLOW request", 2, 7, kindOFPST, 1, false},
	{RawNXSTFlowRequest, "NXST_FLOW request", 1, 1, kindNXST, 0, false},
	{RawOFPST10FlowReply, "OFPST_FLOW reply", 1, 1, kindOFPST, 1, true},
	{RawOFPST11FlowReply, "OFPST_FLOW reply", 2, 3, kindOFPST, 1, true},
	{RawOFPST13FlowReply, "OFPST_FLOW reply", 4, 5, kindOFPST, 1, true},
	{RawOFPST15FlowReply, "OFPST_FLOW reply", 6, 7, kindOFPST, 1, true},
	{RawNXSTFlowReply, "NXST_FLOW reply", 1, 1, kindNXST, 0, true},
	{RawOFPST10AggregateRequest, "OFPST_AGGREGATE request", 1, 1, kindOFPST, 2, false},
	{RawOFPST11AggregateRequest, "OFPST_AGGREGATE request", 2, 5, kindOFPST, 2, false},
	{RawOFPST15AggregateRequest, "OFPST_AGGREGATE request", 6, 7, kindOFPST, 2, false},
	{RawNXSTAggregateRequest, "NXST_AGGREGATE request", 1, 1, kindNXST, 1, false},
	{RawOFPSTAggregateReply, "OFPST_AGGREGATE reply", 1, 5, kindOFPST, 2, true},
	{RawOFPST15AggregateReply, "OFPST_AGGREGATE reply", 6, 7, kindOFPST, 2, true},
	{RawNXSTAggregateReply, "NXST_AGGREGATE reply", 1, 1, kindNXST, 1, true},
	{RawOFPSTTableRequest, "OFPST_TABLE request", 1, 7, kindOFPST, 3, false},
	{RawOFPST10TableReply, "OFPST_TABLE reply", 1, 1, kindOFPST, 3, true},
	{RawOFPST11TableReply, "OFPST_TABLE reply", 2, 2, kindOFPST, 3, true},
	{RawOFPST12TableReply, "OFPST_TABLE reply", 3, 3, kindOFPST, 3, true},
	{RawOFPST13TableReply, "OFPST_TABLE reply", 4, 7, kindOFPST, 3, true},
	{RawOFPST10PortRequest, "OFPST_PORT request", 1, 1, kindOFPST, 4, false},
	{RawOFPST11PortRequest, "OFPST_PORT request", 2, 7, kindOFPST, 4, false},
	{RawOFPST10PortReply, "OFPST_PORT reply", 1, 1, kindOFPST, 4, true},
	{RawOFPST11PortReply, "OFPST_PORT reply", 2, 3, kindOFPST, 4, true},
	{RawOFPST13PortReply, "OFPST_PORT reply", 4, 4, kindOFPST, 4, true},
	{RawOFPST14PortReply, "OFPST_PORT reply", 5, 7, kindOFPST, 4, true},
	{RawOFPST10QueueRequest, "OFPST_QUEUE request", 1, 1, kindOFPST, 5, false},
	{RawOFPST11QueueRequest, "OFPST_QUEUE request", 2, 7, kindOFPST, 5, false},
	{RawOFPST10QueueReply, "OFPST_QUEUE reply", 1, 1, kindOFPST, 5, true},
	{RawOFPST11QueueReply, "OFPST_QUEUE reply", 2, 3, kindOFPST, 5, true},
	{RawOFPST13QueueReply, "OFPST_QUEUE reply", 4, 4, kindOFPST, 5, true},
	{RawOFPST14QueueReply, "OFPST_QUEUE reply", 5, 7, kindOFPST, 5, true},
	{RawNXSTGroupRequest, "NXST_GROUP request", 1, 1, kindNXST, 7, false},
	{RawOFPST11GroupRequest, "OFPST_GROUP request", 2, 7, kindOFPST, 6, false},
	{RawNXSTGroupReply, "NXST_GROUP reply", 1, 1, kindNXST, 7, true},
	{RawOFPST11GroupReply, "OFPST_GROUP reply", 2, 3, kindOFPST, 6, true},
	{RawOFPST13GroupReply, "OFPST_GROUP reply", 4, 7, kindOFPST, 6, true},
	{RawNXSTGroupDescRequest, "NXST_GROUP_DESC request", 1, 1, kindNXST, 8, false},
	{RawOFPST11GroupDescRequest, "OFPST_GROUP_DESC request", 2, 5, kindOFPST, 7, false},
	{RawOFPST15GroupDescRequest, "OFPST_GROUP_DESC request", 6, 7, kindOFPST, 7, false},
	{RawNXSTGroupDescReply, "NXST_GROUP_DESC reply", 1, 1, kindNXST, 8, true},
	{RawOFPST11GroupDescReply, "OFPST_GROUP_DESC reply", 2, 7, kindOFPST, 7, true},
	{RawNXSTGroupFeaturesRequest, "NXST_GROUP_FEATURES request", 1, 2, kindNXST, 9, false},
	{RawOFPST12GroupFeaturesRequest, "OFPST_GROUP_FEATURES request", 3, 7, kindOFPST, 8, false},
	{RawNXSTGroupFeaturesReply, "NXST_GROUP_FEATURES reply", 1, 2, kindNXST, 9, true},
	{RawOFPST12GroupFeaturesReply, "OFPST_GROUP_FEATURES reply", 3, 7, kindOFPST, 8, true},
	{RawOFPST13MeterRequest, "OFPST_METER request", 4, 7, kindOFPST, 9, false},
	{RawOFPST13MeterReply, "OFPST_METER reply", 4, 7, kindOFPST, 9, true},
	{RawOFPST13MeterConfigRequest, "OFPST_METER_CONFIG request", 4, 7, kindOFPST, 10, false},
	{RawOFPST13MeterConfigReply, "OFPST_METER_CONFIG reply", 4, 7, kindOFPST, 10, true},
	{RawOFPST13MeterFeaturesRequest, "OFPST_METER_FEATURES request", 4, 7, kindOFPST, 11, false},
	{RawOFPST13MeterFeaturesReply, "OFPST_METER_FEATURES reply", 4, 7, kindOFPST, 11, true},
	{RawOFPST13TableFeaturesRequest, "OFPST_TABLE_FEATURES request", 4, 7, kindOFPST, 12, false},
	{RawOFPST13TableFeaturesReply, "OFPST_TABLE_FEATURES reply", 4, 7, kindOFPST, 12, true},
	{RawOFPST14TableDescRequest, "OFPST_TABLE_DESC request", 5, 7, kindOFPST, 14, false},
	{RawOFPST14TableDescReply, "OFPST_TABLE_DESC reply", 5, 7, kindOFPST, 14, true},
	{RawOFPST10PortDescRequest, "OFPST_PORT_DESC request", 1, 5, kindOFPST, 13, false},
	{RawOFPST15PortDescRequest, "OFPST_PORT_DESC request", 6, 7, kindOFPST, 13, false},
	{RawOFPST10PortDescReply, "OFPST_PORT_DESC reply", 1, 1, kindOFPST, 13, true},
	{RawOFPST11PortDescReply, "OFPST_PORT_DESC reply", 2, 4, kindOFPST, 13, true},
	{RawOFPST14PortDescReply, "OFPST_PORT_DESC reply", 5, 7, kindOFPST, 13, true},
	{RawOFPST14QueueDescRequest, "OFPST_QUEUE_DESC request", 5, 7, kindOFPST, 15, false},
	{RawOFPST14QueueDescReply, "OFPST_QUEUE_DESC reply", 5, 7, kindOFPST, 15, true},
	{RawOFPST14FlowMonitorRequest, "OFPST_FLOW_MONITOR request", 5, 7, kindOFPST, 16, false},
	{RawONFST13FlowMonitorRequest, "ONFST_FLOW_MONITOR request", 4, 4, kindONFST, 1870, false},
	{RawNXSTFlowMonitorRequest, "NXST_FLOW_MONITOR request", 1, 3, kindNXST, 2, false},
	{RawOFPST14FlowMonitorReply, "OFPST_FLOW_MONITOR reply", 5, 7, kindOFPST, 16, true},
	{RawONFST13FlowMonitorReply, "ONFST_FLOW_MONITOR reply", 4, 4, kindONFST, 1870, true},
	{RawNXSTFlowMonitorReply, "NXST_FLOW_MONITOR reply", 1, 3, kindNXST, 2, true},
	{RawONFT13FlowMonitorCancel, "ONFT_FLOW_MONITOR_CANCEL", 4, 4, kindONFT, 1870, false},
	{RawNXTFlowMonitorCancel, "NXT_FLOW_MONITOR_CANCEL", 1, 3, kindNXT, 21, false},
	{RawONFT13FlowMonitorPaused, "ONFT_FLOW_MONITOR_PAUSED", 4, 4, kindONFT, 1871, false},
	{RawNXTFlowMonitorPaused, "NXT_FLOW_MONITOR_PAUSED", 1, 3, kindNXT, 22, false},
	{RawONFT13FlowMonitorResumed, "ONFT_FLOW_MONITOR_RESUMED", 4, 4, kindONFT, 1872, false},
	{RawNXTFlowMonitorResumed, "NXT_FLOW_MONITOR_RESUMED", 1, 3, kindNXT, 23, false},
	{RawNXTSetFlowFormat, "NXT_SET_FLOW_FORMAT", 1, 1, kindNXT, 12, false},
	{RawNXTFlowModTableID, "NXT_FLOW_MOD_TABLE_ID", 1, 7, kindNXT, 15, false},
	{RawNXTSetPacketInFormat, "NXT_SET_PACKET_IN_FORMAT", 1, 7, kindNXT, 16, false},
	{RawNXTFlowAge, "NXT_FLOW_AGE", 1, 7, kindNXT, 18, false},
	{RawNXTSetControllerID, "NXT_SET_CONTROLLER_ID", 1, 7, kindNXT, 20, false},
	{RawNXTTlvTableMod, "NXT_TLV_TABLE_MOD", 1, 7, kindNXT, 24, false},
	{RawNXTTlvTableRequest, "NXT_TLV_TABLE_REQUEST", 1, 7, kindNXT, 25, false},
	{RawNXTTlvTableReply, "NXT_TLV_TABLE_REPLY", 1, 7, kindNXT, 26, false},
	{RawNXTResume, "NXT_RESUME", 1, 7, kindNXT, 28, false},
	{RawNXTCtFlushZone, "NXT_CT_FLUSH_ZONE", 1, 7, kindNXT, 29, false},
	{RawNXTCtFlush, "NXT_CT_FLUSH", 1, 7, kindNXT, 32, false},
	{RawNXSTIpfixBridgeRequest, "NXST_IPFIX_BRIDGE request", 1, 7, kindNXST, 3, false},
	{RawNXSTIpfixBridgeReply, "NXST_IPFIX_BRIDGE reply", 1, 7, kindNXST, 3, true},
	{RawNXSTIpfixFlowRequest, "NXST_IPFIX_FLOW request", 1, 7, kindNXST, 4, false},
	{RawNXSTIpfixFlowReply, "NXST_IPFIX_FLOW reply", 1, 7, kindNXST, 4, true},
}
