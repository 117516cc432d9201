// Tests for the query parser, checker and printer: a corpus of valid queries that must print
// back to an exact canonical text and round-trip through it, a corpus of invalid queries with
// their exact error position and message, tree-shape checks and robustness against hostile input.
#include <catch2/catch.hpp>

#include <string>

#include "query/functions.h"
#include "query/parser.h"
#include "query/printer.h"

using namespace gk::query;

namespace {

struct ValidCase {
  const char* query;
  const char* canonical;
};

// Every query the issue and DESIGN.md imply, and one or more for each construct.
const ValidCase kValid[] = {
    {R"q(MATCH (b:Broker)-[:CONTROLLER]->(c:Cluster) RETURN b.id, b.host)q",
     R"q(MATCH (b:Broker)-[:CONTROLLER]->(c:Cluster) RETURN b.id, b.host)q"},
    {R"q(MATCH (p:Partition)-[:LEADER]->(b:Broker {id: 3}) RETURN p.topic, p.id)q",
     R"q(MATCH (p:Partition)-[:LEADER]->(b:Broker {id: 3}) RETURN p.topic, p.id)q"},
    {R"q(MATCH (p:Partition)-[:LEADER]->(b:Broker) WHERE b.id = 3 RETURN p.topic, p.id ORDER BY p.topic, p.id)q",
     R"q(MATCH (p:Partition)-[:LEADER]->(b:Broker) WHERE b.id = 3 RETURN p.topic, p.id ORDER BY p.topic, p.id)q"},
    {R"q(MATCH (p:Partition) WHERE size([(p)-[:IN_ISR]->(b) | b]) < size([(p)-[:REPLICA]->(b) | b]) RETURN p)q",
     R"q(MATCH (p:Partition) WHERE size([(p)-[:IN_ISR]->(b) | b]) < size([(p)-[:REPLICA]->(b) | b]) RETURN p)q"},
    {R"q(MATCH (p:Partition)-[:IN_ISR]->(i:Broker) WITH p, count(i) AS isr MATCH (p)-[:REPLICA]->(r:Broker) WITH p, isr, count(r) AS replicas WHERE isr < replicas RETURN p.topic, p.id, isr, replicas)q",
     R"q(MATCH (p:Partition)-[:IN_ISR]->(i:Broker) WITH p, count(i) AS isr MATCH (p)-[:REPLICA]->(r:Broker) WITH p, isr, count(r) AS replicas WHERE isr < replicas RETURN p.topic, p.id, isr, replicas)q"},
    {R"q(MATCH (p:Partition)-[:REPLICA]->(r:Broker) WITH p, count(r) AS replicas MATCH (p)-[:IN_ISR]->(i:Broker) WITH p, replicas, collect(i.id) AS isr WHERE 2 IN isr AND size(isr) - 1 <= replicas / 2 RETURN p.topic, p.id, isr)q",
     R"q(MATCH (p:Partition)-[:REPLICA]->(r:Broker) WITH p, count(r) AS replicas MATCH (p)-[:IN_ISR]->(i:Broker) WITH p, replicas, collect(i.id) AS isr WHERE 2 IN isr AND size(isr) - 1 <= replicas / 2 RETURN p.topic, p.id, isr)q"},
    {R"q(MATCH (t:Topic)<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker {rack: 'r1'}) WITH t, collect(DISTINCT b.id) AS covered MATCH (all:Broker {rack: 'r1'}) WITH t, covered, count(all) AS total WHERE size(covered) = total RETURN t.name)q",
     R"q(MATCH (t:Topic)<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker {rack: 'r1'}) WITH t, collect(DISTINCT b.id) AS covered MATCH (all:Broker {rack: 'r1'}) WITH t, covered, count(all) AS total WHERE size(covered) = total RETURN t.name)q"},
    {R"q(MATCH (z:ZNode)-[:OWNED_BY]->(s:Session) RETURN s.id, collect(z.path) AS ephemerals ORDER BY s.id)q",
     R"q(MATCH (z:ZNode)-[:OWNED_BY]->(s:Session) RETURN s.id, collect(z.path) AS ephemerals ORDER BY s.id)q"},
    {R"q(MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker) WHERE NOT (p)-[:IN_ISR]->(b) RETURN t.name, p.id, collect(b.id) AS lagging ORDER BY p.id LIMIT 100)q",
     R"q(MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker) WHERE NOT (p)-[:IN_ISR]->(b) RETURN t.name, p.id, collect(b.id) AS lagging ORDER BY p.id LIMIT 100)q"},
    {R"q(MATCH (n) RETURN n)q",
     R"q(MATCH (n) RETURN n)q"},
    {R"q(match (n:ZNode) return n.path limit 10)q",
     R"q(MATCH (n:ZNode) RETURN n.path LIMIT 10)q"},
    {R"q(MATCH (z:ZNode) WHERE z.path STARTS WITH '/brokers/ids/' RETURN z.json.host AS host, z.json.port AS port)q",
     R"q(MATCH (z:ZNode) WHERE z.path STARTS WITH '/brokers/ids/' RETURN z.json.host AS host, z.json.port AS port)q"},
    {R"q(MATCH (z:ZNode) WHERE z.path ENDS WITH '/state' AND z.data CONTAINS 'leader' RETURN z.path)q",
     R"q(MATCH (z:ZNode) WHERE z.path ENDS WITH '/state' AND z.data CONTAINS 'leader' RETURN z.path)q"},
    {R"q(MATCH (z:ZNode) WHERE z.name =~ 'broker-[0-9]+' RETURN z.name)q",
     R"q(MATCH (z:ZNode) WHERE z.name =~ 'broker-[0-9]+' RETURN z.name)q"},
    {R"q(MATCH (z:ZNode) WHERE z.ephemeralOwner IS NULL RETURN count(*))q",
     R"q(MATCH (z:ZNode) WHERE z.ephemeralOwner IS NULL RETURN count(*))q"},
    {R"q(MATCH (z:ZNode) WHERE z.json IS NOT NULL RETURN z.path)q",
     R"q(MATCH (z:ZNode) WHERE z.json IS NOT NULL RETURN z.path)q"},
    {R"q(MATCH (a:ZNode)-[:CHILD*]->(b:ZNode) RETURN count(b))q",
     R"q(MATCH (a:ZNode)-[:CHILD*]->(b:ZNode) RETURN count(b))q"},
    {R"q(MATCH (a:ZNode {path: '/'})-[:CHILD*2]->(b) RETURN b.path)q",
     R"q(MATCH (a:ZNode {path: '/'})-[:CHILD*2]->(b) RETURN b.path)q"},
    {R"q(MATCH (a:ZNode {path: '/'})-[:CHILD*1..3]->(b) RETURN b.path)q",
     R"q(MATCH (a:ZNode {path: '/'})-[:CHILD*1..3]->(b) RETURN b.path)q"},
    {R"q(MATCH (a)-[:CHILD*..3]->(b) RETURN b)q",
     R"q(MATCH (a)-[:CHILD*..3]->(b) RETURN b)q"},
    {R"q(MATCH (a)-[:CHILD*2..]->(b) RETURN b)q",
     R"q(MATCH (a)-[:CHILD*2..]->(b) RETURN b)q"},
    {R"q(MATCH (a)-[r:REPLICA|LEADER]->(b) RETURN type(r), count(*))q",
     R"q(MATCH (a)-[r:REPLICA|LEADER]->(b) RETURN type(r), count(*))q"},
    {R"q(MATCH (a)<-[r]-(b) RETURN r)q",
     R"q(MATCH (a)<-[r]-(b) RETURN r)q"},
    {R"q(MATCH (a)-[r]-(b) RETURN id(r))q",
     R"q(MATCH (a)-[r]-(b) RETURN id(r))q"},
    {R"q(MATCH (a)--(b) RETURN a, b)q",
     R"q(MATCH (a)--(b) RETURN a, b)q"},
    {R"q(MATCH (a)-->(b)<--(c) RETURN a, b, c)q",
     R"q(MATCH (a)-->(b)<--(c) RETURN a, b, c)q"},
    {R"q(MATCH (a:Server)-[:FOLLOWS]->(l:Server), (s:Session)-[:CONNECTED_TO]->(a) RETURN l.id, a.id, count(s) AS sessions)q",
     R"q(MATCH (a:Server)-[:FOLLOWS]->(l:Server), (s:Session)-[:CONNECTED_TO]->(a) RETURN l.id, a.id, count(s) AS sessions)q"},
    {R"q(OPTIONAL MATCH (n:Broker) RETURN n)q",
     R"q(OPTIONAL MATCH (n:Broker) RETURN n)q"},
    {R"q(MATCH (t:Topic) OPTIONAL MATCH (t)<-[:PARTITION_OF]-(p:Partition) RETURN t.name, count(p))q",
     R"q(MATCH (t:Topic) OPTIONAL MATCH (t)<-[:PARTITION_OF]-(p:Partition) RETURN t.name, count(p))q"},
    {R"q(MATCH p = (a:Broker)-[:REPLICA*]-(b:Broker) RETURN p, length(p), nodes(p), relationships(p))q",
     R"q(MATCH p = (a:Broker)-[:REPLICA*]-(b:Broker) RETURN p, length(p), nodes(p), relationships(p))q"},
    {R"q(MATCH p = shortestPath((a:Broker {id: 1})-[*]-(b:Broker {id: 2})) RETURN p)q",
     R"q(MATCH p = shortestPath((a:Broker {id: 1})-[*]-(b:Broker {id: 2})) RETURN p)q"},
    {R"q(MATCH p = allShortestPaths((a:Server)-[:FOLLOWS*..5]->(b:Server)) RETURN p)q",
     R"q(MATCH p = allShortestPaths((a:Server)-[:FOLLOWS*..5]->(b:Server)) RETURN p)q"},
    {R"q(MATCH (n) WHERE n:Broker OR n:Topic:Internal RETURN labels(n), keys(n), properties(n))q",
     R"q(MATCH (n) WHERE n:Broker OR n:Topic:Internal RETURN labels(n), keys(n), properties(n))q"},
    {R"q(MATCH (n:Broker) RETURN DISTINCT n.rack)q",
     R"q(MATCH (n:Broker) RETURN DISTINCT n.rack)q"},
    {R"q(MATCH (n:Broker) RETURN n.rack AS rack, count(*) AS brokers ORDER BY brokers DESC, rack ASC SKIP 1 LIMIT 5)q",
     R"q(MATCH (n:Broker) RETURN n.rack AS rack, count(*) AS brokers ORDER BY brokers DESC, rack SKIP 1 LIMIT 5)q"},
    {R"q(MATCH (n:Broker) RETURN n ORDER BY n.id DESCENDING)q",
     R"q(MATCH (n:Broker) RETURN n ORDER BY n.id DESC)q"},
    {R"q(MATCH (n:Broker) RETURN n ORDER BY n.id ASCENDING SKIP $skip LIMIT $limit)q",
     R"q(MATCH (n:Broker) RETURN n ORDER BY n.id SKIP $skip LIMIT $limit)q"},
    {R"q(MATCH (n:Broker) RETURN min(n.id), max(n.id), sum(n.port), avg(n.port), collect(n.host))q",
     R"q(MATCH (n:Broker) RETURN min(n.id), max(n.id), sum(n.port), avg(n.port), collect(n.host))q"},
    {R"q(MATCH (n:Broker) RETURN count(DISTINCT n.rack))q",
     R"q(MATCH (n:Broker) RETURN count(DISTINCT n.rack))q"},
    {R"q(MATCH (n) WITH * RETURN *)q",
     R"q(MATCH (n) WITH * RETURN *)q"},
    {R"q(MATCH (n) RETURN *, n.id AS id)q",
     R"q(MATCH (n) RETURN *, n.id AS id)q"},
    {R"q(UNWIND [1, 2, 3] AS x RETURN x)q",
     R"q(UNWIND [1, 2, 3] AS x RETURN x)q"},
    {R"q(UNWIND $ids AS id MATCH (b:Broker {id: id}) RETURN b)q",
     R"q(UNWIND $ids AS id MATCH (b:Broker {id: id}) RETURN b)q"},
    {R"q(UNWIND range(0, 10, 2) AS x RETURN x)q",
     R"q(UNWIND range(0, 10, 2) AS x RETURN x)q"},
    {R"q(WITH 1 AS a, 'two' AS b, 3.5 AS c, true AS d, null AS e RETURN a, b, c, d, e)q",
     R"q(WITH 1 AS a, 'two' AS b, 3.5 AS c, true AS d, null AS e RETURN a, b, c, d, e)q"},
    {R"q(RETURN [1, 2, [3, 4]], {a: 1, b: {c: 'x'}}, [], {})q",
     R"q(RETURN [1, 2, [3, 4]], {a: 1, b: {c: 'x'}}, [], {})q"},
    {R"q(RETURN 1 + 2 * 3 - 4 / 2 % 3 ^ 2)q",
     R"q(RETURN 1 + 2 * 3 - 4 / 2 % 3 ^ 2)q"},
    {R"q(WITH {y: 1} AS x RETURN (1 + 2) * 3, -(1 + 2), -x.y, -x.y ^ 2, (-x).y)q",
     R"q(WITH {y: 1} AS x RETURN (1 + 2) * 3, -(1 + 2), -x.y, -x.y ^ 2, (-x).y)q"},
    {R"q(RETURN 2 ^ 3 ^ 2, -2 ^ 2)q",
     R"q(RETURN 2 ^ 3 ^ 2, -2 ^ 2)q"},
    {R"q(RETURN 1 < 2 <= 3, 1 = 1 <> 2)q",
     R"q(RETURN 1 < 2 <= 3, 1 = 1 <> 2)q"},
    {R"q(RETURN true AND false OR NOT true XOR false)q",
     R"q(RETURN true AND false OR NOT true XOR false)q"},
    {R"q(RETURN NOT (1 = 2 OR 3 = 4))q",
     R"q(RETURN NOT (1 = 2 OR 3 = 4))q"},
    {R"q(RETURN 'a' IN ['a', 'b'], 1 IN [1] AND 2 IN [2])q",
     R"q(RETURN 'a' IN ['a', 'b'], 1 IN [1] AND 2 IN [2])q"},
    {R"q(RETURN coalesce(null, 1), toInteger('12'), toFloat('1.5'), toString(12), toLower('A'), toUpper('a'))q",
     R"q(RETURN coalesce(null, 1), toInteger('12'), toFloat('1.5'), toString(12), toLower('A'), toUpper('a'))q"},
    {R"q(RETURN split('a,b', ','), substring('hello', 1), substring('hello', 1, 2), timestamp())q",
     R"q(RETURN split('a,b', ','), substring('hello', 1), substring('hello', 1, 2), timestamp())q"},
    {R"q(RETURN size('abc'), size([1, 2]))q",
     R"q(RETURN size('abc'), size([1, 2]))q"},
    {R"q(RETURN CASE WHEN 1 < 2 THEN 'lt' WHEN 1 > 2 THEN 'gt' ELSE 'eq' END)q",
     R"q(RETURN CASE WHEN 1 < 2 THEN 'lt' WHEN 1 > 2 THEN 'gt' ELSE 'eq' END)q"},
    {R"q(RETURN CASE $role WHEN 'leader' THEN 1 WHEN 'follower' THEN 2 END AS rank)q",
     R"q(RETURN CASE $role WHEN 'leader' THEN 1 WHEN 'follower' THEN 2 END AS rank)q"},
    {R"q(RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x * x] AS squares)q",
     R"q(RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x * x] AS squares)q"},
    {R"q(RETURN [x IN [1, 2, 3] | x + 1], [x IN [1, 2, 3] WHERE x > 1])q",
     R"q(RETURN [x IN [1, 2, 3] | x + 1], [x IN [1, 2, 3] WHERE x > 1])q"},
    {R"q(RETURN all(x IN [1, 2] WHERE x > 0), any(x IN [1, 2] WHERE x > 1), none(x IN [] WHERE x), single(x IN [1] WHERE x = 1))q",
     R"q(RETURN all(x IN [1, 2] WHERE x > 0), any(x IN [1, 2] WHERE x > 1), none(x IN [] WHERE x), single(x IN [1] WHERE x = 1))q"},
    {R"q(RETURN [1, 2, 3][0], [1, 2, 3][1..], [1, 2, 3][..2], [1, 2, 3][0..1], 'abc'[1])q",
     R"q(RETURN [1, 2, 3][0], [1, 2, 3][1..], [1, 2, 3][..2], [1, 2, 3][0..1], 'abc'[1])q"},
    {R"q(RETURN $param, $0, $`weird name`)q",
     R"q(RETURN $param, $0, $`weird name`)q"},
    {R"q(MATCH (`my node`:`My Label` {`a key`: 1}) RETURN `my node`.`a key` AS `the value`)q",
     R"q(MATCH (`my node`:`My Label` {`a key`: 1}) RETURN `my node`.`a key` AS `the value`)q"},
    {R"q(MATCH (n) WHERE exists(n.json) AND exists((n)-[:CHILD]->()) RETURN n)q",
     R"q(MATCH (n) WHERE exists(n.json) AND exists((n)-[:CHILD]->()) RETURN n)q"},
    {R"q(MATCH (b:Broker) WHERE NOT (b)<-[:LEADER]-(:Partition) RETURN b.id AS idle)q",
     R"q(MATCH (b:Broker) WHERE NOT (b)<-[:LEADER]-(:Partition) RETURN b.id AS idle)q"},
    {R"q(MATCH (a:Broker), (b:Broker) WHERE a.id < b.id AND a.rack = b.rack RETURN a.id, b.id)q",
     R"q(MATCH (a:Broker), (b:Broker) WHERE a.id < b.id AND a.rack = b.rack RETURN a.id, b.id)q"},
    {R"q(EXPLAIN MATCH (n:Broker) RETURN n)q",
     R"q(EXPLAIN MATCH (n:Broker) RETURN n)q"},
    {R"q(PROFILE MATCH (n:Broker) RETURN n;)q",
     R"q(PROFILE MATCH (n:Broker) RETURN n)q"},
    {R"q(CALL algo.articulationPoints() YIELD node RETURN node.id)q",
     R"q(CALL algo.articulationPoints() YIELD node RETURN node.id)q"},
    {R"q(CALL algo.pageRank({label: 'Broker', iterations: 20}) YIELD node, score AS rank WHERE rank > 0.1 RETURN node, rank ORDER BY rank DESC LIMIT 3)q",
     R"q(CALL algo.pageRank({label: 'Broker', iterations: 20}) YIELD node, score AS rank WHERE rank > 0.1 RETURN node, rank ORDER BY rank DESC LIMIT 3)q"},
    {R"q(CALL algo.connectedComponents)q",
     R"q(CALL algo.connectedComponents)q"},
    {R"q(CALL db.labels() YIELD label RETURN label)q",
     R"q(CALL db.labels() YIELD label RETURN label)q"},
    {R"q(MATCH (a:Broker {id: 1}), (b:Broker {id: 2}) CALL algo.shortestPath(a, b) YIELD path, cost RETURN path, cost)q",
     R"q(MATCH (a:Broker {id: 1}), (b:Broker {id: 2}) CALL algo.shortestPath(a, b) YIELD path, cost RETURN path, cost)q"},
    {R"q(RETURN 0x1F, 0o17, 1.5e3, .5, -9223372036854775808, 9223372036854775807)q",
     R"q(RETURN 31, 15, 1500.0, 0.5, -9223372036854775808, 9223372036854775807)q"},
    {R"q(RETURN 'it\'s', "double \"quoted\"", '\u00e9\n')q",
     R"q(RETURN 'it\'s', 'double "quoted"', 'é\n')q"},
    {R"q(MATCH (n) WHERE n.a = 1 XOR n.b = 2 RETURN n)q",
     R"q(MATCH (n) WHERE n.a = 1 XOR n.b = 2 RETURN n)q"},
    {R"q(MATCH (s:Session) WITH s ORDER BY s.timeout DESC LIMIT 3 RETURN s.id)q",
     R"q(MATCH (s:Session) WITH s ORDER BY s.timeout DESC LIMIT 3 RETURN s.id)q"},
    {R"q(MATCH (s:Session) WITH s.id AS id, s.timeout AS t WHERE t > 1000 RETURN id)q",
     R"q(MATCH (s:Session) WITH s.id AS id, s.timeout AS t WHERE t > 1000 RETURN id)q"},
    {R"q(MATCH (s:Session) WITH DISTINCT s.timeout AS t RETURN t)q",
     R"q(MATCH (s:Session) WITH DISTINCT s.timeout AS t RETURN t)q"},
    {R"q(MATCH (n:Broker) RETURN n.endpoints[0] AS first, n.endpoints[-1] AS last)q",
     R"q(MATCH (n:Broker) RETURN n.endpoints[0] AS first, n.endpoints[-1] AS last)q"},
    {R"q(MATCH (a)-[r:REPLICA {position: 0}]->(b) RETURN a, b)q",
     R"q(MATCH (a)-[r:REPLICA {position: 0}]->(b) RETURN a, b)q"},
    {R"q(MATCH (a)-[r*1..2 {x: 1}]-(b) RETURN r)q",
     R"q(MATCH (a)-[r*1..2 {x: 1}]-(b) RETURN r)q"},
    {R"q(MATCH (n {name: $name}) RETURN n)q",
     R"q(MATCH (n {name: $name}) RETURN n)q"},
    {R"q(MATCH (n:Broker $props) RETURN n)q",
     R"q(MATCH (n:Broker $props) RETURN n)q"},
    {R"q(RETURN count(*) AS n, 1 AS one)q",
     R"q(RETURN count(*) AS n, 1 AS one)q"},
    {R"q(MATCH (p:Partition) WHERE size((p)-[:IN_ISR]->()) < size((p)-[:REPLICA]->()) RETURN p.topic, p.id)q",
     R"q(MATCH (p:Partition) WHERE size((p)-[:IN_ISR]->()) < size((p)-[:REPLICA]->()) RETURN p.topic, p.id)q"},
    {R"q(MATCH (p:Partition) RETURN [(p)-[:IN_ISR]->(b:Broker) WHERE b.id > 0 | b.id] AS isr)q",
     R"q(MATCH (p:Partition) RETURN [(p)-[:IN_ISR]->(b:Broker) WHERE b.id > 0 | b.id] AS isr)q"},
    {R"q(WITH 5 AS x RETURN x - -1 AS a, (x) - (-x) AS b, x - [1][0] AS c, x < -[1][0] AS d, (x) < -1 AS e)q",
     R"q(WITH 5 AS x RETURN x - (-1) AS a, x - (-x) AS b, x - ([1][0]) AS c, x < (-[1][0]) AS d, x < -1 AS e)q"},
    {R"q(RETURN 1.0, -0.5, 1e20, 1.5e-7, 2 - 1 - 1, 2 - (1 - 1), (2 ^ 3) ^ 2, 2 ^ (3 ^ 2))q",
     R"q(RETURN 1.0, -0.5, 1e+20, 1.5e-07, 2 - 1 - 1, 2 - (1 - 1), 2 ^ 3 ^ 2, 2 ^ (3 ^ 2))q"},
    {R"q(RETURN NOT NOT true, (1 < 2) = true, 1 IS NULL IS NULL, (NOT true) AND false)q",
     R"q(RETURN NOT NOT true, (1 < 2) = true, 1 IS NULL IS NULL, NOT true AND false)q"},
    {R"q(CALL algo.wcc() YIELD component MATCH (n) RETURN n, component)q",
     R"q(CALL algo.wcc() YIELD component MATCH (n) RETURN n, component)q"},
    {"MATCH (n) // comment\n/* block\n comment */ RETURN n", "MATCH (n) RETURN n"},
    {"MATCH (t:Topic)\n  WHERE t.name = $name\n  RETURN t", "MATCH (t:Topic) WHERE t.name = $name RETURN t"},
    {"MATCH (n)\r\nRETURN n\r\n", "MATCH (n) RETURN n"},
    // A list whose first element is a pattern predicate needs parentheses (see the docs).
    {"MATCH (a)-->(b) RETURN [((a)-->(b)), 1] AS l, [(a).x] AS q",
     "MATCH (a)-->(b) RETURN [((a)-->(b)), 1] AS l, [a.x] AS q"},
};

