"""Where users reach the query language: POST /query on the admin port, `graphkeeper query`
(against a server and embedded with --data-dir beside it) and `graphkeeper shell`.

GraphKeeper's own feature: skipped with GK_SERVER=zookeeper.
"""
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from kazoo.client import KazooClient

from harness import Server, free_port

pytestmark = pytest.mark.skipif(os.environ.get("GK_SERVER", "graphkeeper") != "graphkeeper",
                                reason="the query surface is GraphKeeper's own")

CLI_TIMEOUT = 60


def start_server(make_server, **more):
    port = free_port()
    extra = {"admin.enableServer": "true", "admin.serverPort": str(port),
             "admin.serverAddress": "127.0.0.1"}
    extra.update(more)
    s = make_server(extra=extra)
    s.start()
    s.admin_port = port
    s.admin = f"127.0.0.1:{port}"
    return s


def post(server, body, raw=False):
    """(status, parsed JSON body) of POST /query."""
    data = body if raw else json.dumps(body).encode()
    req = urllib.request.Request(f"http://{server.admin}/query", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def cli(*args, stdin=None):
    """Runs the binary; stdout/stderr decoded as they are (no newline translation: CSV's CRLF
    must stay visible)."""
    binary = os.environ["GK_BINARY"]
    out = subprocess.run([binary, *args], input=stdin.encode() if stdin else None,
                         capture_output=True, timeout=CLI_TIMEOUT)
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode(),
                                       out.stderr.decode())


@pytest.fixture
def zk_server(make_server):
    s = start_server(make_server)
    zk = KazooClient(hosts=s.hosts, timeout=10)
    zk.start(timeout=10)
    zk.create("/app/a", b'{"host":"h1","port":1}', makepath=True)
    zk.create("/app/b", b"plain")
    zk.create("/app/e", b"", ephemeral=True)
    yield s, zk
    zk.stop()
    zk.close()


# --- POST /query -----------------------------------------------------------------------------

def test_post_query_answers_columns_rows_and_the_zxid(zk_server):
    s, zk = zk_server
    status, body = post(s, {"query": "MATCH (p:ZNode {path: '/app'})-[:CHILD]->(c:ZNode) "
                                     "RETURN c.name AS name, c.json.host AS host ORDER BY name"})
    assert status == 200, body
    assert body["columns"] == ["name", "host"]
    assert body["rows"] == [["a", "h1"], ["b", None], ["e", None]]
    # One snapshot: the zxid of the last write we made (kazoo saw it as /app/e's czxid).
    assert body["zxid"] == zk.exists("/app/e").czxid
    assert isinstance(body["elapsedMs"], (int, float)) and body["elapsedMs"] >= 0
    assert "plan" not in body


def test_post_query_sees_sessions_and_the_standalone_server(zk_server):
    s, zk = zk_server
    sid = zk.client_id[0]
    status, body = post(s, {"query": "MATCH (z:ZNode)-[:OWNED_BY]->(x:Session) "
                                     "RETURN z.path, x.id"})
    assert status == 200, body
    assert body["rows"] == [["/app/e", sid]]
    status, body = post(s, {"query": "MATCH (x:Session)-[:CONNECTED_TO]->(v:Server) "
                                     "RETURN x.id, v.role, v.zxid"})
    assert status == 200, body
    assert body["rows"] == [[sid, "standalone", zk.exists("/app/e").czxid]]


def test_syntax_error_is_400_with_line_and_column(zk_server):
    s, _ = zk_server
    status, body = post(s, {"query": "MATCH (n:ZNode)\nRETURN n.path ORDER BY n.path LIMT 3"})
    assert status == 400
    err = body["error"]
    assert err["kind"] == "syntax"
    assert err["line"] == 2
    assert err["column"] == 31
    assert "LIMT" in err["message"] and not err["message"].startswith("line ")


def test_parameters(zk_server):
    s, _ = zk_server
    status, body = post(s, {"query": "MATCH (z:ZNode) WHERE z.path IN $paths "
                                     "RETURN z.path, z.dataLength ORDER BY z.path",
                            "parameters": {"paths": ["/app/a", "/app/b", "/nope"]}})
    assert status == 200, body
    assert body["rows"] == [["/app/a", 22], ["/app/b", 5]]
    status, body = post(s, {"query": "RETURN $x", "parameters": [1]})
    assert status == 400 and body["error"]["kind"] == "parameter"
    status, body = post(s, {"query": "RETURN $missing"})
    assert status == 400 and body["error"]["kind"] == "semantic"


