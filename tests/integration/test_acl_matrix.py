"""ACLs and authentication: every operation against each permission bit, with and without
authentication, plus the bad inputs (wrong password, malformed ACLs, foreign ip ACLs, stale
aversion, `auth` without authentication), addAuth, the super digest and skipACL.

The expectations are what Apache ZooKeeper 3.8.0 (Debian's 3.8.0-11+deb12u2) answers; run with
GK_SERVER=zookeeper to check them against it. Where kazoo 2.8 has no call (getAllChildrenNumber,
getEphemerals, addWatch, whoAmI, raw auth packets, empty ACL lists) zkwire speaks the protocol.
"""
import base64
import hashlib
import struct
import time

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, InvalidACLError, NoAuthError)
from kazoo.security import ACL, Id, make_acl, make_digest_acl

from harness import Server
from zkwire import RawSession, Reader, jstring

READ, WRITE, CREATE, DELETE, ADMIN = 1, 2, 4, 8, 16
PERMS = {"READ": READ, "WRITE": WRITE, "CREATE": CREATE, "DELETE": DELETE, "ADMIN": ADMIN}
ZOK, ZBADVERSION, ZNOAUTH, ZINVALIDACL, ZAUTHFAILED = 0, -103, -102, -114, -115
OP_GET_ACL, OP_SET_ACL, OP_SYNC = 6, 7, 9
OP_GET_EPHEMERALS, OP_GET_ALL_CHILDREN_NUMBER, OP_ADD_WATCH, OP_WHO_AM_I = 103, 104, 106, 107
OP_AUTH, XID_AUTH = 100, -4
USER, PASSWORD = "user", "pw"
SUPER_PASSWORD = "secret"


def digest(user, password):
    """DigestAuthenticationProvider.generateDigest: user:base64(sha1(user:password))."""
    raw = f"{user}:{password}".encode()
    return user + ":" + base64.b64encode(hashlib.sha1(raw).digest()).decode()


def acl_bytes(acls):
    return struct.pack(">i", len(acls)) + b"".join(
        struct.pack(">i", perms) + jstring(scheme) + jstring(ident) for perms, scheme, ident in acls)


def raw_session(srv, auth=()):
    s = RawSession(srv.port)
    s.connect(30000)
    for scheme, data in auth:
        assert raw_auth(s, scheme, data) == (XID_AUTH, 0, ZOK)
    return s


def raw_auth(s, scheme, data):
    """Sends an AuthPacket; returns the reply header (xid, zxid, err)."""
    s.send_frame(struct.pack(">ii", XID_AUTH, OP_AUTH) + struct.pack(">i", 0) + jstring(scheme)
                 + jstring(data))
    r = Reader(s.recv_frame())
    return r.int(), r.long(), r.int()


def raw_create(s, path, acls, data=b""):
    err, _, _ = s.request(1, jstring(path) + jstring(data) + acl_bytes(acls) + struct.pack(">i", 0))
    return err


def raw_set_acl(s, path, acls, version=-1):
    err, _, _ = s.request(OP_SET_ACL, jstring(path) + acl_bytes(acls) + struct.pack(">i", version))
    return err


def raw_get_acl(s, path):
    err, _, r = s.request(OP_GET_ACL, jstring(path))
    if err:
        return err, None
    return err, [(r.int(), r.string(), r.string()) for _ in range(r.int())]


def who_am_i(s):
    err, _, r = s.request(OP_WHO_AM_I, b"")
    assert err == ZOK
    return sorted((r.string(), r.string()) for _ in range(r.int()))


@pytest.fixture(scope="module")
def srv():
    # ZooKeeper reads the super digest only as a system property; a zoo.cfg key it does not
    # know becomes zookeeper.<key>, so this line sets it on both servers.
    s = Server(extra={"DigestAuthenticationProvider.superDigest": digest("super", SUPER_PASSWORD)})
    s.start()
    yield s
    s.cleanup()


@pytest.fixture
def clients(srv):
    made = []

    def make(auth=()):
        zk = KazooClient(hosts=srv.hosts, timeout=10.0, auth_data=list(auth))
        zk.start(timeout=15)
        made.append(zk)
        return zk

    yield make
    for zk in made:
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass


@pytest.fixture
def admin(clients):
    return clients(auth=[("digest", f"super:{SUPER_PASSWORD}")])


# What each operation needs on the node it names (None: nothing). Checked on ZooKeeper 3.8.0.
REQUIRED = {
    "exists": None, "getData": READ, "getChildren": READ, "getChildren2": READ,
    "getACL": READ | ADMIN, "getAllChildrenNumber": READ, "sync": None, "addWatch": None,
    "getEphemerals": None, "setData": WRITE, "setACL": ADMIN,
    "create(child)": CREATE, "delete(child)": DELETE,
    "multi.check": READ, "multi.setData": WRITE, "multi.create(child)": CREATE,
    "multi.delete(child)": DELETE,
}


