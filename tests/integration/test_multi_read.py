"""multiRead (opcode 22): getData and getChildren ops answered one by one, not atomically; a
failed op is an error result and the others still run. As on ZooKeeper 3.8, the ops' watch flags
are ignored (its Op.GetData/GetChildren carry none) and a write op inside is answered with
MARSHALLINGERROR on a connection that stays open. The same test runs against Apache ZooKeeper
3.8 (GK_SERVER=zookeeper)."""
import struct

import pytest

from zkwire import Closed, RawSession, jstring

OP_GET_DATA, OP_GET_CHILDREN, OP_MULTI_READ, OP_SET_DATA = 4, 8, 22, 5
ZNONODE = -101


def multi_read(s, ops):
    body = b""
    for op, path, watch in ops:
        body += struct.pack(">i?i", op, False, -1) + jstring(path.encode()) + struct.pack(">?", watch)
    body += struct.pack(">i?i", -1, True, -1)
    err, _zxid, r = s.request(OP_MULTI_READ, body)
    assert err == 0
    results = []
    while True:
        op, done, e = r.int(), r.bool(), r.int()
        if done:
            break
        if op == -1:
            results.append(("error", r.int()))
        elif op == OP_GET_DATA:
            data = r.buffer()
            stat = r.stat()
            results.append(("data", data, stat))
        elif op == OP_GET_CHILDREN:
            n = r.int()
            results.append(("children", sorted(r.string() for _ in range(n))))
        else:
            raise AssertionError(f"unexpected result type {op}")
    return results


@pytest.fixture
def session(server, zk):
    zk.create("/mr/a", b"alpha", makepath=True)
    zk.create("/mr/b", b"")
    s = RawSession(server.port)
    s.connect(10000)
    yield s
    s.close()


def test_results_in_order_with_errors_in_place(session):
    res = multi_read(session, [(OP_GET_DATA, "/mr/a", False), (OP_GET_CHILDREN, "/mr", False),
                               (OP_GET_DATA, "/mr/missing", False), (OP_GET_CHILDREN, "/nope", False),
                               (OP_GET_DATA, "/mr/b", False)])
    assert res[0][0] == "data" and res[0][1] == b"alpha" and res[0][2][8] == 5  # dataLength
    assert res[1] == ("children", ["a", "b"])
    assert res[2] == ("error", ZNONODE)
    assert res[3] == ("error", ZNONODE)
    assert res[4][0] == "data" and res[4][1] == b""


def test_watch_flags_are_ignored(session, zk):
    multi_read(session, [(OP_GET_DATA, "/mr/a", True), (OP_GET_CHILDREN, "/mr", True)])
    zk.set("/mr/a", b"changed")
    zk.create("/mr/c")
    # An event would reach this connection before the reply to any later request.
    assert session.exists("/mr/a")[0] == 0
    assert session.events == []


def test_write_op_inside_multi_read_is_a_marshalling_error(session):
    body = (struct.pack(">i?i", OP_SET_DATA, False, -1) + jstring(b"/mr/a") + jstring(b"x")
            + struct.pack(">i", -1) + struct.pack(">i?i", -1, True, -1))
    err, _zxid, _r = session.request(OP_MULTI_READ, body)
    assert err == -5  # MARSHALLINGERROR
    assert session.exists("/mr/a")[0] == 0  # the connection goes on
    assert multi_read(session, [(OP_GET_DATA, "/mr/a", False)])[0][1] == b"alpha"
