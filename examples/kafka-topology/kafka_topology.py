#!/usr/bin/python3
"""Kafka's topology as a graph: a simulated Kafka cluster registers itself in GraphKeeper exactly
as Kafka (ZooKeeper mode) writes its znodes, and an operator's questions are answered with
read-only Cypher queries over POST /query on the admin port (and once with `graphkeeper query`).

Every answer is checked against an expectation computed here, in Python, from the data this
script wrote. Then one broker's ZooKeeper session ends, as when a broker dies, and the same
queries are asked again: with no other action their answers change (the broker is
alive: false, its ephemerals and its OWNED_BY edges are gone, and, since it was the controller,
the cluster has no controller). Exits 1 on any mismatch.

    examples/kafka-topology/kafka_topology.py --binary build/engine/graphkeeper

Formats follow kafka.zk.ZkData (BrokerIdZNode v5, TopicZNode v2, TopicPartitionStateZNode v1,
ControllerZNode v1, ControllerEpochZNode, ClusterIdZNode). Needs python3-kazoo.
"""
import argparse
import base64
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from kazoo.client import KazooClient

BROKERS = {1: "r1", 2: "r2", 3: "r3", 4: "r1", 5: "r2", 6: "r3", 7: "r1"}  # id -> rack
TOPICS = 20
PARTITIONS = 200
START_TIMEOUT_S = 30
QUERY_TIMEOUT_S = 60


