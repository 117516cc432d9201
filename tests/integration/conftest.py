import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402


def pytest_configure(config):
    # kazoo 2.8's recipes call threading.Event.isSet(): noise, not a finding
    config.addinivalue_line("filterwarnings", "ignore:isSet\\(\\) is deprecated:DeprecationWarning")


@pytest.fixture
def server():
    """A fresh server on a free loopback port, ended after the test."""
    s = Server()
    s.start()
    yield s
    s.cleanup()


@pytest.fixture
def make_server():
    """Builds servers with custom zoo.cfg lines; all are ended after the test."""
    made = []

    def make(**kwargs):
        s = Server(**kwargs)
        made.append(s)
        return s

    yield make
    for s in made:
        s.cleanup()


@pytest.fixture
def make_client():
    """Builds started kazoo clients (`make_client(server, **KazooClient kwargs)`); all are stopped
    and closed after the test. Connecting is bounded by `start_timeout` (default 15 s)."""
    from kazoo.client import KazooClient

    made = []

    def make(srv, start_timeout=15.0, **kwargs):
        kwargs.setdefault("timeout", 10.0)
        zk = KazooClient(hosts=srv.hosts, **kwargs)
        made.append(zk)
        zk.start(timeout=start_timeout)
        return zk

    yield make
    for zk in made:
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass


@pytest.fixture
def zk(server, make_client):
    """One kazoo client connected to the `server` fixture."""
    return make_client(server)


@pytest.fixture
def make_proxy():
    """Builds TcpProxy objects (`make_proxy(server)`) in front of a server; closed after the test."""
    from harness import TcpProxy

    made = []

    def make(srv):
        p = TcpProxy(srv.port)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
