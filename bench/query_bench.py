#!/usr/bin/python3
"""Query benchmark: traversals and an aggregation over a projected Kafka cluster, and whether
queries slow concurrent writes.

Starts GraphKeeper (admin server on, free loopback ports, its own dataDir), registers a simulated
Kafka cluster the way Kafka writes it (/brokers/ids/N, /brokers/topics/T with the replica
assignment, /brokers/topics/T/partitions/P/state with leader and ISR, /controller, /cluster/id) --
by default 1,000 topics x 100 partitions = 100,000 partitions on 30 brokers in 3 racks -- then:

  queries   each query of QUERIES run --runs times through POST /query (one keep-alive
            connection), p50/p99/max of the server-reported time and of the round trip
  beside    the write benchmark (gk_loadgen set, 32 sessions x 8 in flight) alone and with a
            client running the aggregation query in a loop beside it, interleaved, --repeats times;
            ratio of write ops/s and p99 with/without

Every answer is checked against what this script registered (row counts), so a fast wrong
answer does not pass as a result. Standard library + kazoo; run with /usr/bin/python3.
"""
import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  -- Server, Loadgen, free_port, log, median: one copy of each

from kazoo.client import KazooClient  # noqa: E402

REPO = compare.REPO
log = compare.log

QUERIES = [
    # name, hops, text, parameters, expected-row-count function (cluster -> int)
    ("2-hop: topics led by a broker", 2,
     "MATCH (b:Broker {id: $broker})<-[:LEADER]-(p:Partition)-[:PARTITION_OF]->(t:Topic) "
     "RETURN t.name AS topic, count(p) AS led",
     lambda c: {"broker": c.probe_broker},
     lambda c: len({t for (t, _p), leader in c.leader.items() if leader == c.probe_broker})),
    ("3-hop: a topic's replicas to the controller", 3,
     "MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker)"
     "-[:CONTROLLER]->(c:Cluster) RETURN p.id AS partition, b.id AS controller",
     lambda c: {"topic": c.probe_topic},
     lambda c: sum(1 for (t, _p), reps in c.replicas.items()
                   if t == c.probe_topic and c.controller in reps)),
    ("aggregation: partition leaders per rack", 1,
     "MATCH (p:Partition)-[:LEADER]->(b:Broker) RETURN b.rack AS rack, count(p) AS leaders "
     "ORDER BY rack",
     lambda c: {},
     lambda c: len({c.rack[b] for b in c.leader.values()})),
]
AGGREGATION = QUERIES[2]


