// Code generated from the error mappings documented in Open vSwitch 3.1
// (include/openvswitch/ofp-errors.h); names and numbers only. DO NOT EDIT.

package ofperr

//nolint:revive // the names are the ones ovs-ofctl prints; keeping them makes the table greppable against OVS output.
const (
	_ Code = iota
	OFPHFC_INCOMPATIBLE
	OFPHFC_EPERM
	OFPBRC_BAD_VERSION
	OFPBRC_BAD_TYPE
	OFPBRC_BAD_STAT
	OFPBRC_BAD_VENDOR
	OFPBRC_BAD_SUBTYPE
	OFPBRC_EPERM
	OFPBRC_BAD_LEN
	OFPBRC_BUFFER_EMPTY
	OFPBRC_BUFFER_UNKNOWN
	OFPBRC_BAD_TABLE_ID
	OFPBRC_IS_SECONDARY
	OFPBRC_BAD_PORT
	OFPBRC_BAD_PACKET
	OFPBRC_MULTIPART_BUFFER_OVERFLOW
	OFPBRC_MULTIPART_REQUEST_TIMEOUT
	OFPBRC_MULTIPART_REPLY_TIMEOUT
	OFPBRC_MULTIPART_BAD_SCHED
	OFPBRC_PIPELINE_FIELDS_ONLY
	OFPBRC_UNKNOWN
	NXBRC_NXM_INVALID
	NXBRC_NXM_BAD_TYPE
	NXBRC_MUST_BE_ZERO
	NXBRC_BAD_REASON
	NXBRC_FM_BAD_EVENT
	NXBRC_UNENCODABLE_ERROR
	OFPBAC_BAD_TYPE
	OFPBAC_BAD_LEN
	OFPBAC_BAD_VENDOR
	OFPBAC_BAD_VENDOR_TYPE
	OFPBAC_BAD_OUT_PORT
	OFPBAC_BAD_ARGUMENT
	OFPBAC_EPERM
	OFPBAC_TOO_MANY
	OFPBAC_BAD_QUEUE
	OFPBAC_BAD_OUT_GROUP
	OFPBAC_MATCH_INCONSISTENT
	OFPBAC_UNSUPPORTED_ORDER
	OFPBAC_BAD_TAG
	OFPBAC_BAD_SET_TYPE
	OFPBAC_BAD_SET_LEN
	OFPBAC_BAD_SET_ARGUMENT
	OFPBAC_BAD_SET_MASK
	OFPBAC_BAD_METER
	NXBAC_MUST_BE_ZERO
	NXBAC_BAD_CONJUNCTION
	NXBAC_BAD_HEADER_TYPE
	NXBAC_UNKNOWN_ED_PROP
	NXBAC_BAD_ED_PROP
	NXBAC_CT_DATAPATH_SUPPORT
	OFPBIC_UNKNOWN_INST
	OFPBIC_UNSUP_INST
	OFPBIC_BAD_TABLE_ID
	OFPBIC_UNSUP_METADATA
	OFPBIC_UNSUP_METADATA_MASK
	OFPBIC_BAD_EXPERIMENTER
	OFPBIC_BAD_EXP_TYPE
	OFPBIC_BAD_LEN
	OFPBIC_EPERM
	OFPBIC_DUP_INST
	OFPBMC_BAD_TYPE
	OFPBMC_BAD_LEN
	OFPBMC_BAD_TAG
	OFPBMC_BAD_DL_ADDR_MASK
	OFPBMC_BAD_NW_ADDR_MASK
	OFPBMC_BAD_WILDCARDS
	OFPBMC_BAD_FIELD
	OFPBMC_BAD_VALUE
	OFPBMC_BAD_MASK
	OFPBMC_BAD_PREREQ
	OFPBMC_DUP_FIELD
	OFPBMC_EPERM
	NXBMC_CT_DATAPATH_SUPPORT
	OFPFMFC_UNKNOWN
	OFPFMFC_TABLE_FULL
	OFPFMFC_BAD_TABLE_ID
	OFPFMFC_OVERLAP
	OFPFMFC_EPERM
	OFPFMFC_BAD_TIMEOUT
	OFPFMFC_BAD_EMERG_TIMEOUT
	OFPFMFC_BAD_COMMAND
	OFPFMFC_BAD_FLAGS
	OFPFMFC_CANT_SYNC
	OFPFMFC_BAD_PRIORITY
	OFPFMFC_IS_SYNC
	OFPFMFC_UNSUPPORTED
	NXFMFC_HARDWARE
	NXFMFC_BAD_TABLE_ID
	NXFMFC_INVALID_TLV_FIELD
	OFPGMFC_GROUP_EXISTS
	OFPGMFC_INVALID_GROUP
	OFPGMFC_WEIGHT_UNSUPPORTED
	OFPGMFC_OUT_OF_GROUPS
	OFPGMFC_OUT_OF_BUCKETS
	OFPGMFC_CHAINING_UNSUPPORTED
	OFPGMFC_WATCH_UNSUPPORTED
	OFPGMFC_LOOP
	OFPGMFC_UNKNOWN_GROUP
	OFPGMFC_CHAINED_GROUP
	OFPGMFC_BAD_TYPE
	OFPGMFC_BAD_COMMAND
	OFPGMFC_BAD_BUCKET
	OFPGMFC_BAD_WATCH
	OFPGMFC_EPERM
	OFPGMFC_UNKNOWN_BUCKET
	OFPGMFC_BUCKET_EXISTS
	OFPPMFC_BAD_PORT
	OFPPMFC_BAD_HW_ADDR
	OFPPMFC_BAD_CONFIG
	OFPPMFC_BAD_ADVERTISE
	OFPPMFC_EPERM
	OFPTMFC_BAD_TABLE
	OFPTMFC_BAD_CONFIG
	OFPTMFC_EPERM
	OFPQOFC_BAD_PORT
	OFPQOFC_BAD_QUEUE
	OFPQOFC_EPERM
	NXQOFC_QUEUE_ERROR
	OFPSCFC_BAD_FLAGS
	OFPSCFC_BAD_LEN
	OFPSCFC_EPERM
	OFPRRFC_STALE
	OFPRRFC_UNSUP
	OFPRRFC_BAD_ROLE
	OFPRRFC_ID_UNSUP
	OFPRRFC_ID_IN_USE
	OFPMMFC_UNKNOWN
	OFPMMFC_METER_EXISTS
	OFPMMFC_INVALID_METER
	OFPMMFC_UNKNOWN_METER
	OFPMMFC_BAD_COMMAND
	OFPMMFC_BAD_FLAGS
	OFPMMFC_BAD_RATE
	OFPMMFC_BAD_BURST
	OFPMMFC_BAD_BAND
	OFPMMFC_BAD_BAND_VALUE
	OFPMMFC_OUT_OF_METERS
	OFPMMFC_OUT_OF_BANDS
	OFPTFFC_BAD_TABLE
	OFPTFFC_BAD_METADATA
	OFPTFFC_EPERM
	OFPTFFC_BAD_CAPA
	OFPTFFC_BAD_MAX_ENT
	OFPTFFC_BAD_FEATURES
	OFPTFFC_BAD_COMMAND
	OFPTFFC_TOO_MANY
	NXTFFC_DUP_TABLE
	OFPBPC_BAD_TYPE
	OFPBPC_BAD_LEN
	OFPBPC_BAD_VALUE
	OFPBPC_TOO_MANY
	OFPBPC_DUP_TYPE
	OFPBPC_BAD_EXPERIMENTER
	OFPBPC_BAD_EXP_TYPE
	OFPBPC_BAD_EXP_VALUE
	OFPBPC_EPERM
	OFPACFC_INVALID
	OFPACFC_UNSUPPORTED
	OFPACFC_EPERM
	OFPBFC_UNKNOWN
	OFPBFC_EPERM
	OFPBFC_BAD_ID
	OFPBFC_BUNDLE_EXIST
	OFPBFC_BUNDLE_CLOSED
	OFPBFC_OUT_OF_BUNDLES
	OFPBFC_BAD_TYPE
	OFPBFC_BAD_FLAGS
	OFPBFC_MSG_BAD_LEN
	OFPBFC_MSG_BAD_XID
	OFPBFC_MSG_UNSUP
	OFPBFC_MSG_CONFLICT
	OFPBFC_MSG_TOO_MANY
	OFPBFC_MSG_FAILED
	OFPBFC_TIMEOUT
	OFPBFC_BUNDLE_IN_PROGRESS
	OFPBFC_SCHED_NOT_SUPPORTED
	OFPBFC_SCHED_FUTURE
	OFPBFC_SCHED_PAST
	OFPBFC_BAD_VERSION
	OFPMOFC_UNKNOWN
	OFPMOFC_MONITOR_EXISTS
	OFPMOFC_INVALID_MONITOR
	OFPMOFC_UNKNOWN_MONITOR
	OFPMOFC_BAD_COMMAND
	OFPMOFC_BAD_FLAGS
	OFPMOFC_BAD_TABLE_ID
	OFPMOFC_BAD_OUT
	NXTTMFC_BAD_COMMAND
	NXTTMFC_BAD_OPT_LEN
	NXTTMFC_BAD_FIELD_IDX
	NXTTMFC_TABLE_FULL
	NXTTMFC_ALREADY_MAPPED
	NXTTMFC_DUP_ENTRY
	NXTTMFC_INVALID_TLV_DEL
	NXR_NOT_SUPPORTED
	NXR_STALE
	NXST_NOT_CONFIGURED
	numCodes
)

