"""Crash durability: SIGKILL the server at random moments under a write load, restart it on the
same data dir, and check that every acknowledged write survived and nothing unacknowledged is
half-applied.

Each round:
  * several writer threads, each with its own KazooClient, keep a window of async requests in
    flight: creates of unique znodes (data carries a checksum of the name and the bytes), setData
    on two counters per writer (pipelined, each with the expected version; the value written is
    the version it produces), multi transactions creating two znodes together, and deletes of
    znodes the writer created (and saw acknowledged) earlier in the round;
  * every request is recorded as sent before it is handed to kazoo; it counts as acknowledged
    only if its success reply arrived (a ConnectionLoss means "unknown": maybe applied, maybe not);
  * after a random 50-700 ms the server's process group gets SIGKILL, the clients are stopped
    (bounded), the server restarts on the same dir and port, and the checks run:
      - every acknowledged create exists with exactly the data sent (unless a delete was sent);
      - every acknowledged delete is gone;
      - every counter's value is at least the last acknowledged value, at most the last sent one,
        and equals its znode version (data = "<version>:<checksum>");
      - every znode that exists was sent (no phantom) and its data is whole (exact bytes sent);
      - each multi is all-or-nothing;
      - per writer, the applied requests form a prefix of what it sent (a session's requests are
        applied in order, so a later one surviving while an earlier one vanished is a lost write);
      - the znodes of earlier rounds and the probes are all still there;
      - the restarted server takes a new create (the probe).
  * at the end every surviving znode of every round is read again and compared byte for byte.

GK_DURABILITY_ROUNDS (default 20) sets the rounds, GK_DURABILITY_SEED the random seed (printed).
"""
import hashlib
import logging
import os
import random
import socket
import sys
import threading
import time

import pytest
from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import (BadVersionError, ConnectionClosedError, ConnectionLoss,
                              NoNodeError, SessionExpiredError)

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402

ROUNDS = int(os.environ.get("GK_DURABILITY_ROUNDS", "20"))
SEED = int(os.environ.get("GK_DURABILITY_SEED", str(random.randrange(1 << 30))))
WRITERS = 4
WINDOW = 32                  # requests in flight per writer
COUNTERS_PER_WRITER = 2
KILL_AFTER_MS = (50, 700)    # SIGKILL this long after the load started
CLIENT_TIMEOUT = 10.0        # session timeout, and the bound on every wait for the server
STOP_TIMEOUT = 15.0          # bound on stopping one kazoo client

# Outcomes that leave a request's fate unknown: the connection went away before the reply.
UNKNOWN_OUTCOME = (ConnectionLoss, ConnectionClosedError, SessionExpiredError)

logging.getLogger("kazoo").setLevel(logging.CRITICAL)  # reconnect noise after every kill


