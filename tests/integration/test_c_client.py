"""The official ZooKeeper C client (libzookeeper_mt 3.8, synchronous API) against the server,
through tests/integration/c_client_check.c.

GK_C_CLIENT is the built checker (CMake target gk_c_client_check). Without it, the checker is
compiled here with cc if the C client library is installed, so the test also runs outside CMake.
"""
import os
import select
import shutil
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "c_client_check.c")


@pytest.fixture(scope="session")
def c_client():
    path = os.environ.get("GK_C_CLIENT")
    if path:
        assert os.access(path, os.X_OK), f"GK_C_CLIENT={path} is not executable"
        yield path
        return
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not os.path.exists("/usr/include/zookeeper/zookeeper.h"):
        pytest.skip("no GK_C_CLIENT and no C compiler / libzookeeper-mt-dev to build one")
    out_dir = tempfile.mkdtemp(prefix="gk-c-client-")
    exe = os.path.join(out_dir, "c_client_check")
    subprocess.run([cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-DTHREADED", "-O1", "-o", exe,
                    SOURCE, "-l:libzookeeper_mt.a", "-lpthread"], check=True, timeout=120)
    yield exe
    shutil.rmtree(out_dir, ignore_errors=True)


def test_c_client_basic(server, c_client):
    p = subprocess.run([c_client, server.hosts, "basic"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=150)
    assert p.returncode == 0 and p.stdout.strip() == "OK", \
        f"rc={p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr[-4000:]}"


class Child:
    """The checker in a line-by-line conversation on stdin/stdout, every read bounded."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = b""

    def expect(self, word, timeout=20.0):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([fd], [], [], max(0.0, left))[0] if left > 0 else []
            chunk = os.read(fd, 4096) if r else b""
            if not chunk:
                self.fail(f"expected {word!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if line.decode().strip() != word:
            self.fail(f"expected {word!r}, got {line!r}")

    def send(self, word):
        self.proc.stdin.write((word + "\n").encode())
        self.proc.stdin.flush()

    def fail(self, msg):
        self.kill()
        err = self.proc.stderr.read().decode(errors="replace")
        raise AssertionError(f"{msg}; rc={self.proc.returncode}\nstderr:\n{err[-4000:]}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()  # our own child, by its PID
        self.proc.wait(timeout=10)

    def close(self, timeout=20.0):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("checker did not exit")
        err = self.proc.stderr.read().decode(errors="replace")
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        return rc, err


def test_c_client_watches_survive_reconnect(server, make_proxy, zk, c_client):
    zk.create("/cw", b"before")
    zk.create("/cwkids")
    proxy = make_proxy(server)
    child = Child([c_client, proxy.hosts, "reconnect"])
    try:
        child.expect("READY")
        proxy.cut()
        child.send("CUT")
        child.expect("DISCONNECTED")
        # changed while the client is away; it must hear of them after reconnecting
        zk.set("/cw", b"after")
        zk.create("/cwkids/k")
        proxy.restore()
        child.send("CHANGED")
        child.expect("OK", timeout=40)
        rc, err = child.close()
        assert rc == 0, err[-4000:]
    finally:
        child.kill()
