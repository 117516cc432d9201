"""Standard (one-shot) watches: event types and paths through kazoo, delivery order and
re-registration after a reconnect (setWatches) over the raw protocol.

kazoo 2.8 does not re-register watches after a reconnect (it fires every watcher with a NONE
event and forgets them), so the setWatches checks drive the protocol directly; test_c_client.py
checks the same with the official C client, which does re-register.
"""
import queue
import threading

from kazoo.protocol.states import EventType, KazooState

import zkwire


class Recorder:
    """A kazoo watch callback that queues the events it gets."""

    def __init__(self):
        self.q = queue.Queue()

    def __call__(self, event):
        self.q.put(event)

    def get(self, timeout=10.0):
        return self.q.get(timeout=timeout)

    def empty(self):
        return self.q.empty()


def flush(zk, other, tag):
    """Makes sure all watch events a change before this call triggered for `zk` have been
    delivered: events reach a client in order, so once a fresh watch fires, everything
    earlier did too."""
    path = f"/flush-{tag}"
    rec = Recorder()
    other.create(path)
    zk.exists(path, watch=rec)
    other.delete(path)
    ev = rec.get()
    assert (ev.type, ev.path) == (EventType.DELETED, path)


def test_data_watch_fires_once(server, make_client):
    zk = make_client(server)
    other = make_client(server)
    zk.create("/w", b"0")
    rec = Recorder()
    data, _ = zk.get("/w", watch=rec)
    assert data == b"0"
    other.set("/w", b"1")
    ev = rec.get()
    assert (ev.type, ev.path, ev.state) == (EventType.CHANGED, "/w", KazooState.CONNECTED)
    other.set("/w", b"2")  # the watch is gone: no second event
    other.delete("/w")
    flush(zk, other, "a")
    assert rec.empty()


def test_data_watch_sees_delete_and_own_changes(server, make_client):
    zk = make_client(server)
    zk.create("/w")
    rec = Recorder()
    zk.get("/w", watch=rec)
    zk.delete("/w")  # a client's own change fires its watch too
    ev = rec.get()
    assert (ev.type, ev.path) == (EventType.DELETED, "/w")


def test_exists_watch_on_missing_node_fires_created(server, make_client):
    zk = make_client(server)
    other = make_client(server)
    rec = Recorder()
    assert zk.exists("/later", watch=rec) is None
    other.create("/later", b"x")
    ev = rec.get()
    assert (ev.type, ev.path) == (EventType.CREATED, "/later")

    rec2 = Recorder()
    assert zk.exists("/later", watch=rec2) is not None
    other.set("/later", b"y")
    ev = rec2.get()
    assert (ev.type, ev.path) == (EventType.CHANGED, "/later")

    rec3 = Recorder()
    zk.exists("/later", watch=rec3)
    other.delete("/later")
    ev = rec3.get()
    assert (ev.type, ev.path) == (EventType.DELETED, "/later")
    flush(zk, other, "b")
    assert rec.empty() and rec2.empty() and rec3.empty()


def test_child_watch(server, make_client):
    zk = make_client(server)
    other = make_client(server)
    zk.create("/p")
    zk.create("/p/a")

    rec = Recorder()
    assert zk.get_children("/p", watch=rec) == ["a"]
    other.set("/p/a", b"data")  # a child's data is not the child list
    other.set("/p", b"data")  # nor is the node's own data
    other.create("/p/b")
    ev = rec.get()
    assert (ev.type, ev.path) == (EventType.CHILD, "/p")
    other.create("/p/c")  # one-shot
    flush(zk, other, "c")
    assert rec.empty()

    rec2 = Recorder()
    assert sorted(zk.get_children("/p", watch=rec2)) == ["a", "b", "c"]
    other.delete("/p/b")
    ev = rec2.get()
    assert (ev.type, ev.path) == (EventType.CHILD, "/p")

    # a child watch on a node that is deleted fires NodeDeleted
    rec3 = Recorder()
    zk.create("/q")
    zk.get_children("/q", watch=rec3)
    other.delete("/q")
    ev = rec3.get()
    assert (ev.type, ev.path) == (EventType.DELETED, "/q")


def test_data_and_child_watch_on_same_node_both_fire_on_delete(server, make_client):
    zk = make_client(server)
    other = make_client(server)
    zk.create("/n")
    data_rec, child_rec = Recorder(), Recorder()
    zk.get("/n", watch=data_rec)
    zk.get_children("/n", watch=child_rec)
    other.delete("/n")
    assert (data_rec.get().type, child_rec.get().type) == (EventType.DELETED, EventType.DELETED)