struct InvalidCase {
  const char* query;
  int line;
  int column;
  const char* message;
};

const InvalidCase kInvalid[] = {
    {R"q(MATCH (n:Broker))q", 1, 17, R"q(a query must end with RETURN)q"},
    {R"q(MATCH (n RETURN n)q", 1, 10, R"q(expected ')' but found 'RETURN')q"},
    {R"q(WHERE n.id = 1 RETURN (n)q", 1, 1, R"q(expected a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN) but found 'WHERE')q"},
    {R"q(MATCH (n) WHERE RETURN n)q", 1, 17, R"q(expected an expression but found 'RETURN')q"},
    {R"q(MATCH (n) RETURN)q", 1, 17, R"q(expected an expression but found end of input)q"},
    {R"q(RETURN 1 +)q", 1, 11, R"q(expected an expression but found end of input)q"},
    {R"q(RETURN foo(1))q", 1, 8, R"q(unknown function 'foo')q"},
    {R"q(MATCH (n) RETURN n.id, bar.baz(n))q", 1, 24, R"q(unknown function 'bar.baz')q"},
    {R"q(RETURN size(1, 2))q", 1, 8, R"q(function 'size' takes 1 argument but was given 2)q"},
    {R"q(RETURN substring('a'))q", 1, 8, R"q(function 'substring' takes 2 to 3 arguments but was given 1)q"},
    {R"q(RETURN timestamp(1))q", 1, 8, R"q(function 'timestamp' takes 0 arguments but was given 1)q"},
    {R"q(RETURN coalesce())q", 1, 8, R"q(function 'coalesce' takes at least 1 argument but was given 0)q"},
    {R"q(RETURN toUpper(DISTINCT 'a'))q", 1, 16, R"q(DISTINCT is only allowed in aggregate functions, not in 'toUpper')q"},
    {R"q(MATCH (n) WHERE count(n) > 1 RETURN n)q", 1, 17, R"q(aggregate function 'count' is not allowed in WHERE)q"},
    {R"q(MATCH (n) WITH n WHERE collect(n.id) = [] RETURN n)q", 1, 24, R"q(aggregate function 'collect' is not allowed in WHERE)q"},
    {R"q(MATCH (n) RETURN count(count(n)))q", 1, 24, R"q(aggregate functions cannot be nested)q"},
    {R"q(UNWIND collect([1]) AS x RETURN x)q", 1, 8, R"q(aggregate function 'collect' is not allowed in UNWIND)q"},
    {R"q(MATCH (n) RETURN m)q", 1, 18, R"q(variable 'm' is not defined)q"},
    {R"q(MATCH (n) WITH n.id AS id RETURN n)q", 1, 34, R"q(variable 'n' is not defined)q"},
    {R"q(RETURN *)q", 1, 8, R"q(RETURN * is not allowed when no variables are bound)q"},
    {R"q(MATCH (n) WITH n.id RETURN n)q", 1, 16, R"q(expression in WITH must be aliased (use AS))q"},
    {R"q(MATCH (n) RETURN n.id AS x, n.name AS x)q", 1, 39, R"q(duplicate column name 'x')q"},
    {R"q(CREATE (n:Broker {id: 1}))q", 1, 1, R"q(GraphKeeper queries are read-only: CREATE is not supported)q"},
    {R"q(MATCH (n) SET n.x = 1 RETURN n)q", 1, 11, R"q(GraphKeeper queries are read-only: SET is not supported)q"},
    {R"q(MATCH (n) DELETE n)q", 1, 11, R"q(GraphKeeper queries are read-only: DELETE is not supported)q"},
    {R"q(MATCH (n) DETACH DELETE n)q", 1, 11, R"q(GraphKeeper queries are read-only: DETACH DELETE is not supported)q"},
    {R"q(MERGE (n:Broker))q", 1, 1, R"q(GraphKeeper queries are read-only: MERGE is not supported)q"},
    {R"q(MATCH (n) REMOVE n.x RETURN n)q", 1, 11, R"q(GraphKeeper queries are read-only: REMOVE is not supported)q"},
    {R"q(MATCH (n) RETURN n MATCH (m) RETURN m)q", 1, 20, R"q(expected end of input but found 'MATCH')q"},
    {R"q(RETURN 9223372036854775808)q", 1, 8, R"q(integer literal is too large)q"},
    {R"q(RETURN 'unterminated)q", 1, 8, R"q(unterminated string literal)q"},
    {R"q(RETURN "bad \x escape")q", 1, 13, R"q(invalid escape sequence '\x')q"},
    {R"q(RETURN a != b)q", 1, 10, R"q(unexpected '!=': use '<>' for not equal)q"},
    {R"q(MATCH (n)-[:X*3..1]->(m) RETURN n)q", 1, 15, R"q(the minimum number of hops is greater than the maximum)q"},
    {R"q(MATCH (n)-[:X*..]->(m) RETURN n)q", 1, 17, R"q(expected a number of hops but found ']')q"},
    {R"q(MATCH p = shortestPath((a)) RETURN p)q", 1, 11, R"q(shortestPath needs a pattern with exactly one relationship)q"},
    {R"q(MATCH (a)-[:X]->(b) WHERE (a)-[:Y]->(c) RETURN a)q", 1, 37, R"q(a pattern expression may not introduce new variables: 'c')q"},
    {R"q(MATCH (n) RETURN n LIMIT -1)q", 1, 26, R"q(LIMIT must be a non-negative integer)q"},
    {R"q(MATCH (n) RETURN n SKIP 'x')q", 1, 25, R"q(SKIP must be a non-negative integer)q"},
    {R"q(MATCH (n) RETURN n LIMIT n.x)q", 1, 26, R"q(LIMIT cannot refer to variables (found 'n'))q"},
    {R"q(CALL algo.wcc() MATCH (n) RETURN n)q", 1, 1, R"q(a CALL followed by other clauses must YIELD its results)q"},
    {R"q(MATCH (n:) RETURN n)q", 1, 10, R"q(expected a label name but found ')')q"},
    {R"q(MATCH (n {id 1}) RETURN n)q", 1, 14, R"q(expected ':' but found '1')q"},
    {R"q(RETURN [1, 2)q", 1, 13, R"q(expected ',' or ']' but found end of input)q"},
    {R"q(RETURN {a: 1)q", 1, 13, R"q(expected ',' or '}' but found end of input)q"},
    {R"q(RETURN CASE END)q", 1, 13, R"q(expected WHEN but found 'END')q"},
    {R"q(RETURN CASE WHEN true THEN 1)q", 1, 29, R"q(expected END but found end of input)q"},
    {R"q(MATCH (n) RETURN n ORDER n.id)q", 1, 26, R"q(expected BY but found 'n')q"},
    {R"q(RETURN [x IN [1] WHERE])q", 1, 23, R"q(expected an expression but found ']')q"},
    {R"q(RETURN all(x IN [1]))q", 1, 20, R"q(expected WHERE but found ')')q"},
    {R"q(OPTIONAL n RETURN n)q", 1, 10, R"q(expected MATCH but found 'n')q"},
    {R"q(EXPLAIN)q", 1, 8, R"q(expected a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN) but found end of input)q"},
    {R"q(WITH 1 AS match RETURN 1)q", 1, 11, R"q(expected an alias but found 'match')q"},
    {R"q(MATCH (n) RETURN n AS)q", 1, 22, R"q(expected an alias but found end of input)q"},
    {R"q(RETURN 1 /* open comment)q", 1, 10, R"q(unterminated comment)q"},
    {R"q(RETURN `open)q", 1, 8, R"q(unterminated quoted name)q"},
    {R"q(RETURN 1e999)q", 1, 8, R"q(float literal is out of range)q"},
    {R"q(RETURN x.)q", 1, 10, R"q(expected a property name but found end of input)q"},
    {R"q(MATCH (a)-[:X]-(b RETURN a)q", 1, 19, R"q(expected ')' but found 'RETURN')q"},
    {R"q(MATCH (a)-[:X->(b) RETURN a)q", 1, 14, R"q(expected ']' but found '-')q"},
    {R"q(MATCH (a)<-[:X]-(b)-(c) RETURN a)q", 1, 21, R"q(expected '-' or '[' but found '(')q"},
    {R"q(RETURN $)q", 1, 8, R"q(expected a parameter name after '$')q"},
    {R"q(MATCH (n) RETURN n, n)q", 1, 21, R"q(duplicate column name 'n')q"},
    {R"q(RETURN 1 IS NOT 2)q", 1, 17, R"q(expected NULL but found '2')q"},
    {R"q(RETURN 'a' STARTS 'b')q", 1, 19, R"q(expected WITH but found string 'b')q"},
    {R"q(MATCH (n) RETURN n;;)q", 1, 20, R"q(expected end of input but found ';')q"},
    {R"q(RETURN ((((1)))q", 1, 15, R"q(expected ')' but found end of input)q"},
    {"MATCH (n)\nWHERE n.id = 1\nRETURN (n", 3, 10, "expected ')' but found end of input"},
    {"MATCH (a)\nMATCH (b:Brk WHERE b.id = 1 RETURN b", 2, 14, "expected ')' but found 'WHERE'"},
    {"MATCH (t:Topic)\nWHERE t.name = 'x'\n  RETURN t.name, foo(t)", 3, 18, "unknown function 'foo'"},
    {"MATCH (n)\n  RETURN n\n  UNION RETURN 1", 3, 3, "UNION is not supported"},
    {"MATCH (n)\r\nRETURN m", 2, 8, "variable 'm' is not defined"},
    {"RETURN\tfoo()", 1, 8, "unknown function 'foo'"},
    {"MATCH (a)-->(b) RETURN [(a)-->(b)] AS l", 1, 34,
     "expected WHERE or '|' in a pattern comprehension but found ']'"},
    // Columns count code points: the string is 5 columns wide, though 11 bytes long.
    {"RETURN 'é€😀', foo(1)", 1, 15, "unknown function 'foo'"},
    {"", 1, 1, "expected a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN) but found end of input"},
    {"   \n  ", 2, 3, "expected a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN) but found end of input"},
};