def test_bad_requests(zk_server):
    s, _ = zk_server
    for raw in [b"", b"not json", b"[1]", b'{"q": "RETURN 1"}', b'{"query": 5}',
                b'{"query": "RETURN 1", "maxRows": 0}']:
        status, body = post(s, raw, raw=True)
        assert status == 400, raw
        assert body["error"]["kind"] == "request"
    req = urllib.request.Request(f"http://{s.admin}/query", method="GET")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 405


def test_row_limit_from_zoo_cfg_and_from_the_request(make_server):
    s = start_server(make_server, **{"query.maxRows": "50"})
    status, body = post(s, {"query": "UNWIND range(1, 40) AS i RETURN i"})
    assert status == 200 and len(body["rows"]) == 40
    status, body = post(s, {"query": "UNWIND range(1, 100) AS i RETURN i"})
    assert status == 422, body
    assert body["error"]["kind"] == "limit" and "row limit of 50" in body["error"]["message"]
    # A request may lower the limit, never raise it.
    status, body = post(s, {"query": "UNWIND range(1, 40) AS i RETURN i", "maxRows": 10})
    assert status == 422 and "row limit of 10" in body["error"]["message"]
    status, body = post(s, {"query": "UNWIND range(1, 100) AS i RETURN i", "maxRows": 1000})
    assert status == 422 and "row limit of 50" in body["error"]["message"]


def slow_query(n):
    # n^3 rows through a cross product: long enough to outlast a small time limit.
    return (f"UNWIND range(1, {n}) AS a UNWIND range(1, {n}) AS b UNWIND range(1, {n}) AS c "
            "RETURN count(*) AS n")


def test_time_limit_stops_a_runaway_query(make_server):
    s = start_server(make_server, **{"query.timeoutMs": "300", "query.maxRows": "1000000000"})
    started = time.monotonic()
    status, body = post(s, {"query": slow_query(2000)})
    assert status == 422, body
    assert body["error"]["kind"] == "limit" and "time limit of 300 ms" in body["error"]["message"]
    assert time.monotonic() - started < 10


def test_a_running_query_blocks_neither_the_loop_nor_writes(make_server):
    s = start_server(make_server, **{"query.timeoutMs": "3000", "query.maxRows": "1000000000"})
    zk = KazooClient(hosts=s.hosts, timeout=10)
    zk.start(timeout=10)
    try:
        done = {}
        t = threading.Thread(target=lambda: done.update(r=post(s, {"query": slow_query(3000)})))
        t.start()
        time.sleep(0.3)  # the query is running on its worker now
        assert t.is_alive()
        worst = 0.0
        for i in range(20):
            t0 = time.monotonic()
            zk.create(f"/w{i}", b"x")
            worst = max(worst, time.monotonic() - t0)
        # Other admin requests are answered meanwhile too.
        t0 = time.monotonic()
        status, _ = post(s, {"query": "RETURN 1"})
        quick = time.monotonic() - t0
        assert t.is_alive(), "the slow query should still be running"
        t.join(timeout=30)
        assert status == 200
        assert worst < 1.0, f"a write took {worst:.2f} s while a query ran"
        assert quick < 1.0, f"a second query waited {quick:.2f} s"
        assert done["r"][0] == 422  # stopped by query.timeoutMs
    finally:
        zk.stop()
        zk.close()


# --- graphkeeper query ---------------------------------------------------------------------------

