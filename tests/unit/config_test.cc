// zoo.cfg parsing as ZooKeeper 3.8 does it: syntax, defaults, values, system properties,
// server.N lines, myid, and the `conf` four-letter-word text.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/config.h"

namespace fs = std::filesystem;
using namespace gk::engine;

namespace {

const char* kSrc = "conf/zoo.cfg";

ServerConfig parse(const std::string& text) { return parseConfig(text, kSrc); }

std::string errorOf(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kBase = "dataDir=/var/lib/zk\nclientPort=2181\n";  // lines 1 and 2

// A scratch directory with conf/zoo.cfg and data/, removed afterwards.
struct TempInstall {
  fs::path dir;
  TempInstall() {
    static int n = 0;
    dir = fs::temp_directory_path() /
          ("gk-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir / "conf");
    fs::create_directories(dir / "data");
  }
  ~TempInstall() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string data() const { return (dir / "data").string(); }
  std::string write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir / rel) << text;
    return (dir / rel).string();
  }
  std::string cfg(const std::string& text) const {
    return write("conf/zoo.cfg", "dataDir=" + data() + "\n" + text);
  }
  std::string loadError(const std::string& path) const {
    try {
      loadConfig(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  }
};

}  // namespace

TEST_CASE("a minimal file gets ZooKeeper's defaults", "[config]") {
  auto c = parse(kBase);
  CHECK(c.sourcePath == kSrc);
  CHECK(c.dataDir == "/var/lib/zk");
  CHECK(c.dataLogDir.empty());
  CHECK(c.clientPort == 2181);
  CHECK(c.clientPortAddress.empty());
  CHECK(c.tickTime == 3000);  // seen on ZooKeeper 3.8.0: not zoo_sample.cfg's 2000
  CHECK(c.minSessionTimeout == 6000);
  CHECK(c.maxSessionTimeout == 60000);
  CHECK(c.initLimit == 0);  // unset, as in ZooKeeper: an ensemble must set it
  CHECK(c.syncLimit == 0);
  CHECK(c.maxClientCnxns == 60);
  CHECK(c.fourLetterWords == std::set<std::string>{"srvr"});
  CHECK(c.adminEnableServer);
  CHECK(c.juteMaxBuffer == 0xfffff);
  CHECK_FALSE(c.extendedTypesEnabled);
  CHECK(c.standalone());
  CHECK(c.warnings.empty());
  CHECK(c.systemProperties.empty());
}

TEST_CASE("java.util.Properties syntax", "[config]") {
  auto c = parse(
      "# comment\n"
      "! also a comment\n"
      "   \n"
      "  dataDir = /var/lib/zk  \n"
      "clientPort:2182\r\n"
      "tickTime 3000\n"
      "maxClientCnxns=\\\n"
      "    10\n"
      "admin.commandURL=/c\\u006fmmands\n"
      "superUser=a\\=b\n");
  CHECK(c.dataDir == "/var/lib/zk");
  CHECK(c.clientPort == 2182);
  CHECK(c.tickTime == 3000);
  CHECK(c.maxClientCnxns == 10);
  CHECK(c.adminCommandURL == "/commands");
  CHECK(c.systemProperties.at("zookeeper.superUser") == "a=b");
}

TEST_CASE("session timeouts default to 2 and 20 ticks", "[config]") {
  auto c = parse(kBase + "tickTime=1000\n");
  CHECK(c.minSessionTimeout == 2000);
  CHECK(c.maxSessionTimeout == 20000);
  c = parse(kBase + "minSessionTimeout=500\nmaxSessionTimeout=90000\n");
  CHECK(c.minSessionTimeout == 500);
  CHECK(c.maxSessionTimeout == 90000);
  c = parse(kBase + "minSessionTimeout=-1\n");
  CHECK(c.minSessionTimeout == 6000);
  // ZooKeeper 3.8.0 accepts 50000 here (max is 20 x 3000) and refuses more than 60000.
  CHECK(parse(kBase + "minSessionTimeout=50000\n").maxSessionTimeout == 60000);
  CHECK(errorOf(kBase + "minSessionTimeout=70000\n") ==
        "conf/zoo.cfg:3: minSessionTimeout (70000 ms) must not be larger than maxSessionTimeout "
        "(60000 ms)");
  CHECK(errorOf(kBase + "tickTime=2000\nmaxSessionTimeout=3000\n") ==
        "conf/zoo.cfg:4: minSessionTimeout (4000 ms) must not be larger than maxSessionTimeout "
        "(3000 ms)");
}

TEST_CASE("bad values name the line, the value and the key", "[config]") {
  CHECK(errorOf("dataDir=/d\nclientPort=2181\ntickTime=abc\n") ==
        "conf/zoo.cfg:3: bad value 'abc' for tickTime: expected a positive integer");
  CHECK(errorOf(kBase + "tickTime=0\n") ==
        "conf/zoo.cfg:3: bad value '0' for tickTime: expected a positive integer");
  CHECK(errorOf(kBase + "tickTime=99999999999\n") ==
        "conf/zoo.cfg:3: bad value '99999999999' for tickTime: expected a positive integer");
  CHECK(errorOf("dataDir=/d\nclientPort=-1\n") ==
        "conf/zoo.cfg:2: bad value '-1' for clientPort: expected a port number (0-65535)");
  CHECK(errorOf("dataDir=/d\nclientPort=65536\n") ==
        "conf/zoo.cfg:2: bad value '65536' for clientPort: expected a port number (0-65535)");
  CHECK(errorOf(kBase + "maxClientCnxns=-5\n") ==
        "conf/zoo.cfg:3: bad value '-5' for maxClientCnxns: expected an integer >= 0");
  CHECK(errorOf(kBase + "standaloneEnabled=yes\n") ==
        "conf/zoo.cfg:3: bad value 'yes' for standaloneEnabled: expected true or false");
  CHECK(errorOf(kBase + "admin.enableServer=maybe\n") ==
        "conf/zoo.cfg:3: bad value 'maybe' for admin.enableServer: expected true or false");
  CHECK(errorOf(kBase + "peerType=leader\n") ==
        "conf/zoo.cfg:3: bad value 'leader' for peerType: expected participant or observer");
  CHECK(errorOf(kBase + "electionAlg=1\n") ==
        "conf/zoo.cfg:3: bad value '1' for electionAlg: expected 3 (the only election algorithm "
        "ZooKeeper 3.8 supports)");
  CHECK(errorOf(kBase + "admin.serverPort=0\n") ==
        "conf/zoo.cfg:3: bad value '0' for admin.serverPort: expected a port number (1-65535)");
  CHECK(errorOf(kBase + "forceSync=sometimes\n") ==
        "conf/zoo.cfg:3: bad value 'sometimes' for forceSync: expected yes or no");
  CHECK(errorOf(kBase + "tickTime=2000 ms\n") ==
        "conf/zoo.cfg:3: bad value '2000 ms' for tickTime: expected a positive integer");
}

TEST_CASE("booleans take any case, as ZooKeeper's parseBoolean", "[config]") {
  auto c = parse(kBase + "standaloneEnabled=FALSE\nserver.1=h:2888:3888\n"
                         "reconfigEnabled=True\ninitLimit=10\nsyncLimit=5\n");
  CHECK_FALSE(c.standaloneEnabled);
  CHECK(c.reconfigEnabled);
}

TEST_CASE("dataDir and clientPort are required", "[config]") {
  CHECK(errorOf("clientPort=2181\n") == "conf/zoo.cfg: dataDir is not set");
  CHECK(errorOf("dataDir=/d\n") == "conf/zoo.cfg: clientPort is not set");
  CHECK(errorOf("dataDir=/d\nclientPortAddress=127.0.0.1\n") ==
        "conf/zoo.cfg:2: clientPortAddress is set but clientPort is not set");
  CHECK(errorOf("dataDir=\nclientPort=1\n") ==
        "conf/zoo.cfg:1: bad value '' for dataDir: expected a directory path");
}

TEST_CASE("unknown keys become zookeeper. system properties, with a warning", "[config]") {
  auto c = parse("dataDir=/d\nclientPort=2181\n\n# x\n\n\nfoo=bar\n");
  CHECK(c.systemProperties.at("zookeeper.foo") == "bar");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0] ==
        "conf/zoo.cfg:7: unknown key 'foo' (kept as system property zookeeper.foo)");
}

