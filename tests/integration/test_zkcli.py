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
    assert sorted(zk.get_children("/dir")) == ["n0000000000", "n0000000001"]

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


def split_watch_events(lines):
    """Separates the watch events zkCli prints from its event thread (at any point between
    command outputs) from the command outputs."""
    events = {l for l in lines if l.startswith("WatchedEvent")}
    return [l for l in lines if not l.startswith("WatchedEvent")], events


def zkcli_all(server, script, timeout=60):
    """Like zkcli(), keeping the WatchedEvent lines (minus connection state events)."""
    p = subprocess.run([ZKCLI, "-server", server.hosts], input=script, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, text=True)
    lines = [l for l in p.stdout.splitlines()
             if l.strip() and not l.startswith(("SLF4J", "WATCHER::", "Connecting to",
                                                 "Welcome to ZooKeeper", "JLine support"))
             and "type:None" not in l]
    return p.returncode, lines


def test_interactive_newer_commands(server, zk):
    # getEphemerals, whoami, addWatch (persistent recursive), removewatches, sync, ACLs,
    # containers, TTL (refused: extended types are off by default)
    script = "\n".join([
        "create -e /ephx e",
        "create /gw",
        "getEphemerals /",
        "whoami",
        "addWatch -m PERSISTENT_RECURSIVE /gw",
        "create /gw/a",
        "set /gw/a x",
        "create /gw/a/deep",
        "removewatches /gw",
        "create /gw/after",
        "sync /gw",
        "getAcl /gw",
        "setAcl /gw world:anyone:r",
        "getAcl /gw",
        "set /gw z",
        "create -c /cont",
        "create -t 1000 /ttl",
        "getAllChildrenNumber /gw",
        "ls /gw",
        "quit",
    ]) + "\n"
    rc, lines = zkcli_all(server, script)
    assert rc == 0
    out, events = split_watch_events(lines)
    assert out == ["Created /ephx", "Created /gw", "[/ephx]", "Auth scheme: User",
                   "ip: 127.0.0.1", "Created /gw/a", "Created /gw/a/deep", "Created /gw/after",
                   "Sync is OK", "'world,'anyone", ": cdrwa", "'world,'anyone", ": r",
                   "Insufficient permission : /gw", "Created /cont",
                   "KeeperErrorCode = Unimplemented for /ttl", "3", "[a, after]"]
    assert events == {
        "WatchedEvent state:SyncConnected type:NodeCreated path:/gw/a",
        "WatchedEvent state:SyncConnected type:NodeDataChanged path:/gw/a",
        "WatchedEvent state:SyncConnected type:NodeCreated path:/gw/a/deep",
        "WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/gw",
    }
    assert zk.exists("/cont").ephemeralOwner == 0  # containers show no owner
    assert zk.exists("/ttl") is None
    assert zk.get("/gw")[0] is None  # created without data; the set was refused


def test_quota_stats_kept_by_server(server, zk):
    script = "\n".join([
        "create /q",
        "setquota -n 5 /q",
        "create /q/a abc",
        "create /q/b",
        "listquota /q",
        "delete /q/b",
        "quit",
    ]) + "\n"
    rc, out = zkcli(server, stdin=script)
    assert rc == 0
    assert out == ["Created /q", "Created /q/a", "Created /q/b",
                   "absolute path is /zookeeper/quota/q/zookeeper_limits",
                   "Output quota for /q count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
                   "Output stat for /q count=3,bytes=3"]
    # the server keeps the stats node up to date: /q and /q/a, 3 bytes
    assert zk.get("/zookeeper/quota/q/zookeeper_stats")[0] == b"count=2,bytes=3"