std::string parseError(const std::string& text) {
  ParseResult result = parseQuery(text);
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.error);
  return result.error->toString();
}

std::unique_ptr<Query> parseOk(const std::string& text) {
  ParseResult result = parseQuery(text);
  INFO(text);
  INFO((result.error ? result.error->toString() : std::string()));
  REQUIRE(result.ok());
  return std::move(result.query);
}

const Expr& returnItem(const Query& query, size_t i = 0) {
  return *query.clauses.back().projection.items.at(i).expr;
}

}  // namespace

TEST_CASE("parser: valid corpus prints canonically and round-trips", "[query][parser]") {
  CHECK(std::size(kValid) >= 60);
  for (const ValidCase& c : kValid) {
    INFO(c.query);
    ParseResult first = parseQuery(c.query);
    INFO((first.error ? first.error->toString() : std::string()));
    REQUIRE(first.ok());
    std::string printed = printQuery(*first.query);
    CHECK(printed == c.canonical);
    ParseResult second = parseQuery(printed);
    REQUIRE(second.ok());
    CHECK(printQuery(*second.query) == printed);
  }
}

TEST_CASE("parser: invalid corpus gives exact positions and messages", "[query][parser]") {
  CHECK(std::size(kInvalid) >= 40);
  for (const InvalidCase& c : kInvalid) {
    INFO(c.query);
    ParseResult result = parseQuery(c.query);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.error);
    CHECK(result.error->message == c.message);
    CHECK(result.error->line == c.line);
    CHECK(result.error->column == c.column);
  }
}