# --- the server ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GraphKeeper:
    """A GraphKeeper process on free loopback ports with a temporary data dir, admin server on."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="gk-kafka-")
        self.data_dir = os.path.join(self.dir, "data")
        self.client_port = free_port()
        self.admin_port = free_port()
        self.config = os.path.join(self.dir, "zoo.cfg")
        with open(self.config, "w") as f:
            f.write(f"tickTime=2000\ndataDir={self.data_dir}\n"
                    f"clientPort={self.client_port}\nclientPortAddress=127.0.0.1\n"
                    f"admin.enableServer=true\nadmin.serverAddress=127.0.0.1\n"
                    f"admin.serverPort={self.admin_port}\n4lw.commands.whitelist=*\n")
        self.log = os.path.join(self.dir, "server.out")
        self.proc = None

    @property
    def hosts(self):
        return f"127.0.0.1:{self.client_port}"

    @property
    def admin(self):
        return f"127.0.0.1:{self.admin_port}"

    def start(self):
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([self.binary, "run", "--config", self.config],
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, cwd=self.dir)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"graphkeeper exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://{self.admin}/commands/ruok", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"graphkeeper did not start within {START_TIMEOUT_S} s:\n{self.tail()}")

    def tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return ""

    def stop(self, keep=False):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # our own process, by its pid
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def post_query(server, query, **parameters):
    body = json.dumps({"query": query, "parameters": parameters}).encode()
    req = urllib.request.Request(f"http://{server.admin}/query", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=QUERY_TIMEOUT_S) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"POST /query answered {e.code}: {e.read().decode(errors='replace')}")


# --- the simulated Kafka cluster ------------------------------------------------------------------

def kafka_uuid(rng):
    """org.apache.kafka.common.Uuid.toString: URL-safe base64 of 16 bytes, no padding."""
    return base64.urlsafe_b64encode(bytes(rng.getrandbits(8) for _ in range(16))).decode().rstrip("=")


def plan_cluster(rng):
    """The cluster's metadata as Kafka would hold it: topics, assignments, leaders and ISRs."""
    # 20 topics of different sizes (2..18 partitions), 200 partitions in all.
    counts = [PARTITIONS // TOPICS] * TOPICS
    for _ in range(200):
        a, b = rng.randrange(TOPICS), rng.randrange(TOPICS)
        if counts[a] > 2 and counts[b] < 18:
            counts[a] -= 1
            counts[b] += 1
    assert sum(counts) == PARTITIONS
    ids = sorted(BROKERS)
    topics = {}
    for t, count in enumerate(counts):
        name = f"orders-{t:02d}" if t % 2 == 0 else f"payments-{t:02d}"
        rf = 2 if t % 7 == 3 else 3  # a few topics with replication factor 2
        # Most topics spread over all brokers; others were created with a manual assignment
        # on a few brokers, so rack coverage differs between topics.
        pool = ids if t % 3 == 0 else rng.sample(ids, rng.choice([3, 4, 5]))
        partitions = {}
        for p in range(count):
            replicas = rng.sample(pool, rf)
            isr = list(replicas)
            if rng.random() < 0.2:  # under-replicated: a follower fell out of the ISR
                isr.remove(rng.choice(replicas[1:]))
            if rf == 3 and rng.random() < 0.05:  # badly under-replicated: only the leader left
                isr = [replicas[0]]
            leader = isr[0] if rng.random() < 0.9 else rng.choice(isr)  # mostly the preferred
            partitions[p] = {"replicas": replicas, "isr": isr, "leader": leader,
                             "leader_epoch": rng.randrange(0, 12)}
        topics[name] = {"topic_id": kafka_uuid(rng), "partitions": partitions}
    # The controller is the broker whose session ends later; one in rack r1, so that its
    # death changes the rack question's answer too.
    controller = rng.choice([b for b in ids if BROKERS[b] == "r1"])
    return {"cluster_id": kafka_uuid(rng), "controller": controller,
            "controller_epoch": rng.randrange(1, 30), "topics": topics}


def broker_json(broker_id, rack):
    """BrokerIdZNode.encode, version 5 (Kafka 2.7+)."""
    host = f"broker-{broker_id}.kafka.internal"
    return json.dumps({
        "features": {},
        "listener_security_protocol_map": {"PLAINTEXT": "PLAINTEXT", "SSL": "SSL"},
        "endpoints": [f"PLAINTEXT://{host}:9092", f"SSL://{host}:9093"],
        "jmx_port": 9999,
        "port": 9092,
        "host": host,
        "version": 5,
        "timestamp": str(int(time.time() * 1000)),
        "rack": rack,
    }).encode()


def register(hosts, plan):
    """Writes the cluster as Kafka does. Returns the KazooClients by broker id (one session
    each, as every broker has its own) and the admin/tool session."""
    tool = KazooClient(hosts=hosts, timeout=10)
    tool.start(timeout=10)
    # KafkaZkClient.createTopLevelPaths (ZkData.PersistentZkPaths), as the first broker does.
    for path in ["/consumers", "/admin/delete_topics", "/brokers/ids", "/brokers/topics",
                 "/brokers/seqid", "/config/changes", "/config/topics", "/config/clients",
                 "/config/users", "/config/brokers", "/config/ips", "/isr_change_notification",
                 "/latest_producer_id_block", "/log_dir_event_notification"]:
        tool.ensure_path(path)
    # ClusterIdZNode.toJson: the version is a string there.
    tool.create("/cluster/id", json.dumps({"version": "1", "id": plan["cluster_id"]}).encode(),
                makepath=True)

    brokers = {}
    for broker_id, rack in sorted(BROKERS.items()):
        zk = KazooClient(hosts=hosts, timeout=10)
        zk.start(timeout=10)
        zk.create(f"/brokers/ids/{broker_id}", broker_json(broker_id, rack), ephemeral=True)
        brokers[broker_id] = zk

    # The controller: an ephemeral of the elected broker's session, then the epoch.
    controller = brokers[plan["controller"]]
    controller.create("/controller", json.dumps(
        {"version": 1, "brokerid": plan["controller"],
         "timestamp": str(int(time.time() * 1000))}).encode(), ephemeral=True)
    controller.create("/controller_epoch", str(plan["controller_epoch"]).encode())

    # Topics as the admin client creates them (TopicZNode.encode, version 2)...
    for name, topic in plan["topics"].items():
        tool.create(f"/brokers/topics/{name}", json.dumps({
            "version": 2,
            "partitions": {str(p): v["replicas"] for p, v in topic["partitions"].items()},
            "adding_replicas": {},
            "removing_replicas": {},
            "topic_id": topic["topic_id"],
        }).encode())
    # ...and their partition states as the controller writes them (TopicPartitionStateZNode).
    # Kafka creates /partitions and /partitions/P with null data; kazoo sends empty data.
    for name, topic in plan["topics"].items():
        controller.create(f"/brokers/topics/{name}/partitions")
        for p, v in topic["partitions"].items():
            controller.create(f"/brokers/topics/{name}/partitions/{p}")
            controller.create(f"/brokers/topics/{name}/partitions/{p}/state", json.dumps({
                "controller_epoch": plan["controller_epoch"],
                "leader": v["leader"],
                "version": 1,
                "leader_epoch": v["leader_epoch"],
                "isr": v["isr"],
            }).encode())
    return brokers, tool


# --- the questions, and what they must answer ------------------------------------------------------

def partitions(plan):
    for name, topic in plan["topics"].items():
        for p, v in topic["partitions"].items():
            yield name, p, v


def expectations(plan, alive, sessions):
    """What each question must answer, from the plan and which brokers are registered.
    `alive`: broker ids whose ephemeral exists; `sessions`: session id -> ephemeral paths."""
    rack_r1 = {b for b in alive if BROKERS[b] == "r1"}  # an unregistered broker has no rack
    exp = {}
    exp["controller"] = ([[plan["controller"], plan["cluster_id"]]]
                         if plan["controller"] in alive else [])
    exp["led_by_3"] = sorted([n, p] for n, p, v in partitions(plan) if v["leader"] == 3)
    exp["under_replicated"] = sorted(
        [n, p, len(v["replicas"]), len(v["isr"])] for n, p, v in partitions(plan)
        if len(v["isr"]) < len(v["replicas"]))
    exp["lose_majority_without_2"] = sorted(
        [n, p] for n, p, v in partitions(plan)
        if 2 in v["isr"] and 2 * len(v["isr"]) > len(v["replicas"])
        and 2 * (len(v["isr"]) - 1) <= len(v["replicas"]))
    covered = {}
    for n, p, v in partitions(plan):
        covered.setdefault(n, set()).update(v["replicas"])
    exp["topics_on_all_of_r1"] = sorted([n] for n in plan["topics"] if rack_r1 <= covered[n])
    exp["brokers"] = sorted(
        [b, b in alive, BROKERS[b] if b in alive else None] for b in BROKERS)
    exp["offline_leaders"] = sorted(
        [n, p, v["leader"]] for n, p, v in partitions(plan) if v["leader"] not in alive)
    exp["ephemerals"] = sorted([sid, sorted(paths)] for sid, paths in sessions.items())
    return exp


QUESTIONS = {
    "controller": (
        "Which broker is the controller?",
        "MATCH (b:Broker)-[:CONTROLLER]->(c:Cluster) RETURN b.id AS controller, c.id AS cluster",
        {}),
    "led_by_3": (
        "Which partitions does broker 3 lead?",
        "MATCH (p:Partition)-[:LEADER]->(:Broker {id: $broker})\n"
        "RETURN p.topic AS topic, p.id AS partition ORDER BY topic, partition",
        {"broker": 3}),
    "under_replicated": (
        "Which partitions are under-replicated (ISR smaller than the replica set)?",
        "MATCH (p:Partition)-[:REPLICA]->(r:Broker)\n"
        "WITH p, count(r) AS replicas\n"
        "OPTIONAL MATCH (p)-[:IN_ISR]->(i:Broker)\n"
        "WITH p, replicas, count(i) AS isr\n"
        "WHERE isr < replicas\n"
        "RETURN p.topic AS topic, p.id AS partition, replicas, isr ORDER BY topic, partition",
        {}),
    "lose_majority_without_2": (
        "Which partitions lose their ISR majority if broker 2 dies?",
        "MATCH (p:Partition)-[:IN_ISR]->(:Broker {id: $broker})\n"
        "MATCH (p)-[:REPLICA]->(r:Broker)\n"
        "WITH p, count(r) AS replicas\n"
        "MATCH (p)-[:IN_ISR]->(i:Broker)\n"
        "WITH p, replicas, count(i) AS isr\n"
        "WHERE 2 * isr > replicas AND 2 * (isr - 1) <= replicas\n"
        "RETURN p.topic AS topic, p.id AS partition ORDER BY topic, partition",
        {"broker": 2}),
    "topics_on_all_of_r1": (
        "Which topics have a replica on every broker in rack r1?",
        "MATCH (rb:Broker {rack: $rack})\n"
        "WITH collect(rb.id) AS rackBrokers\n"
        "MATCH (t:Topic)<-[:PARTITION_OF]-(:Partition)-[:REPLICA]->(b:Broker)\n"
        "WHERE b.id IN rackBrokers\n"
        "WITH t, rackBrokers, collect(DISTINCT b.id) AS covered\n"
        "WHERE size(covered) = size(rackBrokers)\n"
        "RETURN t.name AS topic ORDER BY topic",
        {"rack": "r1"}),
    "brokers": (
        "Which brokers are alive, and in which rack?",
        "MATCH (b:Broker) RETURN b.id AS broker, b.alive AS alive, b.rack AS rack ORDER BY broker",
        {}),
    "offline_leaders": (
        "Which partitions are led by a broker that is not registered (offline partitions)?",
        "MATCH (p:Partition)-[:LEADER]->(b:Broker) WHERE b.alive = false\n"
        "RETURN p.topic AS topic, p.id AS partition, b.id AS leader ORDER BY topic, partition",
        {}),
    "ephemerals": (
        "Which ephemerals does each session own?",
        "MATCH (z:ZNode)-[:OWNED_BY]->(s:Session)\n"
        "RETURN s.id AS session, collect(z.path) AS ephemerals ORDER BY session",
        {}),
}


def normalise(key, rows):
    if key == "ephemerals":  # collect() has no order: compare the paths as a sorted list
        return sorted([r[0], sorted(r[1])] for r in rows)
    return sorted(rows)


def ask_all(server, exp, stage):
    failures = 0
    for key, (question, query, params) in QUESTIONS.items():
        answer = post_query(server, query, **params)
        got = normalise(key, answer["rows"])
        ok = got == exp[key]
        failures += not ok
        shown = got if len(got) <= 6 else got[:6] + [f"... {len(got) - 6} more"]
        print(f"[{stage}] {question}\n    {'ok' if ok else 'MISMATCH'}: {len(got)} rows at zxid "
              f"{answer['zxid']:#x} in {answer['elapsedMs']:.1f} ms: {shown}")
        if not ok:
            print(f"    expected: {exp[key]}")
    return failures


def ask_with_cli(server, exp):
    """The same question through `graphkeeper query` (JSON output)."""
    _, query, params = QUESTIONS["led_by_3"]
    cmd = [server.binary, "query", query, "--server", server.admin, "--format", "json"]
    for k, v in params.items():
        cmd += ["--param", f"{k}={json.dumps(v)}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=QUERY_TIMEOUT_S)
    if out.returncode != 0:
        print(f"[cli] graphkeeper query failed ({out.returncode}): {out.stderr}")
        return 1
    got = normalise("led_by_3", json.loads(out.stdout)["rows"])
    ok = got == exp["led_by_3"]
    print(f"[cli] graphkeeper query ... --param broker=3 --format json\n    "
          f"{'ok' if ok else 'MISMATCH'}: {len(got)} rows")
    table = subprocess.run(cmd[:5] + ["--param", "broker=3"], capture_output=True, text=True,
                           timeout=QUERY_TIMEOUT_S)
    print("    as a table:\n" + "".join("      " + l + "\n" for l in table.stdout.splitlines()[:6])
          + "      ...")
    return 0 if ok and table.returncode == 0 else 1


def wait_for(predicate, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--binary", default=os.environ.get("GK_BINARY") or
                    os.path.join(here, "..", "..", "build", "engine", "graphkeeper"))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--keep", action="store_true", help="keep the data dir (printed) at the end")
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no graphkeeper binary at {args.binary} (build it, or pass --binary)")

    rng = random.Random(args.seed)
    plan = plan_cluster(rng)
    server = GraphKeeper(os.path.abspath(args.binary))
    brokers, tool = {}, None
    failures = 0
    try:
        server.start()
        print(f"GraphKeeper on {server.hosts}, admin {server.admin}, data {server.data_dir}")
        brokers, tool = register(server.hosts, plan)
        sessions = {zk.client_id[0]: [f"/brokers/ids/{b}"] for b, zk in brokers.items()}
        sessions[brokers[plan["controller"]].client_id[0]].append("/controller")
        print(f"registered {len(BROKERS)} brokers in racks r1/r2/r3, {len(plan['topics'])} topics, "
              f"{sum(1 for _ in partitions(plan))} partitions; controller broker "
              f"{plan['controller']}\n")

        exp = expectations(plan, set(BROKERS), sessions)
        failures += ask_all(server, exp, "all up")
        failures += ask_with_cli(server, exp)

        # A broker dies: its session ends (here closed; an expiry does the same later).
        victim = plan["controller"]
        victim_session = brokers[victim].client_id[0]
        print(f"\nbroker {victim} (the controller) goes away: its session "
              f"{victim_session:#x} ends; nothing else is written\n")
        brokers[victim].stop()
        brokers[victim].close()
        del brokers[victim]
        del sessions[victim_session]
        if not wait_for(lambda: tool.exists(f"/brokers/ids/{victim}") is None):
            print(f"/brokers/ids/{victim} is still there")
            failures += 1
        exp2 = expectations(plan, set(BROKERS) - {victim}, sessions)
        failures += ask_all(server, exp2, f"broker {victim} gone")
        changed = [k for k in QUESTIONS if exp[k] != exp2[k]]
        print(f"\nanswers that changed with no other action: {', '.join(changed)}")
    finally:
        for zk in list(brokers.values()) + ([tool] if tool else []):
            try:
                zk.stop()
                zk.close()
            except Exception:
                pass
        server.stop(keep=args.keep)
        if args.keep:
            print(f"kept {server.dir}")
    if failures:
        print(f"\n{failures} answer(s) did not match")
        return 1
    print("\nevery answer matched")
    return 0


if __name__ == "__main__":
    sys.exit(main())
