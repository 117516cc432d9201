"""kazoo's own client test suite (Debian python3-kazoo 2.8), run UNCHANGED against one server.

kazoo's KazooTestHarness normally starts a 3-node Java ZooKeeper cluster through
kazoo.testing.harness.get_global_cluster(). We replace that function with one that returns a
one-element "cluster" wrapping our own harness Server (GraphKeeper, or real ZooKeeper with
GK_SERVER=zookeeper), so every selected kazoo test connects to that single server.

The server runs with extendedTypesEnabled=true (TTL nodes). Note: kazoo 2.8's suite has no
container/TTL/persistent-watch (add_watch)/whoami/getEphemerals tests -- those APIs arrived in
kazoo 2.9+ -- so those features are covered by our own test files, not by this one.

kazoo's expire_session()/lose_connection() helpers are client-side: they inject a fake
_SESSION_EXPIRED / _CONNECTION_DROP event into the client's connection loop, which then closes
its socket and reconnects (with a new session for "expired"). They need no cluster and work
against one server.

Selection (each exclusion below names its reason):
  test_client.py: TestClientTransitions, TestClientConstructor, TestAuthentication,
                  TestConnection, TestClient, TestClientTransactions, TestSessionCallbacks,
                  TestCallbacks, TestNonChrootClient
  test_cache.py:  KazooTreeCacheTests (TreeCache)
  test_watchers.py: KazooDataWatcherTests, KazooChildrenWatcherTests,
                    KazooPatientChildrenWatcherTests
Excluded single tests: TestClient.test_update_host_list (multi-node),
TestClient.test_request_queuing_session_recovered (flaky against real ZooKeeper) -- see below.
Not selected: test_client.TestReconfig (needs a multi-node cluster with reconfigEnabled and the
super digest), test_sasl/test_security-style SASL/Kerberos tests (need a JAAS/KDC setup).
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402

import kazoo.testing.harness as kazoo_harness  # noqa: E402


class _OneNode:
    """Looks like one kazoo.testing.common.ManagedZooKeeper: .address, .running, run/stop."""

    def __init__(self):
        kind = os.environ.get("GK_SERVER", "graphkeeper")
        if kind == "zookeeper":
            self.server = Server(system_props={"zookeeper.extendedTypesEnabled": "true"})
        else:
            self.server = Server(extra={"extendedTypesEnabled": "true"})

    @property
    def address(self):
        return self.server.hosts

    @property
    def running(self):
        return self.server.proc is not None and self.server.proc.poll() is None

    def run(self):
        if not self.running:
            self.server.start()  # same port and data dir as before

    def stop(self):
        self.server.stop()

    def destroy(self):
        self.server.cleanup()


class _OneNodeCluster(list):
    """Looks like kazoo.testing.common.ZookeeperCluster with a single member."""

    def start(self):
        for s in self:
            s.run()

    def stop(self):
        for s in self:
            s.stop()

    def terminate(self):
        for s in self:
            s.destroy()


_CLUSTER = None


def _get_global_cluster():
    global _CLUSTER
    if _CLUSTER is None:
        _CLUSTER = _OneNodeCluster([_OneNode()])
        _CLUSTER.start()
    return _CLUSTER


# Must happen before any kazoo test runs; KazooTestHarness.cluster looks the name up in
# kazoo.testing.harness at call time, so patching the module attribute is enough.
kazoo_harness.get_global_cluster = _get_global_cluster


@pytest.fixture(scope="module", autouse=True)
def _one_server():
    yield
    global _CLUSTER
    if _CLUSTER is not None:
        _CLUSTER.terminate()
        _CLUSTER = None


# kazoo 2.8's tests import the PyPI `mock` backport and `objgraph`, which the image lacks:
# stand-ins with the same behaviour (unittest.mock is what `mock` backports; objgraph.count
# counts live gc-tracked objects by type name).
try:
    import mock  # noqa: F401
except ImportError:
    import unittest.mock as _mock
    sys.modules["mock"] = _mock
try:
    import objgraph  # noqa: F401
except ImportError:
    import gc
    import types

    def _count(typename, objects=None):
        objs = gc.get_objects() if objects is None else objects
        return sum(1 for o in objs if type(o).__name__ == typename)

    _objgraph = types.ModuleType("objgraph")
    _objgraph.count = _count
    sys.modules["objgraph"] = _objgraph

from kazoo.tests import test_client as _kc  # noqa: E402
from kazoo.tests import test_cache as _kcache  # noqa: E402
from kazoo.tests import test_watchers as _kw  # noqa: E402


def _excluded(reason):
    @pytest.mark.skip(reason=reason)
    def test(self):
        pass
    return test


# ---- test_client.py -------------------------------------------------------------------------
TestClientTransitions = _kc.TestClientTransitions
TestClientConstructor = _kc.TestClientConstructor
TestAuthentication = _kc.TestAuthentication
TestConnection = _kc.TestConnection
TestClientTransactions = _kc.TestClientTransactions
TestSessionCallbacks = _kc.TestSessionCallbacks
TestCallbacks = _kc.TestCallbacks
TestNonChrootClient = _kc.TestNonChrootClient


class TestClient(_kc.TestClient):
    # Needs a 3-node cluster: grows the host list, stops node 0, expects the client to stay
    # connected to another member.
    test_update_host_list = _excluded("needs a multi-node cluster (stops one member)")
    # Restarts the (single) server and wants the old session back within 5 s. Real ZooKeeper
    # fails it intermittently here (3 of 4 runs): the restarted JVM accepts TCP before it serves,
    # the client's connect read times out and the reconnect misses the 5 s window. GraphKeeper
    # passes it, but a test the reference server cannot pass reliably does not belong here.
    test_request_queuing_session_recovered = _excluded(
        "restart timing: flaky against real ZooKeeper 3.8 (reconnect misses the 5 s window)")


# ---- test_cache.py (TreeCache) --------------------------------------------------------------
TestKazooTreeCache = _kcache.KazooTreeCacheTests

# ---- test_watchers.py -----------------------------------------------------------------------
TestKazooDataWatcher = _kw.KazooDataWatcherTests
TestKazooChildrenWatcher = _kw.KazooChildrenWatcherTests
TestKazooPatientChildrenWatcher = _kw.KazooPatientChildrenWatcherTests
