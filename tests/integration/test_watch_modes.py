"""Persistent and persistent-recursive watches (addWatch), checkWatches and removeWatches, and
setWatches2 after a reconnect, over the raw protocol (kazoo 2.8 has no addWatch).

Every expectation here was seen on ZooKeeper 3.8.0 (GK_SERVER=zookeeper). Events caused by
another client's writes reach a watcher before the reply to any request it sends after those
writes returned, so `settle()` (a read by the watcher) collects them without sleeping.
"""
import struct

import pytest

import zkwire
from zkwire import RawSession, jstring, jvector, WORLD_ANYONE

OP_CHECK_WATCHES, OP_REMOVE_WATCHES, OP_SET_WATCHES2, OP_ADD_WATCH = 17, 18, 105, 106
PERSISTENT, PERSISTENT_RECURSIVE = 0, 1
CHILDREN, DATA, ANY = 1, 2, 3  # Watcher.WatcherType
ZNOWATCHER, ZMARSHALLINGERROR = -121, -5
CREATED, DELETED, CHANGED, CHILDREN_CHANGED = 1, 2, 3, 4
CONNECTED = 3


def session(server):
    s = RawSession(server.port)
    s.connect(30000)
    return s


def create(s, path, data=b""):
    err, _ = s.create(path, data)
    assert err == zkwire.ZOK, (path, err)


def delete(s, path):
    err, _, _ = s.request(zkwire.OP_DELETE, jstring(path) + struct.pack(">i", -1))
    assert err == zkwire.ZOK, (path, err)


def set_data(s, path, data):
    err, _ = s.set_data(path, data)
    assert err == zkwire.ZOK, (path, err)


def add_watch(s, path, mode):
    """Returns (err, the int the reply carries or None)."""
    err, _, r = s.request(OP_ADD_WATCH, jstring(path) + struct.pack(">i", mode))
    return err, (r.int() if r.remaining() >= 4 else None)


def check_watches(s, path, typ):
    err, _, r = s.request(OP_CHECK_WATCHES, jstring(path) + struct.pack(">i", typ))
    assert r.remaining() == 0
    return err


def remove_watches(s, path, typ):
    err, _, r = s.request(OP_REMOVE_WATCHES, jstring(path) + struct.pack(">i", typ))
    assert r.remaining() == 0
    return err


def settle(s):
    """The events that reached `s` so far, as (type, path)."""
    assert s.ping() == zkwire.ZOK
    events = [(t, p) for t, state, p in s.events]
    assert all(state == CONNECTED for _, state, _ in s.events)
    s.events.clear()
    return events


@pytest.fixture
def pair(server):
    a, b = session(server), session(server)
    yield a, b
    a.close()
    b.close()


def test_add_watch_reply_and_persistent_events(pair):
    a, b = pair
    assert add_watch(a, "/p", PERSISTENT) == (0, 0)  # an ErrorResponse of 0
    create(b, "/p", b"1")
    set_data(b, "/p", b"2")
    create(b, "/p/c")
    set_data(b, "/p/c", b"x")  # not recursive: nothing
    create(b, "/p/c/d")
    delete(b, "/p/c/d")
    delete(b, "/p/c")
    delete(b, "/p")
    create(b, "/p")  # the watch outlived the node
    assert settle(a) == [(CREATED, "/p"), (CHANGED, "/p"), (CHILDREN_CHANGED, "/p"),
                         (CHILDREN_CHANGED, "/p"), (DELETED, "/p"), (CREATED, "/p")]


def test_recursive_watch_sees_the_subtree_but_not_children_changed(pair):
    a, b = pair
    assert add_watch(a, "/r", PERSISTENT_RECURSIVE) == (0, 0)
    create(b, "/r")
    create(b, "/r/a")
    set_data(b, "/r/a", b"x")
    create(b, "/r/a/b")
    delete(b, "/r/a/b")
    set_data(b, "/r", b"y")
    create(b, "/rx")  # a sibling whose name starts alike
    create(b, "/rx/y")
    assert settle(a) == [(CREATED, "/r"), (CREATED, "/r/a"), (CHANGED, "/r/a"),
                         (CREATED, "/r/a/b"), (DELETED, "/r/a/b"), (CHANGED, "/r")]


def test_one_event_per_watcher_when_watches_overlap(pair):
    a, b = pair
    create(b, "/x")
    create(b, "/r")
    create(b, "/r/a")
    assert add_watch(a, "/x", PERSISTENT) == (0, 0)
    assert a.get_data("/x", watch=True)[0] == 0
    set_data(b, "/x", b"1")
    assert settle(a) == [(CHANGED, "/x")]  # a standard and a persistent watch: one event

    assert add_watch(a, "/r", PERSISTENT_RECURSIVE) == (0, 0)
    assert a.get_data("/r/a", watch=True)[0] == 0
    assert a.exists("/r/a/q", watch=True)[0] == zkwire.ZNONODE
    set_data(b, "/r/a", b"z")
    create(b, "/r/a/q")
    assert settle(a) == [(CHANGED, "/r/a"), (CREATED, "/r/a/q")]
    set_data(b, "/r/a", b"w")  # the standard watch is used up, the recursive one stays
    assert settle(a) == [(CHANGED, "/r/a")]
    delete(b, "/r/a/q")  # a data and a child entry of the recursive watch: one event
    assert settle(a) == [(DELETED, "/r/a/q")]


