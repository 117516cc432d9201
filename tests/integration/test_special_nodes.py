"""Containers, TTL nodes and the quota stats the server keeps, over the raw protocol and kazoo.

Expectations were seen on ZooKeeper 3.8.0 (GK_SERVER=zookeeper). The container manager runs
every znode.container.checkIntervalMs (60 s by default); ZooKeeper reads that as a plain Java
system property, so the harness passes it as -D to ZooKeeper and as a zoo.cfg line to
GraphKeeper.
"""
import struct
import time

import pytest

import zkwire
from zkwire import RawSession, jstring, WORLD_ANYONE

OP_CREATE2, OP_CREATE_CONTAINER, OP_CREATE_TTL, OP_MULTI = 15, 19, 21, 14
CONTAINER, PERSISTENT_TTL, PERSISTENT_SEQUENTIAL_TTL = 4, 5, 6
ZUNIMPLEMENTED, ZBADARGUMENTS, ZNOCHILDRENFOREPHEMERALS = -6, -8, -108
CHECK_MS = 200


def session(server):
    s = RawSession(server.port)
    s.connect(30000)
    return s


def create(s, path, data=b"", flags=0, op=zkwire.OP_CREATE, ttl=None):
    """Returns (err, path, stat or None)."""
    payload = jstring(path) + jstring(data) + WORLD_ANYONE + struct.pack(">i", flags)
    if ttl is not None:
        payload += struct.pack(">q", ttl)
    err, _, r = s.request(op, payload)
    if err != zkwire.ZOK:
        return err, None, None
    created = r.string()
    return err, created, (r.stat() if op != zkwire.OP_CREATE else None)


def delete(s, path):
    err, _, _ = s.request(zkwire.OP_DELETE, jstring(path) + struct.pack(">i", -1))
    return err


def owner(s, path):
    err, st = s.exists(path)
    assert err == zkwire.ZOK, path
    return st[7]