TEST_CASE("parser: error text format", "[query][parser]") {
  CHECK(parseError("MATCH (a)\nMATCH (b:Brk WHERE b.id = 1 RETURN b") ==
        "line 2, column 14: expected ')' but found 'WHERE'");
  CHECK(parseError("RETURN 1 +") == "line 1, column 11: expected an expression but found end of input");
  CHECK(parseError("CREATE (n)") ==
        "line 1, column 1: GraphKeeper queries are read-only: CREATE is not supported");
}

TEST_CASE("parser: DESIGN.md example has the expected shape", "[query][parser]") {
  auto q = parseOk(
      "MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker)\n"
      "WHERE NOT (p)-[:IN_ISR]->(b)\n"
      "RETURN t.name, p.id, collect(b.id) AS lagging ORDER BY p.id LIMIT 100");
  REQUIRE(q->clauses.size() == 2);
  const Clause& match = q->clauses[0];
  CHECK(match.kind == ClauseKind::kMatch);
  REQUIRE(match.patterns.size() == 1);
  const PatternPart& part = match.patterns[0];
  CHECK(part.start.variable == "t");
  CHECK(part.start.labels == std::vector<std::string>{"Topic"});
  REQUIRE(part.start.properties);
  CHECK(part.start.properties->kind == ExprKind::kMap);
  CHECK(part.start.properties->names == std::vector<std::string>{"name"});
  CHECK(part.start.properties->children[0]->kind == ExprKind::kParameter);
  REQUIRE(part.chain.size() == 2);
  CHECK(part.chain[0].first.direction == Direction::kLeft);
  CHECK(part.chain[0].first.types == std::vector<std::string>{"PARTITION_OF"});
  CHECK(part.chain[0].second.variable == "p");
  CHECK(part.chain[1].first.direction == Direction::kRight);
  CHECK(part.chain[1].second.pos.line == 1);
  CHECK(part.chain[1].second.pos.column == 75);
  REQUIRE(match.where);
  CHECK(match.where->kind == ExprKind::kUnary);
  CHECK(match.where->unaryOp == UnaryOp::kNot);
  CHECK(match.where->children[0]->kind == ExprKind::kPattern);
  CHECK(match.where->pos.line == 2);
  const Projection& ret = q->clauses[1].projection;
  REQUIRE(ret.items.size() == 3);
  CHECK(ret.items[2].alias == "lagging");
  CHECK(ret.items[2].expr->kind == ExprKind::kFunction);
  CHECK(ret.items[2].expr->text == "collect");
  REQUIRE(ret.orderBy.size() == 1);
  REQUIRE(ret.limit);
  CHECK(ret.limit->intValue == 100);
}