TEST_CASE("system properties ZooKeeper knows are kept silently", "[config]") {
  auto c = parse(kBase +
                 "extendedTypesEnabled=true\n"
                 "enforceQuota=true\n"
                 "digest.enabled=false\n"
                 "skipACL=no\n"
                 "superUser=admin\n"
                 "DigestAuthenticationProvider.superDigest=super:abc=\n"
                 "snapCount=100000\n"
                 "preAllocSize=65536\n"
                 "globalOutstandingLimit=2000\n"
                 "jute.maxbuffer=4194304\n"
                 "forceSync=no\n"
                 "ssl.keyStore.location=/k\n"
                 "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n"
                 "metricsProvider.className=x.Y\n"
                 "quorum.auth.enableSasl=false\n"
                 "leaderServes=yes\n"
                 "cnxTimeout=5000\n"
                 "fsync.warningthresholdms=1000\n");
  CHECK(c.warnings.empty());
  CHECK(c.extendedTypesEnabled);
  CHECK(c.systemProperties.at("zookeeper.extendedTypesEnabled") == "true");
  CHECK(c.systemProperties.at("zookeeper.superUser") == "admin");
  CHECK(c.systemProperties.at("zookeeper.DigestAuthenticationProvider.superDigest") ==
        "super:abc=");
  CHECK(c.systemProperties.at("zookeeper.authProvider.1") ==
        "org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
  CHECK(c.globalOutstandingLimit == 2000);
  CHECK(c.juteMaxBuffer == 4194304);
  CHECK_FALSE(c.forceSync);
  // Keys QuorumPeerConfig parses itself never become system properties.
  CHECK(c.systemProperties.count("zookeeper.metricsProvider.className") == 0);
  CHECK(c.systemProperties.count("zookeeper.quorum.auth.enableSasl") == 0);
  CHECK(c.systemProperties.count("zookeeper.dataDir") == 0);
}

TEST_CASE("skipACL is only on for exactly 'yes'", "[config]") {
  auto c = parse(kBase + "skipACL=true\n");
  CHECK(c.systemProperties.at("zookeeper.skipACL") == "true");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].rfind("conf/zoo.cfg:3: skipACL is on only for", 0) == 0);
}