def test_cli_formats(zk_server):
    s, _ = zk_server
    q = "MATCH (z:ZNode) WHERE z.path STARTS WITH $p RETURN z.path AS path, z.dataLength AS len " \
        "ORDER BY path"
    table = cli("query", q, "--param", "p=/app/", "--server", s.admin)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == lines[2] == lines[-2] and lines[0].startswith("+--")
    assert lines[1].split("|")[1].strip() == "path"
    assert '| "/app/a" | 22  |' in table.stdout
    assert lines[-1].startswith("3 rows (zxid 0x")

    js = cli("query", q, "--param", "p=/app/", "--server", s.admin, "--format", "json")
    assert js.returncode == 0, js.stderr
    body = json.loads(js.stdout)
    assert body["rows"] == [["/app/a", 22], ["/app/b", 5], ["/app/e", 0]]

    csv = cli("query", q, "--param", "p=/app/", "--server", s.admin, "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout == "path,len\r\n/app/a,22\r\n/app/b,5\r\n/app/e,0\r\n"

    # The query from stdin, and JSON parameter values.
    piped = cli("query", "--server", s.admin, "--format", "json", "--param", "xs=[1,2]",
                stdin="RETURN $xs AS xs, size($xs) AS n")
    assert json.loads(piped.stdout)["rows"] == [[[1, 2], 2]]


def test_cli_finds_the_admin_port_in_zoo_cfg(zk_server):
    s, _ = zk_server
    conf_dir, cfg = s.write_config()
    out = cli("query", "RETURN 1 AS one", "--config", cfg, "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "one\r\n1\r\n"


def test_cli_errors(zk_server):
    s, _ = zk_server
    bad = cli("query", "MATCH (n)\nRETURN n LIMT 1", "--server", s.admin)
    assert bad.returncode == 1
    assert bad.stderr.startswith("line 2, column 10: ")
    assert bad.stderr.count("line 2") == 1
    limit = cli("query", "UNWIND range(1, 100) AS i RETURN i", "--server", s.admin,
                "--max-rows", "5")
    assert limit.returncode == 1 and "row limit of 5 rows" in limit.stderr
    down = cli("query", "RETURN 1", "--server", f"127.0.0.1:{free_port()}")
    assert down.returncode == 1 and "cannot connect" in down.stderr
    usage = cli("query", "RETURN 1", "--format", "xml")
    assert usage.returncode == 2 and "unknown format" in usage.stderr
    param = cli("query", "RETURN 1", "--param", "novalue", "--server", s.admin)
    assert param.returncode == 2 and "name=value" in param.stderr


def test_cli_data_dir_beside_a_running_server(zk_server):
    s, zk = zk_server
    q = "MATCH (z:ZNode)-[:OWNED_BY]->(x:Session) RETURN z.path AS path, x.id AS session"
    out = cli("query", q, "--data-dir", s.data_dir, "--format", "json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["rows"] == [["/app/e", zk.client_id[0]]]
    assert body["zxid"] == zk.exists("/app/e").czxid
    # Read-only and beside the server: the server goes on writing, the next query sees it.
    zk.create("/app/later", b"")
    out = cli("query", "MATCH (z:ZNode {path: '/app/later'}) RETURN z.path", "--data-dir",
              s.data_dir, "--format", "csv")
    assert out.stdout == "z.path\r\n/app/later\r\n"
    missing = cli("query", "RETURN 1", "--data-dir", os.path.join(s.dir, "nothing-here"))
    assert missing.returncode == 1 and "no GraphKeeper store" in missing.stderr


# --- graphkeeper shell ---------------------------------------------------------------------------

def test_shell_piped(zk_server):
    s, zk = zk_server
    script = "\n".join([
        "create /sh hello",
        "create -e -s /sh/e- x",
        "ls /sh",
        "get /sh",
        "set /sh 'new data'",
        "get /sh",
        "stat /sh",
        "query MATCH (z:ZNode)-[:CHILD]->(c) WHERE z.path = '/sh' RETURN c.name AS child",
        "help",
        "quit",
        "ls /never-reached",
    ]) + "\n"
    out = cli("shell", "--server", s.hosts, "--admin", s.admin, stdin=script)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Created /sh\n" in text
    assert "Created /sh/e-0000000000\n" in text
    assert "[e-0000000000]\n" in text
    assert "hello\n" in text and "new data\n" in text
    assert "dataVersion = 1\n" in text and "numChildren = 1\n" in text
    assert '| "e-0000000000" |' in text
    assert "query CYPHER" in text  # help
    assert zk.get("/sh")[0] == b"new data"


def test_shell_reports_bad_commands(zk_server):
    s, _ = zk_server
    script = "bogus\nget /does-not-exist\ncreate\nquery MATCH (n RETURN n\nget /app/b\n"
    out = cli("shell", "--server", s.hosts, "--admin", s.admin, stdin=script)
    assert out.returncode == 1  # piped: a failed command makes the exit status 1
    assert "unknown command 'bogus'" in out.stderr
    assert "no node" in out.stderr
    assert "usage: create" in out.stderr
    assert "line 1, column" in out.stderr
    assert "plain\n" in out.stdout  # and it went on after the errors