TEST_CASE("parser: operator precedence", "[query][parser]") {
  auto q = parseOk("RETURN 1 + 2 * 3");
  const Expr& sum = returnItem(*q);
  CHECK(sum.kind == ExprKind::kBinary);
  CHECK(sum.binaryOp == BinaryOp::kAdd);
  CHECK(sum.children[1]->binaryOp == BinaryOp::kMultiply);

  q = parseOk("RETURN true OR false AND NOT false XOR true");
  const Expr& orExpr = returnItem(*q);
  CHECK(orExpr.binaryOp == BinaryOp::kOr);
  CHECK(orExpr.children[1]->binaryOp == BinaryOp::kXor);
  CHECK(orExpr.children[1]->children[0]->binaryOp == BinaryOp::kAnd);

  // Left-associative subtraction and power; unary minus binds tighter than ^.
  q = parseOk("RETURN 10 - 2 - 3, 2 ^ 3 ^ 2, -2 ^ 2");
  CHECK(returnItem(*q, 0).children[0]->binaryOp == BinaryOp::kSubtract);
  CHECK(returnItem(*q, 1).children[0]->binaryOp == BinaryOp::kPower);
  CHECK(returnItem(*q, 2).children[0]->intValue == -2);

  // Comparisons chain: a < b <= c is one node with two operators.
  q = parseOk("RETURN 1 < 2 <= 3");
  const Expr& chain = returnItem(*q);
  CHECK(chain.kind == ExprKind::kComparison);
  CHECK(chain.compareOps == std::vector<CompareOp>{CompareOp::kLt, CompareOp::kLe});
  CHECK(chain.children.size() == 3);

  // IN binds tighter than AND and than comparison; + tighter than IN.
  q = parseOk("RETURN 1 + 1 IN [2] = true");
  const Expr& cmp = returnItem(*q);
  CHECK(cmp.kind == ExprKind::kComparison);
  CHECK(cmp.children[0]->binaryOp == BinaryOp::kIn);
  CHECK(cmp.children[0]->children[0]->binaryOp == BinaryOp::kAdd);

  q = parseOk("WITH 'abc' AS s RETURN s STARTS WITH 'a' AND s IS NOT NULL");
  const Expr& andExpr = returnItem(*q);
  CHECK(andExpr.binaryOp == BinaryOp::kAnd);
  CHECK(andExpr.children[0]->binaryOp == BinaryOp::kStartsWith);
  CHECK(andExpr.children[1]->kind == ExprKind::kIsNull);
  CHECK(andExpr.children[1]->negated);
}