TEST_CASE("four-letter-word whitelist", "[config]") {
  auto c = parse(kBase + "4lw.commands.whitelist= stat , ruok,, conf\n");
  CHECK(c.fourLetterWords == std::set<std::string>{"stat", "ruok", "conf", "srvr"});
  CHECK(c.fourLetterWordAllowed("ruok"));
  CHECK(c.fourLetterWordAllowed("srvr"));
  CHECK_FALSE(c.fourLetterWordAllowed("mntr"));

  c = parse(kBase + "4lw.commands.whitelist=*\n");
  for (const char* w : {"conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat",
                        "wchs", "wchc", "wchp", "mntr", "isro", "dirs", "gtmk", "stmk", "hash"}) {
    CAPTURE(w);
    CHECK(c.fourLetterWordAllowed(w));
  }
  CHECK_FALSE(c.fourLetterWordAllowed("xyzw"));

  c = parse(kBase + "4lw.commands.whitelist=ruok, xyzw\n");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0] ==
        "conf/zoo.cfg:3: unknown four-letter word 'xyzw' in 4lw.commands.whitelist");
}

TEST_CASE("admin server keys", "[config]") {
  auto c = parse(kBase + "admin.enableServer=false\nadmin.serverAddress=127.0.0.1\n"
                         "admin.serverPort=8081\nadmin.commandURL=/cmd\n");
  CHECK_FALSE(c.adminEnableServer);
  CHECK(c.adminServerAddress == "127.0.0.1");
  CHECK(c.adminServerPort == 8081);
  CHECK(c.adminCommandURL == "/cmd");
}

TEST_CASE("autopurge", "[config]") {
  auto c = parse(kBase + "autopurge.snapRetainCount=5\nautopurge.purgeInterval=24\n");
  CHECK(c.autopurgeSnapRetainCount == 5);
  CHECK(c.autopurgePurgeInterval == 24);
  c = parse(kBase + "autopurge.snapRetainCount=1\n");
  CHECK(c.autopurgeSnapRetainCount == 3);
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0] ==
        "conf/zoo.cfg:3: autopurge.snapRetainCount 1 is below the minimum 3; using 3");
}

TEST_CASE("a duplicate key: the last one wins, with a warning", "[config]") {
  auto c = parse(kBase + "tickTime=1000\ntickTime=3000\n");
  CHECK(c.tickTime == 3000);
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0] == "conf/zoo.cfg:4: duplicate key 'tickTime' overrides line 3");
}

