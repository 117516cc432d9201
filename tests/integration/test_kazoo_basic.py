"""Basic znode operations through kazoo (a real client), checked against what ZooKeeper 3.8 does.

Absolute zxids differ between servers, so only relations between zxids are asserted. Where kazoo
normalizes or validates something on the client side, the raw protocol (zkwire) is used instead.
"""
import threading

import pytest
from kazoo.exceptions import (BadArgumentsError, BadVersionError, ConnectionLoss, NoAuthError,
                              NoChildrenForEphemeralsError, NodeExistsError, NoNodeError,
                              NotEmptyError)
from kazoo.protocol.states import EventType, KazooState

import zkwire

ZBADARGUMENTS = -8
ZNONODE = -101
JUTE_MAXBUFFER = 0xFFFFF  # ZooKeeper's default jute.maxbuffer: 1,048,575 bytes


def test_create_get_set_delete_with_exact_stat(zk):
    assert zk.create("/a", b"v1") == "/a"
    data, st = zk.get("/a")
    assert data == b"v1"
    assert (st.version, st.cversion, st.aversion) == (0, 0, 0)
    assert (st.numChildren, st.dataLength, st.ephemeralOwner) == (0, 2, 0)
    assert st.czxid == st.mzxid == st.pzxid  # a fresh node: all three are its create zxid
    assert st.czxid > 0
    assert st.ctime == st.mtime and st.ctime > 0
    assert zk.exists("/a") == st

    st1 = zk.set("/a", b"value2")
    assert st1.version == 1 and st1.dataLength == 6
    assert st1.czxid == st.czxid and st1.pzxid == st.pzxid  # set moves mzxid only
    assert st1.mzxid > st.mzxid
    assert st1.mtime >= st.mtime and st1.ctime == st.ctime
    assert (st1.cversion, st1.aversion, st1.numChildren) == (0, 0, 0)
    assert zk.get("/a") == (b"value2", st1)

    # conditional set: right version advances it, a wrong one is BadVersion and changes nothing
    st2 = zk.set("/a", b"v3", version=1)
    assert st2.version == 2
    with pytest.raises(BadVersionError):
        zk.set("/a", b"nope", version=1)
    assert zk.get("/a") == (b"v3", st2)

    # an empty value
    st3 = zk.set("/a", b"")
    assert st3.dataLength == 0 and st3.version == 3
    assert zk.get("/a")[0] == b""

    with pytest.raises(BadVersionError):
        zk.delete("/a", version=2)
    zk.delete("/a", version=3)
    assert zk.exists("/a") is None
    with pytest.raises(NoNodeError):
        zk.get("/a")


def test_create2_returns_stat(zk):
    path, st = zk.create("/c2", b"xyz", include_data=True)  # opcode create2
    assert path == "/c2"
    assert st == zk.exists("/c2")
    assert (st.version, st.dataLength, st.numChildren) == (0, 3, 0)
    assert st.czxid == st.mzxid == st.pzxid


def test_children_move_parent_cversion_numchildren_pzxid(zk):
    p0 = zk.create("/p", b"parent", include_data=True)[1]
    c1 = zk.create("/p/c1", b"1", include_data=True)[1]
    p1 = zk.exists("/p")
    assert (p1.cversion, p1.numChildren) == (1, 1)
    assert p1.pzxid == c1.czxid  # pzxid: zxid of the last child change
    assert p1.version == 0 and p1.mzxid == p0.mzxid and p1.dataLength == 6  # data untouched

    zk.create("/p/c2")
    zk.create("/p/c3")
    p3 = zk.exists("/p")
    assert (p3.cversion, p3.numChildren) == (3, 3)
    assert sorted(zk.get_children("/p")) == ["c1", "c2", "c3"]
    children, st = zk.get_children("/p", include_data=True)  # opcode getChildren2
    assert sorted(children) == ["c1", "c2", "c3"] and st == p3

    # setting a child's data is not a child change
    zk.set("/p/c1", b"changed")
    assert zk.exists("/p") == p3

    zk.delete("/p/c2")
    p4 = zk.exists("/p")
    assert (p4.cversion, p4.numChildren) == (4, 2)  # deletes count in cversion too
    assert p4.pzxid > p3.pzxid
    assert p4.mzxid == p0.mzxid

    with pytest.raises(NotEmptyError):
        zk.delete("/p")
    zk.delete("/p", recursive=True)
    assert zk.exists("/p") is None
    assert zk.get_children("/") == ["zookeeper"]