TEST_CASE("parser: literals", "[query][parser]") {
  auto q = parseOk("RETURN -9223372036854775808 AS a, 0x7FFFFFFFFFFFFFFF AS b, -1.5 AS c, 'x' AS d, "
                   "null AS e, TRUE AS f, -0x10 AS g");
  CHECK(returnItem(*q, 0).intValue == std::numeric_limits<int64_t>::min());
  CHECK(returnItem(*q, 1).intValue == std::numeric_limits<int64_t>::max());
  CHECK(returnItem(*q, 2).floatValue == -1.5);
  CHECK(returnItem(*q, 3).text == "x");
  CHECK(returnItem(*q, 4).kind == ExprKind::kNull);
  CHECK(returnItem(*q, 5).boolValue);
  CHECK(returnItem(*q, 6).intValue == -16);
  CHECK(parseError("RETURN 9223372036854775808") == "line 1, column 8: integer literal is too large");
  CHECK(parseError("RETURN -(9223372036854775808)") ==
        "line 1, column 10: integer literal is too large");
}

TEST_CASE("parser: relationship patterns", "[query][parser]") {
  auto q = parseOk("MATCH (a)-[r:A|B*1..3 {x: 1}]-(b), (c)<--(d), (e)-[*]->(f), (g)-[*2]->(h), "
                   "(i)-[*..4]->(j), (k)-[*3..]->(l), (m)<-->(n) RETURN *");
  const auto& patterns = q->clauses[0].patterns;
  const RelPattern& r = patterns[0].chain[0].first;
  CHECK(r.variable == "r");
  CHECK(r.types == std::vector<std::string>{"A", "B"});
  CHECK(r.direction == Direction::kUndirected);
  REQUIRE(r.varLength);
  CHECK(r.varLength->minHops == 1);
  CHECK(r.varLength->maxHops == 3);
  CHECK(r.properties);
  CHECK(patterns[1].chain[0].first.direction == Direction::kLeft);
  CHECK_FALSE(patterns[1].chain[0].first.varLength);
  CHECK_FALSE(patterns[2].chain[0].first.varLength->minHops);
  CHECK_FALSE(patterns[2].chain[0].first.varLength->maxHops);
  CHECK(patterns[3].chain[0].first.varLength->minHops == 2);
  CHECK(patterns[3].chain[0].first.varLength->maxHops == 2);
  CHECK_FALSE(patterns[4].chain[0].first.varLength->minHops);
  CHECK(patterns[4].chain[0].first.varLength->maxHops == 4);
  CHECK(patterns[5].chain[0].first.varLength->minHops == 3);
  CHECK_FALSE(patterns[5].chain[0].first.varLength->maxHops);
  CHECK(patterns[6].chain[0].first.direction == Direction::kUndirected);
}