TEST_CASE("server.N lines", "[config]") {
  auto c = parse(kBase +
                 "initLimit=10\nsyncLimit=5\n"
                 "server.1=zk1:2888:3888\n"
                 "server.2=zk2:2888:3888:participant;2181\n"
                 "server.3=zk3:2888:3888:observer;127.0.0.1:2181\n"
                 "server.4=[::1]:2888:3888;[::1]:2182\n"
                 "server.5=zk5:2888:3888\n");
  REQUIRE(c.servers.size() == 5);
  const auto& s1 = c.servers.at(1);
  CHECK(s1.id == 1);
  CHECK(s1.host == "zk1");
  CHECK(s1.quorumPort == 2888);
  CHECK(s1.electionPort == 3888);
  CHECK_FALSE(s1.observer);
  CHECK(s1.clientPort == 0);
  CHECK(c.servers.at(2).clientPort == 2181);
  CHECK(c.servers.at(2).clientHost.empty());
  CHECK(c.servers.at(3).observer);
  CHECK(c.servers.at(3).clientHost == "127.0.0.1");
  CHECK(c.servers.at(4).host == "::1");
  CHECK(c.servers.at(4).clientHost == "::1");
  CHECK(c.servers.at(4).clientPort == 2182);
  CHECK_FALSE(c.standalone());
  CHECK(c.warnings.size() == 1);  // four participants: an even number
}

TEST_CASE("malformed server.N lines", "[config]") {
  const std::string fmt =
      "expected host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]";
  CHECK(errorOf(kBase + "server.1=zk1:2888\n") ==
        "conf/zoo.cfg:3: bad value 'zk1:2888' for server.1: " + fmt);
  CHECK(errorOf(kBase + "server.1=zk1:2888:x\n") ==
        "conf/zoo.cfg:3: bad value 'zk1:2888:x' for server.1: " + fmt);
  CHECK(errorOf(kBase + "server.1=zk1:2888:99999\n") ==
        "conf/zoo.cfg:3: bad value 'zk1:2888:99999' for server.1: " + fmt);
  CHECK(errorOf(kBase + "server.1=zk1:2888:3888;a:b:c\n") ==
        "conf/zoo.cfg:3: bad value 'zk1:2888:3888;a:b:c' for server.1: " + fmt);
  CHECK(errorOf(kBase + "server.1=zk1:2888:3888;2181;1\n") ==
        "conf/zoo.cfg:3: bad value 'zk1:2888:3888;2181;1' for server.1: " + fmt);
  CHECK(errorOf(kBase + "server.1=zk1:2888:3888:leader\n") ==
        "conf/zoo.cfg:3: server.1: unrecognised peer type 'leader' (expected participant or "
        "observer)");
  CHECK(errorOf(kBase + "server.1=zk1:2888:2888\n") ==
        "conf/zoo.cfg:3: server.1 uses port 2888 for both quorum and election; they must differ");
  CHECK(errorOf(kBase + "server.x=zk1:2888:3888\n") ==
        "conf/zoo.cfg:3: bad key 'server.x': expected server.<id> with an id >= 1");
  CHECK(errorOf(kBase + "server.1=a:1:2|b:1:2\n") ==
        "conf/zoo.cfg:3: server.1 lists several addresses but multiAddress.enabled is not true");
  auto c = parse(kBase + "server.1=a:1:2|b:1:2\nmultiAddress.enabled=true\n");
  CHECK(c.servers.at(1).host == "a");
}

TEST_CASE("quorum shape checks", "[config]") {
  CHECK(errorOf(kBase + "standaloneEnabled=false\n") ==
        "conf/zoo.cfg: standaloneEnabled=false needs at least one participant server.N");
  CHECK(errorOf(kBase + "server.1=a:1:2:observer\n") ==
        "conf/zoo.cfg: observers without participants");
  CHECK(errorOf(kBase + "server.1=a:1:2\nserver.2=b:1:2:observer\n") ==
        "conf/zoo.cfg: observers without a quorum");
  CHECK(errorOf(kBase + "initLimit=0\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2\n"
                        "server.3=c:1:2\n") == "conf/zoo.cfg:3: initLimit is not set");
  CHECK(errorOf(kBase + "initLimit=5\nserver.1=a:1:2\nserver.2=b:1:2\nserver.3=c:1:2\n") ==
        "conf/zoo.cfg: syncLimit is not set");
  auto c = parse(kBase + "server.1=a:1:2\n");
  CHECK(c.standalone());
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0] == "conf/zoo.cfg: only one server specified; running standalone");
}

