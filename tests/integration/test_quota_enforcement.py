"""Quota hard limits with enforceQuota=true: a create or setData that would take a quota'd
subtree over countHardLimit/byteHardLimit is refused with QUOTAEXCEEDED (-125); soft limits
(count=, bytes=) only log a warning. Limits are set as zkCli's setquota -N/-B/-n/-b writes them.

Expectations were seen on ZooKeeper 3.8.0 (GK_SERVER=zookeeper). ZooKeeper reads the flag as the
Java system property zookeeper.enforceQuota (QuorumPeerConfig also sets it from a zoo.cfg
`enforceQuota=` line); GraphKeeper takes the zoo.cfg line. kazoo 2.8 has no exception for -125
(it raises RuntimeError inside its reader), so the writes that may be refused go over the raw
protocol.
"""
import os
import struct

import pytest

import zkwire
from zkwire import RawSession, jstring, WORLD_ANYONE

ZQUOTAEXCEEDED = -125
OP_MULTI = 14
HARD = b"count=-1,bytes=-1=;byteHardLimit=%d;countHardLimit=%d"


@pytest.fixture
def server(make_server):
    kind = os.environ.get("GK_SERVER", "graphkeeper")
    props = {"zookeeper.enforceQuota": "true"} if kind == "zookeeper" else None
    srv = make_server(extra={"enforceQuota": "true"}, system_props=props)
    srv.start()
    return srv


@pytest.fixture
def raw(server):
    s = RawSession(server.port)
    s.connect(30000)
    yield s
    s.close()


def set_quota(zk, path, limits):
    """What zkCli's setquota leaves: the limits node, then the stats node the server fills."""
    zk.create("/zookeeper/quota" + path + "/zookeeper_limits", limits, makepath=True)
    zk.create("/zookeeper/quota" + path + "/zookeeper_stats", b"count=0,bytes=0")


def stats(zk, path):
    return zk.get("/zookeeper/quota" + path + "/zookeeper_stats")[0]


def create_payload(path, data=b""):
    return jstring(path) + jstring(data) + WORLD_ANYONE + struct.pack(">i", 0)


def test_hard_count_limit_refuses_creates(zk, raw):
    zk.create("/q")
    set_quota(zk, "/q", HARD % (-1, 3))
    assert stats(zk, "/q") == b"count=1,bytes=0"
    assert raw.create("/q/a")[0] == zkwire.ZOK
    assert raw.create("/q/b")[0] == zkwire.ZOK
    assert raw.create("/q/c")[0] == ZQUOTAEXCEEDED
    assert zk.exists("/q/c") is None
    assert raw.create("/elsewhere")[0] == zkwire.ZOK
    assert stats(zk, "/q") == b"count=3,bytes=0"
    # setData leaves the count alone; a delete makes room.
    assert raw.set_data("/q/a", b"grow")[0] == zkwire.ZOK
    zk.delete("/q/b")
    assert raw.create("/q/c")[0] == zkwire.ZOK
    assert raw.create("/q/d")[0] == ZQUOTAEXCEEDED
    assert stats(zk, "/q") == b"count=3,bytes=4"


def test_hard_bytes_limit_refuses_creates_and_set_data(zk, raw):
    zk.create("/q", b"12")
    set_quota(zk, "/q", HARD % (10, -1))
    assert raw.create("/q/a", b"12345")[0] == zkwire.ZOK
    assert raw.create("/q/b", b"1234")[0] == ZQUOTAEXCEEDED
    assert raw.create("/q/b", b"123")[0] == zkwire.ZOK
    assert raw.set_data("/q/b", b"1234")[0] == ZQUOTAEXCEEDED
    assert zk.get("/q/b")[0] == b"123"
    assert raw.set_data("/q/a", b"1234")[0] == zkwire.ZOK  # shrinking is fine
    assert raw.set_data("/q/b", b"1234")[0] == zkwire.ZOK
    assert stats(zk, "/q") == b"count=3,bytes=10"
    assert raw.set_data("/q", b"21")[0] == zkwire.ZOK  # same size
    # The quota is checked before the version.
    assert raw.set_data("/q/a", b"123456789", version=42)[0] == ZQUOTAEXCEEDED
    assert stats(zk, "/q") == b"count=3,bytes=10"


def test_soft_limits_only_warn(zk, raw):
    zk.create("/q")
    set_quota(zk, "/q", b"count=2,bytes=3")
    assert raw.create("/q/a", b"1234")[0] == zkwire.ZOK
    assert raw.create("/q/b")[0] == zkwire.ZOK
    assert raw.set_data("/q/b", b"5678")[0] == zkwire.ZOK
    assert stats(zk, "/q") == b"count=3,bytes=8"


def test_a_refused_op_fails_the_multi(zk, raw):
    zk.create("/q")
    set_quota(zk, "/q", HARD % (-1, 1))
    payload = struct.pack(">i?i", zkwire.OP_SET_DATA, False, -1) + jstring("/q") \
        + jstring(b"") + struct.pack(">i", -1)
    payload += struct.pack(">i?i", zkwire.OP_CREATE, False, -1) + create_payload("/q/x")
    payload += struct.pack(">i?i", -1, True, -1)
    err, _, r = raw.request(OP_MULTI, payload)
    results = []
    while True:
        typ, done, e = r.int(), r.bool(), r.int()
        if done:
            break
        assert typ == -1
        results.append(r.int())
    assert results == [zkwire.ZOK, ZQUOTAEXCEEDED]
    assert err == zkwire.ZOK  # the results say what failed
    assert zk.exists("/q/x") is None
    assert zk.exists("/q").version == 0
    assert stats(zk, "/q") == b"count=1,bytes=0"


def test_pipelined_creates_cannot_both_pass(server, zk, raw):
    zk.create("/q")
    set_quota(zk, "/q", HARD % (-1, 2))
    # Two creates on the wire before either reply: the second must see the first.
    for i, p in enumerate(("/q/a", "/q/b")):
        raw.send_frame(struct.pack(">ii", 100 + i, zkwire.OP_CREATE) + create_payload(p))
    errs = []
    for _ in range(2):
        r = zkwire.Reader(raw.recv_frame())
        r.int(), r.long()
        errs.append(r.int())
    assert errs[0] == zkwire.ZOK
    if server.kind == "graphkeeper":
        # ZooKeeper checks against its applied tree only, so it may let both through.
        assert errs[1] == ZQUOTAEXCEEDED
        assert stats(zk, "/q") == b"count=2,bytes=0"
