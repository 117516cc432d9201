"""A minimal ZooKeeper wire-protocol client for the few things kazoo cannot show: the raw
ConnectResponse (negotiated timeout, what an unknown session gets), setWatches after a reconnect,
and requests of an exact size. Speaks jute over one blocking socket; every read has a timeout.

Layouts from ZooKeeper's zookeeper.jute: every frame is a 4-byte big-endian length and a body.
Request body: xid int, type int, payload. Reply body: xid int, zxid long, err int, payload.
A watch notification is a reply with xid -1 carrying WatcherEvent(type int, state int, path).
"""
import socket
import struct
import time

# OpCodes (ZooDefs.OpCode)
OP_CREATE, OP_DELETE, OP_EXISTS, OP_GET_DATA, OP_SET_DATA = 1, 2, 3, 4, 5
OP_GET_CHILDREN, OP_PING, OP_GET_CHILDREN2 = 8, 11, 12
OP_SET_WATCHES, OP_CLOSE = 101, -11

# Special xids used by the Java and C clients
XID_NOTIFICATION, XID_PING, XID_SET_WATCHES = -1, -2, -8

# Watcher.Event.EventType
EV_NODE_CREATED, EV_NODE_DELETED, EV_NODE_DATA_CHANGED, EV_NODE_CHILDREN_CHANGED = 1, 2, 3, 4

# Error codes (KeeperException.Code)
ZOK, ZNONODE, ZNODEEXISTS = 0, -101, -110

STAT = struct.Struct(">qqqqiiiqiiq")  # czxid mzxid ctime mtime version cversion aversion
                                      # ephemeralOwner dataLength numChildren pzxid


def jstring(s):
    if s is None:
        return struct.pack(">i", -1)
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">i", len(b)) + b


def jvector(items):
    return struct.pack(">i", len(items)) + b"".join(jstring(i) for i in items)


WORLD_ANYONE = struct.pack(">i", 1) + struct.pack(">i", 31) + jstring("world") + jstring("anyone")


class Reader:
    def __init__(self, buf, off=0):
        self.buf, self.off = buf, off

    def int(self):
        v = struct.unpack_from(">i", self.buf, self.off)[0]
        self.off += 4
        return v

    def long(self):
        v = struct.unpack_from(">q", self.buf, self.off)[0]
        self.off += 8
        return v

    def bool(self):
        v = self.buf[self.off] != 0
        self.off += 1
        return v

    def buffer(self):
        n = self.int()
        if n < 0:
            return None
        v = bytes(self.buf[self.off:self.off + n])
        self.off += n
        return v

    def string(self):
        b = self.buffer()
        return None if b is None else b.decode()

    def stat(self):
        v = STAT.unpack_from(self.buf, self.off)
        self.off += STAT.size
        return v

    def remaining(self):
        return len(self.buf) - self.off


class Closed(Exception):
    """The server closed the connection."""


class RawSession:
    """One TCP connection speaking the client protocol."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0, source=None):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.sock.settimeout(timeout)
        self.xid = 0
        self.events = []  # (type, state, path) notifications seen while waiting for replies
        self.last_zxid = 0

    # -- framing
    def send_frame(self, body):
        self.sock.sendall(struct.pack(">i", len(body)) + body)

    def _recv_exact(self, n):
        chunks = []
        while n > 0:
            b = self.sock.recv(min(n, 1 << 20))
            if not b:
                raise Closed()
            chunks.append(b)
            n -= len(b)
        return b"".join(chunks)

    def recv_frame(self):
        n = struct.unpack(">i", self._recv_exact(4))[0]
        return self._recv_exact(n)

    def wait_closed(self, timeout=10.0):
        """True when the server closes the connection (EOF or reset) within timeout."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        return False

    # -- session
    def connect(self, timeout_ms, session_id=0, passwd=b"\0" * 16, last_zxid=0, read_only=False):
        """Sends a ConnectRequest; returns (protocolVersion, timeOut, sessionId, passwd)."""
        body = (struct.pack(">iqiq", 0, last_zxid, timeout_ms, session_id) + jstring(passwd)
                + (b"\x01" if read_only else b"\x00"))
        self.send_frame(body)
        r = Reader(self.recv_frame())
        proto, to, sid = r.int(), r.int(), r.long()
        pw = r.buffer()
        return proto, to, sid, pw

    # -- requests
    def request(self, op, payload, xid=None):
        """Sends one request and returns (err, zxid, Reader over the payload). Notifications that
        arrive first are kept in self.events."""
        if xid is None:
            self.xid += 1
            xid = self.xid
        self.send_frame(struct.pack(">ii", xid, op) + payload)
        while True:
            r = Reader(self.recv_frame())
            rxid, zxid, err = r.int(), r.long(), r.int()
            if rxid == XID_NOTIFICATION:
                self.events.append((r.int(), r.int(), r.string()))
                continue
            if zxid > 0:
                self.last_zxid = max(self.last_zxid, zxid)
            if rxid != xid:
                raise AssertionError(f"reply xid {rxid} for request xid {xid}")
            return err, zxid, r

    def next_event(self, timeout=10.0):
        """Returns the next watch notification (type, state, path), waiting up to timeout."""
        if self.events:
            return self.events.pop(0)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = Reader(self.recv_frame())
            rxid, _zxid, _err = r.int(), r.long(), r.int()
            if rxid == XID_NOTIFICATION:
                return (r.int(), r.int(), r.string())
        raise socket.timeout("no watch event")

    def exists(self, path, watch=False):
        err, _, r = self.request(OP_EXISTS, jstring(path) + (b"\x01" if watch else b"\x00"))
        return err, (r.stat() if err == ZOK else None)

    def get_data(self, path, watch=False):
        err, _, r = self.request(OP_GET_DATA, jstring(path) + (b"\x01" if watch else b"\x00"))
        if err != ZOK:
            return err, None, None
        return err, r.buffer(), r.stat()

    def set_data(self, path, data, version=-1):
        err, _, r = self.request(OP_SET_DATA, jstring(path) + jstring(data) + struct.pack(">i", version))
        return err, (r.stat() if err == ZOK else None)

    def get_children(self, path, watch=False):
        err, _, r = self.request(OP_GET_CHILDREN, jstring(path) + (b"\x01" if watch else b"\x00"))
        if err != ZOK:
            return err, None
        n = r.int()
        return err, [r.string() for _ in range(n)]

    def create(self, path, data=b"", flags=0):
        err, _, r = self.request(OP_CREATE, jstring(path) + jstring(data) + WORLD_ANYONE
                                 + struct.pack(">i", flags))
        return err, (r.string() if err == ZOK else None)

    def set_watches(self, relative_zxid, data=(), exist=(), child=()):
        payload = (struct.pack(">q", relative_zxid) + jvector(list(data)) + jvector(list(exist))
                   + jvector(list(child)))
        err, _, _ = self.request(OP_SET_WATCHES, payload, xid=XID_SET_WATCHES)
        return err

    def ping(self):
        err, _, _ = self.request(OP_PING, b"", xid=XID_PING)
        return err

    def close_session(self):
        try:
            err, _, _ = self.request(OP_CLOSE, b"")
            return err
        finally:
            self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
