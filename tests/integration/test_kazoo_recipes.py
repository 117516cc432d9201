"""kazoo's recipes (locks, election, barriers, queues, counter) between several clients. They
combine sequential ephemerals, child/exists watches and conditional writes the way applications
do. Every wait is bounded; helper threads are daemons joined with a timeout.
"""
import threading

import pytest
from kazoo.exceptions import LockTimeout

WAIT = 15.0


def run(target, *args):
    t = threading.Thread(target=target, args=args, daemon=True)
    t.start()
    return t


def children_reach(zk, path, n):
    """An Event set once `path` has at least n children (watched, not polled)."""
    ev = threading.Event()
    zk.ensure_path(path)

    def watch(children):
        if len(children) >= n:
            ev.set()
            return False  # stop watching
        return True

    zk.ChildrenWatch(path, watch)
    return ev


def test_lock_contention(server, make_client):
    a, b, obs = make_client(server), make_client(server), make_client(server)
    lock_a = a.Lock("/lock", "a")
    lock_b = b.Lock("/lock", "b")
    assert lock_a.acquire(timeout=WAIT)
    got_b = threading.Event()
    done_b = threading.Event()

    def contend():
        if lock_b.acquire(timeout=WAIT):
            got_b.set()
        done_b.set()

    queued = children_reach(obs, "/lock", 2)
    t = run(contend)
    assert queued.wait(WAIT), "second contender never queued"
    assert not got_b.is_set()
    assert lock_a.contenders() == ["a", "b"]
    assert not b.Lock("/lock", "c").acquire(blocking=False)
    with pytest.raises(LockTimeout):
        b.Lock("/lock", "d").acquire(timeout=0.5)

    lock_a.release()
    assert got_b.wait(WAIT), "waiting contender did not get the released lock"
    assert lock_b.is_acquired and not lock_a.is_acquired
    assert lock_b.contenders() == ["b"]
    lock_b.release()
    t.join(WAIT)
    assert done_b.is_set()
    assert obs.get_children("/lock") == []


def test_lock_passes_on_when_holder_session_ends(server, make_client):
    a, b = make_client(server), make_client(server)
    assert a.Lock("/lk", "a").acquire(timeout=WAIT)
    got = threading.Event()
    lock_b = b.Lock("/lk", "b")
    queued = children_reach(b, "/lk", 2)
    run(lambda: lock_b.acquire(timeout=WAIT) and got.set())
    assert queued.wait(WAIT)
    a.stop()  # the holder's ephemeral goes with its session
    assert got.wait(WAIT)
    lock_b.release()


def test_election(server, make_client):
    c1, c2 = make_client(server), make_client(server)
    e1, e2 = c1.Election("/election", "one"), c2.Election("/election", "two")
    leader_events = {"one": threading.Event(), "two": threading.Event()}
    resign = {"one": threading.Event(), "two": threading.Event()}

    def lead(name):
        leader_events[name].set()
        resign[name].wait(WAIT)

    t1 = run(e1.run, lead, "one")
    assert leader_events["one"].wait(WAIT)
    queued = children_reach(c2, "/election", 2)
    t2 = run(e2.run, lead, "two")
    assert queued.wait(WAIT)
    assert e2.contenders() == ["one", "two"]
    assert not leader_events["two"].is_set()
    resign["one"].set()
    assert leader_events["two"].wait(WAIT), "second candidate was not elected"
    resign["two"].set()
    t1.join(WAIT)
    t2.join(WAIT)
    assert not t1.is_alive() and not t2.is_alive()


def test_barrier(server, make_client):
    a, b = make_client(server), make_client(server)
    barrier_a = a.Barrier("/barrier")
    barrier_b = b.Barrier("/barrier")
    barrier_a.create()
    assert not barrier_b.wait(0.3)  # still up
    passed = threading.Event()
    t = run(lambda: barrier_b.wait(WAIT) and passed.set())
    assert not passed.wait(0.3)
    barrier_a.remove()
    assert passed.wait(WAIT)
    t.join(WAIT)
    assert barrier_b.wait(1)  # no barrier: passes at once


