"""Starts a real server for integration tests: GraphKeeper (the binary under test) or, to check
that a test itself is right, Apache ZooKeeper 3.8 from Debian's `zookeeper` package.

GK_SERVER=graphkeeper (default) | zookeeper picks which; GK_BINARY is the graphkeeper binary.
Every server gets a free loopback port and its own data dir, and is ended by its own PID.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time



# Debian's zookeeper.jar manifest leaves out the servlet API its Jetty AdminServer needs; without
# it ZooKeeper quietly runs no AdminServer (admin.enableServer=true is ignored).
ZK_CLASSPATH = ":".join(
    ["/etc/zookeeper/conf", "/usr/share/java/zookeeper.jar"]
    + [p for p in ["/usr/share/java/servlet-api.jar"] if os.path.exists(p)])


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(port, word, timeout=5.0, host="127.0.0.1"):
    """Sends a four-letter word and returns everything the server says before closing."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode(errors="replace")


class Server:
    """One server process. `extra` is a dict of zoo.cfg lines added to the defaults; a None value
    removes a default line."""

    def __init__(self, kind=None, extra=None, data_dir=None, port=None, system_props=None):
        self.kind = kind or os.environ.get("GK_SERVER", "graphkeeper")
        # Java system properties ZooKeeper reads without the "zookeeper." prefix (so a zoo.cfg
        # line cannot set them), e.g. znode.container.checkIntervalMs: -D flags for
        # ZooKeeper, zoo.cfg lines for GraphKeeper, which takes them from there too.
        self.system_props = dict(system_props or {})
        self.port = port or free_port()
        self.own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="gk-it-")
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.extra = dict(extra or {})
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.out")

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    def config_text(self):
        cfg = {
            "tickTime": "2000",
            "initLimit": "10",
            "syncLimit": "5",
            "dataDir": self.data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": "127.0.0.1",
            "maxClientCnxns": "60",
            "4lw.commands.whitelist": "*",
            "admin.enableServer": "false",
        }
        if self.kind == "graphkeeper":
            cfg.update(self.system_props)
        cfg.update(self.extra)
        # A value of None in `extra` drops that line (e.g. to get a server default back).
        return "".join(f"{k}={v}\n" for k, v in cfg.items() if v is not None)

    def write_config(self):
        conf_dir = os.path.join(self.dir, "conf")
        os.makedirs(conf_dir, exist_ok=True)
        path = os.path.join(conf_dir, "zoo.cfg")
        with open(path, "w") as f:
            f.write(self.config_text())
        return conf_dir, path

    def start(self, wait=30.0):
        conf_dir, cfg_path = self.write_config()
        log = open(self.log_path, "ab")
        if self.kind == "graphkeeper":
            binary = os.environ.get("GK_BINARY")
            if not binary:
                raise RuntimeError("GK_BINARY is not set (path of the graphkeeper binary)")
            cmd = [binary, "run", "--config", cfg_path]
            env = dict(os.environ)
        elif self.kind == "zookeeper":
            # Debian's zkServer.sh pins /etc/zookeeper/conf; run the JVM as it would, on our cfg.
            cmd = ["java"] + [f"-D{k}={v}" for k, v in self.system_props.items()] + [
                   "-cp", ZK_CLASSPATH,
                   "-Dzookeeper.log.dir=" + self.dir, "-Dzookeeper.root.logger=INFO,CONSOLE",
                   "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg_path]
            env = dict(os.environ)
        else:
            raise RuntimeError(f"unknown GK_SERVER kind {self.kind!r}")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True, cwd=self.dir)
        log.close()
        try:
            self.wait_ready(wait)
        except BaseException:
            self.kill()  # never leave a server behind when start fails
            raise
        return self

    def wait_ready(self, wait):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if "Mode:" in four_letter(self.port, "srvr", timeout=1.0):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not answer srvr on {self.port} within {wait}s:\n{self.log_tail()}")

    def log_tail(self, n=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def kill(self, sig=signal.SIGKILL):
        """Ends the server (SIGKILL by default: nothing gets a chance to flush)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)  # the session we started: the server and its JVM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def stop(self):
        self.kill(signal.SIGTERM)

    def cleanup(self):
        self.kill()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class TcpProxy:
    """A loopback TCP proxy in front of a server, to break client connections on purpose.

    `cut()` closes every proxied connection and, until `restore()`, closes new ones right after
    accepting them, so clients see their connection drop and their reconnects fail while the
    server stays up. `close()` ends it. Runs one thread of its own.
    """

    def __init__(self, target_port, target_host="127.0.0.1"):
        import threading
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.pairs = []  # [client_sock, server_sock]
        self.lock = threading.Lock()
        self.blocked = False
        self.accepted = 0
        self.stopping = False
        self.wake_r, self.wake_w = socket.socketpair()
        self.thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self.thread.start()

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    def _wake(self):
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    def cut(self):
        with self.lock:
            self.blocked = True
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                self._close(s)
        self._wake()

    def restore(self):
        with self.lock:
            self.blocked = False
        self._wake()

    def close(self):
        self.stopping = True
        self._wake()
        self.thread.join(timeout=10)
        self.cut()
        self._close(self.listener)
        self._close(self.wake_r)
        self._close(self.wake_w)

    @staticmethod
    def _close(s):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass

    def _run(self):
        import select
        while not self.stopping:
            with self.lock:
                pairs = list(self.pairs)
            socks = [self.listener, self.wake_r] + [s for p in pairs for s in p]
            try:
                readable, _, _ = select.select(socks, [], [], 0.5)
            except (OSError, ValueError):
                continue  # a socket was closed under us by cut(); look again
            for s in readable:
                if s is self.wake_r:
                    try:
                        s.recv(64)
                    except OSError:
                        pass
                elif s is self.listener:
                    try:
                        c, _ = self.listener.accept()
                    except OSError:
                        continue
                    with self.lock:
                        blocked = self.blocked
                    if blocked:
                        self._close(c)
                        continue
                    try:
                        up = socket.create_connection(self.target, timeout=5)
                    except OSError:
                        self._close(c)
                        continue
                    with self.lock:
                        self.pairs.append([c, up])
                        self.accepted += 1
                else:
                    pair = next((p for p in pairs if s in p), None)
                    if pair is None:
                        continue
                    other = pair[1] if s is pair[0] else pair[0]
                    try:
                        data = s.recv(65536)
                        if data:
                            other.sendall(data)
                    except OSError:
                        data = b""
                    if not data:
                        with self.lock:
                            if pair in self.pairs:
                                self.pairs.remove(pair)
                        self._close(pair[0])
                        self._close(pair[1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