def kazoo_result(fn):
    try:
        fn()
        return ZOK
    except NoAuthError:
        return ZNOAUTH


def multi_result(zk, build):
    t = zk.transaction()
    build(t)
    res = t.commit()
    assert len(res) == 1
    if isinstance(res[0], NoAuthError):
        return ZNOAUTH
    assert not isinstance(res[0], Exception), res
    return ZOK


@pytest.mark.parametrize("authenticated", [True, False], ids=["auth", "noauth"])
@pytest.mark.parametrize("perm_name", list(PERMS))
def test_operation_matrix(srv, clients, admin, perm_name, authenticated):
    """A node whose ACL grants exactly one permission to a digest user (world: nothing)."""
    perm = PERMS[perm_name]
    base = f"/matrix-{perm_name}-{'auth' if authenticated else 'noauth'}"
    node = base + "/n"
    admin.create(base, b"")
    node_acl = [ACL(perm, Id("digest", digest(USER, PASSWORD)))]
    admin.create(node, b"data", acl=node_acl)
    for child in ("c", "c2"):  # the super user may create under it whatever the ACL
        admin.create(f"{node}/{child}", b"")
    auth = [("digest", f"{USER}:{PASSWORD}")] if authenticated else []
    zk = clients(auth=auth)
    raw = raw_session(srv, auth=auth)
    try:
        got = {
            "exists": kazoo_result(lambda: zk.exists(node)),
            "getData": kazoo_result(lambda: zk.get(node)),
            "getChildren": kazoo_result(lambda: zk.get_children(node)),
            "getChildren2": kazoo_result(lambda: zk.get_children(node, include_data=True)),
            "getACL": kazoo_result(lambda: zk.get_acls(node)),
            "getAllChildrenNumber": raw.request(OP_GET_ALL_CHILDREN_NUMBER, jstring(node))[0],
            "sync": kazoo_result(lambda: zk.sync(node)),
            "addWatch": raw.request(OP_ADD_WATCH, jstring(node) + struct.pack(">i", 0))[0],
            "getEphemerals": raw.request(OP_GET_EPHEMERALS, jstring(node))[0],
            "multi.check": multi_result(zk, lambda t: t.check(node, 0)),
            "multi.setData": multi_result(zk, lambda t: t.set_data(node, b"m")),
            "multi.create(child)": multi_result(zk, lambda t: t.create(node + "/m", b"")),
            "multi.delete(child)": multi_result(zk, lambda t: t.delete(node + "/c2")),
            "setData": kazoo_result(lambda: zk.set(node, b"x")),
            "create(child)": kazoo_result(lambda: zk.create(node + "/new", b"")),
            "delete(child)": kazoo_result(lambda: zk.delete(node + "/c")),
            "setACL": kazoo_result(lambda: zk.set_acls(node, node_acl)),
        }
    finally:
        raw.close()
    expected = {op: ZOK if need is None or (authenticated and perm & need) else ZNOAUTH
                for op, need in REQUIRED.items()}
    assert got == expected


@pytest.mark.parametrize("perm_name", list(PERMS))
def test_get_acl_hides_digest_hashes_without_admin(srv, clients, admin, perm_name):
    perm = PERMS[perm_name]
    path = f"/redact-{perm_name}"
    acl = [ACL(perm, Id("digest", digest(USER, PASSWORD))), make_acl("world", "anyone", read=True)]
    admin.create(path, b"", acl=acl)
    zk = clients(auth=[("digest", f"{USER}:{PASSWORD}")])
    acls, stat = zk.get_acls(path)
    got = [(a.perms, a.id.scheme, a.id.id) for a in acls]
    shown = digest(USER, PASSWORD) if perm == ADMIN else f"{USER}:x"
    assert got == [(perm, "digest", shown), (READ, "world", "anyone")]
    # The super user sees everything.
    assert [a.id.id for a in admin.get_acls(path)[0]][0] == digest(USER, PASSWORD)


def test_wrong_password_is_noauth(clients, admin):
    admin.create("/wrongpw", b"s", acl=[make_digest_acl(USER, PASSWORD, all=True)])
    wrong = clients(auth=[("digest", f"{USER}:not-{PASSWORD}")])
    with pytest.raises(NoAuthError):
        wrong.get("/wrongpw")
    with pytest.raises(NoAuthError):
        wrong.set("/wrongpw", b"x")
    right = clients(auth=[("digest", f"{USER}:{PASSWORD}")])
    assert right.get("/wrongpw")[0] == b"s"


