// Kafka's znodes -> graph facts (see kafka_projection.h). Formats from kafka.zk.ZkData:
// BrokerIdZNode, TopicZNode, TopicPartitionStateZNode, ControllerZNode, ControllerEpochZNode,
// ClusterIdZNode, DeleteTopicsTopicZNode, ConfigEntityZNode.
#include "graph/kafka_projection.h"

#include <charconv>
#include <string>

#include "graph/value_codec.h"

namespace gk::graph::kafka {

namespace {

constexpr std::string_view kBrokerIds = "/brokers/ids/";
constexpr std::string_view kTopics = "/brokers/topics/";
constexpr std::string_view kDeleteTopics = "/admin/delete_topics/";
constexpr std::string_view kConfigTopics = "/config/topics/";
constexpr std::string_view kConfigBrokers = "/config/brokers/";

// A non-negative decimal int32, exactly (Kafka's ids and partitions; "01" and "+1" are not).
std::optional<int64_t> parseId(std::string_view s) {
  if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > INT32_MAX) return std::nullopt;
  return v;
}

// One path segment without '/', else nullopt.
std::optional<std::string_view> segment(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return std::nullopt;
  return rest;
}

const Value* field(const Value& obj, std::string_view name) {
  if (!obj.isMap()) return nullptr;
  const Value* v = valueMapGet(obj.asMap(), name);
  return v && !v->isNull() ? v : nullptr;
}

// Copies obj[jsonName] to props[name] when its type is accepted.
void copyIf(ValueMap& props, const Value& obj, std::string_view jsonName, std::string name,
            bool (Value::*accept)() const) {
  const Value* v = field(obj, jsonName);
  if (v && (v->*accept)()) valueMapSet(props, std::move(name), *v);
}

// A list of broker ids; entries that are not ids are left out.
std::vector<int64_t> idList(const Value* v) {
  std::vector<int64_t> out;
  if (!v || !v->isList()) return out;
  for (const Value& x : v->asList())
    if (x.isInt() && x.asInt() >= 0 && x.asInt() <= INT32_MAX) out.push_back(x.asInt());
  return out;
}

Value intListValue(const std::vector<int64_t>& ids) {
  ValueList l;
  for (int64_t id : ids) l.emplace_back(id);
  return Value(std::move(l));
}

// Kafka writes timestamps as decimal strings; they read best as integers.
void copyTimestamp(ValueMap& props, const Value& obj) {
  const Value* v = field(obj, "timestamp");
  if (!v) return;
  if (v->isInt()) return valueMapSet(props, "timestamp", *v);
  if (!v->isString()) return;
  const std::string& s = v->asString();
  int64_t t = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
  valueMapSet(props, "timestamp", ec == std::errc() && p == s.data() + s.size() ? Value(t) : *v);
}

NodeKey brokerKey(int64_t id) { return NodeKey{"Broker", Value(id)}; }
NodeKey topicKey(std::string_view name) { return NodeKey{"Topic", Value(name)}; }
NodeKey partitionKey(std::string_view topic, int64_t p) {
  return NodeKey{"Partition", Value(ValueList{Value(topic), Value(p)})};
}
NodeKey clusterKey() { return NodeKey{"Cluster", Value(int64_t{0})}; }

// A broker as another source names it: alive until its registration says otherwise.
void namedBroker(Facts& f, int64_t id) {
  f.nodes.push_back(NodeFact{brokerKey(id), {{"alive", Value(false)}, {"id", Value(id)}}, false});
}
void namedTopic(Facts& f, std::string_view name, ValueMap extra = {}) {
  valueMapSet(extra, "name", Value(name));
  f.nodes.push_back(NodeFact{topicKey(name), std::move(extra), false});
}

Value parsed(std::string_view data) {
  auto v = parseJsonValue(data);
  return v ? std::move(*v) : Value();
}

void brokerRegistration(Facts& f, int64_t id, std::string_view data) {
  Value js = parsed(data);
  ValueMap p{{"alive", Value(true)}, {"id", Value(id)}};
  copyIf(p, js, "host", "host", &Value::isString);
  copyIf(p, js, "port", "port", &Value::isInt);
  copyIf(p, js, "rack", "rack", &Value::isString);
  copyIf(p, js, "jmx_port", "jmxPort", &Value::isInt);
  copyIf(p, js, "version", "version", &Value::isInt);
  copyIf(p, js, "listener_security_protocol_map", "listenerSecurityProtocolMap", &Value::isMap);
  copyIf(p, js, "features", "features", &Value::isMap);
  copyTimestamp(p, js);
  if (const Value* eps = field(js, "endpoints"); eps && eps->isList()) {
    ValueList l;
    for (const Value& e : eps->asList())
      if (e.isString()) l.push_back(e);
    valueMapSet(p, "endpoints", Value(std::move(l)));
  }
  f.nodes.push_back(NodeFact{brokerKey(id), std::move(p), true});
}

void topicAssignment(Facts& f, std::string_view topic, std::string_view data) {
  Value js = parsed(data);
  ValueMap tp{{"name", Value(topic)}};
  copyIf(tp, js, "topic_id", "topicId", &Value::isString);
  copyIf(tp, js, "version", "version", &Value::isInt);
  const Value* parts = field(js, "partitions");
  const Value* adding = field(js, "adding_replicas");
  const Value* removing = field(js, "removing_replicas");
  int64_t count = 0;
  if (parts && parts->isMap()) {
    for (const auto& [pname, replicasValue] : parts->asMap()) {
      auto pid = parseId(pname);
      if (!pid) continue;
      ++count;
      std::vector<int64_t> replicas = idList(&replicasValue);
      ValueMap pp{{"id", Value(*pid)}, {"replicas", intListValue(replicas)}, {"topic", Value(topic)}};
      if (const Value* a = adding ? field(*adding, pname) : nullptr)
        valueMapSet(pp, "addingReplicas", intListValue(idList(a)));
      if (const Value* r = removing ? field(*removing, pname) : nullptr)
        valueMapSet(pp, "removingReplicas", intListValue(idList(r)));
      NodeKey pk = partitionKey(topic, *pid);
      f.nodes.push_back(NodeFact{pk, std::move(pp), true});
      f.edges.push_back(EdgeFact{"PARTITION_OF", pk, topicKey(topic), {}});
      for (size_t i = 0; i < replicas.size(); ++i) {
        namedBroker(f, replicas[i]);
        // At most one edge per (from, type, to): a broker listed twice keeps its first position.
        f.edges.push_back(EdgeFact{"REPLICA", pk, brokerKey(replicas[i]),
                                   {{"position", Value(static_cast<int64_t>(i))}}});
      }
    }
  }
  valueMapSet(tp, "partitionCount", Value(count));
  f.nodes.push_back(NodeFact{topicKey(topic), std::move(tp), true});
}

void partitionState(Facts& f, std::string_view topic, int64_t pid, std::string_view data) {
  Value js = parsed(data);
  NodeKey pk = partitionKey(topic, pid);
  ValueMap pp{{"id", Value(pid)}, {"topic", Value(topic)}};
  copyIf(pp, js, "leader", "leader", &Value::isInt);
  copyIf(pp, js, "leader_epoch", "leaderEpoch", &Value::isInt);
  copyIf(pp, js, "controller_epoch", "controllerEpoch", &Value::isInt);
  copyIf(pp, js, "leader_recovery_state", "leaderRecoveryState", &Value::isInt);
  std::vector<int64_t> isr = idList(field(js, "isr"));
  if (const Value* l = field(js, "isr"); l && l->isList()) valueMapSet(pp, "isr", intListValue(isr));
  f.nodes.push_back(NodeFact{pk, std::move(pp), false});
  namedTopic(f, topic);
  f.edges.push_back(EdgeFact{"PARTITION_OF", pk, topicKey(topic), {}});
  const Value* leader = field(js, "leader");
  if (leader && leader->isInt() && leader->asInt() >= 0 && leader->asInt() <= INT32_MAX) {
    namedBroker(f, leader->asInt());
    f.edges.push_back(EdgeFact{"LEADER", pk, brokerKey(leader->asInt()), {}});
  }
  for (int64_t b : isr) {
    namedBroker(f, b);
    f.edges.push_back(EdgeFact{"IN_ISR", pk, brokerKey(b), {}});
  }
}

// {"version":1,"config":{"k":"v"}} -> the config map, or nullptr.
const Value* configMap(const Value& js) {
  const Value* c = field(js, "config");
  return c && c->isMap() ? c : nullptr;
}

}  // namespace