def test_null_data_is_kept_as_null(server, zk):
    # zkCli's `create /a` sends null data and `get /a` then prints "null": null round-trips as
    # null (a -1 length buffer), distinct from an empty value.
    with zkwire.RawSession(server.port) as s:
        s.connect(10000)
        assert s.create("/null", None) == (0, "/null")
        err, data, st = s.get_data("/null")
        assert err == 0 and data is None and st[8] == 0  # dataLength 0
        assert s.create("/empty", b"") == (0, "/empty")
        assert s.get_data("/empty")[1] == b""
        s.close_session()
    assert zk.get("/null")[0] is None
    assert zk.get("/empty")[0] == b""


def test_errors(zk):
    with pytest.raises(NoNodeError):
        zk.get("/missing")
    with pytest.raises(NoNodeError):
        zk.set("/missing", b"x")
    with pytest.raises(NoNodeError):
        zk.delete("/missing")
    with pytest.raises(NoNodeError):
        zk.get_children("/missing")
    with pytest.raises(NoNodeError):
        zk.create("/missing/child")  # no parent
    assert zk.exists("/missing") is None

    zk.create("/e1")
    with pytest.raises(NodeExistsError):
        zk.create("/e1")
    with pytest.raises(NodeExistsError):
        zk.create("/")

    zk.create("/e1/kid")
    with pytest.raises(NotEmptyError):
        zk.delete("/e1")

    with pytest.raises(BadVersionError):
        zk.set("/e1", b"x", version=7)
    with pytest.raises(BadVersionError):
        zk.delete("/e1/kid", version=1)

    zk.create("/eph", ephemeral=True)
    with pytest.raises(NoChildrenForEphemeralsError):
        zk.create("/eph/child")
    with pytest.raises(NoChildrenForEphemeralsError):
        zk.create("/eph/seq-", sequence=True)

    with pytest.raises(BadArgumentsError):
        zk.delete("/")
    with pytest.raises(BadArgumentsError):
        zk.delete("/zookeeper")
    with pytest.raises(BadArgumentsError):
        zk.delete("/zookeeper/config")
    with pytest.raises(NoAuthError):
        zk.set("/zookeeper/config", b"x")  # the config node cannot be written by clients


def test_invalid_paths_rejected(server, zk):
    # kazoo normalizes paths itself, so these go over the raw protocol. The parent exists, so
    # ZooKeeper gets past the parent lookup and rejects the path itself with BADARGUMENTS.
    zk.create("/v")
    bad = ["v", "", "/v/", "/v/.", "/v/..", "/v/a\x00b", "/v/a\x01b", "/v/a\x7fb",
           "/v/a\ufffeb", "/v/a\u0085b"]
    with zkwire.RawSession(server.port) as s:
        s.connect(10000)
        for p in bad:
            assert s.create(p, b"")[0] == ZBADARGUMENTS, repr(p)
            assert s.set_data(p, b"")[0] == ZBADARGUMENTS, repr(p)
        # ZooKeeper looks the parent up first: "/v//x" has parent "/v/", which does not exist,
        # so it answers NONODE. BADARGUMENTS would be as good a refusal.
        for p in ("/v//x", "/v/./x", "/v/../x"):
            assert s.create(p, b"")[0] in (ZNONODE, ZBADARGUMENTS), repr(p)
            assert s.set_data(p, b"")[0] in (ZNONODE, ZBADARGUMENTS), repr(p)
        # a trailing slash is fine for a sequential create: the name is just the number
        err, created = s.create("/v/", b"", flags=2)
        assert (err, created) == (0, "/v/0000000000")
        s.close_session()
    assert zk.get_children("/v") == ["0000000000"]


def test_ephemerals_gone_after_session_close(server, make_client):
    owner = make_client(server)
    other = make_client(server)
    owner.create("/eph", b"e", ephemeral=True)
    seq = owner.create("/eph-seq-", ephemeral=True, sequence=True)
    assert seq == "/eph-seq-0000000001"  # "/eph" was create number 0 under "/"
    st = other.exists("/eph")
    assert st.ephemeralOwner == owner.client_id[0] != 0
    assert other.exists(seq).ephemeralOwner == owner.client_id[0]

    deleted = threading.Event()
    events = []

    def watch(ev):
        events.append(ev)
        deleted.set()

    assert other.exists("/eph", watch=watch) is not None
    owner.stop()  # closeSession
    assert deleted.wait(10)
    assert events[0].type == EventType.DELETED and events[0].path == "/eph"
    assert other.exists("/eph") is None
    assert other.exists(seq) is None
    assert sorted(other.get_children("/")) == ["zookeeper"]