def wait_gone(s, path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if s.exists(path)[0] == zkwire.ZNONODE:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fast_server(make_server):
    """Extended types on, container checks every CHECK_MS."""
    srv = make_server(extra={"extendedTypesEnabled": "true"},
                      system_props={"znode.container.checkIntervalMs": str(CHECK_MS)})
    srv.start()
    return srv


def test_containers(fast_server):
    s = session(fast_server)
    err, path, st = create(s, "/c", flags=CONTAINER, op=OP_CREATE_CONTAINER)
    assert (err, path) == (0, "/c")
    assert st[7] == 0 and owner(s, "/c") == 0  # containers show no owner
    # createContainer makes a container whatever the flags; create/create2 with the container
    # flag make a plain persistent node (the txn type decides, on ZooKeeper 3.8.0 too).
    assert create(s, "/c0", op=OP_CREATE_CONTAINER)[0] == 0
    assert create(s, "/p1", flags=CONTAINER)[0] == 0
    assert create(s, "/p2", flags=CONTAINER, op=OP_CREATE2)[0] == 0
    assert create(s, "/never", flags=CONTAINER, op=OP_CREATE_CONTAINER)[0] == 0
    assert create(s, "/full", flags=CONTAINER, op=OP_CREATE_CONTAINER)[0] == 0
    watcher = session(fast_server)
    assert watcher.exists("/c", watch=True)[0] == 0
    for parent in ("/c", "/c0", "/p1", "/p2", "/full"):
        assert create(s, parent + "/k")[0] == 0  # containers have children
        if parent != "/full":
            assert delete(s, parent + "/k") == 0
    # A deleted-to-empty container goes; one never used, one with a child and plain nodes stay.
    assert wait_gone(s, "/c") and wait_gone(s, "/c0")
    assert watcher.next_event() == (zkwire.EV_NODE_DELETED, 3, "/c")  # a delete like any other
    time.sleep(3 * CHECK_MS / 1000)
    for kept in ("/p1", "/p2", "/never", "/full"):
        assert s.exists(kept)[0] == 0, kept
    assert delete(s, "/full/k") == 0
    assert wait_gone(s, "/full")
    s.close()
    watcher.close()


def test_ttl_nodes(fast_server):
    s = session(fast_server)
    err, path, st = create(s, "/t", op=OP_CREATE_TTL, flags=PERSISTENT_TTL, ttl=600)
    assert (err, path, st[7]) == (0, "/t", 0)
    assert owner(s, "/t") == 0
    assert create(s, "/tkid", op=OP_CREATE_TTL, flags=PERSISTENT_TTL, ttl=600)[0] == 0
    assert create(s, "/tkid/x")[0] == 0  # TTL nodes have children
    assert create(s, "/tmax", op=OP_CREATE_TTL, flags=PERSISTENT_TTL, ttl=0xFFFFFFFFFF)[0] == 0
    err, seq, _ = create(s, "/ts", op=OP_CREATE_TTL, flags=PERSISTENT_SEQUENTIAL_TTL, ttl=600)
    assert err == 0 and seq.startswith("/ts") and len(seq) == len("/ts") + 10
    for bad_ttl in (0, -1, 0x10000000000):
        assert create(s, "/bad", op=OP_CREATE_TTL, flags=PERSISTENT_TTL, ttl=bad_ttl)[0] == \
            ZBADARGUMENTS
    for flags in (0, 1, CONTAINER):  # a TTL with another mode
        assert create(s, "/bad", op=OP_CREATE_TTL, flags=flags, ttl=100)[0] == ZBADARGUMENTS
    assert create(s, "/bad", flags=PERSISTENT_TTL)[0] == ZBADARGUMENTS  # a TTL mode, no TTL
    assert create(s, "/bad", flags=PERSISTENT_TTL, op=OP_CREATE_CONTAINER)[0] == ZBADARGUMENTS
    # Kept alive by changes (mtime), deleted once idle for longer than its TTL.
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        assert s.set_data("/t", b"alive")[0] == 0
        time.sleep(0.1)
    assert wait_gone(s, "/t") and wait_gone(s, seq)
    time.sleep(3 * CHECK_MS / 1000)
    assert s.exists("/tkid")[0] == 0 and s.exists("/tmax")[0] == 0
    s.close()


def test_ttl_refused_without_extended_types(server):
    s = session(server)
    assert create(s, "/t", op=OP_CREATE_TTL, flags=PERSISTENT_TTL, ttl=100)[0] == ZUNIMPLEMENTED
    assert create(s, "/t", op=OP_CREATE_TTL, flags=PERSISTENT_SEQUENTIAL_TTL, ttl=100)[0] == \
        ZUNIMPLEMENTED
    assert create(s, "/t", flags=PERSISTENT_TTL)[0] == ZUNIMPLEMENTED
    assert create(s, "/t", op=OP_CREATE_TTL, flags=0, ttl=100)[0] == ZBADARGUMENTS
    assert create(s, "/t", flags=7)[0] == ZBADARGUMENTS
    assert s.ping() == 0
    assert s.exists("/t")[0] == zkwire.ZNONODE
    s.close()


def test_only_real_ephemerals_are_childless(server, zk):
    s = session(server)
    assert create(s, "/c", op=OP_CREATE_CONTAINER, flags=CONTAINER)[0] == 0
    assert create(s, "/c/k")[0] == 0
    assert create(s, "/e", flags=1)[0] == 0
    assert create(s, "/e/k")[0] == ZNOCHILDRENFOREPHEMERALS
    assert create(s, "/e/k", op=OP_CREATE_CONTAINER, flags=CONTAINER)[0] == \
        ZNOCHILDRENFOREPHEMERALS
    # kazoo's view: a container is nobody's ephemeral, a session's ephemeral is.
    assert zk.exists("/c").ephemeralOwner == 0
    assert zk.exists("/e").ephemeralOwner != 0
    s.close()


def test_multi_answers_create2_for_containers_and_ttl(fast_server):
    s = session(fast_server)
    body = struct.pack(">i?i", OP_CREATE_CONTAINER, False, -1) + jstring("/mc") + jstring(b"") \
        + WORLD_ANYONE + struct.pack(">i", CONTAINER)
    body += struct.pack(">i?i", OP_CREATE_TTL, False, -1) + jstring("/mt") + jstring(b"") \
        + WORLD_ANYONE + struct.pack(">iq", PERSISTENT_TTL, 60000)
    body += struct.pack(">i?i", -1, True, -1)
    err, _, r = s.request(OP_MULTI, body)
    assert err == 0
    results = []
    while True:
        typ, done, e = r.int(), r.bool(), r.int()
        if done:
            break
        results.append((typ, e, r.string(), r.stat()[7]))
    assert results == [(OP_CREATE2, 0, "/mc", 0), (OP_CREATE2, 0, "/mt", 0)]
    s.close()


def test_quota_stats_follow_the_subtree(server, zk):
    stats = "/zookeeper/quota/q/zookeeper_stats"
    zk.create("/q", b"12345")
    zk.create("/q/a", b"abc")
    zk.create("/q/a/b")
    # What zkCli's setquota does: the path nodes, the limits, then the stats node, which the
    # server fills with the subtree's count and bytes whatever the client wrote.
    zk.create("/zookeeper/quota/q")
    zk.create("/zookeeper/quota/q/zookeeper_limits", b"count=5,bytes=-1")
    zk.create("/q/c", b"zz")  # no stats node yet: nothing to count into
    zk.create(stats, b"count=0,bytes=0")
    data, st = zk.get(stats)
    assert data == b"count=4,bytes=10"
    assert (st.version, st.dataLength) == (0, 16)
    zk.create("/q/d", b"1234567")
    zk.set("/q/a", b"abcdef")
    zk.delete("/q/a/b")
    data, st2 = zk.get(stats)
    assert data == b"count=4,bytes=20"
    assert (st2.version, st2.mzxid, st2.mtime) == (st.version, st.mzxid, st.mtime)
    # The stats text keeps other keys, in StatsTrack's form.
    zk.set(stats, b"count=100,bytes=7;foo=3")
    zk.create("/q/e", b"1")
    assert zk.get(stats)[0] == b"count=101,bytes=8=;foo=3"
    # A session's ephemerals count until the session ends.
    s = session(server)
    assert create(s, "/q/eph", b"xyz", flags=1)[0] == 0
    assert zk.get(stats)[0] == b"count=102,bytes=11=;foo=3"
    s.close_session()
    assert zk.get(stats)[0] == b"count=101,bytes=8=;foo=3"
    # The longest quota'd prefix counts; deleting its limits gives the changes back to /q.
    zk.create("/zookeeper/quota/q/a")
    zk.create("/zookeeper/quota/q/a/zookeeper_limits", b"count=1,bytes=-1")
    zk.create("/zookeeper/quota/q/a/zookeeper_stats", b"count=0,bytes=0")
    zk.create("/q/a/z", b"12")
    assert zk.get(stats)[0] == b"count=101,bytes=8=;foo=3"
    assert zk.get("/zookeeper/quota/q/a/zookeeper_stats")[0] == b"count=2,bytes=8"
    zk.delete("/zookeeper/quota/q/a/zookeeper_limits")
    zk.create("/q/a/zz", b"1")
    assert zk.get(stats)[0] == b"count=102,bytes=9=;foo=3"
    assert zk.get("/zookeeper/quota/q/a/zookeeper_stats")[0] == b"count=2,bytes=8"


def test_quota_stats_survive_a_restart(make_server, make_client):
    srv = make_server()
    srv.start()
    zk = make_client(srv)
    zk.create("/q/a", b"abc", makepath=True)
    zk.create("/zookeeper/quota/q/zookeeper_limits", b"count=5,bytes=-1", makepath=True)
    zk.create("/zookeeper/quota/q/zookeeper_stats", b"count=0,bytes=0")
    zk.create("/q/b", b"12")
    assert zk.get("/zookeeper/quota/q/zookeeper_stats")[0] == b"count=3,bytes=5"
    zk.stop()
    srv.stop()
    srv.start()
    zk = make_client(srv)
    assert zk.get("/zookeeper/quota/q/zookeeper_stats")[0] == b"count=3,bytes=5"
    zk.delete("/q/b")
    assert zk.get("/zookeeper/quota/q/zookeeper_stats")[0] == b"count=2,bytes=3"