TEST_CASE("parser: named paths and shortest paths", "[query][parser]") {
  auto q = parseOk("MATCH p = shortestPath((a)-[*]-(b)), q = allShortestPaths((c)-->(d)) RETURN p, q");
  const auto& patterns = q->clauses[0].patterns;
  CHECK(patterns[0].pathVariable == "p");
  CHECK(patterns[0].function == PathFunction::kShortestPath);
  CHECK(patterns[1].function == PathFunction::kAllShortestPaths);
}

TEST_CASE("parser: keywords are case-insensitive; functions print canonically", "[query][parser]") {
  auto q = parseOk("mAtCh (n) wHeRe n.x Is NoT nUlL rEtUrN COUNT(*), ToUpper(n.x), COLLECT(DISTINCT n)");
  CHECK(printQuery(*q) == "MATCH (n) WHERE n.x IS NOT NULL RETURN count(*), toUpper(n.x), "
                          "collect(DISTINCT n)");
  CHECK(returnItem(*q, 0).kind == ExprKind::kCountStar);
  CHECK(returnItem(*q, 2).distinct);
}

TEST_CASE("parser: keywords stay usable as property keys and labels", "[query][parser]") {
  auto q = parseOk("MATCH (n:Order {match: 1}) RETURN n.count, n.end, n.limit AS `limit`");
  CHECK(printQuery(*q) == "MATCH (n:Order {match: 1}) RETURN n.count, n.end, n.limit AS `limit`");
}

TEST_CASE("parser: CALL ... YIELD", "[query][parser]") {
  auto q = parseOk("CALL algo.betweenness({label: 'Broker'}) YIELD node, score AS s WHERE s > 1 "
                   "RETURN node.id, s");
  const Clause& call = q->clauses[0];
  CHECK(call.kind == ClauseKind::kCall);
  CHECK(call.procedure == "algo.betweenness");
  CHECK(call.args.size() == 1);
  REQUIRE(call.yields.size() == 2);
  CHECK(call.yields[1].name == "score");
  CHECK(call.yields[1].alias == "s");
  CHECK(call.where);
}

TEST_CASE("parser: EXPLAIN and PROFILE", "[query][parser]") {
  CHECK(parseOk("EXPLAIN RETURN 1")->explain);
  CHECK(parseOk("profile RETURN 1")->profile);
}