def test_ephemeral_delete_on_close_fires_parent_child_watch(server, make_client):
    zk = make_client(server)
    owner = make_client(server)
    zk.create("/members")
    owner.create("/members/m1", ephemeral=True)
    rec = Recorder()
    assert zk.get_children("/members", watch=rec) == ["m1"]
    owner.stop()
    ev = rec.get()
    assert (ev.type, ev.path) == (EventType.CHILD, "/members")
    assert zk.get_children("/members") == []


def test_watch_event_arrives_before_new_data(server, zk):
    # Raw protocol: the notification must be on the wire before the reply to a read that
    # already sees the change.
    zk.create("/order", b"old")
    with zkwire.RawSession(server.port) as s:
        s.connect(10000)
        err, data, _ = s.get_data("/order", watch=True)
        assert (err, data) == (0, b"old")
        zk.set("/order", b"new")
        for _ in range(200):  # reads until the new value shows (bounded)
            err, data, _ = s.get_data("/order")
            if data == b"new":
                break
        assert data == b"new"
        # the event was received before (or with) the reply that showed the new data
        assert s.events[:1] == [(zkwire.EV_NODE_DATA_CHANGED, 3, "/order")]
        s.close_session()


def test_watches_survive_reconnect_via_set_watches(server, zk):
    for p in ("/sw", "/sw/data", "/sw/gone", "/sw/kids", "/sw/quiet"):
        zk.create(p)
    s = zkwire.RawSession(server.port)
    try:
        _, _, sid, pw = s.connect(10000)
        assert s.get_data("/sw/data", watch=True)[0] == 0
        assert s.get_data("/sw/gone", watch=True)[0] == 0
        assert s.get_data("/sw/quiet", watch=True)[0] == 0
        assert s.exists("/sw/new", watch=True)[0] == zkwire.ZNONODE
        assert s.get_children("/sw/kids", watch=True)[0] == 0
        last = s.last_zxid
        assert last > 0
        s.close()  # drop the TCP connection only; the session lives on

        # changes made while the client is away
        zk.set("/sw/data", b"changed")
        zk.delete("/sw/gone")
        zk.create("/sw/new")
        zk.create("/sw/kids/k")

        s = zkwire.RawSession(server.port)
        _, to, sid2, _ = s.connect(10000, session_id=sid, passwd=pw, last_zxid=last)
        assert (sid2, to) == (sid, 10000)
        assert s.set_watches(last, data=["/sw/data", "/sw/gone", "/sw/quiet"],
                             exist=["/sw/new"], child=["/sw/kids"]) == 0
        got = {s.next_event(10) for _ in range(4)}
        assert got == {(zkwire.EV_NODE_DATA_CHANGED, 3, "/sw/data"),
                       (zkwire.EV_NODE_DELETED, 3, "/sw/gone"),
                       (zkwire.EV_NODE_CREATED, 3, "/sw/new"),
                       (zkwire.EV_NODE_CHILDREN_CHANGED, 3, "/sw/kids")}
        # the untouched watch was re-registered and fires on the next change
        zk.set("/sw/quiet", b"now")
        assert s.next_event(10) == (zkwire.EV_NODE_DATA_CHANGED, 3, "/sw/quiet")
        s.close_session()
    finally:
        s.close()


def test_kazoo_reports_watchers_on_connection_loss(server, make_client):
    """What kazoo does on a dropped connection: its watchers get a NONE event and the session
    survives (the client reconnects with the same session id)."""
    zk = make_client(server)
    zk.create("/k")
    rec = Recorder()
    zk.get("/k", watch=rec)
    sid = zk.client_id[0]
    reconnected = threading.Event()
    states = []

    def listener(state):
        states.append(state)
        if state == KazooState.CONNECTED:
            reconnected.set()

    zk.add_listener(listener)
    # Drop the client's TCP connection by having the server close it: a request larger than
    # jute.maxbuffer does that (see test_kazoo_basic).
    try:
        zk.set("/k", b"x" * (0xFFFFF + 1))
    except Exception:
        pass
    ev = rec.get()
    assert ev.type == EventType.NONE
    assert reconnected.wait(15), states
    assert zk.client_id[0] == sid
    assert zk.get("/k")[0] == b""
