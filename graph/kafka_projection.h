// The Kafka projection: Kafka's own znodes (formats of kafka.zk.ZkData, Kafka 2.x/3.x in ZooKeeper
// mode, at the root — not under a chroot) -> Broker, Topic, Partition and Cluster facts.
//
//   /brokers/ids/N                       Broker {id, alive: true, host, port, rack, endpoints,
//                                          jmxPort, timestamp, version, listenerSecurityProtocolMap,
//                                          features}                                   (defining)
//   /brokers/topics/T                    Topic {name, topicId, partitionCount, version} (defining);
//                                          Partition {topic, id, replicas, addingReplicas,
//                                          removingReplicas} (defining), PARTITION_OF, REPLICA {position}
//   /brokers/topics/T/partitions/P/state Partition {leader, leaderEpoch, isr, controllerEpoch,
//                                          leaderRecoveryState}, PARTITION_OF, LEADER, IN_ISR
//   /controller                          (:Broker)-[:CONTROLLER]->(:Cluster)
//   /controller_epoch                    Cluster {controllerEpoch}
//   /cluster/id                          Cluster {id}                                  (defining)
//   /admin/delete_topics/T               Topic {markedForDeletion: true}
//   /config/topics/T                     Topic {config: {...}}
//   /config/brokers/N                    Broker {config: {...}}; N = <default>: Cluster {brokerDefaultConfig}
// Every Broker a non-registration source names is {id, alive: false}: the registration
// (defining) turns alive to true, so a broker whose ephemeral is gone stays with alive: false
// while anything still names it. There is one Cluster node (key 0): Kafka has one cluster per
// ZooKeeper root. Malformed JSON, or fields of the wrong type, project what can be read — a
// registration with garbage data still makes an alive Broker — and never throw.
#pragma once

#include <string_view>
#include <vector>

#include "graph/graph_facts.h"

namespace gk::graph::kafka {

// True for paths the projection may derive facts from: a few prefix compares, no allocation,
// so the write path pays next to nothing for other znodes.
bool mayProject(std::string_view path);

// The facts for `path` (exists false: the znode is gone, no facts).
Facts project(std::string_view path, bool exists, std::string_view data);

// Indexes the projection declares: Broker.id, Broker.rack, Topic.name, Partition.topic,
// Partition.id, Cluster.id.
std::vector<IndexFact> indexes();

// The roots under which mayProject paths live (for building the graph from an existing tree).
std::vector<std::string_view> roots();

}  // namespace gk::graph::kafka