def test_sequential_suffix(zk):
    # ZK-FACTS: the suffix counts every create under the parent, sequential or not; deletes
    # neither give a number back nor advance it. cversion counts creates and deletes.
    zk.create("/s")
    a = zk.create("/s/n", sequence=True)
    assert a == "/s/n0000000000"
    zk.delete(a)
    assert zk.create("/s/n", sequence=True) == "/s/n0000000001"
    zk.create("/s/x")
    assert zk.create("/s/n", sequence=True) == "/s/n0000000003"
    st = zk.exists("/s")
    assert (st.cversion, st.numChildren) == (5, 3)

    zk.delete("/s/x")
    zk.delete("/s/n0000000003")
    st = zk.exists("/s")
    assert (st.cversion, st.numChildren) == (7, 1)
    assert zk.create("/s/n", sequence=True) == "/s/n0000000004"
    # ephemeral sequential nodes share the same counter; a prefix is optional
    assert zk.create("/s/e-", ephemeral=True, sequence=True) == "/s/e-0000000005"
    assert zk.create("/s/", sequence=True) == "/s/0000000006"
    assert sorted(zk.get_children("/s")) == ["0000000006", "e-0000000005", "n0000000001",
                                               "n0000000004"]
    assert zk.exists("/s").cversion == 10
    # the counter is per parent
    zk.create("/s2")
    assert zk.create("/s2/n", sequence=True) == "/s2/n0000000000"


def test_large_value_accepted(zk):
    value = (bytes(range(256)) * 3907)[:1_000_000]
    assert len(value) == 1_000_000
    zk.create("/big", value)
    data, st = zk.get("/big")
    assert data == value and st.dataLength == 1_000_000
    st = zk.set("/big", value[::-1])
    assert st.dataLength == 1_000_000
    assert zk.get("/big")[0] == value[::-1]


def _setdata_request_size(path, n):
    # xid, type, path (length + bytes), data (length + bytes), version
    return 4 + 4 + 4 + len(path.encode()) + 4 + n + 4


def test_request_of_maxbuffer_bytes_accepted_one_more_closes_connection(server, zk):
    zk.create("/limit", b"")
    eph = zk.create("/mine", b"", ephemeral=True)
    sid = zk.client_id[0]

    n = JUTE_MAXBUFFER - _setdata_request_size("/limit", 0)
    assert _setdata_request_size("/limit", n) == JUTE_MAXBUFFER
    assert zk.set("/limit", b"m" * n).dataLength == n  # exactly jute.maxbuffer: accepted

    states = []
    reconnected = threading.Event()

    def listener(state):
        states.append(state)
        if state == KazooState.CONNECTED and KazooState.SUSPENDED in states:
            reconnected.set()

    zk.add_listener(listener)
    with pytest.raises(ConnectionLoss):
        zk.set("/limit", b"m" * (n + 1))  # one byte more: the server drops the connection
    assert reconnected.wait(15), f"kazoo did not reconnect: {states}"
    assert KazooState.LOST not in states
    assert zk.client_id[0] == sid  # the same session
    st = zk.exists(eph)
    assert st is not None and st.ephemeralOwner == sid
    assert zk.get("/limit")[1].dataLength == n  # the oversized write was not applied


def test_system_nodes_exist(zk):
    assert "zookeeper" in zk.get_children("/")
    assert zk.exists("/zookeeper") is not None
    assert zk.exists("/zookeeper/config") is not None
    assert zk.exists("/zookeeper/quota") is not None
    assert sorted(zk.get_children("/zookeeper")) == ["config", "quota"]
    assert zk.get("/zookeeper/config")[0] == b""  # standalone: no dynamic config
    st = zk.exists("/")
    assert st.numChildren == 1 and st.ephemeralOwner == 0


def test_sync_and_root_children(zk):
    zk.create("/r1")
    zk.create("/r2")
    assert zk.sync("/r1") == "/r1"
    assert sorted(zk.get_children("/")) == ["r1", "r2", "zookeeper"]
    assert zk.exists("/").numChildren == 3
