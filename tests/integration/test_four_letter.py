"""Four-letter words on the client port. The harness whitelists all of them
(`4lw.commands.whitelist=*`) unless a test says otherwise.

Node counts are checked relative to a fresh server: ZooKeeper 3.8 reports 5 nodes for a fresh
tree (/, /zookeeper, /zookeeper/config, /zookeeper/quota, and the root counted twice), which is
its own quirk, not asserted here.
"""
import re
import threading

from harness import four_letter

NOT_WHITELISTED = "{} is not executed because it is not in the whitelist.\n"


def kv_lines(text, sep):
    out = {}
    for line in text.splitlines():
        if sep in line:
            k, v = line.split(sep, 1)
            out[k.strip()] = v.strip()
    return out


def mntr(server):
    text = four_letter(server.port, "mntr")
    for line in text.splitlines():
        assert re.match(r"^zk_\w+\t\S.*$", line), f"bad mntr line {line!r}"
    return kv_lines(text, "\t")


def test_ruok_isro(server):
    assert four_letter(server.port, "ruok") == "imok"
    assert four_letter(server.port, "isro") == "rw"


def test_srvr_and_stat(server, zk):
    srvr = four_letter(server.port, "srvr")
    lines = srvr.splitlines()
    assert lines[0].startswith("Zookeeper version: ")
    assert "Mode: standalone" in lines
    fields = kv_lines(srvr, ": ")
    for key in ("Latency min/avg/max", "Received", "Sent", "Connections", "Outstanding", "Zxid",
                "Node count"):
        assert key in fields, key
    assert re.match(r"^0x[0-9a-f]+$", fields["Zxid"])
    assert int(fields["Connections"]) >= 1
    base = int(fields["Node count"])
    zk.create("/n1")
    zk.create("/n1/n2")
    zk.create("/n3")
    fields = kv_lines(four_letter(server.port, "srvr"), ": ")
    assert int(fields["Node count"]) == base + 3
    # Zxid is the last committed zxid: that of the last create
    assert int(fields["Zxid"], 16) == zk.exists("/n3").czxid

    stat = four_letter(server.port, "stat")
    lines = stat.splitlines()
    assert lines[0].startswith("Zookeeper version: ")
    assert "Clients:" in lines
    assert "Mode: standalone" in lines
    assert any(l.startswith(" /127.0.0.1:") for l in lines)  # the kazoo client's connection
    assert kv_lines(stat, ": ")["Node count"] == str(base + 3)


def test_conf(server):
    conf = kv_lines(four_letter(server.port, "conf"), "=")
    assert conf["clientPort"] == str(server.port)
    assert conf["tickTime"] == "2000"
    assert conf["maxClientCnxns"] == "60"
    assert conf["minSessionTimeout"] == "4000"
    assert conf["maxSessionTimeout"] == "40000"
    # ZooKeeper shows its snapshot directory: dataDir + "/version-2"
    assert conf["dataDir"].startswith(server.data_dir)


def test_cons_shows_sessions(server, make_client):
    zk = make_client(server, timeout=10.0)
    zk.create("/x")
    sid = zk.client_id[0]
    cons = four_letter(server.port, "cons")
    line = next((l for l in cons.splitlines() if f"sid=0x{sid:x}," in l), None)
    assert line is not None, cons
    assert line.startswith(" /127.0.0.1:")
    assert ",to=10000," in line
    assert "(queued=" in line and "recved=" in line and "sent=" in line


def test_envi(server):
    envi = four_letter(server.port, "envi")
    lines = envi.splitlines()
    assert lines[0] == "Environment:"
    keys = kv_lines(envi, "=")
    assert "zookeeper.version" in keys
    assert "host.name" in keys


