"""Start-up refusals an operator reads: the reason, the file/line/key or the address, what to
do — never a library's internals, and never a mode other than the one configured."""
import os
import socket

import pytest


KIND = os.environ.get("GK_SERVER", "graphkeeper")
graphkeeper_only = pytest.mark.skipif(KIND != "graphkeeper", reason="GraphKeeper's own messages")


@graphkeeper_only
def test_an_ensemble_configuration_is_refused_not_run_standalone(make_server):
    # Three servers configured as an ensemble once came up as three independent stores, each
    # saying "Mode: standalone". Until replication runs, such a config must be refused.
    srv = make_server(extra={
        "server.1": "127.0.0.1:12888:13888",
        "server.2": "127.0.0.1:22888:23888",
        "server.3": "127.0.0.1:32888:33888",
    })
    with open(os.path.join(srv.data_dir, "myid"), "w") as f:
        f.write("1\n")
    with pytest.raises(RuntimeError):
        srv.start(wait=30)
    log = srv.log_tail()
    assert "zoo.cfg:" in log and "server.1" in log, log
    assert "ensemble of 3 servers" in log, log
    assert "Mode: standalone" not in log and "serving, mode standalone" not in log, log


@graphkeeper_only
def test_client_port_in_use_names_the_address_and_the_reason(make_server):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        srv = make_server(port=port)
        with pytest.raises(RuntimeError):
            srv.start(wait=30)
        log = srv.log_tail()
        assert f"cannot listen for clients on 127.0.0.1:{port}: Address already in use" in log, log
        assert "::bind" not in log and "toString()" not in log, log