def test_check_and_remove_watches(pair):
    a, b = pair
    create(b, "/w")
    for typ in (CHILDREN, DATA, ANY):
        assert check_watches(a, "/w", typ) == ZNOWATCHER
        assert remove_watches(a, "/w", typ) == ZNOWATCHER
    assert a.get_data("/w", watch=True)[0] == 0
    assert check_watches(a, "/w", ANY) == 0
    assert check_watches(a, "/w", DATA) == 0
    assert check_watches(a, "/w", CHILDREN) == ZNOWATCHER
    assert remove_watches(a, "/w", CHILDREN) == ZNOWATCHER
    assert remove_watches(a, "/w", DATA) == 0
    assert remove_watches(a, "/w", DATA) == ZNOWATCHER  # the connection stays
    set_data(b, "/w", b"q")
    # The server sends nothing: DataWatchRemoved/ChildWatchRemoved come from the client
    # library, and the removed watch does not fire.
    assert settle(a) == []

    assert a.get_children("/w", watch=True)[0] == 0
    assert a.get_data("/w", watch=True)[0] == 0
    assert remove_watches(a, "/w", ANY) == 0
    assert check_watches(a, "/w", ANY) == ZNOWATCHER
    create(b, "/w/k")
    delete(b, "/w/k")
    delete(b, "/w")
    assert settle(a) == []

    # A recursive watch is found at its own path, not at the paths below it.
    assert add_watch(a, "/r", PERSISTENT_RECURSIVE) == (0, 0)
    create(b, "/r")
    create(b, "/r/s")
    assert check_watches(a, "/r", ANY) == 0
    assert check_watches(a, "/r/s", DATA) == ZNOWATCHER
    assert check_watches(a, "/r/s", ANY) == ZNOWATCHER
    assert settle(a) == [(CREATED, "/r"), (CREATED, "/r/s")]
    assert remove_watches(a, "/r", ANY) == 0
    create(b, "/r/s2")
    assert settle(a) == []


def test_removing_the_data_part_of_a_persistent_watch_keeps_its_child_part(pair):
    a, b = pair
    assert add_watch(a, "/pp", PERSISTENT) == (0, 0)
    create(b, "/pp")
    assert settle(a) == [(CREATED, "/pp")]
    assert remove_watches(a, "/pp", DATA) == 0
    set_data(b, "/pp", b"1")
    create(b, "/pp/k")
    delete(b, "/pp/k")
    delete(b, "/pp")
    assert settle(a) == [(CHILDREN_CHANGED, "/pp"), (CHILDREN_CHANGED, "/pp"), (DELETED, "/pp")]
    assert remove_watches(a, "/pp", CHILDREN) == 0
    assert check_watches(a, "/pp", ANY) == ZNOWATCHER


def test_bad_modes_and_types_answer_marshalling_error(pair):
    a, b = pair
    assert add_watch(a, "/z", 2) == (ZMARSHALLINGERROR, None)
    assert a.ping() == 0  # the connection stays
    assert check_watches(a, "/z", 7) == ZMARSHALLINGERROR
    assert remove_watches(a, "/z", 0) == ZMARSHALLINGERROR
    assert a.ping() == 0
    create(b, "/z")
    assert settle(a) == []


def test_set_watches2_restores_persistent_watches(server):
    b = session(server)
    a = RawSession(server.port)
    _, _, sid, pw = a.connect(30000)
    create(b, "/p")
    create(b, "/r")
    assert add_watch(a, "/p", PERSISTENT) == (0, 0)
    assert add_watch(a, "/r", PERSISTENT_RECURSIVE) == (0, 0)
    a.exists("/")
    seen = a.last_zxid
    a.close()  # the connection, not the session: its watches go with it
    create(b, "/p/c")
    create(b, "/r/x")
    set_data(b, "/p", b"1")

    a = RawSession(server.port)
    a.connect(30000, session_id=sid, passwd=pw, last_zxid=seen)
    payload = (struct.pack(">q", seen) + jvector([]) + jvector([]) + jvector([])
               + jvector(["/p"]) + jvector(["/r"]))
    err, _, r = a.request(OP_SET_WATCHES2, payload, xid=zkwire.XID_SET_WATCHES)
    assert (err, r.remaining()) == (0, 0)
    # No catch-up events for persistent watches: they are simply back.
    assert settle(a) == []
    create(b, "/p/d")
    set_data(b, "/r/x", b"2")
    create(b, "/r/x/y")
    set_data(b, "/p", b"3")
    assert settle(a) == [(CHILDREN_CHANGED, "/p"), (CHANGED, "/r/x"), (CREATED, "/r/x/y"),
                         (CHANGED, "/p")]
    assert check_watches(a, "/p", ANY) == 0
    assert remove_watches(a, "/r", ANY) == 0
    set_data(b, "/r/x", b"9")
    assert settle(a) == []
    a.close()
    b.close()


def test_watches_go_with_the_connection(server):
    b = session(server)
    a = session(server)
    assert add_watch(a, "/", PERSISTENT_RECURSIVE) == (0, 0)
    create(b, "/gone")
    assert settle(a) == [(CREATED, "/gone")]
    a.close()
    c = session(server)
    create(b, "/gone/x")
    assert settle(c) == []
    c.close()
    b.close()
