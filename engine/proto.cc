#include "engine/proto.h"

namespace gk::engine {

const char* opName(int32_t type) {
  switch (type) {
    case op::kNotification: return "notification";
    case op::kCreate: return "create";
    case op::kDelete: return "delete";
    case op::kExists: return "exists";
    case op::kGetData: return "getData";
    case op::kSetData: return "setData";
    case op::kGetAcl: return "getACL";
    case op::kSetAcl: return "setACL";
    case op::kGetChildren: return "getChildren";
    case op::kSync: return "sync";
    case op::kPing: return "ping";
    case op::kGetChildren2: return "getChildren2";
    case op::kCheck: return "check";
    case op::kMulti: return "multi";
    case op::kCreate2: return "create2";
    case op::kReconfig: return "reconfig";
    case op::kCheckWatches: return "checkWatches";
    case op::kRemoveWatches: return "removeWatches";
    case op::kCreateContainer: return "createContainer";
    case op::kDeleteContainer: return "deleteContainer";
    case op::kCreateTtl: return "createTTL";
    case op::kMultiRead: return "multiRead";
    case op::kAuth: return "auth";
    case op::kSetWatches: return "setWatches";
    case op::kSasl: return "sasl";
    case op::kGetEphemerals: return "getEphemerals";
    case op::kGetAllChildrenNumber: return "getAllChildrenNumber";
    case op::kSetWatches2: return "setWatches2";
    case op::kAddWatch: return "addWatch";
    case op::kWhoAmI: return "whoAmI";
    case op::kCreateSession: return "createSession";
    case op::kCloseSession: return "closeSession";
    case op::kError: return "error";
    default: return "unknown";
  }
}

ConnectRequest readConnectRequest(JuteReader& r) {
  ConnectRequest c;
  c.protocolVersion = r.readInt();
  c.lastZxidSeen = r.readLong();
  c.timeoutMs = r.readInt();
  c.sessionId = r.readLong();
  c.password = r.readBuffer();
  // Clients before 3.4 do not send the readOnly flag.
  if (!r.atEnd()) c.readOnly = r.readBool();
  return c;
}

void writeStat(JuteWriter& w, const graph::Stat& s) {
  w.writeLong(s.czxid);
  w.writeLong(s.mzxid);
  w.writeLong(s.ctime);
  w.writeLong(s.mtime);
  w.writeInt(s.version);
  w.writeInt(s.cversion);
  w.writeInt(s.aversion);
  w.writeLong(graph::clientVisibleOwner(s.ephemeralOwner));
  w.writeInt(s.dataLength);
  w.writeInt(s.numChildren);
  w.writeLong(s.pzxid);
}

graph::AclList readAclList(JuteReader& r) {
  int32_t n = r.readCount(12);
  graph::AclList acl;
  acl.reserve(size_t(n));
  for (int32_t i = 0; i < n; ++i) {
    graph::Acl a;
    a.perms = r.readInt();
    a.scheme = r.readString();
    a.id = r.readString();
    acl.push_back(std::move(a));
  }
  return acl;
}

void writeAclList(JuteWriter& w, const graph::AclList& acl) {
  w.writeInt(int32_t(acl.size()));
  for (const auto& a : acl) {
    w.writeInt(a.perms);
    w.writeString(a.scheme);
    w.writeString(a.id);
  }
}

CreateRequest readCreateRequest(JuteReader& r, bool withTtl) {
  CreateRequest c;
  c.path = r.readString();
  c.data = r.readBuffer(c.dataNull);
  c.acl = readAclList(r);
  c.flags = r.readInt();
  if (withTtl) c.ttl = r.readLong();
  return c;
}

PathVersion readPathVersion(JuteReader& r) {
  PathVersion p;
  p.path = r.readString();
  p.version = r.readInt();
  return p;
}

PathWatch readPathWatch(JuteReader& r) {
  PathWatch p;
  p.path = r.readString();
  p.watch = r.readBool();
  return p;
}

SetDataRequest readSetDataRequest(JuteReader& r) {
  SetDataRequest s;
  s.path = r.readString();
  s.data = r.readBuffer(s.dataNull);
  s.version = r.readInt();
  return s;
}

SetAclRequest readSetAclRequest(JuteReader& r) {
  SetAclRequest s;
  s.path = r.readString();
  s.acl = readAclList(r);
  s.version = r.readInt();
  return s;
}

SetWatchesRequest readSetWatches(JuteReader& r, bool v2) {
  SetWatchesRequest s;
  s.relativeZxid = r.readLong();
  s.dataWatches = r.readStringVector();
  s.existWatches = r.readStringVector();
  s.childWatches = r.readStringVector();
  if (v2) {
    s.persistentWatches = r.readStringVector();
    s.persistentRecursiveWatches = r.readStringVector();
  }
  return s;
}

PathInt readPathInt(JuteReader& r) {
  PathInt p;
  p.path = r.readString();
  p.value = r.readInt();
  return p;
}

AuthPacket readAuthPacket(JuteReader& r) {
  AuthPacket a;
  a.type = r.readInt();
  a.scheme = r.readString();
  a.auth = r.readBuffer();
  return a;
}

}  // namespace gk::engine
