"""The write-ahead log (dataDir/txnlog) brings back what the LMDB store lost.

An OS crash or power loss can undo the store's last commits (it is opened with MDB_NOMETASYNC,
its meta page is flushed one commit late); every acknowledged write is then only in the log.
A real power cut cannot be staged here, so the tests stage the state it leaves: the server is
killed with SIGKILL and data.mdb is replaced by a consistent copy taken earlier (mdb_copy of the
running server, i.e. an older commit), while txnlog/ is kept. The restarted server must replay
the log and show every acknowledged write; garbage after the log's valid end must not matter.
"""
import os
import shutil
import subprocess
import sys

import pytest
from kazoo.client import KazooClient

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("GK_SERVER", "graphkeeper") != "graphkeeper",
                                reason="GraphKeeper's own storage layout")


def client(server):
    zk = KazooClient(hosts=server.hosts, timeout=10.0)
    zk.start(timeout=15)
    return zk


def stop_client(zk):
    try:
        zk.stop()
        zk.close()
    except Exception:
        pass


def old_store_copy(server, dest):
    """A consistent copy of the running server's store as of now (an LMDB read txn)."""
    os.makedirs(dest, exist_ok=True)
    subprocess.run(["mdb_copy", server.data_dir, dest], check=True, timeout=60)


def roll_back_store(server, copy_dir):
    """Stage what an OS crash may leave: the store at an older commit, the log as it is."""
    for name in ("data.mdb", "lock.mdb"):
        p = os.path.join(server.data_dir, name)
        if os.path.exists(p):
            os.remove(p)
    shutil.copy(os.path.join(copy_dir, "data.mdb"), os.path.join(server.data_dir, "data.mdb"))


def segments(server):
    d = os.path.join(server.data_dir, "txnlog")
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.startswith("log.")
                  and f != "log.spare")


def write_load(zk, prefix, n):
    """n creates and n sets, each acknowledged; returns {path: (data, version)}."""
    want = {}
    zk.ensure_path(prefix)
    for i in range(n):
        p = f"{prefix}/n{i}"
        zk.create(p, f"c{i}".encode())
        want[p] = (f"c{i}".encode(), 0)
    for i in range(0, n, 2):
        p = f"{prefix}/n{i}"
        st = zk.set(p, f"s{i}".encode())
        want[p] = (f"s{i}".encode(), st.version)
    return want


def check(zk, want):
    for p, (data, version) in want.items():
        got, st = zk.get(p)
        assert got == data, p
        assert st.version == version, p


def test_log_replays_commits_the_store_lost(tmp_path):
    with Server() as s:
        zk = client(s)
        before = write_load(zk, "/before", 20)
        old_store_copy(s, str(tmp_path / "old"))
        after = write_load(zk, "/after", 60)  # only in the log once the store is rolled back
        zk.delete("/before/n1")
        del before["/before/n1"]
        stop_client(zk)
        s.kill()
        roll_back_store(s, str(tmp_path / "old"))
        s.start()
        assert "replayed" in s.log_tail(200)
        zk = client(s)
        try:
            check(zk, before)
            check(zk, after)
            assert not zk.exists("/before/n1")
            assert len(zk.get_children("/after")) == 60
            zk.create("/after/new", b"x")  # zxids continue above the replayed ones
        finally:
            stop_client(zk)
        # Replayed writes were checkpointed into the store: a clean restart needs no replay.
        s.stop()
        s.start()
        zk = client(s)
        try:
            check(zk, after)
            assert zk.get("/after/new")[0] == b"x"
        finally:
            stop_client(zk)


def test_garbage_after_the_logs_end_is_ignored(tmp_path):
    with Server() as s:
        zk = client(s)
        want = write_load(zk, "/w", 30)
        old_store_copy(s, str(tmp_path / "old"))
        want.update(write_load(zk, "/x", 10))
        stop_client(zk)
        s.kill()
        # A torn write: bytes after the last valid record of the active segment.
        seg = segments(s)[-1]
        with open(seg, "r+b") as f:
            data = f.read()
            end = len(data.rstrip(b"\0"))
            f.seek(end + 512)  # clear of the last record even if its payload ends in zeros
            f.write(os.urandom(300))
        roll_back_store(s, str(tmp_path / "old"))
        s.start()
        zk = client(s)
        try:
            check(zk, want)
            extra = write_load(zk, "/y", 5)  # appended over the garbage
        finally:
            stop_client(zk)
        s.kill()
        s.start()
        zk = client(s)
        try:
            check(zk, want)
            check(zk, extra)
        finally:
            stop_client(zk)
