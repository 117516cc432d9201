"""The AdminServer (admin.enableServer=true): ZooKeeper 3.8's admin commands as JSON over HTTP,
and GraphKeeper's Prometheus metrics at /metrics.

Run with GK_SERVER=zookeeper to check the expectations against Apache ZooKeeper 3.8 (the
harness adds the servlet API its AdminServer needs to the classpath); the /metrics tests are
GraphKeeper's own (Debian's ZooKeeper has no Prometheus provider jar) and skip there.
"""
import json
import os
import socket
import time
import urllib.error
import urllib.request

import pytest

from harness import Server, free_port

KIND = os.environ.get("GK_SERVER", "graphkeeper")


def admin_extra(port, **more):
    extra = {"admin.enableServer": "true", "admin.serverPort": str(port),
             "admin.serverAddress": "127.0.0.1"}
    extra.update(more)
    return extra


def http(port, path, method="GET", host="127.0.0.1"):
    """(status, content type, body text) of one request."""
    req = urllib.request.Request(f"http://{host}:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def command(port, name, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, ctype, body = http(port, f"/commands/{name}" + (f"?{query}" if query else ""))
    assert status == 200, body
    assert ctype.startswith("application/json")
    return json.loads(body)


def wait_admin(port, wait=20.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            return command(port, "ruok")
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"admin server on {port} did not answer")


@pytest.fixture(scope="module")
def env():
    """One server with the admin server on, and a client holding two data watches, one child
    watch and an ephemeral."""
    from kazoo.client import KazooClient

    admin_port = free_port()
    srv = Server(extra=admin_extra(admin_port))
    srv.start()
    zk = KazooClient(hosts=srv.hosts, timeout=10.0)
    try:
        wait_admin(admin_port)
        zk.start(timeout=15)
        zk.create("/a", b"x")
        zk.create("/e", b"y", ephemeral=True)
        zk.get("/a", watch=lambda e: None)
        zk.get_children("/", watch=lambda e: None)
        zk.exists("/e", watch=lambda e: None)
        yield srv, admin_port, zk
    finally:
        zk.stop()
        zk.close()
        srv.cleanup()


CONNECTION_KEYS = ["remote_socket_address", "interest_ops", "outstanding_requests",
                   "packets_received", "packets_sent"]
CONNECTION_FULL_KEYS = CONNECTION_KEYS + [
    "session_id", "last_operation", "established", "session_timeout", "last_cxid", "last_zxid",
    "last_response_time", "last_latency", "min_latency", "avg_latency", "max_latency"]
SERVER_STATS_KEYS = [
    "packets_sent", "packets_received", "fsync_threshold_exceed_count", "client_response_stats",
    "data_dir_size", "log_dir_size", "provider_null", "server_state", "last_processed_zxid",
    "outstanding_requests", "avg_latency", "max_latency", "min_latency",
    "num_alive_client_connections", "uptime", "auth_failed_count", "non_mtlsremote_conn_count",
    "non_mtlslocal_conn_count"]


def test_listing_and_ruok(env):
    _, port, _ = env
    status, _, body = http(port, "/commands")
    assert status == 200
    for name in ["configuration", "connections", "monitor", "ruok", "server_stats", "stats",
                 "watches", "watches_by_path", "watch_summary", "dump", "environment", "dirs",
                 "is_read_only", "initial_configuration", "leader", "voting_view"]:
        assert f'<a href="/commands/{name}">{name}</a>\n<br/>\n' in body
    status, ctype, body = http(port, "/commands/ruok")
    assert status == 200 and ctype.startswith("application/json")
    # Jackson's pretty printer, byte for byte.
    assert body == '{\n  "command" : "ruok",\n  "error" : null\n}'


def test_aliases(env):
    _, port, _ = env
    for alias, name in [("mntr", "monitor"), ("srvr", "server_stats"), ("stat", "stats"),
                        ("cons", "connections"), ("conf", "configuration"),
                        ("config", "configuration"), ("envi", "environment"),
                        ("env", "environment"), ("wchs", "watch_summary"), ("wchc", "watches"),
                        ("wchp", "watches_by_path"), ("isro", "is_read_only"),
                        ("icfg", "initial_configuration"), ("lead", "leader")]:
        assert command(port, alias)["command"] == name


def test_unknown_command_and_methods(env):
    _, port, _ = env
    assert command(port, "nosuch") == {"command": "nosuch", "error": "Unknown command: nosuch"}
    assert command(port, "ruok/extra")["error"] == "Unknown command: ruok/extra"
    assert http(port, "/commands/ruok", method="POST")[0] == 405
    status, _, body = http(port, "/commands/ruok", method="HEAD")
    assert status == 200 and body == ""
    assert http(port, "/nothing-here")[0] == 404


def test_monitor(env):
    _, port, zk = env
    m = command(port, "monitor")
    assert m["command"] == "monitor" and m["error"] is None
    assert m["server_state"] == "standalone"
    assert m["ephemerals_count"] == 1
    assert m["global_sessions"] == 1
    assert m["num_alive_connections"] == 1
    assert m["watch_count"] == 3  # two data watches, one child watch
    assert m["outstanding_requests"] == 0
    assert m["znode_count"] >= 6  # /, /zookeeper, its config and quota, /a, /e
    for key in ["version", "avg_latency", "min_latency", "max_latency", "packets_sent",
                "packets_received", "approximate_data_size", "uptime", "local_sessions"]:
        assert key in m, key
    assert isinstance(m["avg_latency"], float)
    # ZooKeeper's summaries (ServerMetrics): avg_/min_/max_/cnt_/sum_ and p50.. for latencies.
    assert m["cnt_updatelatency"] >= 3  # the session, two creates
    assert m["cnt_readlatency"] >= 3
    for key in ["avg_fsynctime", "min_fsynctime", "max_fsynctime", "sum_fsynctime",
                "p50_readlatency", "p99_updatelatency", "p999_readlatency"]:
        assert key in m, key
    assert m["cnt_fsynctime"] >= 1


def test_server_stats_and_stats(env):
    _, port, _ = env
    srvr = command(port, "server_stats")
    assert list(srvr) == ["version", "read_only", "server_stats", "client_response",
                          "node_count", "command", "error"]
    # A bean's properties: ZooKeeper's order follows Java reflection and varies between runs.
    assert sorted(srvr["server_stats"]) == sorted(SERVER_STATS_KEYS)
    assert srvr["read_only"] is False
    st = srvr["server_stats"]
    assert st["server_state"] == "standalone"
    assert st["num_alive_client_connections"] == 1
    assert st["provider_null"] is False
    assert list(st["client_response_stats"]) == ["last_buffer_size", "min_buffer_size",
                                                 "max_buffer_size"]
    stats = command(port, "stats")
    assert list(stats)[:5] == list(srvr)[:5]
    assert stats["secure_connections"] == []
    assert len(stats["connections"]) == 1
    assert list(stats["connections"][0]) == CONNECTION_KEYS


def test_connections(env):
    _, port, zk = env
    cons = command(port, "connections")
    assert cons["secure_connections"] == []
    [c] = cons["connections"]
    assert list(c) == CONNECTION_FULL_KEYS
    assert c["session_id"] == zk.client_id[0]
    assert c["session_timeout"] == 10000
    assert c["remote_socket_address"].startswith("127.0.0.1:")
    assert c["interest_ops"] == 1
    assert c["established"] > 1_600_000_000_000  # wall clock, in ms


def test_watches(env):
    _, port, zk = env
    sid = zk.client_id[0]
    # Data watches only, as ZooKeeper's wchc/wchp/wchs report them.
    assert command(port, "watches")["session_id_to_watched_paths"] == {str(sid): ["/a", "/e"]}
    assert command(port, "watches_by_path")["path_to_session_ids"] == {"/a": [sid], "/e": [sid]}
    ws = command(port, "watch_summary")
    assert (ws["num_connections"], ws["num_paths"], ws["num_total_watches"]) == (1, 2, 2)


def test_dump(env):
    _, port, zk = env
    sid = zk.client_id[0]
    d = command(port, "dump")
    assert d["session_id_to_ephemeral_paths"] == {str(sid): ["/e"]}
    expiring = [s for ids in d["expiry_time_to_session_ids"].values() for s in ids]
    assert expiring == [sid]
    for bucket in d["expiry_time_to_session_ids"]:
        assert int(bucket) % 2000 == 0  # tickTime buckets


def test_configuration_and_friends(env):
    srv, port, _ = env
    conf = command(port, "configuration")
    assert list(conf) == ["client_port", "data_dir", "data_log_dir", "tick_time",
                          "max_client_cnxns", "min_session_timeout", "max_session_timeout",
                          "server_id", "client_port_listen_backlog", "command", "error"]
    assert conf["client_port"] == srv.port
    assert conf["tick_time"] == 2000
    assert (conf["min_session_timeout"], conf["max_session_timeout"]) == (4000, 40000)
    assert conf["data_dir"].startswith(srv.data_dir)
    assert conf["server_id"] == 0
    icfg = command(port, "initial_configuration")
    assert icfg["initial_configuration"] == srv.config_text()
    assert command(port, "is_read_only")["read_only"] is False
    dirs = command(port, "dirs")
    assert dirs["datadir_size"] > 0 and dirs["logdir_size"] > 0
    env_ = command(port, "environment")
    assert "zookeeper.version" in env_ and env_["user.dir"] == srv.dir
    assert command(port, "leader") == {"error": "server is not initialized", "command": "leader"}
    assert command(port, "voting_view")["current_config"] == {}
    sysp = command(port, "system_properties")
    assert sysp["zookeeper.admin.serverPort"] == str(port)


def test_resets(env):
    _, port, zk = env
    zk.get("/a")
    assert command(port, "server_stats")["server_stats"]["packets_received"] > 0
    assert command(port, "stat_reset") == {"command": "stat_reset", "error": None}
    st = command(port, "server_stats")["server_stats"]
    assert st["packets_received"] == 0 and st["packets_sent"] == 0
    assert st["max_latency"] == 0
    assert command(port, "connection_stat_reset") == {"command": "connection_stat_reset",
                                                      "error": None}
    [c] = command(port, "connections")["connections"]
    assert c["packets_received"] == 0 and c["packets_sent"] == 0


def test_custom_command_url(make_server):
    port = free_port()
    srv = make_server(extra=admin_extra(port, **{"admin.commandURL": "/cmd"}))
    srv.start()
    status, _, body = http(port, "/cmd/ruok")
    assert status == 200 and json.loads(body)["command"] == "ruok"
    assert '<a href="/cmd/monitor">monitor</a>' in http(port, "/cmd")[2]
    assert http(port, "/commands/ruok")[0] == 404


def test_bound_to_configured_address_only(env):
    _, port, _ = env
    # All of 127/8 is loopback on Linux; the admin server listens on 127.0.0.1 alone.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()


def test_disabled_by_admin_enable_server_false(make_server):
    port = free_port()
    srv = make_server(extra=admin_extra(port, **{"admin.enableServer": "false"}))
    srv.start()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_admin_port_in_use_stops_start_up(make_server):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        srv = make_server(extra=admin_extra(port))
        with pytest.raises(RuntimeError) as info:
            srv.start(wait=60)
        assert "exited with" in str(info.value)
        if KIND == "graphkeeper":
            assert (f"cannot start the admin server on 127.0.0.1:{port}: Address already in use"
                    in srv.log_tail())


# --- /metrics: GraphKeeper's --------------------------------------------------------------

graphkeeper_only = pytest.mark.skipif(
    KIND != "graphkeeper", reason="Debian's ZooKeeper 3.8 has no Prometheus provider jar")


def parse_prometheus(text):
    values, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values, types


@graphkeeper_only
def test_metrics_on_admin_port(env):
    _, port, zk = env
    zk.get("/a")
    status, ctype, body = http(port, "/metrics")
    assert status == 200 and ctype.startswith("text/plain")
    values, types = parse_prometheus(body)
    # ZooKeeper's Prometheus provider names.
    assert values["znode_count"] >= 6
    assert values["watch_count"] == 3
    assert values["ephemerals_count"] == 1
    assert values["global_sessions"] == 1
    assert values["num_alive_connections"] == 1
    assert values["outstanding_requests"] == 0
    for name in ["packets_received", "packets_sent", "avg_latency", "min_latency",
                 "max_latency", "uptime"]:
        assert types[name] == "gauge" and name in values
    assert types["readlatency"] == types["updatelatency"] == types["fsynctime"] == "summary"
    assert values["readlatency_count"] >= 3 and 'readlatency{quantile="0.5"}' in values
    assert values["updatelatency_count"] >= 3
    assert values["fsynctime_count"] >= 1 and "fsynctime_sum" in values
    # Per op: GraphKeeper's own (ZooKeeper 3.8 has no per-op metrics).
    assert values['graphkeeper_requests_total{op="getData"}'] >= 2
    assert values['graphkeeper_requests_total{op="create"}'] >= 2
    assert values['graphkeeper_request_latency_ms_count{op="getData"}'] >= 2
    assert 'graphkeeper_request_latency_ms{op="exists",quantile="0.99"}' in values
    assert types["graphkeeper_requests_total"] == "counter"


@graphkeeper_only
def test_prometheus_provider_port(make_server):
    admin_port, metrics_port = free_port(), free_port()
    srv = make_server(extra=admin_extra(admin_port, **{
        "metricsProvider.className":
            "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost": "127.0.0.1",
        "metricsProvider.httpPort": str(metrics_port)}))
    srv.start()
    status, _, body = http(metrics_port, "/metrics")
    assert status == 200
    values, _ = parse_prometheus(body)
    assert values["znode_count"] >= 4
    # That port serves metrics only.
    assert http(metrics_port, "/commands/ruok")[0] == 404
    assert command(admin_port, "ruok")["error"] is None


@graphkeeper_only
def test_prometheus_provider_without_admin_server(make_server):
    metrics_port = free_port()
    srv = make_server(extra={
        "metricsProvider.className":
            "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost": "127.0.0.1",
        "metricsProvider.httpPort": str(metrics_port)})
    srv.start()
    status, _, body = http(metrics_port, "/metrics")
    assert status == 200 and "znode_count" in body