TEST_CASE("parser: syntax-only parse skips semantic checks", "[query][parser]") {
  ParseResult result = parseQuerySyntax("MATCH (n) RETURN m");
  CHECK(result.ok());
  CHECK_FALSE(parseQuery("MATCH (n) RETURN m").ok());
}

TEST_CASE("parser: scopes follow MATCH, WITH, UNWIND and YIELD", "[query][parser]") {
  parseOk("MATCH (a)-->(b {x: a.x}) RETURN a, b");                    // same-MATCH reference
  parseOk("MATCH (a) WITH a AS b MATCH (b)-->(c) RETURN b, c");
  parseOk("UNWIND [1] AS x WITH x AS y ORDER BY x RETURN y");        // ORDER BY sees both
  parseOk("MATCH (a) RETURN a.x AS k ORDER BY k, a.y");
  parseOk("MATCH (a) RETURN [x IN [1] | x + a.id] AS l");           // comprehension var is local
  parseOk("MATCH (p) RETURN [(p)-->(q) | q.id] AS ids");            // and pattern comprehension's
  CHECK(parseError("MATCH (p) RETURN [(p)-->(q) | q.id] AS ids, q") ==
        "line 1, column 45: variable 'q' is not defined");
  CHECK(parseError("RETURN [x IN [1] | x] AS l, x") == "line 1, column 29: variable 'x' is not defined");
  CHECK(parseError("MATCH (a) WITH a.x AS k WHERE a.y = 1 RETURN k") ==
        "line 1, column 31: variable 'a' is not defined");
  CHECK(parseError("CALL algo.degree() YIELD node RETURN score") ==
        "line 1, column 38: variable 'score' is not defined");
  parseOk("MATCH (n) RETURN n SKIP $s LIMIT 10");
}

TEST_CASE("parser: function table", "[query][parser]") {
  for (const char* name : {"id", "labels", "type", "keys", "properties", "size", "length", "nodes",
                           "relationships", "coalesce", "toInteger", "toFloat", "toString",
                           "toLower", "toUpper", "split", "substring", "timestamp", "count",
                           "collect", "min", "max", "sum", "avg", "exists"}) {
    INFO(name);
    CHECK(findFunction(name) != nullptr);
  }
  CHECK(findFunction("TOINTEGER")->name == "toInteger");
  CHECK(findFunction("count")->aggregate);
  CHECK_FALSE(findFunction("size")->aggregate);
  CHECK(findFunction("nope") == nullptr);
}

TEST_CASE("parser: deep nesting is an error, not a stack overflow", "[query][parser]") {
  std::string deep = "RETURN " + std::string(100000, '(') + "1" + std::string(100000, ')');
  ParseResult result = parseQuery(deep);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->message == "query is nested too deeply (the limit is 200 levels)");
  CHECK(result.error->column == 8 + kMaxNesting);

  std::string lists = "RETURN " + std::string(5000, '[');
  CHECK_FALSE(parseQuery(lists).ok());
  std::string maps;
  for (int i = 0; i < 5000; ++i) maps += "{a: ";
  CHECK_FALSE(parseQuery("RETURN " + maps).ok());
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  CHECK_FALSE(parseQuery("RETURN " + nots + "true").ok());
  std::string minus(5000, '-');
  CHECK_FALSE(parseQuery("RETURN " + minus + "1").ok());
  std::string patterns = "MATCH (a)";
  for (int i = 0; i < 5000; ++i) patterns += "-->()";
  CHECK_FALSE(parseQuery(patterns + " RETURN a").ok());

  // Moderate nesting is fine.
  std::string ok = "RETURN " + std::string(50, '(') + "1" + std::string(50, ')');
  CHECK(parseQuery(ok).ok());
}

TEST_CASE("parser: long operator chains are bounded too", "[query][parser]") {
  std::string chain = "RETURN 1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  ParseResult result = parseQuery(chain);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->message == "query is nested too deeply (the limit is 200 levels)");
  std::string props = "WITH {} AS m RETURN m";
  for (int i = 0; i < 100000; ++i) props += ".a";
  CHECK_FALSE(parseQuery(props).ok());

  // A few hundred ORs, as a generated query might have, still parse.
  std::string ors = "MATCH (p) WHERE p.id = 0";
  for (int i = 1; i < 500; ++i) ors += " OR p.id = " + std::to_string(i);
  auto q = parseOk(ors + " RETURN p");
  CHECK(parseQuery(printQuery(*q)).ok());
  // Wide lists are flat, not deep.
  std::string list = "RETURN [0";
  for (int i = 1; i < 20000; ++i) list += ", " + std::to_string(i);
  parseOk(list + "] AS l");
}

TEST_CASE("parser: hostile bytes give errors, never exceptions", "[query][parser]") {
  const std::string inputs[] = {
      std::string("\0\0\0", 3), "\xff\xfe", "MATCH (\xc3", "RETURN '\\u", "RETURN '\\", "`",
      "$", "MATCH (a)-[", "MATCH (a)<", "MATCH (a)-[*", "MATCH (a)-[*1..", "RETURN [x IN",
      "RETURN CASE", "RETURN count(", "RETURN {", "RETURN a.", "RETURN 1..2", "CALL", "CALL a.",
      "MATCH p =", "RETURN ((", "RETURN ]", "RETURN )", "UNWIND", "UNWIND 1 AS", "WITH",
      ";", "RETURN 1;;", "/*", "RETURN 0x", "RETURN 1e+",
  };
  for (const std::string& input : inputs) {
    INFO(input);
    ParseResult result;
    CHECK_NOTHROW(result = parseQuery(input));
    CHECK_FALSE(result.ok());
    REQUIRE(result.error);
    CHECK(result.error->line >= 1);
    CHECK(result.error->column >= 1);
  }
}

TEST_CASE("printer: names that need quoting", "[query][printer]") {
  CHECK(printName("n", true) == "n");
  CHECK(printName("match", true) == "`match`");
  CHECK(printName("match", false) == "match");
  CHECK(printName("a b", false) == "`a b`");
  CHECK(printName("a`b", false) == "`a``b`");
  CHECK(printName("1x", false) == "`1x`");
  auto q = parseOk("WITH 1 AS `match`, 'x' AS `a``b` RETURN `match`, `a``b`");
  CHECK(printQuery(*q) == "WITH 1 AS `match`, 'x' AS `a``b` RETURN `match`, `a``b`");
}

TEST_CASE("printer: strings escape what the lexer unescapes", "[query][printer]") {
  auto q = parseOk("RETURN 'a\\'b\\\\c\\n\\t\\u0001é' AS s");
  CHECK(printQuery(*q) == "RETURN 'a\\'b\\\\c\\n\\t\\u0001é' AS s");
}
