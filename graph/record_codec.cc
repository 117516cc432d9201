// Binary forms of the store's LMDB values (see record_codec.h).
#include "graph/record_codec.h"

namespace gk::graph {

void writeNodeHeader(const NodeHeader& h, char* out) {
  const Stat& s = h.stat;
  storeLE(out + 0, s.czxid);
  storeLE(out + 8, s.mzxid);
  storeLE(out + 16, s.ctime);
  storeLE(out + 24, s.mtime);
  storeLE(out + 32, s.version);
  storeLE(out + 36, s.cversion);
  storeLE(out + 40, s.aversion);
  storeLE(out + 44, s.ephemeralOwner);
  storeLE(out + 52, h.dataNull ? int32_t(-1) : s.dataLength);
  storeLE(out + 56, s.numChildren);
  storeLE(out + 60, s.pzxid);
  storeLE(out + 68, h.childSeq);
  storeLE(out + 76, h.aclId);
  static_assert(kNodeHeaderBytes == 84);
}

bool readNodeValue(std::string_view value, NodeHeader& h, std::string_view& data) {
  if (value.size() < kNodeHeaderBytes) return false;
  const char* in = value.data();
  Stat& s = h.stat;
  s.czxid = loadLE<int64_t>(in + 0);
  s.mzxid = loadLE<int64_t>(in + 8);
  s.ctime = loadLE<int64_t>(in + 16);
  s.mtime = loadLE<int64_t>(in + 24);
  s.version = loadLE<int32_t>(in + 32);
  s.cversion = loadLE<int32_t>(in + 36);
  s.aversion = loadLE<int32_t>(in + 40);
  s.ephemeralOwner = loadLE<int64_t>(in + 44);
  s.dataLength = loadLE<int32_t>(in + 52);
  s.numChildren = loadLE<int32_t>(in + 56);
  s.pzxid = loadLE<int64_t>(in + 60);
  h.childSeq = loadLE<int64_t>(in + 68);
  h.aclId = loadLE<uint64_t>(in + 76);
  data = value.substr(kNodeHeaderBytes);
  h.dataNull = s.dataLength == -1;
  if (h.dataNull) {
    s.dataLength = 0;
    return data.empty();
  }
  return s.dataLength >= 0 && static_cast<size_t>(s.dataLength) == data.size();
}

void appendAclList(ByteWriter& out, const AclList& acl) {
  out.put(static_cast<uint32_t>(acl.size()));
  for (const Acl& a : acl) {
    out.put(a.perms);
    out.putBytes(a.scheme);
    out.putBytes(a.id);
  }
}

bool readAclList(ByteReader& in, AclList& acl) {
  constexpr size_t kMinEntryBytes = 4 + 4 + 4;
  uint32_t count = 0;
  if (!in.get(count) || count > in.remaining() / kMinEntryBytes) return false;
  acl.clear();
  acl.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Acl& a = acl.emplace_back();
    if (!in.get(a.perms) || !in.getString(a.scheme) || !in.getString(a.id)) return false;
  }
  return true;
}

bool readAclEntry(std::string_view value, uint64_t& refs, std::string_view& encodedList) {
  if (value.size() < kAclRefBytes) return false;
  refs = loadLE<uint64_t>(value.data());
  encodedList = value.substr(kAclRefBytes);
  return true;
}

bool decodeAclList(std::string_view encoded, AclList& acl) {
  ByteReader in(encoded);
  return readAclList(in, acl) && in.atEnd();
}

void encodeSessionValue(const SessionRecord& session, std::string& out) {
  out.clear();
  ByteWriter w(out);
  w.put(session.timeoutMs);
  out.append(session.password);
}

bool decodeSessionValue(std::string_view value, SessionRecord& session) {
  if (value.size() < 4) return false;
  session.timeoutMs = loadLE<int32_t>(value.data());
  session.password.assign(value.substr(4));
  return true;
}

}  // namespace gk::graph