TEST_CASE("loadConfig reads myid from dataDir", "[config]") {
  TempInstall t;
  auto path = t.cfg("clientPort=2181\n");
  CHECK(loadConfig(path).myid == 0);
  t.write("data/myid", "7\n");
  auto c = loadConfig(path);
  CHECK(c.myid == 7);
  CHECK(c.sourcePath == path);
  t.write("data/myid", "seven\n");
  CHECK(t.loadError(path) == t.data() + "/myid: bad content 'seven': expected a server id (an "
                                         "integer >= 1)");
  CHECK(t.loadError((t.dir / "conf/missing.cfg").string()) ==
        (t.dir / "conf/missing.cfg").string() + ": cannot read the configuration file");
}

TEST_CASE("clientPortAddress must agree with this server's server.N line", "[config]") {
  TempInstall t;
  t.write("data/myid", "1\n");
  // ";2181" means all addresses, which 127.0.0.1 is not: ZooKeeper 3.8 refuses this.
  auto path = t.cfg(
      "clientPort=2181\nclientPortAddress=127.0.0.1\nserver.1=127.0.0.1:2888:3888;2181\n");
  CHECK(t.loadError(path) ==
        path + ":3: client address 127.0.0.1:2181 disagrees with the client address 0.0.0.0:2181 "
               "of server.1 in " + path + " (ZooKeeper refuses to start with this too)");

  path = t.cfg("clientPort=2181\nclientPortAddress=127.0.0.1\n"
               "server.1=127.0.0.1:2888:3888;127.0.0.1:2181\n");
  auto c = loadConfig(path);
  CHECK(c.clientPortAddress == "127.0.0.1");
  CHECK(c.clientPort == 2181);

  // Without clientPortAddress only the ports are compared, and the server line wins.
  path = t.cfg("clientPort=2181\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2181\n");
  c = loadConfig(path);
  CHECK(c.clientPortAddress == "127.0.0.1");
  path = t.cfg("clientPort=2182\nserver.1=127.0.0.1:2888:3888;2181\n");
  CHECK(t.loadError(path).find(path + ":2: client address 0.0.0.0:2182 disagrees") == 0);

  // No clientPort at all: the server line supplies it.
  path = t.cfg("server.1=127.0.0.1:2888:3888;127.0.0.1:2185\n");
  c = loadConfig(path);
  CHECK(c.clientPort == 2185);
  CHECK(c.clientPortAddress == "127.0.0.1");
  // ... and when it does not, nothing does.
  path = t.cfg("server.1=127.0.0.1:2888:3888\n");
  CHECK(t.loadError(path) == path + ": clientPort is not set");
}

TEST_CASE("an ensemble member needs a myid that is in the list", "[config]") {
  TempInstall t;
  const std::string servers =
      "clientPort=2181\ninitLimit=10\nsyncLimit=5\n"
      "server.1=a:1:2\nserver.2=b:1:2\nserver.3=c:1:2\n";
  auto path = t.cfg(servers);
  CHECK(t.loadError(path) ==
        t.data() + "/myid: myid file is missing (an ensemble member needs one)");
  t.write("data/myid", "4");
  CHECK(t.loadError(path) ==
        t.data() + "/myid: server id 4 has no server.4 line in " + path);
  t.write("data/myid", "2");
  auto c = loadConfig(path);
  CHECK(c.myid == 2);
  CHECK_FALSE(c.standalone());
}

TEST_CASE("the server list decides the peer type", "[config]") {
  TempInstall t;
  t.write("data/myid", "3");
  auto path = t.cfg("clientPort=2181\ninitLimit=10\nsyncLimit=5\nserver.1=a:1:2\nserver.2=b:1:2\n"
                    "server.3=c:1:2:observer\n");
  auto c = loadConfig(path);
  CHECK(c.peerType == "observer");
  CHECK(std::any_of(c.warnings.begin(), c.warnings.end(), [](const std::string& w) {
    return w.find("peerType participant disagrees with server.3") != std::string::npos;
  }));
}

TEST_CASE("a dynamic config file holds the membership", "[config]") {
  TempInstall t;
  t.write("data/myid", "2");
  auto dyn = t.write("conf/zoo.cfg.dynamic.100000000",
                     "server.1=a:2888:3888:participant;2181\n"
                     "server.2=b:2888:3888:participant;2181\n"
                     "server.3=c:2888:3888:participant;2181\n");
  auto path = t.cfg("dynamicConfigFile=" + dyn + "\ninitLimit=10\nsyncLimit=5\n");
  auto c = loadConfig(path);
  CHECK(c.servers.size() == 3);
  CHECK(c.clientPort == 2181);
  CHECK(c.configVersion == 0x100000000);

  path = t.cfg("dynamicConfigFile=" + dyn + "\nserver.4=d:1:2\n");
  CHECK(t.loadError(path) == path + ":3: server.4 must be in the dynamic config file " + dyn);
  t.write("conf/zoo.cfg.dynamic.100000000", "tickTime=2000\n");
  path = t.cfg("dynamicConfigFile=" + dyn + "\n");
  CHECK(t.loadError(path) ==
        dyn + ":1: unrecognised parameter 'tickTime' in a dynamic config file");
}

