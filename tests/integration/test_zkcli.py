"""ZooKeeper's own command-line client, zkCli.sh 3.8 (a JVM per run, ~1 s), against the server.

zkCli prints some results on stdout (get, ls, stat) and others on stderr ("Created /a", error
messages); which stream is the client's business, so both are read together. A failed command
makes zkCli exit 1. A zkCli run given a command on its command line exits without closing its
session, so its ephemerals live until the session times out (30 s by default).
"""
import os
import re
import subprocess

import pytest

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"

pytestmark = pytest.mark.skipif(not os.path.exists(ZKCLI), reason="zkCli.sh not installed")


def zkcli(server, *args, stdin=None, timeout=60):
    """Runs zkCli.sh against the server; returns (exit code, stdout + stderr without noise)."""
    p = subprocess.run([ZKCLI, "-server", server.hosts, *args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                       text=True)
    lines = [l for l in p.stdout.splitlines()
             if l.strip() and not l.startswith(("SLF4J", "WATCHER::", "WatchedEvent",
                                                 "Connecting to", "Welcome to ZooKeeper",
                                                 "JLine support"))]
    return p.returncode, lines


def stat_fields(lines):
    out = {}
    for l in lines:
        m = re.match(r"^(\w+) = (.*)$", l)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_create_ls_get_set_stat_delete(server, zk):
    assert zkcli(server, "create", "/a", "hello") == (0, ["Created /a"])
    assert zkcli(server, "ls", "/") == (0, ["[a, zookeeper]"])
    assert zkcli(server, "get", "/a") == (0, ["hello"])
    rc, out = zkcli(server, "set", "/a", "x")
    assert (rc, out) == (0, [])
    assert zk.get("/a")[0] == b"x"

    rc, out = zkcli(server, "stat", "/a")
    assert rc == 0
    st = stat_fields(out)
    kst = zk.exists("/a")
    assert st["dataVersion"] == "1" and st["cversion"] == "0" and st["aclVersion"] == "0"
    assert st["ephemeralOwner"] == "0x0" and st["dataLength"] == "1"
    assert st["numChildren"] == "0"
    assert int(st["cZxid"], 16) == kst.czxid and int(st["mZxid"], 16) == kst.mzxid
    assert int(st["pZxid"], 16) == kst.pzxid

    rc, out = zkcli(server, "get", "-s", "/a")
    assert rc == 0 and out[0] == "x" and stat_fields(out)["dataVersion"] == "1"

    assert zkcli(server, "delete", "/a") == (0, [])
    assert zk.exists("/a") is None
    assert zkcli(server, "ls", "/") == (0, ["[zookeeper]"])


def test_ephemeral_sequential_ls_s_deleteall(server, zk):
    assert zkcli(server, "create", "-e", "/eph", "e")[1] == ["Created /eph"]
    st = zk.exists("/eph")
    assert st is not None and st.ephemeralOwner != 0  # the zkCli session has not timed out

    zk.create("/dir")
    assert zkcli(server, "create", "-s", "/dir/n", "d")[1] == ["Created /dir/n0000000000"]
    assert zkcli(server, "create", "-s", "/dir/n", "d")[1] == ["Created /dir/n0000000001"]
    assert zk.get_children("/dir") == ["n0000000000", "n0000000001"] or \
        sorted(zk.get_children("/dir")) == ["n0000000000", "n0000000001"]

    rc, out = zkcli(server, "ls", "-s", "/dir")
    assert rc == 0
    assert out[0] == "[n0000000000, n0000000001]"
    st = stat_fields(out[1:])
    assert st["numChildren"] == "2" and st["cversion"] == "2" and st["dataLength"] == "0"

    zk.create("/dir/n0000000000/deep/er", makepath=True)
    assert zkcli(server, "deleteall", "/dir")[0] == 0
    assert zk.exists("/dir") is None


def test_errors(server, zk):
    assert zkcli(server, "get", "/nope") == (1, ["Node does not exist: /nope"])
    assert zkcli(server, "delete", "/nope") == (1, ["Node does not exist: /nope"])
    zk.create("/t/c", makepath=True)
    assert zkcli(server, "create", "/t") == (1, ["Node already exists: /t"])
    assert zkcli(server, "delete", "/t") == (1, ["Node not empty: /t"])
    assert zkcli(server, "set", "/t", "x", "-v", "5") == (1, ["version No is not valid : /t"])
    assert zkcli(server, "delete", "/") == (1, ["Arguments are not valid : /"])
    zk.create("/eph", ephemeral=True)
    assert zkcli(server, "create", "/eph/x") == (1, ["Ephemerals cannot have children: /eph/x"])


def test_interactive_session(server, zk):
    # one JVM, commands on stdin
    script = "\n".join([
        "create /p one",
        "get /p",
        "set /p two",
        "get /p",
        "create /p/kid",
        "ls /p",
        "getAllChildrenNumber /",
        "ls -R /p",
        "create /nulldata",
        "get /nulldata",
        "delete /p/kid",
        "delete /p",
        "ls /",
        "quit",
    ]) + "\n"
    rc, out = zkcli(server, stdin=script)
    assert rc == 0
    assert out == ["Created /p", "one", "two", "Created /p/kid", "[kid]",
                   "5",  # /p, /p/kid, /zookeeper, /zookeeper/config, /zookeeper/quota
                   "/p", "/p/kid", "Created /nulldata", "null", "[nulldata, zookeeper]"]
    assert zk.get("/nulldata")[0] is None
