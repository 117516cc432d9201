// The Txn wire form. Layout (all integers little-endian, strings u32-length-prefixed):
//   u8 format version (2) | i64 zxid | i64 time | i64 sessionId | i32 cxid | i32 type |
//   u32 op count | per op: u8 tag (the TxnOp variant index) and that op's fields in
//   declaration order. Version 1 (before `type`, CreateOp.requestOp and CheckOp) still
//   decodes, with those zero, so a log written by an older server replays.
// Decoding is strict (trailing bytes are an error): replicated bytes either mean exactly
// one Txn or none.
#include "graph/txn.h"

#include <type_traits>

#include "graph/byte_codec.h"
#include "graph/record_codec.h"

namespace gk::graph {

namespace {

constexpr uint8_t kFormatVersion = 2;
constexpr uint8_t kFormatVersion1 = 1;

template <typename T, typename V>
struct VariantIndex;
template <typename T, typename... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr uint8_t value = [] {
    uint8_t i = 0;
    ((std::is_same_v<T, Ts> ? false : (++i, true)) && ...);
    return i;
  }();
};
template <typename T>
constexpr uint8_t tagOf = VariantIndex<T, TxnOp>::value;
static_assert(tagOf<CreateOp> == 0 && tagOf<CloseSessionOp> == 5 &&
              tagOf<UpdateQuotaStatsOp> == 6 && tagOf<RecountQuotaStatsOp> == 7 &&
              tagOf<CheckOp> == 8);

size_t aclBytes(const AclList& acl) {
  size_t n = 4;
  for (const Acl& a : acl) n += 12 + a.scheme.size() + a.id.size();
  return n;
}

size_t opBytes(const TxnOp& op) {
  return 1 + std::visit(
                 [](const auto& o) -> size_t {
                   using T = std::decay_t<decltype(o)>;
                   if constexpr (std::is_same_v<T, CreateOp>)
                     return 9 + o.path.size() + o.data.size() + aclBytes(o.acl) + 8 + 4;
                   else if constexpr (std::is_same_v<T, DeleteOp>)
                     return 4 + o.path.size();
                   else if constexpr (std::is_same_v<T, SetDataOp>)
                     return 9 + o.path.size() + o.data.size() + 4;
                   else if constexpr (std::is_same_v<T, SetAclOp>)
                     return 4 + o.path.size() + aclBytes(o.acl) + 4;
                   else if constexpr (std::is_same_v<T, CreateSessionOp>)
                     return 8 + 4 + 4 + o.password.size();
                   else if constexpr (std::is_same_v<T, UpdateQuotaStatsOp>)
                     return 4 + o.path.size() + 8 + 8;
                   else if constexpr (std::is_same_v<T, RecountQuotaStatsOp>)
                     return 4 + o.path.size() + 4 + o.subtree.size();
                   else if constexpr (std::is_same_v<T, CheckOp>)
                     return 4 + o.path.size() + 4;
                   else {
                     static_assert(std::is_same_v<T, CloseSessionOp>);
                     size_t n = 8 + 4;
                     for (const auto& p : o.ephemerals) n += 4 + p.size();
                     return n;
                   }
                 },
                 op);
}

void writeOp(ByteWriter& w, const TxnOp& op) {
  std::visit(
      [&w](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        w.put(tagOf<T>);
        if constexpr (std::is_same_v<T, CreateOp>) {
          w.putBytes(o.path);
          w.putBytes(o.data);
          w.put(static_cast<uint8_t>(o.dataNull));
          appendAclList(w, o.acl);
          w.put(o.ephemeralOwner);
          w.put(o.requestOp);
        } else if constexpr (std::is_same_v<T, DeleteOp>) {
          w.putBytes(o.path);
        } else if constexpr (std::is_same_v<T, SetDataOp>) {
          w.putBytes(o.path);
          w.putBytes(o.data);
          w.put(static_cast<uint8_t>(o.dataNull));
          w.put(o.newVersion);
        } else if constexpr (std::is_same_v<T, SetAclOp>) {
          w.putBytes(o.path);
          appendAclList(w, o.acl);
          w.put(o.newAversion);
        } else if constexpr (std::is_same_v<T, CreateSessionOp>) {
          w.put(o.sessionId);
          w.put(o.timeoutMs);
          w.putBytes(o.password);
        } else if constexpr (std::is_same_v<T, UpdateQuotaStatsOp>) {
          w.putBytes(o.path);
          w.put(o.countDelta);
          w.put(o.bytesDelta);
        } else if constexpr (std::is_same_v<T, RecountQuotaStatsOp>) {
          w.putBytes(o.path);
          w.putBytes(o.subtree);
        } else if constexpr (std::is_same_v<T, CheckOp>) {
          w.putBytes(o.path);
          w.put(o.version);
        } else {
          static_assert(std::is_same_v<T, CloseSessionOp>);
          w.put(o.sessionId);
          w.put(static_cast<uint32_t>(o.ephemerals.size()));
          for (const auto& p : o.ephemerals) w.putBytes(p);
        }
      },
      op);
}

bool readOp(ByteReader& r, TxnOp& out, uint8_t version) {
  uint8_t tag = 0;
  if (!r.get(tag)) return false;
  switch (tag) {
    case tagOf<CreateOp>: {
      CreateOp o;
      uint8_t null = 0;
      if (!r.getString(o.path) || !r.getString(o.data) || !r.get(null) || null > 1 ||
          !readAclList(r, o.acl) || !r.get(o.ephemeralOwner) ||
          (version >= kFormatVersion && !r.get(o.requestOp)))
        return false;
      o.dataNull = null == 1;
      out = std::move(o);
      return true;
    }
    case tagOf<DeleteOp>: {
      DeleteOp o;
      if (!r.getString(o.path)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<SetDataOp>: {
      SetDataOp o;
      uint8_t null = 0;
      if (!r.getString(o.path) || !r.getString(o.data) || !r.get(null) || null > 1 ||
          !r.get(o.newVersion))
        return false;
      o.dataNull = null == 1;
      out = std::move(o);
      return true;
    }
    case tagOf<SetAclOp>: {
      SetAclOp o;
      if (!r.getString(o.path) || !readAclList(r, o.acl) || !r.get(o.newAversion)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<CreateSessionOp>: {
      CreateSessionOp o;
      if (!r.get(o.sessionId) || !r.get(o.timeoutMs) || !r.getString(o.password)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<CloseSessionOp>: {
      CloseSessionOp o;
      uint32_t count = 0;
      // Each path costs at least its 4-byte length: bounds the reserve by the input size.
      if (!r.get(o.sessionId) || !r.get(count) || count > r.remaining() / 4) return false;
      o.ephemerals.resize(count);
      for (auto& p : o.ephemerals)
        if (!r.getString(p)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<UpdateQuotaStatsOp>: {
      UpdateQuotaStatsOp o;
      if (!r.getString(o.path) || !r.get(o.countDelta) || !r.get(o.bytesDelta)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<RecountQuotaStatsOp>: {
      RecountQuotaStatsOp o;
      if (!r.getString(o.path) || !r.getString(o.subtree)) return false;
      out = std::move(o);
      return true;
    }
    case tagOf<CheckOp>: {
      CheckOp o;
      if (version < kFormatVersion || !r.getString(o.path) || !r.get(o.version)) return false;
      out = std::move(o);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

bool Txn::operator==(const Txn& o) const {
  return zxid == o.zxid && time == o.time && sessionId == o.sessionId && cxid == o.cxid &&
         type == o.type && ops == o.ops;
}

std::string encodeTxn(const Txn& txn) {
  size_t size = 1 + 8 + 8 + 8 + 4 + 4 + 4;
  for (const TxnOp& op : txn.ops) size += opBytes(op);
  std::string out;
  out.reserve(size);
  ByteWriter w(out);
  w.put(kFormatVersion);
  w.put(txn.zxid);
  w.put(txn.time);
  w.put(txn.sessionId);
  w.put(txn.cxid);
  w.put(txn.type);
  w.put(static_cast<uint32_t>(txn.ops.size()));
  for (const TxnOp& op : txn.ops) writeOp(w, op);
  return out;
}

std::optional<Txn> decodeTxn(std::string_view bytes) {
  ByteReader r(bytes);
  uint8_t version = 0;
  uint32_t count = 0;
  Txn txn;
  if (!r.get(version) || (version != kFormatVersion && version != kFormatVersion1) ||
      !r.get(txn.zxid) || !r.get(txn.time) || !r.get(txn.sessionId) || !r.get(txn.cxid) ||
      (version == kFormatVersion && !r.get(txn.type)) || !r.get(count))
    return std::nullopt;
  // The smallest op (a DeleteOp of "") is 5 bytes: bounds the reserve by the input size.
  if (count > r.remaining() / 5) return std::nullopt;
  txn.ops.resize(count);
  for (TxnOp& op : txn.ops)
    if (!readOp(r, op, version)) return std::nullopt;
  if (!r.atEnd()) return std::nullopt;
  return txn;
}

}  // namespace gk::graph