@pytest.mark.parametrize("bad", [
    ("nosuch", "x"),                 # no such scheme
    ("digest", "user"),              # digest id without ':'
    ("digest", "a:b:c"),             # digest id with two
    ("world", "someone"),            # world is only 'anyone'
    ("ip", "300.0.0.1"),             # bad ip
    ("ip", "10.0.0"),
    ("ip", "10.0.0.0/33"),
    ("ip", "10.0.0.0/x"),
    ("ip", "::1"),                   # 3.8's ip provider is IPv4 only
    ("ip", "localhost"),
    ("super", ""),
], ids=lambda b: f"{b[0]}:{b[1]}")
def test_malformed_acl_is_invalidacl(clients, admin, bad):
    path = "/malformed-" + base64.b16encode(f"{bad[0]}:{bad[1]}".encode()).decode()
    acl = [ACL(31, Id(*bad))]
    with pytest.raises(InvalidACLError):
        admin.create(path, b"", acl=acl)
    admin.create(path, b"")
    with pytest.raises(InvalidACLError):
        admin.set_acls(path, acl)
    # One bad entry spoils an otherwise good list.
    with pytest.raises(InvalidACLError):
        admin.set_acls(path, [make_acl("world", "anyone", all=True)] + acl)


def test_empty_acl_list_is_invalidacl(srv, admin):
    admin.create("/emptyacl", b"")
    with raw_session(srv) as s:
        assert raw_create(s, "/emptyacl2", []) == ZINVALIDACL
        assert raw_set_acl(s, "/emptyacl", []) == ZINVALIDACL
        # INVALIDACL comes before the existence of the node (fixupACL runs first).
        assert raw_set_acl(s, "/no-such-node", [(31, "world", "x")]) == ZINVALIDACL
        assert raw_create(s, "/no-such-parent/x", [(31, "world", "x")]) == ZINVALIDACL


@pytest.mark.parametrize("spec,allowed", [
    ("127.0.0.1", True),
    ("127.0.0.0/8", True),
    ("127.0.0.1/32", True),
    ("0.0.0.0/0", True),
    ("127.000.0.01", True),   # Integer.parseInt fields
    ("10.1.2.3", False),      # another address
    ("10.0.0.0/8", False),
    ("127.0.0.2/32", False),
])
def test_ip_acl(clients, admin, spec, allowed):
    path = "/ip-" + spec.replace("/", "_")
    admin.create(path, b"v", acl=[make_acl("ip", spec, all=True)])
    zk = clients()
    if allowed:
        assert zk.get(path)[0] == b"v"
        zk.set(path, b"w")
    else:
        with pytest.raises(NoAuthError):
            zk.get(path)
        with pytest.raises(NoAuthError):
            zk.set(path, b"w")


def test_set_acl_checks_aversion(clients, admin):
    admin.create("/aversion", b"")
    open_acl = [make_acl("world", "anyone", all=True)]
    with pytest.raises(BadVersionError):
        admin.set_acls("/aversion", open_acl, version=3)
    stat = admin.set_acls("/aversion", open_acl, version=0)
    assert stat.aversion == 1
    with pytest.raises(BadVersionError):
        admin.set_acls("/aversion", open_acl, version=0)
    assert admin.set_acls("/aversion", open_acl, version=-1).aversion == 2
    assert admin.exists("/aversion").version == 0  # setACL leaves the data version alone


def test_auth_scheme_needs_authentication(srv, clients):
    anon = clients()
    with pytest.raises(InvalidACLError):
        anon.create("/creator-only", b"", acl=[make_acl("auth", "", all=True)])
    # addAuth("ip") succeeds but is no authentication auth could stand for.
    with raw_session(srv, auth=[("ip", b"ignored")]) as s:
        assert raw_create(s, "/creator-only", [(31, "auth", "")]) == ZINVALIDACL
    zk = clients(auth=[("digest", f"{USER}:{PASSWORD}")])
    zk.create("/creator-only", b"", acl=[make_acl("auth", "", all=True)])
    acls = zk.get_acls("/creator-only")[0]
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [(31, "digest", digest(USER, PASSWORD))]
    with pytest.raises(NoAuthError):
        anon.get("/creator-only")


def test_duplicates_removed_but_not_after_auth_expansion(clients):
    zk = clients(auth=[("digest", f"{USER}:{PASSWORD}")])
    world_read = make_acl("world", "anyone", read=True)
    zk.create("/dups", b"", acl=[world_read, world_read])
    assert len(zk.get_acls("/dups")[0]) == 1
    mine = make_digest_acl(USER, PASSWORD, all=True)
    zk.create("/dups2", b"", acl=[mine, make_acl("auth", "", all=True)])
    got = [(a.perms, a.id.scheme, a.id.id) for a in zk.get_acls("/dups2")[0]]
    assert got == [(31, "digest", digest(USER, PASSWORD))] * 2


