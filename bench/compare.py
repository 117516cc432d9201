#!/usr/bin/python3
"""Side-by-side benchmark: GraphKeeper against Apache ZooKeeper 3.8, in one run on one machine.

Starts both servers itself on free loopback ports, each with its own dataDir under one work dir
(same disk), the same zoo.cfg (defaults: forceSync=yes), drives them with gk_loadgen (the official
ZooKeeper C client), interleaves the two servers on every point and repeats each point, and prints
one table with both servers and the ratio GraphKeeper/ZooKeeper. Every loadgen JSON line, plus a
summary line per point, goes to a JSON-lines file.

Modes:
  compare   the default point set: latency (1 session x 1 in flight) and throughput
            (32 x 8) for get, set, create, children and 90/10 mixed, 100 B and 10 KiB payloads
  scaling   get and set throughput at 1, 4, 16, 64 sessions
  restart   populate N znodes (100 B, in a tree), VmRSS and dataDir size, stop, start, time until
            a client reads a znode -- for each server in turn
  populate  populate N znodes into both servers (or into --hosts) and report rate, VmRSS, size
  smoke     a few seconds of everything above against both servers, for CI; asserts no timing,
            only that every point ran and no request failed

Standard library only; run with /usr/bin/python3. Only loopback addresses; every wait is bounded;
only the processes this script started are ended, by their process group.
"""
import argparse
import datetime
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZK_CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
SERVER_KINDS = ("zookeeper", "graphkeeper", "baseline")
# "baseline": a second GraphKeeper binary (--baseline PATH), e.g. the last commit before a
# change, measured in the same run so a change's effect is read against ZooKeeper both times.
SHORT = {"zookeeper": "ZK", "graphkeeper": "GK", "baseline": "GK0"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(port, word, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode(errors="replace")


def mntr(port):
    out = {}
    try:
        for line in four_letter(port, "mntr", timeout=10).splitlines():
            parts = line.split("\t")
            if len(parts) == 2:
                out[parts[0]] = parts[1]
    except OSError:
        pass
    return out


# ------------------------------------------------------------------------------------------------
# A minimal ZooKeeper client (jute over one socket) for the restart probe: connect, getData,
# close. Precise to the poll interval, with no client-side reconnect back-off in the way.

def _frame(body):
    return struct.pack(">i", len(body)) + body


def _recv_exact(s, n, deadline):
    buf = b""
    while len(buf) < n:
        s.settimeout(max(0.001, deadline - time.monotonic()))
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed by server")
        buf += chunk
    return buf


def _recv_frame(s, deadline):
    (n,) = struct.unpack(">i", _recv_exact(s, 4, deadline))
    if n < 0 or n > 64 << 20:
        raise ConnectionError(f"bad frame length {n}")
    return _recv_exact(s, n, deadline)


def zk_get(port, path, timeout=2.0):
    """Returns the data of `path`; raises on any failure (connection refused, error code...)."""
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly
        s.sendall(_frame(struct.pack(">iqiqi", 0, 0, 30000, 0, 16) + b"\0" * 16 + b"\0"))
        resp = _recv_frame(s, deadline)
        _proto, to, sid = struct.unpack_from(">iiq", resp, 0)
        if to <= 0 or sid == 0:
            raise ConnectionError("session refused")
        p = path.encode()
        s.sendall(_frame(struct.pack(">ii", 1, 4) + struct.pack(">i", len(p)) + p + b"\0"))
        while True:
            r = _recv_frame(s, deadline)
            xid, _zxid, err = struct.unpack_from(">iqi", r, 0)
            if xid == 1:
                break
        if err != 0:
            raise LookupError(f"getData {path}: error {err}")
        (dlen,) = struct.unpack_from(">i", r, 16)
        data = r[20:20 + max(dlen, 0)]
        try:
            s.sendall(_frame(struct.pack(">ii", 2, -11)))
            _recv_frame(s, min(deadline, time.monotonic() + 1.0))
        except OSError:
            pass
        return data


# ------------------------------------------------------------------------------------------------
# Servers

def proc_status(pid):
    """VmRSS, RssAnon, RssFile (bytes) of a process, from /proc/PID/status."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM", "Threads"):
                    parts = v.split()
                    out[k] = int(parts[0]) * (1024 if len(parts) > 1 and parts[1] == "kB" else 1)
    except OSError:
        pass
    return out


def proc_cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def dir_size(path):
    """(allocated bytes, apparent bytes, files) under path."""
    alloc = apparent = files = 0
    for root, _dirs, names in os.walk(path):
        for n in names:
            try:
                st = os.lstat(os.path.join(root, n))
            except OSError:
                continue
            alloc += st.st_blocks * 512
            apparent += st.st_size
            files += 1
    return alloc, apparent, files


class Server:
    """One server we start: its own dir (conf, data, log), a free loopback port, its own session
    (process group), ended by that group only."""

    def __init__(self, kind, work_dir, graphkeeper=None, java="java", extra_cfg=None, port=None):
        self.kind = kind
        self.port = port or free_port()
        self.dir = os.path.join(work_dir, kind)
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        self.log_path = os.path.join(self.dir, "server.out")
        self.graphkeeper = graphkeeper
        self.java = java
        self.extra_cfg = extra_cfg or {}
        self.proc = None
        self.started_at = None

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def config_text(self):
        # The same settings for both servers: ZooKeeper's defaults (forceSync=yes, snapCount,
        # preAllocSize, globalOutstandingLimit...). maxClientCnxns=0 lifts the per-IP limit of 60,
        # which the 64-session points would hit from one loopback address.
        cfg = {
            "tickTime": "2000",
            "initLimit": "10",
            "syncLimit": "5",
            "dataDir": self.data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": "127.0.0.1",
            "maxClientCnxns": "0",
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        }
        cfg.update(self.extra_cfg)
        return "".join(f"{k}={v}\n" for k, v in cfg.items() if v is not None)

    def command(self):
        if self.kind in ("graphkeeper", "baseline"):
            return [self.graphkeeper, "run", "--config", self.cfg_path]
        # Debian's zkServer.sh pins /etc/zookeeper/conf; run the JVM as it would, on our zoo.cfg,
        # with the JVM's default heap and GC.
        return [self.java, "-cp", ZK_CLASSPATH, "-Dzookeeper.log.dir=" + self.dir,
                "-Dzookeeper.root.logger=INFO,CONSOLE",
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", self.cfg_path]

    def start(self, wait=True, timeout=120.0):
        with open(self.cfg_path, "w") as f:
            f.write(self.config_text())
        log_f = open(self.log_path, "ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdout=log_f, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.dir)
        log_f.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if "Mode:" in four_letter(self.port, "srvr", timeout=1.0):
                    return time.monotonic() - self.started_at
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not answer srvr on {self.port} in {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout=120.0):
        """SIGTERM to our process group; SIGKILL if it is still there after `timeout`.
        Returns (seconds to exit, how it ended)."""
        if not self.proc:
            return 0.0, "not running"
        if self.proc.poll() is not None:
            rc = self.proc.returncode
            self.proc = None
            return 0.0, f"had exited ({rc})"
        t0 = time.monotonic()
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        how = "SIGTERM"
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            how = f"SIGKILL after {timeout:.0f}s"
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
        dt = time.monotonic() - t0
        how += f", exit {self.proc.returncode}"
        self.proc = None
        return dt, how

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None


LIVE_SERVERS = []


def cleanup_servers():
    for s in LIVE_SERVERS:
        try:
            s.kill()
        except Exception:  # noqa: BLE001 -- best effort at exit
            pass


def on_signal(signum, _frame):
    cleanup_servers()
    sys.exit(128 + signum)


# ------------------------------------------------------------------------------------------------
# The load generator

class Loadgen:
    def __init__(self, path, results):
        self.path = path
        self.results = results  # open file for JSON lines

    def run(self, server, args, timeout, tag=None):
        """Runs gk_loadgen against `server`; returns the list of JSON objects it printed.
        Never raises on a failed run: the failure is recorded and returned as an error entry."""
        cmd = [self.path, "--hosts", server.hosts, "--label", server.kind, "--quiet", "--no-table"]
        if server.pid:
            cmd += ["--server-pid", str(server.pid)]
        cmd += [str(a) for a in args]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               text=True)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = (e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")) + \
                f"\n(gk_loadgen killed after {timeout:.0f}s)"
            rc = "timeout"
        rows = []
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    err += f"\nunparsable line: {line[:200]}"
        for r in rows:
            r["server"] = server.kind
            if tag:
                r.update(tag)
            self.results.write(json.dumps(r) + "\n")
        self.results.flush()
        if rc != 0 or not rows:
            rec = {"kind": "loadgen_failure", "server": server.kind, "rc": rc, "args": cmd[1:],
                   "stderr_tail": err[-3000:], "server_alive": server.alive(),
                   "seconds": round(time.monotonic() - t0, 2)}
            if tag:
                rec.update(tag)
            self.results.write(json.dumps(rec) + "\n")
            self.results.flush()
            log(f"  !! gk_loadgen on {server.kind} rc={rc}: {err.strip()[-1500:]}")
            if not server.alive():
                log(f"  !! {server.kind} is not running any more:\n{server.log_tail()}")
        return rows, rc


# ------------------------------------------------------------------------------------------------
# Helpers: machine, fsync, formatting

def machine_info(work_dir):
    info = {"hostname": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        out = subprocess.run(["findmnt", "-n", "-o", "SOURCE,FSTYPE,OPTIONS", "-T", work_dir],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=10).stdout.strip()
        info["filesystem"] = out
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        out = subprocess.run(["java", "-version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=30).stdout.splitlines()
        info["java"] = out[0] if out else ""
    except (OSError, subprocess.TimeoutExpired):
        pass
    info["loadavg_start"] = os.getloadavg()
    return info


def measure_fsync(directory, count=200, size=4096):
    """write + fsync of `size` bytes, `count` times, in `directory`: the floor of a durable write."""
    path = os.path.join(directory, "fsync-probe.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lat = []
    try:
        block = b"x" * size
        deadline = time.monotonic() + 60
        for i in range(count):
            if time.monotonic() > deadline:
                break
            t = time.perf_counter()
            os.pwrite(fd, block, (i % 64) * size)
            os.fsync(fd)
            lat.append((time.perf_counter() - t) * 1e6)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, max(0, math.ceil(p * len(lat)) - 1))]
    return {"count": len(lat), "size": size, "p50_us": round(pct(0.5), 1),
            "p99_us": round(pct(0.99), 1), "max_us": round(lat[-1], 1),
            "mean_us": round(sum(lat) / len(lat), 1)}


def measure_loopback(count=2000):
    """Round trip of a 100-byte message over a loopback TCP socket (echo thread)."""
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def echo():
        c, _ = srv.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.settimeout(30)
        try:
            while True:
                b = c.recv(4096)
                if not b:
                    break
                c.sendall(b)
        except OSError:
            pass
        c.close()
    t = threading.Thread(target=echo, daemon=True)
    t.start()
    cl = socket.create_connection(("127.0.0.1", port), timeout=30)
    cl.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    lat = []
    msg = b"y" * 100
    for _ in range(count):
        t0 = time.perf_counter()
        cl.sendall(msg)
        got = 0
        while got < len(msg):
            got += len(cl.recv(4096))
        lat.append((time.perf_counter() - t0) * 1e6)
    cl.close()
    srv.close()
    t.join(timeout=5)
    lat.sort()
    return {"count": count, "p50_us": round(lat[len(lat) // 2], 1),
            "p99_us": round(lat[int(len(lat) * 0.99)], 1)}


def fmt_num(x, digits=0):
    if x is None:
        return "-"
    if isinstance(x, float) and math.isnan(x):
        return "-"
    if abs(x) >= 100 or digits == 0:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def fmt_bytes(n):
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024.0


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def payload_name(p):
    return f"{p // 1024}KiB" if p >= 1024 and p % 1024 == 0 else f"{p}B"


# ------------------------------------------------------------------------------------------------
# Points

class Point:
    def __init__(self, op, sessions, inflight, payload, read_pct=90, multi_k=4):
        self.op, self.sessions, self.inflight, self.payload = op, sessions, inflight, payload
        self.read_pct, self.multi_k = read_pct, multi_k

    @property
    def name(self):
        op = {"mixed": f"mixed{self.read_pct}", "multi": f"multi{self.multi_k}"}.get(self.op, self.op)
        return f"{op} {payload_name(self.payload)} {self.sessions}x{self.inflight}"

    def args(self, a):
        extra = ["--delete-pool", a.delete_pool] if self.op == "delete" else []
        return extra + ["--op", self.op, "--sessions", self.sessions, "--inflight", self.inflight,
                "--payload", self.payload, "--read-pct", self.read_pct, "--multi-k", self.multi_k,
                "--znodes", a.znodes, "--fanout", a.fanout, "--depth", 2,
                "--duration", a.duration, "--warmup", a.warmup,
                "--root", tree_root(self.payload), "--reuse", "--keep"]


def tree_root(payload):
    return f"/gk-bench-{payload}"


def compare_points(a):
    pts = []
    for payload in a.payloads:
        for op in a.ops:
            pts.append(Point(op, 1, 1, payload, a.read_pct))
            pts.append(Point(op, a.sessions, a.inflight, payload, a.read_pct))
    return pts


def scaling_points(a):
    pts = []
    for payload in a.payloads:
        for op in ("get", "set"):
            for s in a.scale_sessions:
                pts.append(Point(op, s, a.inflight, payload))
    return pts


def summarize(point, rows):
    """Median over repeats of one server's rows for one point."""
    ok = [r for r in rows if "ops_per_s" in r]
    s = {
        "runs": len(rows),
        "ops_per_s": median([r["ops_per_s"] for r in ok]),
        "ops_per_s_min": min([r["ops_per_s"] for r in ok], default=None),
        "ops_per_s_max": max([r["ops_per_s"] for r in ok], default=None),
        "p50_us": median([r.get("p50_us") for r in ok]),
        "p99_us": median([r.get("p99_us") for r in ok]),
        "p999_us": median([r.get("p999_us") for r in ok]),
        "max_us": max([r.get("max_us", 0) for r in ok], default=None),
        "server_cpu_us_per_op": median([r.get("server_cpu_us_per_op") for r in ok]),
        "server_user_us_per_op": median([r.get("server_user_us_per_op") for r in ok]),
        "server_sys_us_per_op": median([r.get("server_sys_us_per_op") for r in ok]),
        "session_ops_min": median([r.get("session_ops_min") for r in ok]),
        "session_ops_max": median([r.get("session_ops_max") for r in ok]),
        "loadavg_1m": median([r.get("loadavg_1m") for r in ok]),
        "client_cpu_us_per_op": median([r.get("client_cpu_us_per_op") for r in ok]),
        "errors": sum(r.get("errors", 0) for r in ok),
        "failed_runs": len([r for r in rows if "ops_per_s" not in r]),
    }
    errs = {}
    for r in ok:
        for phase, codes in r.get("errors_by_phase", {}).items():
            for code, n in codes.items():
                key = f"{phase}:{code}"
                errs[key] = errs.get(key, 0) + n
    s["errors_by_code"] = errs
    return s


def print_compare_table(points, summary, kinds, out=sys.stdout, markdown=False):
    """One row per point: every server's medians and the ratios to ZooKeeper (GK/ZK, and
    GK0/ZK when a baseline GraphKeeper ran beside)."""
    pairs = [(k, "zookeeper") for k in ("graphkeeper", "baseline") if k in kinds and "zookeeper" in kinds]
    metrics = [("ops/s", "ops_per_s", 0), ("p50 µs", "p50_us", 0), ("p99 µs", "p99_us", 0),
               ("CPU µs/op", "server_cpu_us_per_op", 1)]
    cols = ["point"]
    for label, _, _ in metrics:
        cols += [f"{SHORT[k]} {label}" for k in kinds]
        short = label.split()[0] if label != "CPU µs/op" else "CPU/op"
        cols += [f"{short} {SHORT[a]}/{SHORT[b]}" for a, b in pairs]
    cols += [f"errors {'/'.join(SHORT[k] for k in kinds)}"]
    rows = []
    for p in points:
        sm = {k: summary.get((p.name, k)) or {} for k in kinds}
        row = [p.name]
        for _, key, digits in metrics:
            for k in kinds:
                row.append(fmt_num(sm[k].get(key), digits) if digits else fmt_num(sm[k].get(key)))
            for a_, b_ in pairs:
                row.append(fmt_ratio(sm[a_].get(key), sm[b_].get(key)))
        errs = []
        for k in kinds:
            e = sm[k].get("errors")
            f = sm[k].get("failed_runs")
            errs.append("-" if e is None else (str(e) + (f"+{f} failed runs" if f else "")))
        row.append("/".join(errs))
        rows.append(row)
    print_table(cols, rows, out, markdown)


def print_table(cols, rows, out=sys.stdout, markdown=False):
    if markdown:
        print("| " + " | ".join(cols) + " |", file=out)
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(cols))) + "|", file=out)
        for r in rows:
            print("| " + " | ".join(r) + " |", file=out)
        return
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(c)
              for i, c in enumerate(cols)]
    print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cols, widths))), file=out)
    for r in rows:
        print("  ".join(str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in enumerate(zip(r, widths))), file=out)