class Cluster:
    """The simulated Kafka cluster: what was registered, to check answers against."""

    def __init__(self, brokers, topics, partitions, rf, seed):
        rnd = random.Random(seed)
        self.brokers = list(range(1, brokers + 1))
        self.rack = {b: f"r{(b - 1) % 3 + 1}" for b in self.brokers}
        self.topics = [f"topic-{i:04d}" for i in range(topics)]
        self.replicas = {}
        self.leader = {}
        self.isr = {}
        for t in self.topics:
            for p in range(partitions):
                reps = rnd.sample(self.brokers, rf)
                self.replicas[(t, p)] = reps
                isr = reps if rnd.random() > 0.05 else reps[:-1]
                self.isr[(t, p)] = isr
                self.leader[(t, p)] = isr[0]
        self.controller = self.brokers[len(self.brokers) // 2]
        self.probe_broker = self.brokers[2]
        self.probe_topic = self.topics[len(self.topics) // 3]

    def register(self, zk, batch=500):
        """Writes the znodes in multis of `batch` ops; returns the number of znodes created."""
        ops = []
        count = 0

        def add(path, data, ephemeral=False):
            ops.append((path, json.dumps(data, separators=(",", ":")).encode(), ephemeral))

        def flush():
            nonlocal count
            if not ops:
                return
            tx = zk.transaction()
            for path, data, eph in ops:
                tx.create(path, data, ephemeral=eph)
            results = tx.commit()
            bad = [r for r in results if isinstance(r, Exception)]
            if bad:
                raise RuntimeError(f"registering failed: {bad[0]!r}")
            count += len(ops)
            ops.clear()

        for p in ("/brokers", "/brokers/ids", "/brokers/topics", "/cluster", "/admin",
                  "/admin/delete_topics", "/config"):
            zk.ensure_path(p)
        add("/cluster/id", {"version": "1", "id": "bench-cluster-0001"})
        for b in self.brokers:
            host = f"broker-{b}.bench"
            add(f"/brokers/ids/{b}", {
                "features": {}, "listener_security_protocol_map": {"PLAINTEXT": "PLAINTEXT"},
                "endpoints": [f"PLAINTEXT://{host}:9092"], "jmx_port": -1, "port": 9092,
                "host": host, "version": 5, "timestamp": "1700000000000", "rack": self.rack[b]},
                ephemeral=True)
        add("/controller", {"version": 1, "brokerid": self.controller, "timestamp": "1700000000000"})
        add("/controller_epoch", 1)
        flush()
        for ti, t in enumerate(self.topics):
            parts = sorted(p for (tt, p) in self.replicas if tt == t)
            add(f"/brokers/topics/{t}", {
                "partitions": {str(p): self.replicas[(t, p)] for p in parts},
                "topic_id": f"AAAAAAAAAAAAAAAAAAA{ti:03d}"[-22:], "adding_replicas": {},
                "removing_replicas": {}, "version": 3})
            ops.append((f"/brokers/topics/{t}/partitions", b"", False))
            for p in parts:
                ops.append((f"/brokers/topics/{t}/partitions/{p}", b"", False))
                add(f"/brokers/topics/{t}/partitions/{p}/state", {
                    "controller_epoch": 1, "leader": self.leader[(t, p)], "version": 1,
                    "leader_epoch": 0, "isr": self.isr[(t, p)]})
                if len(ops) >= batch:
                    flush()
        flush()
        return count


class QueryClient:
    """POST /query over one keep-alive HTTP connection."""

    def __init__(self, port, timeout=300):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def run(self, text, params):
        body = json.dumps({"query": text, "parameters": params})
        t0 = time.perf_counter()
        self.conn.request("POST", "/query", body, {"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        rtt_ms = (time.perf_counter() - t0) * 1000
        if resp.status != 200:
            raise RuntimeError(f"POST /query -> {resp.status}: {data[:500]!r}")
        return json.loads(data), rtt_ms

    def close(self):
        self.conn.close()


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def bench_queries(client, cluster, runs):
    rows = []
    for name, hops, text, params_fn, expect_fn in QUERIES:
        params = params_fn(cluster)
        expected = expect_fn(cluster)
        result, _ = client.run(text, params)  # warm-up, and the answer check
        if len(result["rows"]) != expected:
            raise RuntimeError(f"{name}: {len(result['rows'])} rows, expected {expected}")
        server_ms, rtt_ms = [], []
        for _ in range(runs):
            result, rtt = client.run(text, params)
            server_ms.append(float(result["elapsedMs"]))
            rtt_ms.append(rtt)
        rows.append({"query": name, "hops": hops, "rows": expected, "runs": runs,
                     "server_p50_ms": statistics.median(server_ms),
                     "server_p99_ms": pct(server_ms, 0.99), "server_max_ms": max(server_ms),
                     "rtt_p50_ms": statistics.median(rtt_ms), "rtt_p99_ms": pct(rtt_ms, 0.99)})
        log(f"  {name}: p50 {rows[-1]['server_p50_ms']:.2f} ms, p99 {rows[-1]['server_p99_ms']:.2f} ms")
    return rows


def query_loop(port, cluster, stop, counter, beside):
    client = QueryClient(port)
    _, _, text, params_fn, _ = QUERIES[beside]
    try:
        while not stop.is_set():
            client.run(text, params_fn(cluster))
            counter[0] += 1
    finally:
        client.close()


def bench_beside(server, admin_port, cluster, loadgen, a):
    args = ["--op", "set", "--sessions", a.sessions, "--inflight", a.inflight,
            "--duration", a.duration, "--warmup", 1, "--znodes", 10000, "--fanout", 100,
            "--depth", 2, "--payload", 100, "--root", "/gk-query-bench-writes"]
    rows, rc = loadgen.run(server, ["--op", "populate", "--znodes", 10000, "--fanout", 100,
                                    "--depth", 2, "--payload", 100,
                                    "--root", "/gk-query-bench-writes"], timeout=600)
    if rc != 0 or not rows:
        raise RuntimeError("setting up the write benchmark's znodes failed")
    results = {"alone": [], "beside": []}
    queries_done = []
    for rep in range(a.repeats):
        for mode in (("alone", "beside") if rep % 2 == 0 else ("beside", "alone")):
            stop = threading.Event()
            counter = [0]
            th = None
            if mode == "beside":
                th = threading.Thread(target=query_loop, args=(admin_port, cluster, stop, counter,
                                                             a.beside_query))
                th.start()
            rows, rc = loadgen.run(server, args + ["--reuse", "--keep"], timeout=600,
                                   tag={"mode": mode})
            stop.set()
            if th:
                th.join(timeout=600)
                queries_done.append(counter[0])
            if rc != 0 or not rows:
                raise RuntimeError(f"write benchmark failed ({mode})")
            results[mode].append(rows[0])
            log(f"  writes {mode}: {rows[0]['ops_per_s']:.0f} ops/s, p99 {rows[0]['p99_us']} us")
    out = {}
    for mode, rs in results.items():
        out[mode] = {"ops_per_sec": statistics.median(r["ops_per_s"] for r in rs),
                     "p50_us": statistics.median(r["p50_us"] for r in rs),
                     "p99_us": statistics.median(r["p99_us"] for r in rs),
                     "errors": sum(r.get("errors", 0) for r in rs)}
    out["queries_beside"] = queries_done
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graphkeeper", default=os.path.join(REPO, "build/engine/graphkeeper"))
    ap.add_argument("--loadgen", default=os.path.join(REPO, "build/bench/gk_loadgen"))
    ap.add_argument("--brokers", type=int, default=30)
    ap.add_argument("--topics", type=int, default=1000)
    ap.add_argument("--partitions", type=int, default=100, help="per topic")
    ap.add_argument("--rf", type=int, default=3)
    ap.add_argument("--runs", type=int, default=50, help="runs of each query")
    ap.add_argument("--repeats", type=int, default=3, help="write benchmark: alone/beside pairs")
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--sessions", type=int, default=32)
    ap.add_argument("--inflight", type=int, default=8)
    ap.add_argument("--skip-beside", action="store_true")
    ap.add_argument("--beside-query", type=int, default=2,
                    help="index in QUERIES of the query looped beside the writes (2: aggregation)")
    ap.add_argument("--work-dir")
    ap.add_argument("--json-out")
    a = ap.parse_args()

    import tempfile
    work = a.work_dir or tempfile.mkdtemp(prefix="gk-query-bench-")
    admin_port = compare.free_port()
    server = compare.Server("graphkeeper", work, graphkeeper=os.path.abspath(a.graphkeeper),
                            extra_cfg={"admin.enableServer": "true",
                                       "admin.serverAddress": "127.0.0.1",
                                       "admin.serverPort": str(admin_port)})
    compare.LIVE_SERVERS.append(server)
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "brokers": a.brokers, "topics": a.topics, "partitions_per_topic": a.partitions}
    try:
        server.start()
        cluster = Cluster(a.brokers, a.topics, a.partitions, a.rf, seed=7)
        zk = KazooClient(hosts=server.hosts, timeout=30)
        zk.start(timeout=30)
        t0 = time.monotonic()
        created = cluster.register(zk)
        report["registered_znodes"] = created
        report["register_seconds"] = round(time.monotonic() - t0, 1)
        log(f"registered {created} znodes ({len(cluster.replicas)} partitions) in "
            f"{report['register_seconds']} s")
        client = QueryClient(admin_port)
        report["queries"] = bench_queries(client, cluster, a.runs)
        client.close()
        if not a.skip_beside:
            with open(os.path.join(work, "loadgen.jsonl"), "w") as results:
                loadgen = compare.Loadgen(os.path.abspath(a.loadgen), results)
                report["beside"] = bench_beside(server, admin_port, cluster, loadgen, a)
        zk.stop()
        zk.close()
    finally:
        server.stop()
    print(f"\nQuery benchmark, {len(cluster.replicas)} partitions, {a.brokers} brokers "
          f"({report['date']})")
    print("| query | rows | server p50 ms | server p99 ms | round trip p50 ms |")
    print("|---|---|---|---|---|")
    for q in report["queries"]:
        print(f"| {q['query']} | {q['rows']} | {q['server_p50_ms']:.2f} | {q['server_p99_ms']:.2f} "
              f"| {q['rtt_p50_ms']:.2f} |")
    if "beside" in report:
        b = report["beside"]
        print(f"\nWrites (set, {a.sessions}x{a.inflight}) alone vs with '{QUERIES[a.beside_query][0]}' "
              f"looping beside them ({sum(b['queries_beside'])} queries ran):")
        print("| | ops/s | p50 us | p99 us |")
        print("|---|---|---|---|")
        for mode in ("alone", "beside"):
            print(f"| {mode} | {b[mode]['ops_per_sec']:.0f} | {b[mode]['p50_us']:.0f} "
                  f"| {b[mode]['p99_us']:.0f} |")
        print(f"| beside/alone | {b['beside']['ops_per_sec'] / b['alone']['ops_per_sec']:.2f} | "
              f"{b['beside']['p50_us'] / b['alone']['p50_us']:.2f} | "
              f"{b['beside']['p99_us'] / b['alone']['p99_us']:.2f} |")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