def test_add_auth_packets(srv, admin):
    admin.create("/u1", b"1", acl=[make_digest_acl("u1", "p1", read=True)])
    admin.create("/u2", b"2", acl=[make_digest_acl("u2", "p2", read=True)])
    with raw_session(srv) as s:
        assert who_am_i(s) == [("ip", "127.0.0.1")]
        # Every digest packet is accepted, even without ':' (then the whole text is the user).
        assert raw_auth(s, "digest", b"loner") == (XID_AUTH, 0, ZOK)
        assert raw_auth(s, "digest", b"u1:p1") == (XID_AUTH, 0, ZOK)
        assert raw_auth(s, "digest", b"u2:p2") == (XID_AUTH, 0, ZOK)  # a second id, not a swap
        assert raw_auth(s, "digest", b"u1:p1") == (XID_AUTH, 0, ZOK)  # no duplicate
        assert raw_auth(s, "ip", b"anything") == (XID_AUTH, 0, ZOK)
        assert who_am_i(s) == [("digest", "loner"), ("digest", "u1"), ("digest", "u2"),
                               ("ip", "127.0.0.1")]
        assert s.get_data("/u1")[1] == b"1"
        assert s.get_data("/u2")[1] == b"2"
    for scheme in ("nosuch", "world", "super", "auth"):
        with raw_session(srv) as s:
            # No provider: AUTHFAILED, then the server closes the connection.
            assert raw_auth(s, scheme, b"x:y") == (XID_AUTH, 0, ZAUTHFAILED)
            assert s.wait_closed(10)


def test_super_digest(srv, clients, admin):
    locked = [make_digest_acl(USER, PASSWORD, read=True)]
    admin.create("/superlocked", b"s", acl=locked)
    # The super user may do anything, whatever the ACL says.
    assert admin.get("/superlocked")[0] == b"s"
    admin.set("/superlocked", b"t")
    admin.create("/superlocked/kid", b"")
    admin.delete("/superlocked/kid")
    admin.set_acls("/superlocked", locked)
    assert admin.get_acls("/superlocked")[0][0].id.id == digest(USER, PASSWORD)
    with raw_session(srv, auth=[("digest", f"super:{SUPER_PASSWORD}".encode())]) as s:
        assert who_am_i(s) == [("digest", "super"), ("ip", "127.0.0.1"), ("super", "")]
        # auth expands to the digest id only (super is no provider's id).
        assert raw_create(s, "/superauth", [(31, "auth", "")]) == ZOK
        assert raw_get_acl(s, "/superauth")[1] == [(31, "digest", digest("super", SUPER_PASSWORD))]
    wrong = clients(auth=[("digest", "super:wrong")])
    with pytest.raises(NoAuthError):
        wrong.get("/superlocked")
    admin.delete("/superlocked")


def test_watch_events_need_read(srv, admin):
    """ZooKeeper 3.8.0 as Debian ships it (CVE-2024-23944 fixed) sends a watch event only to
    sessions that may READ the node it is about."""
    admin.create("/watched", b"")
    with raw_session(srv) as s:
        assert s.request(OP_ADD_WATCH, jstring("/watched") + struct.pack(">i", 1))[0] == ZOK
        admin.create("/watched/secret", b"", acl=[make_digest_acl(USER, PASSWORD, all=True)])
        admin.create("/watched/open", b"")
        admin.set("/watched/secret", b"x")
        admin.set("/watched/open", b"x")
        time.sleep(0.5)
        s.ping()
        assert s.events == [(1, 3, "/watched/open"), (3, 3, "/watched/open")]
    admin.create("/fading", b"")
    with raw_session(srv) as s:
        assert s.get_data("/fading", watch=True)[0] == ZOK
        admin.set_acls("/fading", [make_digest_acl(USER, PASSWORD, all=True)])
        admin.set("/fading", b"x")
        time.sleep(0.5)
        s.ping()
        assert s.events == []


def test_skip_acl(make_server, make_client):
    srv = make_server(extra={"skipACL": "yes"}).start()
    zk = make_client(srv)
    zk.create("/nobody", b"v", acl=[make_digest_acl(USER, PASSWORD, read=True)])
    assert zk.get("/nobody")[0] == b"v"
    zk.set("/nobody", b"w")
    zk.create("/nobody/kid", b"")
    zk.delete("/nobody/kid")
    zk.set_acls("/nobody", [make_acl("world", "anyone", read=True)])
    # The ACL list is still checked.
    with pytest.raises(InvalidACLError):
        zk.create("/bad", b"", acl=[make_acl("world", "someone", all=True)])
