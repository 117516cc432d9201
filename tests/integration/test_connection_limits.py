"""What the client port does with too many connections, a client from the future, and bad
frames: each is refused on that connection alone, and the server goes on serving the others.
Checked against Apache ZooKeeper 3.8 too (GK_SERVER=zookeeper)."""
import socket
import struct

from zkwire import Closed, RawSession


def open_session(port, source=None):
    s = RawSession(port, source=source)
    s.connect(10000)
    return s


def test_max_client_cnxns_per_ip(make_server):
    server = make_server(extra={"maxClientCnxns": "3", "clientPortAddress": None})
    server.start()
    kept = [open_session(server.port) for _ in range(3)]
    extra = RawSession(server.port)
    try:
        with __import__("pytest").raises((Closed, ConnectionResetError, socket.timeout, OSError)):
            extra.connect(10000)
    finally:
        extra.close()
    # another client address has its own allowance
    other = open_session(server.port, source="127.0.0.2")
    assert other.exists("/zookeeper")[0] == 0
    # the three kept sessions still work; closing one frees a slot
    for s in kept:
        assert s.exists("/zookeeper")[0] == 0
    kept[0].close_session()
    kept[0].close()
    again = open_session(server.port)
    assert again.exists("/zookeeper")[0] == 0
    for s in kept[1:] + [other, again]:
        s.close()


def test_client_that_has_seen_a_newer_zxid_is_refused(server):
    s = RawSession(server.port)
    with __import__("pytest").raises((Closed, ConnectionResetError)):
        s.connect(10000, last_zxid=1 << 40)
    s.close()
    fine = open_session(server.port)
    assert fine.exists("/zookeeper")[0] == 0
    fine.close()


def test_oversized_and_negative_frames_close_only_that_connection(server):
    bystander = open_session(server.port)
    for length in (0x100000, -5):
        s = open_session(server.port)
        s.sock.sendall(struct.pack(">i", length) + b"x" * 16)
        assert s.wait_closed()
        s.close()
    assert bystander.exists("/zookeeper")[0] == 0
    bystander.close()


def test_unknown_first_bytes_close_the_connection(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(b"zzzz")  # neither a known four-letter word nor a sane length
    s.settimeout(5)
    try:
        assert s.recv(100) == b""
    except ConnectionResetError:
        pass
    s.close()
    fine = open_session(server.port)
    assert fine.exists("/zookeeper")[0] == 0
    fine.close()