def test_double_barrier(server, make_client):
    clients = [make_client(server) for _ in range(3)]
    barriers = [c.DoubleBarrier("/db", 3, identifier=f"c{i}") for i, c in enumerate(clients)]
    entered = [threading.Event() for _ in barriers]
    left = [threading.Event() for _ in barriers]
    go_leave = threading.Event()

    def member(i):
        barriers[i].enter()
        entered[i].set()
        go_leave.wait(WAIT)
        barriers[i].leave()
        left[i].set()

    threads = [run(member, 0), run(member, 1)]
    # two of three: nobody gets through yet (enter waits for /db/ready)
    ready_watch = threading.Event()
    clients[2].exists("/db/ready", watch=lambda e: ready_watch.set())
    assert not any(e.wait(0.3) for e in entered[:2])
    threads.append(run(member, 2))
    assert ready_watch.wait(WAIT)
    assert all(e.wait(WAIT) for e in entered)
    go_leave.set()
    assert all(e.wait(WAIT) for e in left)
    for t in threads:
        t.join(WAIT)
    assert clients[0].get_children("/db") == []


def test_queue(server, make_client):
    a, b = make_client(server), make_client(server)
    qa, qb = a.Queue("/queue"), b.Queue("/queue")
    for i in range(5):
        qa.put(f"item{i}".encode())
    qa.put(b"urgent", priority=1)
    assert len(qb) == 6
    assert qb.get() == b"urgent"
    assert [qb.get() for _ in range(5)] == [f"item{i}".encode() for i in range(5)]
    assert qb.get() is None
    assert len(qa) == 0


def test_locking_queue(server, make_client):
    a, b = make_client(server), make_client(server)
    qa, qb = a.LockingQueue("/lq"), b.LockingQueue("/lq")
    qa.put(b"one")
    qa.put_all([b"two", b"three"])
    assert len(qb) == 3
    assert qb.get(timeout=WAIT) == b"one"
    # the item is locked by b until consumed: a gets the next one
    assert qa.get(timeout=WAIT) == b"two"
    assert qb.consume() and qa.consume()
    assert qb.get(timeout=WAIT) == b"three"
    assert qb.release()  # put back
    assert qa.get(timeout=WAIT) == b"three"
    assert qa.consume()
    assert len(qb) == 0
    assert qb.get(timeout=0.2) is None

    # a waiting consumer gets an item put later
    got = []
    done = threading.Event()
    t = run(lambda: (got.append(qb.get(timeout=WAIT)), done.set()))
    qa.put(b"late")
    assert done.wait(WAIT)
    assert got == [b"late"]
    assert qb.consume()
    t.join(WAIT)


def test_counter_concurrent_increments(server, make_client):
    clients = [make_client(server) for _ in range(3)]
    per_client = 40
    errors = []

    def bump(c):
        counter = c.Counter("/counter")
        try:
            for _ in range(per_client):
                counter += 1
        except Exception as e:  # reported below
            errors.append(e)

    threads = [run(bump, c) for c in clients]
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert clients[0].Counter("/counter").value == 3 * per_client
    c = clients[1].Counter("/counter")
    c -= 20
    assert c.value == 3 * per_client - 20
    # the counter's znode was only ever changed with conditional sets
    assert clients[0].exists("/counter").version == 3 * per_client + 1


def test_semaphore_and_party(server, make_client):
    a, b, c = make_client(server), make_client(server), make_client(server)
    sa = a.Semaphore("/sem", max_leases=2, identifier="a")
    sb = b.Semaphore("/sem", max_leases=2, identifier="b")
    sc = c.Semaphore("/sem", max_leases=2, identifier="c")
    assert sa.acquire(timeout=WAIT) and sb.acquire(timeout=WAIT)
    assert not sc.acquire(blocking=False)
    assert sorted(sa.lease_holders()) == ["a", "b"]
    sa.release()
    assert sc.acquire(timeout=WAIT)
    assert sorted(sb.lease_holders()) == ["b", "c"]
    sb.release()
    sc.release()

    pa, pb = a.Party("/party", "a"), b.Party("/party", "b")
    pa.join()
    pb.join()
    assert sorted(c.Party("/party")) == ["a", "b"]
    b.stop()  # b's membership is ephemeral
    assert list(c.Party("/party")) == ["a"]
    pa.leave()
    assert len(c.Party("/party")) == 0