bool mayProject(std::string_view path) {
  if (path.size() < 8) return false;
  switch (path[1]) {
    case 'b': return path.starts_with("/brokers/");
    case 'c':
      return path == "/controller" || path == "/controller_epoch" || path == "/cluster/id" ||
             path.starts_with("/config/");
    case 'a': return path.starts_with(kDeleteTopics);
    default: return false;
  }
}

std::vector<std::string_view> roots() {
  return {"/brokers", "/controller", "/controller_epoch", "/cluster", "/admin/delete_topics",
          "/config"};
}

std::vector<IndexFact> indexes() {
  return {{"Broker", "id", true},    {"Broker", "rack", false}, {"Topic", "name", true},
          {"Partition", "topic", false}, {"Partition", "id", false}, {"Cluster", "id", true}};
}

Facts project(std::string_view path, bool exists, std::string_view data) {
  Facts f;
  if (!exists || !mayProject(path)) return f;
  if (auto id = segment(path, kBrokerIds)) {
    if (auto n = parseId(*id)) brokerRegistration(f, *n, data);
    return f;
  }
  if (path.starts_with(kTopics)) {
    std::string_view rest = path.substr(kTopics.size());
    size_t slash = rest.find('/');
    std::string_view topic = rest.substr(0, slash);
    if (topic.empty()) return f;
    if (slash == std::string_view::npos) {
      topicAssignment(f, topic, data);
      return f;
    }
    // T/partitions/P/state
    std::string_view tail = rest.substr(slash);
    constexpr std::string_view kParts = "/partitions/", kState = "/state";
    if (!tail.starts_with(kParts) || !tail.ends_with(kState)) return f;
    std::string_view p = tail.substr(kParts.size(), tail.size() - kParts.size() - kState.size());
    if (auto pid = parseId(p)) partitionState(f, topic, *pid, data);
    return f;
  }
  if (path == "/controller") {
    Value js = parsed(data);
    const Value* b = field(js, "brokerid");
    if (b && b->isInt() && b->asInt() >= 0 && b->asInt() <= INT32_MAX) {
      namedBroker(f, b->asInt());
      f.nodes.push_back(NodeFact{clusterKey(), {}, false});
      f.edges.push_back(EdgeFact{"CONTROLLER", brokerKey(b->asInt()), clusterKey(), {}});
    }
    return f;
  }
  if (path == "/controller_epoch") {
    if (auto e = parseId(data))
      f.nodes.push_back(NodeFact{clusterKey(), {{"controllerEpoch", Value(*e)}}, false});
    return f;
  }
  if (path == "/cluster/id") {
    Value js = parsed(data);
    const Value* id = field(js, "id");
    ValueMap props;
    if (id && id->isString()) valueMapSet(props, "id", *id);
    f.nodes.push_back(NodeFact{clusterKey(), std::move(props), true});
    return f;
  }
  if (auto topic = segment(path, kDeleteTopics)) {
    namedTopic(f, *topic, {{"markedForDeletion", Value(true)}});
    return f;
  }
  if (auto topic = segment(path, kConfigTopics)) {
    Value js = parsed(data);
    if (const Value* c = configMap(js)) namedTopic(f, *topic, {{"config", *c}});
    return f;
  }
  if (auto broker = segment(path, kConfigBrokers)) {
    Value js = parsed(data);
    const Value* c = configMap(js);
    if (!c) return f;
    if (*broker == "<default>") {
      f.nodes.push_back(NodeFact{clusterKey(), {{"brokerDefaultConfig", *c}}, false});
    } else if (auto id = parseId(*broker)) {
      namedBroker(f, *id);
      valueMapSet(f.nodes.back().properties, "config", *c);
    }
    return f;
  }
  return f;
}

}  // namespace gk::graph::kafka