def restart_safe_port():
    """A free loopback port outside the ephemeral range: while the server is down between a kill
    and its restart, no client socket can be handed its port, so the restart's bind can't fail."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        lo, hi = 32768, 60999
    rng = random.Random()
    ranges = [r for r in ((10000, lo - 1), (hi + 1, 65535)) if r[1] - r[0] > 100]
    for _ in range(200):
        a, b = rng.choice(ranges)
        port = rng.randint(a, b)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port outside the ephemeral range")


def checksum(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def node_data(path, rng):
    """Data for a created znode: its own path, random filler (sometimes 64 KiB), a checksum."""
    n = 65536 if rng.random() < 0.02 else rng.randint(0, 1500)
    filler = rng.randbytes(n // 2).hex().encode()[:n]
    body = path.encode() + b"|" + filler
    return body + b"|" + checksum(body).encode()


def data_is_whole(path, data):
    body, sep, chk = data.rpartition(b"|")
    return bool(sep) and body.startswith(path.encode() + b"|") and chk == checksum(body).encode()


def counter_data(path, value):
    return f"{value}:{checksum(path, value)}".encode()


def make_client(hosts, tries):
    # Few connection tries: once the server is killed a writer's client gives up at once instead
    # of reconnecting (possibly to the restarted server) with requests still queued.
    return KazooClient(hosts=hosts, timeout=CLIENT_TIMEOUT,
                       connection_retry=dict(max_tries=tries, delay=0.1, backoff=1,
                                             max_delay=0.2, max_jitter=0.1),
                       command_retry=dict(max_tries=0))


def stop_client(client):
    """Stops and closes a kazoo client, bounded in time; True if it did stop."""
    def run():
        try:
            client.stop()
        except Exception:
            pass
        try:
            client.close()
        except Exception:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(STOP_TIMEOUT)
    return not t.is_alive()


class Op:
    __slots__ = ("seq", "kind", "path", "data", "paths", "datas", "counter", "value", "target",
                 "ar", "deleted_by")

    def __init__(self, seq, kind):
        self.seq = seq
        self.kind = kind          # create | multi | set | delete
        self.ar = None            # kazoo IAsyncResult, None if kazoo refused it outright
        self.deleted_by = None    # for creates: the delete op sent for it
        self.path = self.data = self.paths = self.datas = None
        self.counter = self.value = self.target = None

    def done(self):
        return self.ar is not None and self.ar.ready()

    def acked(self):
        if not self.done() or not self.ar.successful():
            return False
        if self.kind == "multi":
            res = self.ar.value
            return isinstance(res, list) and len(res) == 2 and all(isinstance(r, str) for r in res)
        return True

    def unexpected_error(self):
        """A failure reply that is not "connection gone" (e.g. NodeExists, BadVersion)."""
        if not self.done():
            return None
        if not self.ar.successful():
            exc = self.ar.exception
            return None if isinstance(exc, UNKNOWN_OUTCOME) else exc
        if self.kind == "multi" and not self.acked():
            return self.ar.value
        return None

    def describe(self):
        what = {"create": self.path, "delete": self.path, "multi": self.paths,
                "set": f"{self.counter}={self.value}"}[self.kind]
        return f"#{self.seq} {self.kind} {what}"


class Writer(threading.Thread):
    def __init__(self, idx, rnd, hosts, counters, rng, stop, killed):
        super().__init__(name=f"writer-{idx}", daemon=True)
        self.idx, self.rnd = idx, rnd
        self.base = f"/dur/r{rnd}"
        self.client = make_client(hosts, tries=1)
        self.counters = counters            # path -> version the next set expects
        self.rng = rng
        self.stop_ev, self.killed = stop, killed
        self.window = threading.Semaphore(WINDOW)
        self.ops = []                       # in the order handed to the client
        self.creates = []                   # create ops not yet picked for a delete
        self.lost_before_kill = threading.Event()
        self.error = None

    def connect(self):
        self.client.start(timeout=CLIENT_TIMEOUT)
        self.client.add_listener(self._state)

    def _state(self, state):
        if state != KazooState.CONNECTED and not self.killed.is_set():
            self.lost_before_kill.set()

    def _release(self, _ar):
        self.window.release()

    def run(self):
        try:
            self._run()
        except Exception as e:  # reported by the round
            self.error = e

    def _run(self):
        seq = 0
        while not self.stop_ev.is_set():
            if self.client.state != KazooState.CONNECTED:
                break  # the server is gone: don't queue requests for a reconnect
            if not self.window.acquire(timeout=0.05):
                continue
            seq += 1
            op = self._next_op(seq)
            self.ops.append(op)  # recorded as sent before it is handed to the client
            try:
                op.ar = self._send(op)
            except Exception:
                self.window.release()
                break  # client closed under us: not acked
            op.ar.rawlink(self._release)

    def _next_op(self, seq):
        r = self.rng.random()
        name = f"w{self.idx}-{seq}"
        if r < 0.15:
            for _ in range(4):
                if not self.creates:
                    break
                i = self.rng.randrange(len(self.creates))
                target = self.creates[i]
                if target.acked():
                    self.creates[i] = self.creates[-1]
                    self.creates.pop()
                    op = Op(seq, "delete")
                    op.path, op.target = target.path, target
                    target.deleted_by = op
                    return op
        if r < 0.35:
            op = Op(seq, "set")
            op.counter = self.rng.choice(sorted(self.counters))
            op.value = self.counters[op.counter] + 1   # the version this set produces
            self.counters[op.counter] = op.value       # pipelined: the next one expects it
            op.data = counter_data(op.counter, op.value)
            return op
        if r < 0.5:
            op = Op(seq, "multi")
            op.paths = [f"{self.base}/m{name}-a", f"{self.base}/m{name}-b"]
            op.datas = [node_data(p, self.rng) for p in op.paths]
            return op
        op = Op(seq, "create")
        op.path = f"{self.base}/c{name}"
        op.data = node_data(op.path, self.rng)
        self.creates.append(op)
        return op

    def _send(self, op):
        c = self.client
        if op.kind == "create":
            return c.create_async(op.path, op.data)
        if op.kind == "delete":
            return c.delete_async(op.path)
        if op.kind == "set":
            return c.set_async(op.counter, op.data, version=op.value - 1)
        t = c.transaction()
        for p, d in zip(op.paths, op.datas):
            t.create(p, d)
        return t.commit_async()


def get_all(client, paths):
    """Reads many znodes with pipelined async gets: path -> (data, stat) or None if absent."""
    out = {}
    paths = list(paths)
    for i in range(0, len(paths), 256):
        batch = [(p, client.get_async(p)) for p in paths[i:i + 256]]
        for p, ar in batch:
            try:
                out[p] = ar.get(timeout=CLIENT_TIMEOUT)
            except NoNodeError:
                out[p] = None
    return out


def short(items, n=20):
    items = list(items)
    more = f" ... and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(str(x) for x in items[:n]) + more


class Durability:
    def __init__(self, server):
        self.server = server
        self.rng = random.Random(SEED)
        self.counters = {f"/dur/c/w{w}-{i}": 0
                         for w in range(WRITERS) for i in range(COUNTERS_PER_WRITER)}
        self.round_children = {}   # round -> names that survived its verification
        self.round_data = {}       # round -> {path: data} of the znodes that survived
        self.probes = set()

    def connect(self):
        c = make_client(self.server.hosts, tries=3)
        c.start(timeout=CLIENT_TIMEOUT)
        return c

    def setup(self):
        c = self.connect()
        try:
            for p in ("/dur", "/dur/c", "/dur/probe"):
                c.create(p)
            for p in self.counters:
                c.create(p, counter_data(p, 0))   # version 0, value 0
        finally:
            stop_client(c)

    def run_round(self, rnd):
        t0 = time.monotonic()
        c = self.connect()
        try:
            c.create(f"/dur/r{rnd}")
        finally:
            stop_client(c)

        stop, killed = threading.Event(), threading.Event()
        writers = []
        for w in range(WRITERS):
            mine = {p: v for p, v in self.counters.items() if p.startswith(f"/dur/c/w{w}-")}
            writers.append(Writer(w, rnd, self.server.hosts, mine,
                                  random.Random(self.rng.random()), stop, killed))
        try:
            for wr in writers:
                wr.connect()
            for wr in writers:
                wr.start()
            delay = self.rng.uniform(*KILL_AFTER_MS) / 1000.0
            time.sleep(delay)
            killed.set()
            self.server.kill()      # SIGKILL to the server's process group
        finally:
            stop.set()
            for wr in writers:
                wr.join(STOP_TIMEOUT)
            stuck = [wr.name for wr in writers if not stop_client(wr.client) or wr.is_alive()]
        assert not stuck, f"round {rnd}: kazoo clients/writers did not stop: {stuck}"
        for wr in writers:
            assert wr.error is None, f"round {rnd}: {wr.name} failed: {wr.error!r}"

        t_restart = time.monotonic()
        self.server.start()
        restart_s = time.monotonic() - t_restart
        problems, stats = self.verify(rnd, writers)
        total = time.monotonic() - t0
        print(f"round {rnd:2d}: kill after {delay * 1000:3.0f} ms; sent {stats['sent']}, "
              f"acked {stats['acked']} (creates {stats['acked_create']}, multis "
              f"{stats['acked_multi']}, sets {stats['acked_set']}, deletes "
              f"{stats['acked_delete']}), unacked {stats['sent'] - stats['acked']} "
              f"(applied anyway {stats['unacked_applied']}); znodes that must exist "
              f"{stats['expected']}, found {stats['found']}; restart {restart_s:.2f}s, "
              f"round {total:.2f}s", flush=True)
        if problems:
            pytest.fail(f"round {rnd} (seed {SEED}, killed {delay * 1000:.0f} ms into the "
                        f"load):\n  " + "\n  ".join(problems) + "\n--- server log tail ---\n"
                        + self.server.log_tail(), pytrace=False)

    def verify(self, rnd, writers):
        problems = []
        stats = dict(sent=0, acked=0, acked_create=0, acked_multi=0, acked_set=0, acked_delete=0,
                     unacked_applied=0, expected=0, found=0)
        c = self.connect()
        try:
            base = f"/dur/r{rnd}"
            children = set(c.get_children(base))
            stats["found"] = len(children)

            sent_paths = {}
            for wr in writers:
                for op in wr.ops:
                    if op.kind == "create":
                        sent_paths[op.path] = op.data
                    elif op.kind == "multi":
                        sent_paths.update(zip(op.paths, op.datas))
            phantom = sorted(n for n in children if f"{base}/{n}" not in sent_paths)
            if phantom:
                problems.append(f"{len(phantom)} znodes exist that were never sent: "
                                f"{short(phantom)}")

            present = {f"{base}/{n}" for n in children}
            got = get_all(c, sorted(present & sent_paths.keys()))
            counters = get_all(c, sorted(p for wr in writers for p in wr.counters))

            missing, resurrected, torn, bad_data, split, errors = [], [], [], [], [], []
            order_checks = []   # (writer, applied flag of each of its requests)
            for wr in writers:
                applied = []
                writer_errors = len(errors)
                for op in wr.ops:
                    stats["sent"] += 1
                    acked = op.acked()
                    if acked:
                        stats["acked"] += 1
                        stats["acked_" + op.kind] += 1
                    err = op.unexpected_error()
                    if isinstance(err, BadVersionError) and wr.lost_before_kill.is_set():
                        err = None  # a reconnect lost an earlier pipelined set: fair
                    if err is not None:
                        errors.append(f"{op.describe()}: {err!r}")
                    if op.kind == "create":
                        here = op.path in present
                        if acked and op.deleted_by is None:
                            stats["expected"] += 1
                            if not here:
                                missing.append(op.describe())
                        # a create that was picked for a delete was acked, so it was applied
                        applied.append(here or op.deleted_by is not None)
                    elif op.kind == "delete":
                        here = op.path in present
                        if acked and here:
                            resurrected.append(op.describe())
                        applied.append(not here)
                    elif op.kind == "multi":
                        a, b = (p in present for p in op.paths)
                        if a != b:
                            split.append(f"{op.describe()}: only {op.paths[0 if a else 1]} exists")
                        if acked:
                            stats["expected"] += 2
                            if not (a and b):
                                missing.append(op.describe())
                        applied.append(a and b)
                    else:
                        res = counters.get(op.counter)
                        applied.append(res is not None and res[1].version >= op.value)
                    if not acked and applied[-1]:
                        stats["unacked_applied"] += 1
                if len(errors) == writer_errors and not wr.lost_before_kill.is_set():
                    order_checks.append((wr, applied))

            for p, res in got.items():
                if res is None:
                    problems.append(f"{p} vanished between get_children and get")
                    continue
                data = res[0]
                if not data_is_whole(p, data):
                    torn.append(f"{p} ({len(data)} bytes)")
                elif data != sent_paths[p]:
                    bad_data.append(p)

            # Counters: last acked <= value <= last sent, and data encodes the znode version.
            lost_sets = False
            counter_problems = []
            for wr in writers:
                for p in wr.counters:
                    sets = [op for op in wr.ops if op.kind == "set" and op.counter == p]
                    before = (sets[0].value - 1) if sets else wr.counters[p]
                    last_acked = max([op.value for op in sets if op.acked()], default=before)
                    last_sent = max([op.value for op in sets], default=before)
                    res = counters.get(p)
                    if res is None:
                        counter_problems.append(f"counter {p} is gone")
                        continue
                    data, stat = res
                    if data != counter_data(p, stat.version):
                        counter_problems.append(
                            f"counter {p}: data {data[:60]!r} does not match its version "
                            f"{stat.version} (torn or lost setData)")
                    if stat.version < last_acked:
                        lost_sets = True
                        counter_problems.append(
                            f"counter {p}: version {stat.version} but set to {last_acked} was "
                            f"acknowledged (lost setData)")
                    if stat.version > last_sent:
                        counter_problems.append(
                            f"counter {p}: version {stat.version} beyond the last set sent "
                            f"({last_sent})")
                    self.counters[p] = stat.version

            # A session's requests are applied in order and the log is a prefix after a crash:
            # nothing may survive after a request that was not applied. (Skipped when acked
            # writes are already missing: the applied flags of create+delete pairs assume acked
            # creates survived, so the report would only repeat the loss more confusingly.)
            for wr, applied in order_checks if not (missing or resurrected or lost_sets) else ():
                first_gap = next((i for i, a in enumerate(applied) if not a), None)
                if first_gap is None:
                    continue
                later = [wr.ops[i].describe() for i in range(first_gap + 1, len(applied))
                         if applied[i]]
                if later:
                    problems.append(
                        f"{wr.name}: {wr.ops[first_gap].describe()} was not applied but later "
                        f"requests of the same session were: {short(later, 10)}")

            for label, items in (("acknowledged writes missing after restart", missing),
                                 ("acknowledged deletes undone after restart", resurrected),
                                 ("znodes with torn data (checksum mismatch)", torn),
                                 ("znodes whose data differs from what was sent", bad_data),
                                 ("multis applied only in part", split),
                                 ("requests failed with an unexpected error", errors)):
                if items:
                    problems.append(f"{len(items)} {label}: {short(items)}")
            problems.extend(counter_problems)

            # Earlier rounds and probes: everything verified before is still there.
            for k, names in self.round_children.items():
                now = set(c.get_children(f"/dur/r{k}"))
                if now != names:
                    problems.append(f"round {k}'s znodes changed after restart: missing "
                                    f"{short(sorted(names - now))}; "
                                    f"new {short(sorted(now - names))}")
            probes = set(c.get_children("/dur/probe"))
            if probes != self.probes:
                problems.append(f"probes changed: missing {short(sorted(self.probes - probes))}; "
                                f"new {short(sorted(probes - self.probes))}")

            # The restarted server takes writes.
            probe = f"/dur/probe/after-r{rnd}"
            c.create(probe, b"probe")
            if c.get(probe)[0] != b"probe":
                problems.append(f"probe {probe} reads back wrong")
            self.probes.add(f"after-r{rnd}")

            self.round_children[rnd] = children
            self.round_data[rnd] = {p: sent_paths[p] for p in present if p in sent_paths}
        finally:
            stop_client(c)
        return problems, stats

    def final_check(self):
        c = self.connect()
        try:
            problems = []
            for k, expect in self.round_data.items():
                got = get_all(c, sorted(expect))
                bad = [p for p, res in got.items() if res is None or res[0] != expect[p]]
                if bad:
                    problems.append(f"round {k}: {len(bad)} znodes lost or changed: {short(bad)}")
            counters = get_all(c, sorted(self.counters))
            for p, v in self.counters.items():
                res = counters[p]
                if res is None or res[1].version != v or res[0] != counter_data(p, v):
                    problems.append(f"counter {p}: expected version {v}, got {res}")
            n = sum(len(d) for d in self.round_data.values())
            print(f"final: {n} znodes from {len(self.round_data)} rounds re-read, "
                  f"{len(problems)} problems", flush=True)
            if problems:
                pytest.fail("final re-read (seed %d):\n  " % SEED + "\n  ".join(problems),
                            pytrace=False)
        finally:
            stop_client(c)


def test_sigkill_under_write_load_loses_no_acknowledged_write():
    server = Server(port=restart_safe_port())
    print(f"\n{server.kind} on {server.hosts}, data {server.dir}, {ROUNDS} rounds, "
          f"seed {SEED} (GK_DURABILITY_SEED)", flush=True)
    try:
        server.start()
        d = Durability(server)
        d.setup()
        for rnd in range(1, ROUNDS + 1):
            d.run_round(rnd)
        d.final_check()
    finally:
        server.cleanup()