TEST_CASE("defaultConfig is a local standalone server", "[config]") {
  auto c = defaultConfig();
  CHECK(c.sourcePath.empty());
  CHECK(c.clientPort == 2181);
  CHECK(c.clientPortAddress == "127.0.0.1");
  CHECK(c.dataDir == "./data");
  CHECK(c.standalone());
  CHECK_FALSE(c.adminEnableServer);
  CHECK(c.minSessionTimeout == 4000);
  CHECK(c.maxSessionTimeout == 40000);
  CHECK(c.fourLetterWordAllowed("mntr"));
  CHECK(c.fourLetterWordAllowed("wchp"));
}

TEST_CASE("describeConfig has the shape of ZooKeeper's conf output", "[config]") {
  TempInstall t;
  t.write("data/file", std::string(100, 'x'));
  auto path = t.cfg("clientPort=22181\n");
  auto c = loadConfig(path);
  CHECK(describeConfig(c) ==
        "clientPort=22181\n"
        "secureClientPort=-1\n"
        "dataDir=" + t.data() + "\n"
        "dataDirSize=100\n"
        "dataLogDir=" + t.data() + "\n"
        "dataLogSize=100\n"
        "tickTime=3000\n"
        "maxClientCnxns=60\n"
        "minSessionTimeout=6000\n"
        "maxSessionTimeout=60000\n"
        "clientPortListenBacklog=-1\n"
        "serverId=0\n");

  // Seen on ZooKeeper 3.8.0 with standaloneEnabled=false and one server.
  t.write("data/myid", "1");
  path = t.cfg("clientPort=22182\ntickTime=2000\ninitLimit=10\nsyncLimit=5\n"
               "standaloneEnabled=false\n"
               "server.1=127.0.0.1:22888:23888;22182\n");
  c = loadConfig(path);
  std::string d = describeConfig(c);
  const std::string tail =
      "serverId=1\n"
      "initLimit=10\n"
      "syncLimit=5\n"
      "electionAlg=3\n"
      "electionPort=23888\n"
      "quorumPort=22888\n"
      "peerType=0\n"
      "membership: \n"
      "server.1=127.0.0.1:22888:23888:participant;0.0.0.0:22182\n"
      "version=0";
  REQUIRE(d.size() > tail.size());
  CHECK(d.substr(d.size() - tail.size()) == tail);
  CHECK(d.rfind("clientPort=22182\nsecureClientPort=-1\n", 0) == 0);
}

TEST_CASE("the sample conf/zoo.cfg is what the README promises", "[config]") {
  auto c = loadConfig(std::string(GK_SOURCE_DIR) + "/conf/zoo.cfg");
  CHECK(c.warnings.empty());
  CHECK(c.standalone());
  CHECK(c.clientPort == 2181);
  CHECK(c.clientPortAddress == "127.0.0.1");
  CHECK(c.dataDir == "./data");
  CHECK(c.tickTime == 2000);
  CHECK(c.initLimit == 10);
  CHECK(c.syncLimit == 5);
  CHECK(c.maxClientCnxns == 60);
  CHECK(c.fourLetterWordAllowed("mntr"));
  CHECK_FALSE(c.adminEnableServer);
}

TEST_CASE("Properties corner cases", "[config]") {
  // A comment line does not continue, even ending in a backslash.
  auto c = parse(kBase + "# a comment \\\ntickTime=1000\n");
  CHECK(c.tickTime == 1000);
  // An escaped separator stays in the key.
  c = parse(kBase + "my\\=key=v\n");
  CHECK(c.systemProperties.at("zookeeper.my=key") == "v");
  // Errors in a continued value name the line it starts on.
  CHECK(errorOf(kBase + "tickTime=\\\n  x\n") ==
        "conf/zoo.cfg:3: bad value 'x' for tickTime: expected a positive integer");
  CHECK(errorOf(kBase + "superUser=\\u12\n") == "conf/zoo.cfg:3: malformed \\uxxxx escape");
  CHECK(errorOf(kBase + "=value\n") == "conf/zoo.cfg:3: a value without a key");
}