var codeTable = [numCodes]codeInfo{
	OFPHFC_INCOMPATIBLE:              {"OFPHFC_INCOMPATIBLE", []mapping{{0, 1, 7, 0, 0}}},
	OFPHFC_EPERM:                     {"OFPHFC_EPERM", []mapping{{0, 1, 7, 0, 1}}},
	OFPBRC_BAD_VERSION:               {"OFPBRC_BAD_VERSION", []mapping{{0, 1, 7, 1, 0}}},
	OFPBRC_BAD_TYPE:                  {"OFPBRC_BAD_TYPE", []mapping{{0, 1, 7, 1, 1}}},
	OFPBRC_BAD_STAT:                  {"OFPBRC_BAD_STAT", []mapping{{0, 1, 7, 1, 2}}},
	OFPBRC_BAD_VENDOR:                {"OFPBRC_BAD_VENDOR", []mapping{{0, 1, 7, 1, 3}}},
	OFPBRC_BAD_SUBTYPE:               {"OFPBRC_BAD_SUBTYPE", []mapping{{0, 1, 7, 1, 4}}},
	OFPBRC_EPERM:                     {"OFPBRC_EPERM", []mapping{{0, 1, 7, 1, 5}}},
	OFPBRC_BAD_LEN:                   {"OFPBRC_BAD_LEN", []mapping{{0, 1, 7, 1, 6}}},
	OFPBRC_BUFFER_EMPTY:              {"OFPBRC_BUFFER_EMPTY", []mapping{{0, 1, 7, 1, 7}}},
	OFPBRC_BUFFER_UNKNOWN:            {"OFPBRC_BUFFER_UNKNOWN", []mapping{{0, 1, 7, 1, 8}}},
	OFPBRC_BAD_TABLE_ID:              {"OFPBRC_BAD_TABLE_ID", []mapping{{nxVendor, 1, 1, 1, 512}, {0, 2, 7, 1, 9}}},
	OFPBRC_IS_SECONDARY:              {"OFPBRC_IS_SECONDARY", []mapping{{0, 1, 2, 1, 5}, {0, 3, 7, 1, 10}}},
	OFPBRC_BAD_PORT:                  {"OFPBRC_BAD_PORT", []mapping{{nxVendor, 1, 2, 1, 514}, {0, 3, 7, 1, 11}}},
	OFPBRC_BAD_PACKET:                {"OFPBRC_BAD_PACKET", []mapping{{0, 3, 7, 1, 12}}},
	OFPBRC_MULTIPART_BUFFER_OVERFLOW: {"OFPBRC_MULTIPART_BUFFER_OVERFLOW", []mapping{{0, 4, 7, 1, 13}}},
	OFPBRC_MULTIPART_REQUEST_TIMEOUT: {"OFPBRC_MULTIPART_REQUEST_TIMEOUT", []mapping{{onfVendor, 4, 4, -1, 2640}, {0, 5, 7, 1, 14}}},
	OFPBRC_MULTIPART_REPLY_TIMEOUT:   {"OFPBRC_MULTIPART_REPLY_TIMEOUT", []mapping{{onfVendor, 4, 4, -1, 2641}, {0, 5, 7, 1, 15}}},
	OFPBRC_MULTIPART_BAD_SCHED:       {"OFPBRC_MULTIPART_BAD_SCHED", []mapping{{0, 6, 7, 1, 16}}},
	OFPBRC_PIPELINE_FIELDS_ONLY:      {"OFPBRC_PIPELINE_FIELDS_ONLY", []mapping{{0, 6, 7, 1, 17}}},
	OFPBRC_UNKNOWN:                   {"OFPBRC_UNKNOWN", []mapping{{0, 6, 7, 1, 18}}},
	NXBRC_NXM_INVALID:                {"NXBRC_NXM_INVALID", []mapping{{nxVendor, 1, 2, 1, 256}, {nxVendor, 3, 7, -1, 2}}},
	NXBRC_NXM_BAD_TYPE:               {"NXBRC_NXM_BAD_TYPE", []mapping{{nxVendor, 1, 2, 1, 257}, {nxVendor, 3, 7, -1, 3}}},
	NXBRC_MUST_BE_ZERO:               {"NXBRC_MUST_BE_ZERO", []mapping{{nxVendor, 1, 2, 1, 515}, {nxVendor, 3, 7, -1, 4}}},
	NXBRC_BAD_REASON:                 {"NXBRC_BAD_REASON", []mapping{{nxVendor, 1, 2, 1, 516}, {nxVendor, 3, 7, -1, 5}}},
	NXBRC_FM_BAD_EVENT:               {"NXBRC_FM_BAD_EVENT", []mapping{{nxVendor, 1, 2, 1, 520}, {nxVendor, 3, 7, -1, 9}}},
	NXBRC_UNENCODABLE_ERROR:          {"NXBRC_UNENCODABLE_ERROR", []mapping{{nxVendor, 1, 2, 1, 521}, {nxVendor, 3, 7, -1, 10}}},
	OFPBAC_BAD_TYPE:                  {"OFPBAC_BAD_TYPE", []mapping{{0, 1, 7, 2, 0}}},
	OFPBAC_BAD_LEN:                   {"OFPBAC_BAD_LEN", []mapping{{0, 1, 7, 2, 1}}},
	OFPBAC_BAD_VENDOR:                {"OFPBAC_BAD_VENDOR", []mapping{{0, 1, 7, 2, 2}}},
	OFPBAC_BAD_VENDOR_TYPE:           {"OFPBAC_BAD_VENDOR_TYPE", []mapping{{0, 1, 7, 2, 3}}},
	OFPBAC_BAD_OUT_PORT:              {"OFPBAC_BAD_OUT_PORT", []mapping{{0, 1, 7, 2, 4}}},
	OFPBAC_BAD_ARGUMENT:              {"OFPBAC_BAD_ARGUMENT", []mapping{{0, 1, 7, 2, 5}}},
	OFPBAC_EPERM:                     {"OFPBAC_EPERM", []mapping{{0, 1, 7, 2, 6}}},
	OFPBAC_TOO_MANY:                  {"OFPBAC_TOO_MANY", []mapping{{0, 1, 7, 2, 7}}},
	OFPBAC_BAD_QUEUE:                 {"OFPBAC_BAD_QUEUE", []mapping{{0, 1, 7, 2, 8}}},
	OFPBAC_BAD_OUT_GROUP:             {"OFPBAC_BAD_OUT_GROUP", []mapping{{nxVendor, 1, 1, 2, 9}, {0, 2, 7, 2, 9}}},
	OFPBAC_MATCH_INCONSISTENT:        {"OFPBAC_MATCH_INCONSISTENT", []mapping{{nxVendor, 1, 1, 1, 522}, {0, 2, 7, 2, 10}}},
	OFPBAC_UNSUPPORTED_ORDER:         {"OFPBAC_UNSUPPORTED_ORDER", []mapping{{0, 2, 7, 2, 11}}},
	OFPBAC_BAD_TAG:                   {"OFPBAC_BAD_TAG", []mapping{{0, 2, 7, 2, 12}}},
	OFPBAC_BAD_SET_TYPE:              {"OFPBAC_BAD_SET_TYPE", []mapping{{nxVendor, 1, 2, 1, 523}, {0, 3, 7, 2, 13}}},
	OFPBAC_BAD_SET_LEN:               {"OFPBAC_BAD_SET_LEN", []mapping{{nxVendor, 1, 2, 1, 524}, {0, 3, 7, 2, 14}}},
	OFPBAC_BAD_SET_ARGUMENT:          {"OFPBAC_BAD_SET_ARGUMENT", []mapping{{nxVendor, 1, 2, 1, 525}, {0, 3, 7, 2, 15}}},
	OFPBAC_BAD_SET_MASK:              {"OFPBAC_BAD_SET_MASK", []mapping{{onfVendor, 4, 5, -1, 4250}, {0, 6, 7, 2, 16}}},
	OFPBAC_BAD_METER:                 {"OFPBAC_BAD_METER", []mapping{{0, 6, 7, 2, 17}}},
	NXBAC_MUST_BE_ZERO:               {"NXBAC_MUST_BE_ZERO", []mapping{{nxVendor, 1, 2, 2, 256}, {nxVendor, 3, 7, -1, 11}}},
	NXBAC_BAD_CONJUNCTION:            {"NXBAC_BAD_CONJUNCTION", []mapping{{nxVendor, 1, 2, 2, 526}, {nxVendor, 3, 7, -1, 15}}},
	NXBAC_BAD_HEADER_TYPE:            {"NXBAC_BAD_HEADER_TYPE", []mapping{{nxVendor, 4, 7, -1, 39}}},
	NXBAC_UNKNOWN_ED_PROP:            {"NXBAC_UNKNOWN_ED_PROP", []mapping{{nxVendor, 4, 7, -1, 40}}},
	NXBAC_BAD_ED_PROP:                {"NXBAC_BAD_ED_PROP", []mapping{{nxVendor, 4, 7, -1, 41}}},
	NXBAC_CT_DATAPATH_SUPPORT:        {"NXBAC_CT_DATAPATH_SUPPORT", []mapping{{nxVendor, 1, 2, 1, 265}, {nxVendor, 3, 7, -1, 42}}},
	OFPBIC_UNKNOWN_INST:              {"OFPBIC_UNKNOWN_INST", []mapping{{0, 2, 7, 3, 0}}},
	OFPBIC_UNSUP_INST:                {"OFPBIC_UNSUP_INST", []mapping{{nxVendor, 1, 1, 2, 257}, {0, 2, 7, 3, 1}}},
	OFPBIC_BAD_TABLE_ID:              {"OFPBIC_BAD_TABLE_ID", []mapping{{0, 2, 7, 3, 2}}},
	OFPBIC_UNSUP_METADATA:            {"OFPBIC_UNSUP_METADATA", []mapping{{0, 2, 7, 3, 3}}},
	OFPBIC_UNSUP_METADATA_MASK:       {"OFPBIC_UNSUP_METADATA_MASK", []mapping{{0, 2, 7, 3, 4}}},
	OFPBIC_BAD_EXPERIMENTER:          {"OFPBIC_BAD_EXPERIMENTER", []mapping{{0, 2, 7, 3, 5}}},
	OFPBIC_BAD_EXP_TYPE:              {"OFPBIC_BAD_EXP_TYPE", []mapping{{0, 2, 2, 3, 5}, {0, 3, 7, 3, 6}}},
	OFPBIC_BAD_LEN:                   {"OFPBIC_BAD_LEN", []mapping{{0, 3, 7, 3, 7}}},
	OFPBIC_EPERM:                     {"OFPBIC_EPERM", []mapping{{0, 3, 7, 3, 8}}},
	OFPBIC_DUP_INST:                  {"OFPBIC_DUP_INST", []mapping{{nxVendor, 2, 2, 3, 256}, {onfVendor, 3, 4, -1, 2600}, {0, 5, 7, 3, 9}}},
	OFPBMC_BAD_TYPE:                  {"OFPBMC_BAD_TYPE", []mapping{{0, 2, 7, 4, 0}}},
	OFPBMC_BAD_LEN:                   {"OFPBMC_BAD_LEN", []mapping{{0, 2, 7, 4, 1}}},
	OFPBMC_BAD_TAG:                   {"OFPBMC_BAD_TAG", []mapping{{0, 2, 7, 4, 2}}},
	OFPBMC_BAD_DL_ADDR_MASK:          {"OFPBMC_BAD_DL_ADDR_MASK", []mapping{{0, 2, 7, 4, 3}}},
	OFPBMC_BAD_NW_ADDR_MASK:          {"OFPBMC_BAD_NW_ADDR_MASK", []mapping{{0, 2, 7, 4, 4}}},
	OFPBMC_BAD_WILDCARDS:             {"OFPBMC_BAD_WILDCARDS", []mapping{{nxVendor, 1, 1, 1, 262}, {0, 2, 7, 4, 5}}},
	OFPBMC_BAD_FIELD:                 {"OFPBMC_BAD_FIELD", []mapping{{nxVendor, 1, 1, 0, 263}, {0, 2, 7, 4, 6}}},
	OFPBMC_BAD_VALUE:                 {"OFPBMC_BAD_VALUE", []mapping{{nxVendor, 1, 1, 1, 258}, {0, 2, 7, 4, 7}}},
	OFPBMC_BAD_MASK:                  {"OFPBMC_BAD_MASK", []mapping{{nxVendor, 1, 2, 1, 259}, {0, 3, 7, 4, 8}}},
	OFPBMC_BAD_PREREQ:                {"OFPBMC_BAD_PREREQ", []mapping{{nxVendor, 1, 2, 1, 260}, {0, 3, 7, 4, 9}}},
	OFPBMC_DUP_FIELD:                 {"OFPBMC_DUP_FIELD", []mapping{{nxVendor, 1, 2, 1, 261}, {0, 3, 7, 4, 10}}},
	OFPBMC_EPERM:                     {"OFPBMC_EPERM", []mapping{{0, 3, 7, 4, 11}}},
	NXBMC_CT_DATAPATH_SUPPORT:        {"NXBMC_CT_DATAPATH_SUPPORT", []mapping{{nxVendor, 1, 2, 1, 264}, {nxVendor, 3, 7, -1, 43}}},
	OFPFMFC_UNKNOWN:                  {"OFPFMFC_UNKNOWN", []mapping{{0, 2, 7, 5, 0}}},
	OFPFMFC_TABLE_FULL:               {"OFPFMFC_TABLE_FULL", []mapping{{0, 1, 1, 3, 0}, {0, 2, 7, 5, 1}}},
	OFPFMFC_BAD_TABLE_ID:             {"OFPFMFC_BAD_TABLE_ID", []mapping{{0, 2, 7, 5, 2}}},
	OFPFMFC_OVERLAP:                  {"OFPFMFC_OVERLAP", []mapping{{0, 1, 1, 3, 1}, {0, 2, 7, 5, 3}}},
	OFPFMFC_EPERM:                    {"OFPFMFC_EPERM", []mapping{{0, 1, 1, 3, 2}, {0, 2, 7, 5, 4}}},
	OFPFMFC_BAD_TIMEOUT:              {"OFPFMFC_BAD_TIMEOUT", []mapping{{0, 2, 7, 5, 5}}},
	OFPFMFC_BAD_EMERG_TIMEOUT:        {"OFPFMFC_BAD_EMERG_TIMEOUT", []mapping{{0, 1, 1, 3, 3}}},
	OFPFMFC_BAD_COMMAND:              {"OFPFMFC_BAD_COMMAND", []mapping{{0, 1, 1, 3, 4}, {0, 2, 7, 5, 6}}},
	OFPFMFC_BAD_FLAGS:                {"OFPFMFC_BAD_FLAGS", []mapping{{nxVendor, 1, 1, 3, 258}, {nxVendor, 2, 2, 5, 258}, {0, 3, 7, 5, 7}}},
	OFPFMFC_CANT_SYNC:                {"OFPFMFC_CANT_SYNC", []mapping{{0, 5, 7, 5, 8}}},
	OFPFMFC_BAD_PRIORITY:             {"OFPFMFC_BAD_PRIORITY", []mapping{{onfVendor, 4, 4, -1, 2360}, {0, 5, 7, 5, 9}}},
	OFPFMFC_IS_SYNC:                  {"OFPFMFC_IS_SYNC", []mapping{{0, 5, 7, 5, 10}}},
	OFPFMFC_UNSUPPORTED:              {"OFPFMFC_UNSUPPORTED", []mapping{{0, 1, 1, 3, 5}}},
	NXFMFC_HARDWARE:                  {"NXFMFC_HARDWARE", []mapping{{nxVendor, 1, 2, 5, 256}, {nxVendor, 3, 7, -1, 12}}},
	NXFMFC_BAD_TABLE_ID:              {"NXFMFC_BAD_TABLE_ID", []mapping{{nxVendor, 1, 2, 5, 257}, {nxVendor, 3, 7, -1, 13}}},
	NXFMFC_INVALID_TLV_FIELD:         {"NXFMFC_INVALID_TLV_FIELD", []mapping{{nxVendor, 1, 2, 1, 536}, {nxVendor, 3, 7, -1, 37}}},
	OFPGMFC_GROUP_EXISTS:             {"OFPGMFC_GROUP_EXISTS", []mapping{{nxVendor, 1, 1, 6, 0}, {0, 2, 7, 6, 0}}},
	OFPGMFC_INVALID_GROUP:            {"OFPGMFC_INVALID_GROUP", []mapping{{nxVendor, 1, 1, 6, 1}, {0, 2, 7, 6, 1}}},
	OFPGMFC_WEIGHT_UNSUPPORTED:       {"OFPGMFC_WEIGHT_UNSUPPORTED", []mapping{{nxVendor, 1, 1, 6, 2}, {0, 2, 7, 6, 2}}},
	OFPGMFC_OUT_OF_GROUPS:            {"OFPGMFC_OUT_OF_GROUPS", []mapping{{nxVendor, 1, 1, 6, 3}, {0, 2, 7, 6, 3}}},
	OFPGMFC_OUT_OF_BUCKETS:           {"OFPGMFC_OUT_OF_BUCKETS", []mapping{{nxVendor, 1, 1, 6, 4}, {0, 2, 7, 6, 4}}},
	OFPGMFC_CHAINING_UNSUPPORTED:     {"OFPGMFC_CHAINING_UNSUPPORTED", []mapping{{nxVendor, 1, 1, 6, 5}, {0, 2, 7, 6, 5}}},
	OFPGMFC_WATCH_UNSUPPORTED:        {"OFPGMFC_WATCH_UNSUPPORTED", []mapping{{nxVendor, 1, 1, 6, 6}, {0, 2, 7, 6, 6}}},
	OFPGMFC_LOOP:                     {"OFPGMFC_LOOP", []mapping{{nxVendor, 1, 1, 6, 7}, {0, 2, 7, 6, 7}}},
	OFPGMFC_UNKNOWN_GROUP:            {"OFPGMFC_UNKNOWN_GROUP", []mapping{{nxVendor, 1, 1, 6, 8}, {0, 2, 7, 6, 8}}},
	OFPGMFC_CHAINED_GROUP:            {"OFPGMFC_CHAINED_GROUP", []mapping{{nxVendor, 1, 1, 6, 9}, {0, 3, 7, 6, 9}}},
	OFPGMFC_BAD_TYPE:                 {"OFPGMFC_BAD_TYPE", []mapping{{nxVendor, 1, 1, 6, 10}, {0, 3, 7, 6, 10}}},
	OFPGMFC_BAD_COMMAND:              {"OFPGMFC_BAD_COMMAND", []mapping{{nxVendor, 1, 1, 6, 11}, {0, 3, 7, 6, 11}}},
	OFPGMFC_BAD_BUCKET:               {"OFPGMFC_BAD_BUCKET", []mapping{{nxVendor, 1, 1, 6, 12}, {0, 3, 7, 6, 12}}},
	OFPGMFC_BAD_WATCH:                {"OFPGMFC_BAD_WATCH", []mapping{{nxVendor, 1, 1, 6, 13}, {0, 3, 7, 6, 13}}},
	OFPGMFC_EPERM:                    {"OFPGMFC_EPERM", []mapping{{nxVendor, 1, 1, 6, 14}, {0, 3, 7, 6, 14}}},
	OFPGMFC_UNKNOWN_BUCKET:           {"OFPGMFC_UNKNOWN_BUCKET", []mapping{{nxVendor, 1, 1, 6, 15}, {0, 6, 7, 6, 15}}},
	OFPGMFC_BUCKET_EXISTS:            {"OFPGMFC_BUCKET_EXISTS", []mapping{{nxVendor, 1, 1, 6, 16}, {0, 6, 7, 6, 16}}},
	OFPPMFC_BAD_PORT:                 {"OFPPMFC_BAD_PORT", []mapping{{0, 1, 1, 4, 0}, {0, 2, 7, 7, 0}}},
	OFPPMFC_BAD_HW_ADDR:              {"OFPPMFC_BAD_HW_ADDR", []mapping{{0, 1, 1, 4, 1}, {0, 2, 7, 7, 1}}},
	OFPPMFC_BAD_CONFIG:               {"OFPPMFC_BAD_CONFIG", []mapping{{0, 2, 7, 7, 2}}},
	OFPPMFC_BAD_ADVERTISE:            {"OFPPMFC_BAD_ADVERTISE", []mapping{{0, 2, 7, 7, 3}}},
	OFPPMFC_EPERM:                    {"OFPPMFC_EPERM", []mapping{{0, 3, 7, 7, 4}}},
	OFPTMFC_BAD_TABLE:                {"OFPTMFC_BAD_TABLE", []mapping{{0, 2, 7, 8, 0}}},
	OFPTMFC_BAD_CONFIG:               {"OFPTMFC_BAD_CONFIG", []mapping{{0, 2, 7, 8, 1}}},
	OFPTMFC_EPERM:                    {"OFPTMFC_EPERM", []mapping{{0, 3, 7, 8, 2}}},
	OFPQOFC_BAD_PORT:                 {"OFPQOFC_BAD_PORT", []mapping{{0, 1, 1, 5, 0}, {0, 2, 7, 9, 0}}},
	OFPQOFC_BAD_QUEUE:                {"OFPQOFC_BAD_QUEUE", []mapping{{0, 1, 1, 5, 1}, {0, 2, 7, 9, 1}}},
	OFPQOFC_EPERM:                    {"OFPQOFC_EPERM", []mapping{{0, 1, 1, 5, 2}, {0, 2, 7, 9, 2}}},
	NXQOFC_QUEUE_ERROR:               {"NXQOFC_QUEUE_ERROR", []mapping{{nxVendor, 5, 7, -1, 23}}},
	OFPSCFC_BAD_FLAGS:                {"OFPSCFC_BAD_FLAGS", []mapping{{0, 2, 7, 10, 0}}},
	OFPSCFC_BAD_LEN:                  {"OFPSCFC_BAD_LEN", []mapping{{0, 2, 7, 10, 1}}},
	OFPSCFC_EPERM:                    {"OFPSCFC_EPERM", []mapping{{0, 3, 7, 10, 2}}},
	OFPRRFC_STALE:                    {"OFPRRFC_STALE", []mapping{{0, 3, 7, 11, 0}}},
	OFPRRFC_UNSUP:                    {"OFPRRFC_UNSUP", []mapping{{0, 3, 7, 11, 1}}},
	OFPRRFC_BAD_ROLE:                 {"OFPRRFC_BAD_ROLE", []mapping{{nxVendor, 1, 2, 1, 513}, {0, 3, 7, 11, 2}}},
	OFPRRFC_ID_UNSUP:                 {"OFPRRFC_ID_UNSUP", []mapping{{0, 6, 7, 11, 3}}},
	OFPRRFC_ID_IN_USE:                {"OFPRRFC_ID_IN_USE", []mapping{{0, 6, 7, 11, 4}}},
	OFPMMFC_UNKNOWN:                  {"OFPMMFC_UNKNOWN", []mapping{{0, 4, 7, 12, 0}}},
	OFPMMFC_METER_EXISTS:             {"OFPMMFC_METER_EXISTS", []mapping{{0, 4, 7, 12, 1}}},
	OFPMMFC_INVALID_METER:            {"OFPMMFC_INVALID_METER", []mapping{{0, 4, 7, 12, 2}}},
	OFPMMFC_UNKNOWN_METER:            {"OFPMMFC_UNKNOWN_METER", []mapping{{0, 4, 7, 12, 3}}},
	OFPMMFC_BAD_COMMAND:              {"OFPMMFC_BAD_COMMAND", []mapping{{0, 4, 7, 12, 4}}},
	OFPMMFC_BAD_FLAGS:                {"OFPMMFC_BAD_FLAGS", []mapping{{0, 4, 7, 12, 5}}},
	OFPMMFC_BAD_RATE:                 {"OFPMMFC_BAD_RATE", []mapping{{0, 4, 7, 12, 6}}},
	OFPMMFC_BAD_BURST:                {"OFPMMFC_BAD_BURST", []mapping{{0, 4, 7, 12, 7}}},
	OFPMMFC_BAD_BAND:                 {"OFPMMFC_BAD_BAND", []mapping{{0, 4, 7, 12, 8}}},
	OFPMMFC_BAD_BAND_VALUE:           {"OFPMMFC_BAD_BAND_VALUE", []mapping{{0, 4, 7, 12, 9}}},
	OFPMMFC_OUT_OF_METERS:            {"OFPMMFC_OUT_OF_METERS", []mapping{{0, 4, 7, 12, 10}}},
	OFPMMFC_OUT_OF_BANDS:             {"OFPMMFC_OUT_OF_BANDS", []mapping{{0, 4, 7, 12, 11}}},
	OFPTFFC_BAD_TABLE:                {"OFPTFFC_BAD_TABLE", []mapping{{0, 4, 7, 13, 0}}},
	OFPTFFC_BAD_METADATA:             {"OFPTFFC_BAD_METADATA", []mapping{{0, 4, 7, 13, 1}}},
	OFPTFFC_EPERM:                    {"OFPTFFC_EPERM", []mapping{{0, 4, 7, 13, 5}}},
	OFPTFFC_BAD_CAPA:                 {"OFPTFFC_BAD_CAPA", []mapping{{0, 6, 7, 13, 6}}},
	OFPTFFC_BAD_MAX_ENT:              {"OFPTFFC_BAD_MAX_ENT", []mapping{{0, 6, 7, 13, 7}}},
	OFPTFFC_BAD_FEATURES:             {"OFPTFFC_BAD_FEATURES", []mapping{{0, 6, 7, 13, 8}}},
	OFPTFFC_BAD_COMMAND:              {"OFPTFFC_BAD_COMMAND", []mapping{{0, 6, 7, 13, 9}}},
	OFPTFFC_TOO_MANY:                 {"OFPTFFC_TOO_MANY", []mapping{{0, 6, 7, 13, 10}}},
	NXTFFC_DUP_TABLE:                 {"NXTFFC_DUP_TABLE", []mapping{{nxVendor, 4, 7, -1, 44}}},
	OFPBPC_BAD_TYPE:                  {"OFPBPC_BAD_TYPE", []mapping{{nxVendor, 1, 2, 13, 2}, {nxVendor, 3, 3, -1, 25}, {0, 4, 4, 13, 2}, {0, 5, 7, 14, 0}}},
	OFPBPC_BAD_LEN:                   {"OFPBPC_BAD_LEN", []mapping{{nxVendor, 1, 2, 13, 3}, {nxVendor, 3, 3, -1, 26}, {0, 4, 4, 13, 3}, {0, 5, 7, 14, 1}}},
	OFPBPC_BAD_VALUE:                 {"OFPBPC_BAD_VALUE", []mapping{{nxVendor, 1, 2, 13, 4}, {nxVendor, 3, 3, -1, 27}, {0, 4, 4, 13, 4}, {0, 5, 7, 14, 2}}},
	OFPBPC_TOO_MANY:                  {"OFPBPC_TOO_MANY", []mapping{{nxVendor, 1, 2, 14, 3}, {nxVendor, 3, 3, -1, 28}, {onfVendor, 4, 4, -1, 4443}, {0, 5, 7, 14, 3}}},
	OFPBPC_DUP_TYPE:                  {"OFPBPC_DUP_TYPE", []mapping{{nxVendor, 1, 2, 14, 4}, {nxVendor, 3, 3, -1, 29}, {onfVendor, 4, 4, -1, 4444}, {0, 5, 7, 14, 4}}},
	OFPBPC_BAD_EXPERIMENTER:          {"OFPBPC_BAD_EXPERIMENTER", []mapping{{nxVendor, 1, 2, 14, 5}, {nxVendor, 3, 3, -1, 30}, {onfVendor, 4, 4, -1, 4445}, {0, 5, 7, 14, 5}}},
	OFPBPC_BAD_EXP_TYPE:              {"OFPBPC_BAD_EXP_TYPE", []mapping{{nxVendor, 1, 2, 14, 6}, {nxVendor, 3, 3, -1, 31}, {onfVendor, 4, 4, -1, 4446}, {0, 5, 7, 14, 6}}},
	OFPBPC_BAD_EXP_VALUE:             {"OFPBPC_BAD_EXP_VALUE", []mapping{{nxVendor, 1, 2, 14, 7}, {nxVendor, 3, 3, -1, 32}, {onfVendor, 4, 4, -1, 4447}, {0, 5, 7, 14, 7}}},
	OFPBPC_EPERM:                     {"OFPBPC_EPERM", []mapping{{nxVendor, 1, 2, 14, 8}, {nxVendor, 3, 3, -1, 33}, {onfVendor, 4, 4, -1, 4448}, {0, 5, 7, 14, 8}}},
	OFPACFC_INVALID:                  {"OFPACFC_INVALID", []mapping{{onfVendor, 4, 4, -1, 2370}, {0, 5, 7, 15, 0}}},
	OFPACFC_UNSUPPORTED:              {"OFPACFC_UNSUPPORTED", []mapping{{onfVendor, 4, 4, -1, 2371}, {0, 5, 7, 15, 1}}},
	OFPACFC_EPERM:                    {"OFPACFC_EPERM", []mapping{{onfVendor, 4, 4, -1, 2372}, {0, 5, 7, 15, 2}}},
	OFPBFC_UNKNOWN:                   {"OFPBFC_UNKNOWN", []mapping{{onfVendor, 4, 4, -1, 2300}, {0, 5, 7, 17, 0}}},
	OFPBFC_EPERM:                     {"OFPBFC_EPERM", []mapping{{onfVendor, 4, 4, -1, 2301}, {0, 5, 7, 17, 1}}},
	OFPBFC_BAD_ID:                    {"OFPBFC_BAD_ID", []mapping{{onfVendor, 4, 4, -1, 2302}, {0, 5, 7, 17, 2}}},
	OFPBFC_BUNDLE_EXIST:              {"OFPBFC_BUNDLE_EXIST", []mapping{{onfVendor, 4, 4, -1, 2303}, {0, 5, 7, 17, 3}}},
	OFPBFC_BUNDLE_CLOSED:             {"OFPBFC_BUNDLE_CLOSED", []mapping{{onfVendor, 4, 4, -1, 2304}, {0, 5, 7, 17, 4}}},
	OFPBFC_OUT_OF_BUNDLES:            {"OFPBFC_OUT_OF_BUNDLES", []mapping{{onfVendor, 4, 4, -1, 2305}, {0, 5, 7, 17, 5}}},
	OFPBFC_BAD_TYPE:                  {"OFPBFC_BAD_TYPE", []mapping{{onfVendor, 4, 4, -1, 2306}, {0, 5, 7, 17, 6}}},
	OFPBFC_BAD_FLAGS:                 {"OFPBFC_BAD_FLAGS", []mapping{{onfVendor, 4, 4, -1, 2307}, {0, 5, 7, 17, 7}}},
	OFPBFC_MSG_BAD_LEN:               {"OFPBFC_MSG_BAD_LEN", []mapping{{onfVendor, 4, 4, -1, 2308}, {0, 5, 7, 17, 8}}},
	OFPBFC_MSG_BAD_XID:               {"OFPBFC_MSG_BAD_XID", []mapping{{onfVendor, 4, 4, -1, 2309}, {0, 5, 7, 17, 9}}},
	OFPBFC_MSG_UNSUP:                 {"OFPBFC_MSG_UNSUP", []mapping{{onfVendor, 4, 4, -1, 2310}, {0, 5, 7, 17, 10}}},
	OFPBFC_MSG_CONFLICT:              {"OFPBFC_MSG_CONFLICT", []mapping{{onfVendor, 4, 4, -1, 2311}, {0, 5, 7, 17, 11}}},
	OFPBFC_MSG_TOO_MANY:              {"OFPBFC_MSG_TOO_MANY", []mapping{{onfVendor, 4, 4, -1, 2312}, {0, 5, 7, 17, 12}}},
	OFPBFC_MSG_FAILED:                {"OFPBFC_MSG_FAILED", []mapping{{onfVendor, 4, 4, -1, 2313}, {0, 5, 7, 17, 13}}},
	OFPBFC_TIMEOUT:                   {"OFPBFC_TIMEOUT", []mapping{{onfVendor, 4, 4, -1, 2314}, {0, 5, 7, 17, 14}}},
	OFPBFC_BUNDLE_IN_PROGRESS:        {"OFPBFC_BUNDLE_IN_PROGRESS", []mapping{{onfVendor, 4, 4, -1, 2315}, {0, 5, 7, 17, 15}}},
	OFPBFC_SCHED_NOT_SUPPORTED:       {"OFPBFC_SCHED_NOT_SUPPORTED", []mapping{{0, 6, 7, 17, 16}}},
	OFPBFC_SCHED_FUTURE:              {"OFPBFC_SCHED_FUTURE", []mapping{{0, 6, 7, 17, 17}}},
	OFPBFC_SCHED_PAST:                {"OFPBFC_SCHED_PAST", []mapping{{0, 6, 7, 17, 18}}},
	OFPBFC_BAD_VERSION:               {"OFPBFC_BAD_VERSION", []mapping{{nxVendor, 5, 6, -1, 22}}},
	OFPMOFC_UNKNOWN:                  {"OFPMOFC_UNKNOWN", []mapping{{0, 5, 7, 16, 0}}},
	OFPMOFC_MONITOR_EXISTS:           {"OFPMOFC_MONITOR_EXISTS", []mapping{{nxVendor, 1, 2, 1, 517}, {nxVendor, 3, 4, -1, 6}, {0, 5, 7, 16, 1}}},
	OFPMOFC_INVALID_MONITOR:          {"OFPMOFC_INVALID_MONITOR", []mapping{{0, 5, 7, 16, 2}}},
	OFPMOFC_UNKNOWN_MONITOR:          {"OFPMOFC_UNKNOWN_MONITOR", []mapping{{nxVendor, 1, 2, 1, 519}, {nxVendor, 3, 4, -1, 8}, {0, 5, 7, 16, 3}}},
	OFPMOFC_BAD_COMMAND:              {"OFPMOFC_BAD_COMMAND", []mapping{{0, 5, 7, 16, 4}}},
	OFPMOFC_BAD_FLAGS:                {"OFPMOFC_BAD_FLAGS", []mapping{{nxVendor, 1, 2, 1, 518}, {nxVendor, 3, 4, -1, 7}, {0, 5, 7, 16, 5}}},
	OFPMOFC_BAD_TABLE_ID:             {"OFPMOFC_BAD_TABLE_ID", []mapping{{0, 5, 7, 16, 6}}},
	OFPMOFC_BAD_OUT:                  {"OFPMOFC_BAD_OUT", []mapping{{0, 5, 7, 16, 7}}},
	NXTTMFC_BAD_COMMAND:              {"NXTTMFC_BAD_COMMAND", []mapping{{nxVendor, 1, 2, 1, 527}, {nxVendor, 3, 7, -1, 16}}},
	NXTTMFC_BAD_OPT_LEN:              {"NXTTMFC_BAD_OPT_LEN", []mapping{{nxVendor, 1, 2, 1, 528}, {nxVendor, 3, 7, -1, 17}}},
	NXTTMFC_BAD_FIELD_IDX:            {"NXTTMFC_BAD_FIELD_IDX", []mapping{{nxVendor, 1, 2, 1, 529}, {nxVendor, 3, 7, -1, 18}}},
	NXTTMFC_TABLE_FULL:               {"NXTTMFC_TABLE_FULL", []mapping{{nxVendor, 1, 2, 1, 530}, {nxVendor, 3, 7, -1, 19}}},
	NXTTMFC_ALREADY_MAPPED:           {"NXTTMFC_ALREADY_MAPPED", []mapping{{nxVendor, 1, 2, 1, 531}, {nxVendor, 3, 7, -1, 20}}},
	NXTTMFC_DUP_ENTRY:                {"NXTTMFC_DUP_ENTRY", []mapping{{nxVendor, 1, 2, 1, 532}, {nxVendor, 3, 7, -1, 21}}},
	NXTTMFC_INVALID_TLV_DEL:          {"NXTTMFC_INVALID_TLV_DEL", []mapping{{nxVendor, 1, 2, 1, 537}, {nxVendor, 3, 7, -1, 38}}},
	NXR_NOT_SUPPORTED:                {"NXR_NOT_SUPPORTED", []mapping{{nxVendor, 1, 2, 1, 533}, {nxVendor, 3, 7, -1, 34}}},
	NXR_STALE:                        {"NXR_STALE", []mapping{{nxVendor, 1, 2, 1, 534}, {nxVendor, 3, 7, -1, 35}}},
	NXST_NOT_CONFIGURED:              {"NXST_NOT_CONFIGURED", []mapping{{nxVendor, 1, 2, 1, 535}, {nxVendor, 3, 7, -1, 36}}},
}