def test_mntr(server, make_client):
    base = mntr(server)
    assert base["zk_server_state"] == "standalone"
    assert base["zk_version"]
    for key in ("zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
                "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
                "zk_znode_count", "zk_watch_count", "zk_ephemerals_count",
                "zk_approximate_data_size", "zk_open_file_descriptor_count",
                "zk_max_file_descriptor_count"):
        assert key in base, key
    assert base["zk_ephemerals_count"] == "0" and base["zk_watch_count"] == "0"

    zk = make_client(server)
    zk.create("/m1", b"data")
    zk.create("/e1", ephemeral=True)
    zk.create("/e2", ephemeral=True)
    zk.exists("/m1", watch=lambda e: None)
    zk.get_children("/m1", watch=lambda e: None)
    now = mntr(server)
    assert int(now["zk_znode_count"]) == int(base["zk_znode_count"]) + 3
    assert now["zk_ephemerals_count"] == "2"
    assert now["zk_watch_count"] == "2"  # a data and a child watch
    assert int(now["zk_num_alive_connections"]) >= 1
    assert int(now["zk_packets_received"]) > int(base["zk_packets_received"])


def test_watch_words(server, make_client):
    # wchs/wchc/wchp list data watches (exists, getData) only; child watches are left out there
    # but counted in mntr's zk_watch_count.
    assert four_letter(server.port, "wchs") == "0 connections watching 0 paths\nTotal watches:0\n"
    zk = make_client(server)
    zk.create("/w1")
    zk.create("/w2")
    fired = threading.Event()
    zk.exists("/w1", watch=lambda e: fired.set())
    zk.get_children("/w2", watch=lambda e: None)
    zk.exists("/w3", watch=lambda e: None)  # a watch on a node that does not exist
    sid = f"0x{zk.client_id[0]:x}"
    assert four_letter(server.port, "wchs") == "1 connections watching 2 paths\nTotal watches:2\n"
    assert mntr(server)["zk_watch_count"] == "3"
    wchc = four_letter(server.port, "wchc").splitlines()
    assert wchc[0] == sid
    assert sorted(l for l in wchc[1:] if l.strip()) == ["\t/w1", "\t/w3"]
    wchp = [l for l in four_letter(server.port, "wchp").splitlines() if l.strip()]
    assert sorted(zip(wchp[0::2], wchp[1::2])) == [("/w1", "\t" + sid), ("/w3", "\t" + sid)]
    zk.delete("/w1")
    assert fired.wait(10)
    assert four_letter(server.port, "wchs") == "1 connections watching 1 paths\nTotal watches:1\n"


def test_dirs_and_resets(server):
    dirs = kv_lines(four_letter(server.port, "dirs"), ": ")
    assert set(dirs) == {"datadir_size", "logdir_size"}
    assert all(v.isdigit() for v in dirs.values())
    assert four_letter(server.port, "srst") == "Server stats reset.\n"
    assert four_letter(server.port, "crst") == "Connection stats reset.\n"


def test_unknown_word_closes_silently(server):
    assert four_letter(server.port, "xxxx") == ""
    assert four_letter(server.port, "ruok") == "imok"  # the server is fine


def test_default_whitelist_is_srvr_only(make_server):
    srv = make_server(extra={"4lw.commands.whitelist": None})  # no whitelist line at all
    srv.start()
    assert "Mode: standalone" in four_letter(srv.port, "srvr")
    for word in ("ruok", "stat", "conf", "cons", "envi", "mntr", "wchs", "dirs", "isro", "dump"):
        assert four_letter(srv.port, word) == NOT_WHITELISTED.format(word), word


def test_explicit_whitelist(make_server):
    srv = make_server(extra={"4lw.commands.whitelist": "ruok, stat"})
    srv.start()
    assert four_letter(srv.port, "ruok") == "imok"
    assert "Clients:" in four_letter(srv.port, "stat")
    # srvr stays enabled whatever the list says (ZooKeeper always adds it)
    assert "Mode: standalone" in four_letter(srv.port, "srvr")
    for word in ("mntr", "conf", "isro"):
        assert four_letter(srv.port, word) == NOT_WHITELISTED.format(word), word
