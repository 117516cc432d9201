"""multi (opcode 14) through kazoo's transaction(): all-or-nothing, and the per-op results.

kazoo shows a successful create as its path, delete and check as True, setData as a ZnodeStat.
When the multi fails, ZooKeeper answers an error result for every op: 0 for the ops before the
failing one (kazoo: RolledBackError), the failing op's own error, and RUNTIMEINCONSISTENCY (-2)
for the ops after it.
"""
import queue

from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError, NotEmptyError,
                              RolledBackError, RuntimeInconsistency)
from kazoo.protocol.states import EventType, ZnodeStat


def kinds(results):
    return [type(r) for r in results]


def test_multi_success_results(zk):
    zk.create("/pre", b"p")
    t = zk.transaction()
    t.create("/m", b"a")
    t.create("/m/c", b"child")
    t.set_data("/m", b"bb")
    t.check("/m", 1)
    t.delete("/m/c")
    t.set_data("/pre", b"pp", version=0)
    t.create("/m/s-", sequence=True)
    res = t.commit()
    assert len(res) == 7
    assert res[0] == "/m" and res[1] == "/m/c"
    assert isinstance(res[2], ZnodeStat)
    assert (res[2].version, res[2].dataLength, res[2].numChildren) == (1, 2, 1)
    assert res[3] is True and res[4] is True
    assert isinstance(res[5], ZnodeStat) and res[5].version == 1
    assert res[6] == "/m/s-0000000001"  # "/m/c" was create number 0 under /m

    data, st = zk.get("/m")
    assert data == b"bb" and st.version == 1
    assert (st.cversion, st.numChildren) == (3, 1)  # create c, delete c, create s-
    assert zk.get_children("/m") == ["s-0000000001"]
    assert zk.exists("/m/c") is None
    assert zk.get("/pre")[0] == b"pp"


def test_multi_is_one_transaction(zk):
    # every change in a multi gets the same zxid
    t = zk.transaction()
    t.create("/t1")
    t.create("/t2")
    t.set_data("/t1", b"x")
    res = t.commit()
    assert res[:2] == ["/t1", "/t2"]
    s1, s2 = zk.exists("/t1"), zk.exists("/t2")
    assert s1.czxid == s2.czxid == s1.mzxid == res[2].mzxid
    root = zk.exists("/")
    assert root.pzxid == s1.czxid


def test_multi_failure_in_the_middle_applies_nothing(zk):
    zk.create("/x", b"orig")
    before = zk.exists("/x")
    root_before = zk.exists("/")
    t = zk.transaction()
    t.create("/new1", b"n")
    t.set_data("/x", b"changed")
    t.check("/x", 5)  # fails: version is 0
    t.delete("/x")
    t.create("/new2")
    res = t.commit()
    assert kinds(res) == [RolledBackError, RolledBackError, BadVersionError,
                          RuntimeInconsistency, RuntimeInconsistency]
    assert zk.exists("/new1") is None and zk.exists("/new2") is None
    assert zk.get("/x") == (b"orig", before)
    assert zk.exists("/") == root_before
    assert sorted(zk.get_children("/")) == ["x", "zookeeper"]


def test_multi_failure_first_and_last(zk):
    zk.create("/f", b"")
    t = zk.transaction()
    t.create("/f")  # exists
    t.create("/g")
    t.delete("/f")
    res = t.commit()
    assert kinds(res) == [NodeExistsError, RuntimeInconsistency, RuntimeInconsistency]
    assert zk.exists("/g") is None and zk.exists("/f") is not None

    t = zk.transaction()
    t.create("/g")
    t.set_data("/f", b"v")
    t.delete("/nope")
    res = t.commit()
    assert kinds(res) == [RolledBackError, RolledBackError, NoNodeError]
    assert zk.exists("/g") is None and zk.get("/f")[0] == b""


def test_multi_ops_see_earlier_ops(zk):
    # later ops are checked against the state the earlier ops of the same multi leave
    zk.create("/d")
    zk.create("/d/c")
    t = zk.transaction()
    t.delete("/d")  # not empty yet
    t.delete("/d/c")
    assert kinds(t.commit()) == [NotEmptyError, RuntimeInconsistency]

    t = zk.transaction()
    t.delete("/d/c")
    t.delete("/d")
    t.create("/d", b"again")
    t.check("/d", 0)
    res = t.commit()
    assert res == [True, True, "/d", True]
    assert zk.get("/d")[0] == b"again"

    t = zk.transaction()
    t.create("/d/x")
    t.create("/d/x")  # exists because of the op before
    assert kinds(t.commit()) == [RolledBackError, NodeExistsError]
    assert zk.get_children("/d") == []


def test_failed_multi_uses_no_sequence_number(zk):
    zk.create("/q")
    t = zk.transaction()
    t.create("/q/s-", sequence=True)
    t.check("/q", 9)
    assert kinds(t.commit()) == [RolledBackError, BadVersionError]
    assert zk.create("/q/s-", sequence=True) == "/q/s-0000000000"
    assert zk.exists("/q").cversion == 1


def test_multi_check_on_missing_node(zk):
    t = zk.transaction()
    t.check("/missing", 0)
    assert kinds(t.commit()) == [NoNodeError]


def test_multi_ephemeral_and_watches(server, make_client):
    zk = make_client(server)
    other = make_client(server)
    zk.create("/w", b"")
    q = queue.Queue()
    other.get("/w", watch=q.put)
    other.get_children("/w", watch=q.put)
    t = zk.transaction()
    t.create("/w/e", ephemeral=True)
    t.set_data("/w", b"v")
    assert t.commit()[0] == "/w/e"
    events = {(e.type, e.path) for e in (q.get(timeout=10), q.get(timeout=10))}
    assert events == {(EventType.CHANGED, "/w"), (EventType.CHILD, "/w")}
    assert other.exists("/w/e").ephemeralOwner == zk.client_id[0]
    zk.stop()
    assert other.get_children("/w") == []