# ------------------------------------------------------------------------------------------------
# Modes

class Run:
    def __init__(self, a):
        self.a = a
        self.own_work = a.work_dir is None
        self.work = a.work_dir or tempfile.mkdtemp(prefix="gk-bench-")
        os.makedirs(self.work, exist_ok=True)
        self.results_path = a.json_out or os.path.join(self.work, "results.jsonl")
        self.results = open(self.results_path, "a")
        self.loadgen = Loadgen(a.loadgen, self.results)
        self.kinds = [k for k in SERVER_KINDS if k in a.servers]
        self.problems = []

    def record(self, obj):
        self.results.write(json.dumps(obj) + "\n")
        self.results.flush()

    def new_server(self, kind, sub=""):
        s = Server(kind, os.path.join(self.work, sub) if sub else self.work,
                   graphkeeper=self.a.baseline if kind == "baseline" else self.a.graphkeeper,
                   java=self.a.java)
        LIVE_SERVERS.append(s)
        return s

    def close(self):
        cleanup_servers()
        self.results.close()
        if self.own_work and not self.a.keep_work_dir:
            if self.a.mode == "smoke":
                shutil.rmtree(self.work, ignore_errors=True)
            else:
                # Keep the results (JSON lines, markdown tables); drop the servers' data.
                for name in os.listdir(self.work):
                    path = os.path.join(self.work, name)
                    if os.path.isdir(path):
                        shutil.rmtree(path, ignore_errors=True)
                log(f"results kept in {self.work} (server data removed)")

    def header(self, mode):
        info = machine_info(self.work)
        info.update({"kind": "machine", "mode": mode, "date": datetime.datetime.now().isoformat(timespec="seconds"),
                     "argv": sys.argv, "work_dir": self.work})
        try:
            st = os.stat(self.a.graphkeeper)
            info["graphkeeper_binary"] = {"path": self.a.graphkeeper, "size": st.st_size,
                                          "mtime": datetime.datetime.fromtimestamp(st.st_mtime).isoformat(timespec="seconds")}
            head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, timeout=10).stdout.strip()
            dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   timeout=10).stdout.strip()
            info["git"] = head + ("+dirty" if dirty else "")
        except (OSError, subprocess.TimeoutExpired):
            pass
        log(f"machine: {info.get('cpu')} x{info.get('cpus')}, {info.get('mem_gib')} GiB, "
            f"kernel {info.get('kernel')}, {info.get('filesystem')}, {info.get('java')}, "
            f"load {tuple(round(x, 2) for x in info['loadavg_start'])}")
        if not self.a.no_fsync_probe:
            info["fsync"] = measure_fsync(self.work)
            info["loopback_rtt"] = measure_loopback()
            log(f"fsync (4 KiB write + fsync, {info['fsync']['count']}x, in {self.work}): "
                f"p50 {info['fsync']['p50_us']} µs, p99 {info['fsync']['p99_us']} µs; "
                f"loopback TCP round trip p50 {info['loopback_rtt']['p50_us']} µs")
        self.record(info)
        return info

    # -- compare / scaling / smoke points ---------------------------------------------------------

    def run_points(self, points, warm=True, setup_payloads=None):
        a = self.a
        servers = {}
        for k in self.kinds:
            s = self.new_server(k)
            s.start(timeout=a.start_timeout)
            servers[k] = s
            log(f"{k}: pid {s.pid}, port {s.port}, dataDir {s.data_dir}")
        # The working trees, once per payload, on every server (unmeasured).
        for payload in setup_payloads or sorted({p.payload for p in points}):
            for k, s in servers.items():
                rows, rc = self.loadgen.run(s, ["--op", "populate", "--znodes", a.znodes, "--fanout", a.fanout,
                                                "--depth", 2, "--payload", payload, "--root", tree_root(payload),
                                                "--bulk-sessions", 8, "--bulk-inflight", 64],
                                            timeout=a.setup_timeout, tag={"kind": "setup"})
                if rc != 0 or not rows:
                    raise RuntimeError(f"setting up {tree_root(payload)} on {k} failed (see above)")
                log(f"  set up {a.znodes} znodes of {payload_name(payload)} on {k} in {rows[0]['seconds']:.1f}s")
        if warm and a.server_warmup > 0:
            # Warm both servers (the JVM's JIT above all) before anything is measured.
            for k, s in servers.items():
                log(f"  warming up {k} for {a.server_warmup:.0f}s (unreported)")
                wp = Point("mixed", min(a.sessions, 8), a.inflight, min(p.payload for p in points), 50)
                wargs = wp.args(a)
                wargs[wargs.index("--duration") + 1] = a.server_warmup
                self.loadgen.run(s, wargs, timeout=a.server_warmup + 120, tag={"kind": "server_warmup"})
        by = {}
        total = len(points) * a.repeats * len(servers)
        done = 0
        t_start = time.monotonic()
        fsync_samples = []
        for pi, p in enumerate(points):
            if not a.no_fsync_probe:
                # The disk moves under a shared machine: sample the fsync floor beside every point.
                fs = measure_fsync(self.work, count=30)
                fsync_samples.append(fs["p50_us"])
                self.record({"kind": "fsync_sample", "point": p.name, **fs})
            for rep in range(a.repeats):
                order = list(servers.items())
                if (pi + rep) % 2 == 1:
                    order.reverse()  # interleave: neither server always goes first
                for k, s in order:
                    done += 1
                    if not s.alive():
                        msg = f"{k} died before {p.name} rep {rep}"
                        if msg not in self.problems:
                            self.problems.append(msg)
                        by.setdefault((p.name, k), []).append({"failed": "server not running"})
                        continue
                    rows, rc = self.loadgen.run(s, p.args(a), timeout=a.duration + a.warmup + a.point_timeout,
                                                tag={"kind": "point", "point": p.name, "repeat": rep,
                                                     "loadavg_1m": round(os.getloadavg()[0], 2)})
                    for r in rows:
                        by.setdefault((p.name, k), []).append(r)
                    if not rows:
                        by.setdefault((p.name, k), []).append({"failed": f"rc {rc}"})
                    r0 = rows[0] if rows else {}
                    el = time.monotonic() - t_start
                    log(f"  [{done}/{total} {el:5.0f}s] {p.name:<24} {k:<11} rep {rep}: "
                        f"{fmt_num(r0.get('ops_per_s'))} ops/s, p50 {fmt_num(r0.get('p50_us'))} µs, "
                        f"p99 {fmt_num(r0.get('p99_us'))} µs, srv {fmt_num(r0.get('server_cpu_us_per_op'), 1)} µs/op, "
                        f"errors {r0.get('errors', '?')}"
                        + (f" {json.dumps(r0.get('errors_by_phase'))}" if r0.get("errors") else ""))
        summary = {}
        for p in points:
            for k in servers:
                sm = summarize(p, by.get((p.name, k), []))
                summary[(p.name, k)] = sm
                self.record({"kind": "summary", "point": p.name, "server": k, "op": p.op,
                             "sessions": p.sessions, "inflight": p.inflight, "payload": p.payload, **sm})
            for gk in ("graphkeeper", "baseline"):
                if gk not in servers or "zookeeper" not in servers:
                    continue
                g, z = summary[(p.name, gk)], summary[(p.name, "zookeeper")]

                def ratio(key):
                    return (g[key] / z[key]) if g.get(key) and z.get(key) else None
                self.record({"kind": "ratio", "point": p.name, "server": gk, "ops_per_s": ratio("ops_per_s"),
                             "p50_us": ratio("p50_us"), "p99_us": ratio("p99_us"),
                             "server_cpu_us_per_op": ratio("server_cpu_us_per_op")})
        if fsync_samples:
            fsync_samples.sort()
            self.fsync_during = {"samples": len(fsync_samples), "min_p50_us": fsync_samples[0],
                                 "median_p50_us": statistics.median(fsync_samples),
                                 "max_p50_us": fsync_samples[-1]}
            self.record({"kind": "fsync_during_run", **self.fsync_during})
        # Server state after the run: alive? znodes? memory?
        for k, s in servers.items():
            st = proc_status(s.pid) if s.alive() else {}
            m = mntr(s.port) if s.alive() else {}
            self.record({"kind": "server_after", "server": k, "alive": s.alive(),
                         "vmrss": st.get("VmRSS"), "znode_count": m.get("zk_znode_count"),
                         "cpu_s_total": proc_cpu_seconds(s.pid) if s.alive() else None})
            if not s.alive():
                self.problems.append(f"{k} was not running at the end:\n{s.log_tail()}")
        for s in servers.values():
            t, how = s.stop()
            log(f"  stopped {s.kind} in {t:.1f}s ({how})")
        return summary

    def report_points(self, points, summary, title):
        kinds = self.kinds
        print(f"\n{title}  (median of {self.a.repeats} interleaved repeats; {self.a.duration:g}s each "
              f"after {self.a.warmup:g}s warm-up; {self.a.znodes} znodes)")
        print_compare_table(points, summary, kinds)
        md = os.path.join(self.work, f"{title.split()[0].lower()}.md")
        with open(md, "w") as f:
            print_compare_table(points, summary, kinds, out=f, markdown=True)
        print(f"\nmarkdown table: {md}")
        print(f"JSON lines: {self.results_path}")
        fd = getattr(self, "fsync_during", None)
        if fd:
            print(f"fsync floor beside each point (p50 of 30 x 4 KiB write+fsync): min {fd['min_p50_us']:.0f} µs, "
                  f"median {fd['median_p50_us']:.0f} µs, max {fd['max_p50_us']:.0f} µs; "
                  f"load average (1 min) {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
        spread = []
        for p in points:
            for k in kinds:
                sm = summary.get((p.name, k)) or {}
                if sm.get("ops_per_s_min") and sm.get("ops_per_s_max"):
                    spread.append((sm["ops_per_s_max"] - sm["ops_per_s_min"]) / sm["ops_per_s"])
        if spread:
            print(f"spread of ops/s between repeats (max-min)/median: median {statistics.median(spread) * 100:.0f}%, "
                  f"worst {max(spread) * 100:.0f}%")
        for p in points:
            for k in kinds:
                sm = summary.get((p.name, k)) or {}
                if sm.get("errors") or sm.get("failed_runs"):
                    print(f"ERRORS {k} {p.name}: {sm.get('errors')} {json.dumps(sm.get('errors_by_code'))}"
                          + (f", {sm['failed_runs']} failed runs" if sm.get("failed_runs") else ""))

    def mode_compare(self):
        self.header("compare")
        pts = compare_points(self.a)
        summary = self.run_points(pts)
        self.report_points(pts, summary, "Compare")
        return summary

    def mode_scaling(self):
        self.header("scaling")
        pts = scaling_points(self.a)
        summary = self.run_points(pts)
        self.report_points(pts, summary, "Scaling")
        return summary

    # -- restart / populate -------------------------------------------------------------------------

    def populate_args(self, n, root="/gk-populate"):
        a = self.a
        fanout = max(2, math.ceil(round(n ** (1 / 3), 6)))
        return ["--op", "populate", "--znodes", n, "--fanout", fanout, "--depth", 3,
                "--payload", a.populate_payload, "--root", root, "--batch", a.batch,
                "--bulk-sessions", a.bulk_sessions, "--bulk-inflight", a.bulk_inflight], fanout

    def last_leaf(self, n, fanout, root="/gk-populate"):
        i = n - 1
        d = [(i // (fanout * fanout)) % fanout, (i // fanout) % fanout, i % fanout]
        return f"{root}/p{d[0]}/p{d[1]}/n{d[2]}"

    def populate_one(self, kind, n, sub):
        s = self.new_server(kind, sub)
        s.start(timeout=self.a.start_timeout)
        args, fanout = self.populate_args(n)
        log(f"{kind}: populating {n} znodes ({self.a.populate_payload} B, fanout {fanout}, depth 3, "
            f"batch {self.a.batch}) ...")
        cpu0 = proc_cpu_seconds(s.pid)
        rows, rc = self.loadgen.run(s, args, timeout=self.a.populate_timeout, tag={"kind": "populate"})
        cpu1 = proc_cpu_seconds(s.pid)
        res = {"server": kind, "znodes": n}
        if rows:
            r = rows[0]
            res.update({"populate_s": r["seconds"], "populate_per_s": r["znodes_per_s"],
                        "populate_errors": r["errors"], "total_znodes": r["total_znodes"],
                        "populate_errors_by_phase": r.get("errors_by_phase")})
            log(f"  {kind}: {r['total_znodes']} znodes in {r['seconds']:.1f}s "
                f"({r['znodes_per_s']:.0f}/s), errors {r['errors']}")
        else:
            res["populate_failed"] = f"rc {rc}"
            self.problems.append(f"populate on {kind} failed (rc {rc})")
        if cpu0 is not None and cpu1 is not None:
            res["populate_server_cpu_s"] = round(cpu1 - cpu0, 2)
        st = proc_status(s.pid) if s.alive() else {}
        m = mntr(s.port) if s.alive() else {}
        res.update({"vmrss_after_populate": st.get("VmRSS"), "rss_anon_after_populate": st.get("RssAnon"),
                    "rss_file_after_populate": st.get("RssFile"),
                    "znode_count_after_populate": m.get("zk_znode_count"),
                    "approx_data_size": m.get("zk_approximate_data_size")})
        alloc, apparent, files = dir_size(s.data_dir)
        res.update({"datadir_bytes": alloc, "datadir_apparent_bytes": apparent, "datadir_files": files})
        return s, res, fanout

    def mode_populate(self):
        a = self.a
        n = a.znodes
        if a.hosts:
            # An existing server: populate only.
            class Ext:
                kind = "external"
                hosts = a.hosts
                pid = None

                @staticmethod
                def alive():
                    return True

                @staticmethod
                def log_tail():
                    return ""
            args, _ = self.populate_args(n)
            rows, rc = self.loadgen.run(Ext, args, timeout=a.populate_timeout, tag={"kind": "populate"})
            for r in rows:
                print(json.dumps(r))
            return rc == 0
        self.header("populate")
        out = []
        for k in self.kinds:
            s, res, _ = self.populate_one(k, n, "populate")
            t, how = s.stop()
            res["stop_s"], res["stop_how"] = round(t, 2), how
            self.record({"kind": "populate_result", **res})
            out.append(res)
        self.print_restart_table(out, restart=False)
        return True

    def mode_restart(self, header=True):
        a = self.a
        n = a.znodes
        if header:
            self.header("restart")
        out = []
        for k in self.kinds:
            s, res, fanout = self.populate_one(k, n, "restart")
            leaf = self.last_leaf(n, fanout)
            # Stop (SIGTERM), then start again and time the first successful read of a znode.
            t, how = s.stop(timeout=a.stop_timeout)
            res["stop_s"], res["stop_how"] = round(t, 2), how
            alloc, apparent, files = dir_size(s.data_dir)
            res.update({"datadir_bytes_after_stop": alloc, "datadir_apparent_bytes_after_stop": apparent})
            log(f"  {k}: stopped in {t:.1f}s ({how}); dataDir {fmt_bytes(alloc)}; restarting ...")
            s.start(wait=False)
            t0 = s.started_at
            deadline = t0 + a.restart_timeout
            attempts = 0
            last_err = None
            first_read = None
            while time.monotonic() < deadline:
                if not s.alive():
                    last_err = f"exited with {s.proc.returncode}"
                    break
                attempts += 1
                try:
                    data = zk_get(s.port, leaf, timeout=2.0)
                    first_read = time.monotonic() - t0
                    res["read_value_len"] = len(data)
                    break
                except (OSError, LookupError, struct.error) as e:
                    last_err = repr(e)
                    time.sleep(0.01)
            res["restart_first_read_s"] = round(first_read, 3) if first_read is not None else None
            res["restart_probe_attempts"] = attempts
            res["restart_probe_path"] = leaf
            if first_read is None:
                res["restart_failed"] = last_err
                self.problems.append(f"{k}: no successful read within {a.restart_timeout}s after restart: "
                                     f"{last_err}\n{s.log_tail()}")
                log(f"  !! {k}: no read after restart: {last_err}")
            else:
                log(f"  {k}: first read {first_read:.3f}s after start ({attempts} attempts)")
                try:
                    res["restart_srvr_s"] = round(s.wait_ready(30), 3)
                except RuntimeError as e:
                    res["restart_srvr_s"] = None
                    self.problems.append(str(e))
                st = proc_status(s.pid)
                m = mntr(s.port)
                res.update({"vmrss_after_restart": st.get("VmRSS"), "rss_anon_after_restart": st.get("RssAnon"),
                            "rss_file_after_restart": st.get("RssFile"),
                            "znode_count_after_restart": m.get("zk_znode_count")})
            t, how = s.stop(timeout=a.stop_timeout)
            self.record({"kind": "restart_result", **res})
            out.append(res)
            if not a.keep_work_dir:
                shutil.rmtree(s.dir, ignore_errors=True)
        self.print_restart_table(out, restart=True)
        return out

    def print_restart_table(self, out, restart=True, file=sys.stdout, markdown=False):
        kinds = [r["server"] for r in out]
        byk = {r["server"]: r for r in out}

        def val(k, key):
            return byk[k].get(key)

        rows = []

        def add(name, key, fmt, ratio=True):
            row = [name] + [fmt(val(k, key)) for k in kinds]
            if len(kinds) == 2:
                a_, b_ = val("graphkeeper", key), val("zookeeper", key)
                try:
                    row.append(fmt_ratio(float(a_), float(b_)) if ratio and a_ is not None and b_ is not None else "")
                except (TypeError, ValueError):
                    row.append("")
            rows.append(row)
        secs = lambda x: "-" if x is None else f"{x:.2f} s"  # noqa: E731
        add("znodes created (incl. interior)", "total_znodes", lambda x: fmt_num(x), ratio=False)
        add("populate time", "populate_s", secs)
        add("populate rate (znodes/s)", "populate_per_s", lambda x: fmt_num(x))
        add("populate errors", "populate_errors", lambda x: "-" if x is None else str(x), ratio=False)
        add("server CPU during populate", "populate_server_cpu_s", secs)
        add("VmRSS after populate", "vmrss_after_populate", fmt_bytes)
        add("  of which RssAnon", "rss_anon_after_populate", fmt_bytes)
        add("  of which RssFile (mapped files)", "rss_file_after_populate", fmt_bytes)
        add("zk_znode_count (mntr)", "znode_count_after_populate", lambda x: "-" if x is None else str(x), ratio=False)
        add("dataDir on disk (allocated)", "datadir_bytes", fmt_bytes)
        add("dataDir apparent size", "datadir_apparent_bytes", fmt_bytes)
        add("stop (SIGTERM) time", "stop_s", secs)
        if restart:
            add("dataDir after stop", "datadir_bytes_after_stop", fmt_bytes)
            add("start -> first read of a znode", "restart_first_read_s", secs)
            add("start -> srvr answers", "restart_srvr_s", secs)
            add("VmRSS after restart + read", "vmrss_after_restart", fmt_bytes)
            add("zk_znode_count after restart", "znode_count_after_restart", lambda x: "-" if x is None else str(x), ratio=False)
        cols = ["", *[{"zookeeper": "ZooKeeper", "graphkeeper": "GraphKeeper"}.get(k, k) for k in kinds]]
        if len(kinds) == 2:
            cols.append("GK/ZK")
        print("", file=file)
        print_table(cols, rows, file, markdown)
        if not markdown:
            md = os.path.join(self.work, "restart.md" if restart else "populate.md")
            with open(md, "w") as f:
                self.print_restart_table(out, restart, file=f, markdown=True)
            print(f"\nmarkdown table: {md}\nJSON lines: {self.results_path}")

    # -- smoke ---------------------------------------------------------------------------------------

    def mode_smoke(self):
        a = self.a
        a.duration, a.warmup, a.repeats, a.znodes, a.server_warmup = 0.5, 0.2, 1, 200, 0
        a.fanout = 20
        a.delete_pool = 5000
        self.header("smoke")
        pts = []
        for op in ("get", "set", "create", "children", "mixed", "exists", "delete", "multi"):
            pts.append(Point(op, 1, 1, 100))
        pts.append(Point("mixed", 4, 4, 100))
        pts.append(Point("get", 4, 4, 1024))
        summary = self.run_points(pts)
        self.report_points(pts, summary, "Smoke")
        a.znodes = 1000
        a.batch = 10
        restart = self.mode_restart(header=False)
        # Assert that the harness works: every point ran on every server without an error.
        failures = []
        for p in pts:
            for k in self.kinds:
                sm = summary.get((p.name, k)) or {}
                if sm.get("failed_runs") or not sm.get("runs"):
                    failures.append(f"{k} {p.name}: no result")
                elif not sm.get("ops_per_s"):
                    failures.append(f"{k} {p.name}: zero ops")
                if sm.get("errors"):
                    failures.append(f"{k} {p.name}: {sm['errors']} errors {sm.get('errors_by_code')}")
        for r in restart:
            if r.get("restart_first_read_s") is None:
                failures.append(f"{r['server']}: no read after restart ({r.get('restart_failed')})")
            if r.get("populate_errors"):
                failures.append(f"{r['server']}: populate errors {r.get('populate_errors_by_phase')}")
            if r.get("read_value_len") != a.populate_payload:
                failures.append(f"{r['server']}: read {r.get('read_value_len')} bytes after restart, "
                                f"wanted {a.populate_payload}")
        failures += self.problems
        if failures:
            print("\nSMOKE FAILED:\n  " + "\n  ".join(failures))
            return False
        print("\nsmoke: ok (harness works; no timing asserted)")
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="compare",
                    choices=["compare", "smoke", "restart", "scaling", "populate"])
    ap.add_argument("--graphkeeper", default=os.path.join(REPO, "build/engine/graphkeeper"))
    ap.add_argument("--baseline", help="a second graphkeeper binary measured in the same run "
                    "(server kind 'baseline', GK0 in the tables)")
    ap.add_argument("--loadgen", default=os.path.join(REPO, "build/bench/gk_loadgen"))
    ap.add_argument("--java", default="java")
    ap.add_argument("--servers", default="zookeeper,graphkeeper",
                    help="comma list: zookeeper,graphkeeper (default both)")
    ap.add_argument("--work-dir", help="data dirs, logs, results (default: a new temp dir, removed at the end)")
    ap.add_argument("--keep-work-dir", action="store_true")
    ap.add_argument("--json-out", help="JSON-lines file (default: <work-dir>/results.jsonl)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=float, default=3.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each run")
    ap.add_argument("--server-warmup", type=float, default=10.0,
                    help="seconds of unreported load on each server before the first point")
    ap.add_argument("--znodes", type=int, default=None,
                    help="working znodes (compare/scaling: 10000) or znodes to populate (restart/populate: 1000000)")
    ap.add_argument("--fanout", type=int, default=100)
    ap.add_argument("--payloads", default="100,10240")
    ap.add_argument("--ops", default="get,set,create,children,mixed")
    ap.add_argument("--read-pct", type=int, default=90)
    ap.add_argument("--delete-pool", type=int, default=50000,
                    help="delete points: znodes created beforehand (unmeasured) to be deleted")
    ap.add_argument("--sessions", type=int, default=32, help="throughput points: sessions")
    ap.add_argument("--inflight", type=int, default=None,
                    help="throughput points: in flight per session (compare: 8; scaling: 1)")
    ap.add_argument("--scale-sessions", default="1,4,16,64")
    ap.add_argument("--populate-payload", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1, help="populate: creates per request (multi when > 1)")
    ap.add_argument("--bulk-sessions", type=int, default=8)
    ap.add_argument("--bulk-inflight", type=int, default=128)
    ap.add_argument("--hosts", help="populate: an existing server instead of starting both")
    ap.add_argument("--start-timeout", type=float, default=120)
    ap.add_argument("--stop-timeout", type=float, default=300)
    ap.add_argument("--restart-timeout", type=float, default=900)
    ap.add_argument("--setup-timeout", type=float, default=900)
    ap.add_argument("--populate-timeout", type=float, default=7200)
    ap.add_argument("--point-timeout", type=float, default=300,
                    help="extra seconds a run may take beyond warm-up + duration (set-up, drain, clean-up)")
    ap.add_argument("--no-fsync-probe", action="store_true")
    a = ap.parse_args()

    a.graphkeeper = os.path.abspath(a.graphkeeper)
    a.loadgen = os.path.abspath(a.loadgen)
    if a.work_dir:
        a.work_dir = os.path.abspath(a.work_dir)
    a.servers = [s.strip() for s in a.servers.split(",") if s.strip()]
    if a.baseline:
        a.baseline = os.path.abspath(a.baseline)
        if not os.access(a.baseline, os.X_OK):
            ap.error(f"--baseline {a.baseline} is not an executable")
        if "baseline" not in a.servers:
            a.servers.append("baseline")
    elif "baseline" in a.servers:
        ap.error("server 'baseline' needs --baseline PATH")
    for s in a.servers:
        if s not in SERVER_KINDS:
            ap.error(f"unknown server {s}")
    a.payloads = [int(x) for x in a.payloads.split(",")]
    a.ops = [x for x in a.ops.split(",") if x]
    a.scale_sessions = [int(x) for x in a.scale_sessions.split(",")]
    if a.znodes is None:
        a.znodes = 1000000 if a.mode in ("restart", "populate") else 10000
    if a.inflight is None:
        a.inflight = 1 if a.mode == "scaling" else 8
    for path, what in ((a.loadgen, "--loadgen"),) + (((a.graphkeeper, "--graphkeeper"),)
                                                     if "graphkeeper" in a.servers and not a.hosts else ()):
        if not os.access(path, os.X_OK):
            ap.error(f"{what} {path} is not an executable (build it: cmake --build build --target "
                     f"graphkeeper gk_loadgen)")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run = Run(a)
    ok = True
    try:
        log(f"work dir: {run.work}")
        if a.mode == "compare":
            run.mode_compare()
        elif a.mode == "scaling":
            run.mode_scaling()
        elif a.mode == "restart":
            run.mode_restart()
        elif a.mode == "populate":
            ok = run.mode_populate()
        elif a.mode == "smoke":
            ok = run.mode_smoke()
        if run.problems:
            print("\nPROBLEMS:\n  " + "\n  ".join(run.problems))
            ok = False
    finally:
        run.results.flush()
        if a.keep_work_dir or not run.own_work:
            log(f"work dir kept: {run.work}")
        run.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
