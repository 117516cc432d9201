// Binary forms of what the store keeps in LMDB values: the fixed node header that precedes
// a znode's data in `tree`, ACL lists (also used inside encoded Txns), `acls` entries and
// session records. Decoders return false on malformed bytes instead of reading past them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "graph/byte_codec.h"
#include "graph/znode.h"

namespace gk::graph {

// A `tree` value is NodeHeader (kNodeHeaderBytes, fixed layout) followed by the data bytes.
// Fixed layout lets the writer read the header alone and lay out a new value in place.
struct NodeHeader {
  Stat stat;
  int64_t childSeq = 0;
  uint64_t aclId = 0;
  // ZooKeeper keeps null data apart from empty data (a client reads back null, length -1);
  // stored as dataLength -1, reported in Stat as 0.
  bool dataNull = false;
};
inline constexpr size_t kNodeHeaderBytes = 8 * 4 + 4 * 3 + 8 + 4 * 2 + 8 + 8 + 8;

void writeNodeHeader(const NodeHeader& header, char* out);  // writes kNodeHeaderBytes
// Splits a `tree` value; false when it is shorter than a header or dataLength disagrees.
bool readNodeValue(std::string_view value, NodeHeader& header, std::string_view& data);

void appendAclList(ByteWriter& out, const AclList& acl);
bool readAclList(ByteReader& in, AclList& acl);

// `acls` value: reference count, then the encoded list (exactly as `acl_by_value` keys it).
inline constexpr size_t kAclRefBytes = 8;
bool readAclEntry(std::string_view value, uint64_t& refs, std::string_view& encodedList);
bool decodeAclList(std::string_view encoded, AclList& acl);

// `sessions` value: timeoutMs, then the password bytes.
void encodeSessionValue(const SessionRecord& session, std::string& out);
bool decodeSessionValue(std::string_view value, SessionRecord& session);  // id left as is

}  // namespace gk::graph
