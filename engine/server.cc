// Server: composes a GraphKeeper server from its processors and runs its event loop.
//
//   ConnectionManager ──frames──► RequestDispatcher ──reads──► served from the snapshot
//   (engine/net/connection_manager.h)  (engine/processor/request_dispatcher.h)
//                                         │ writes
//                                         ▼
//                                  WriteProcessor of the role (engine/processor/write_processor.h)
//                                  standalone: PreparePipeline → LocalQuorum
//                                         │ committed + applied (StoreMachine)
//                                         ▼
//   replies, watch events, sessions ◄── CommitEffects (engine/processor/commit_effects.h)
//
// setupRequestProcessors() picks the chain for the configured role, as ZooKeeper's
// ZooKeeperServer subclasses do. Only standalone exists yet; a configuration that describes
// an ensemble is refused at start (quorum replication is the next part of that work), never
// run standalone in silence.
//
// Threads: one KJ event loop thread runs every processor above; the replication layer's
// threads (LocalQuorum: log and apply) only wake it through an eventfd; the query workers
// (engine/query_service.h) read their own snapshots.

#include "engine/server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <kj/async-io.h>
#include <kj/async-unix.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "engine/admin_server.h"
#include "engine/processor/commit_effects.h"
#include "engine/net/connection_manager.h"
#include "engine/container_manager.h"
#include "engine/log.h"
#include "engine/prep.h"
#include "engine/processor/prepare_pipeline.h"
#include "engine/query_service.h"
#include "engine/processor/request_dispatcher.h"
#include "engine/server_context.h"
#include "engine/server_stats.h"
#include "engine/processor/store_machine.h"
#include "graph/znode_store.h"
#include "replication/local_quorum.h"
#include "replication/txn_log.h"

namespace gk::engine {

struct Server::Impl : public kj::TaskSet::ErrorHandler {
  explicit Impl(ServerConfig c) : cfg(std::move(c)), ctx(cfg) {}

  ServerConfig cfg;
  int stopFd = -1;
  ServerContext ctx;

  std::unique_ptr<graph::ZnodeStore> store;
  std::unique_ptr<replication::TxnLog> txnLog;  // outlives quorum
  std::unique_ptr<StoreMachine> machine;
  PrepareLimits prepareLimits;
  ContainerPolicy containerPolicy;
  std::string mode = "standalone";

  // The processors (setupRequestProcessors). Declared in the order they may be destroyed
  // last-to-first: the quorum stops (finishing its batch) before what it reports to goes.
  std::unique_ptr<ConnectionManager> conns;
  std::unique_ptr<RequestDispatcher> dispatcher;
  std::unique_ptr<CommitEffects> effects;
  std::unique_ptr<PreparePipeline> pipeline;
  std::unique_ptr<replication::LocalQuorum> quorum;
  QueryService* queryService = nullptr;  // owned by run(); told about every published batch

  // Completions from the replication thread
  std::mutex doneMu;
  std::vector<std::string> doneErrors;
  size_t doneCount = 0;
  int doneFd = -1;

  kj::AsyncIoContext* io = nullptr;
  kj::Own<kj::TaskSet> tasks;
  kj::Own<kj::ConnectionReceiver> listener;

  void taskFailed(kj::Exception&& e) override {
    GK_LOG_WARN("task failed: {}", e.getDescription().cStr());
  }

  // --- start-up -------------------------------------------------------------------------

  void checkRole() {
    if (cfg.standalone()) return;
    // Tried as a new user would: three servers configured as an ensemble came up as three
    // independent stores saying "Mode: standalone". Refuse instead, naming the line.
    const ServerEntry& first = cfg.servers.begin()->second;
    throw std::runtime_error(fmt::format(
        "{}: server.{}: this configuration describes an ensemble of {} servers, but this "
        "GraphKeeper runs standalone only (quorum replication is not built yet) and will not "
        "start as one; keep at most one server.N line to run standalone",
        first.where.empty() ? cfg.sourcePath : first.where, first.id, cfg.servers.size()));
  }

  void openStore() {
    graph::StoreOptions o;
    o.dir = cfg.dataDir;
    o.sync = cfg.forceSync;
    o.walBacked = true;  // every batch is in txnLog before it is acknowledged
    store = graph::ZnodeStore::open(o);
    ctx.store = store.get();
    // The write-ahead log, where ZooKeeper keeps its transaction logs (dataLogDir if set).
    // Replaying what the store lacks (at most the commits an OS crash undid, or a checkpoint
    // interval) before anything is served.
    replication::TxnLogOptions lo;
    lo.dir = (cfg.dataLogDir.empty() ? cfg.dataDir : cfg.dataLogDir) + "/txnlog";
    lo.sync = cfg.forceSync;
    txnLog = replication::TxnLog::open(lo);
    machine = std::make_unique<StoreMachine>(*store, ctx.metrics.fsync);
    if (size_t replayed = replication::recover(*txnLog, *machine); replayed > 0) {
      GK_LOG_INFO("replayed {} txns from the transaction log in {}", replayed, lo.dir);
    }
    machine->setRecording(true);  // from now on someone waits for the effects
    ctx.snap.emplace(store->snapshot());
    ctx.appliedZxid = ctx.snap->lastZxid();
    bool enforceQuota = false;  // Boolean.parseBoolean(zookeeper.enforceQuota)
    if (auto it = cfg.systemProperties.find("zookeeper.enforceQuota");
        it != cfg.systemProperties.end()) {
      const std::string& v = it->second;
      enforceQuota = v.size() == 4 && std::equal(v.begin(), v.end(), "true",
                                                 [](char a, char b) { return (a | 0x20) == b; });
    }
    if (enforceQuota) {
      GK_LOG_INFO("enforceQuota is on: writes over a hard quota limit get QUOTAEXCEEDED");
    }
    prepareLimits = PrepareLimits{cfg.extendedTypesEnabled, enforceQuota};
    containerPolicy = engine::containerPolicy(cfg);
    // Sessions survive a restart with a fresh timeout, as ZooKeeper restores them.
    int64_t now = monoMs();
    for (const auto& s : ctx.snap->sessions()) ctx.sessions.add(s.id, s.timeoutMs, s.password, now);
    GK_LOG_INFO("opened {} at zxid {} with {} znodes and {} sessions", cfg.dataDir,
                hexId(ctx.appliedZxid), ctx.snap->znodeCount(), ctx.sessions.size());
  }

  // ZooKeeper's setupRequestProcessors: the chain of the configured role.
  void setupRequestProcessors() {
    conns = std::make_unique<ConnectionManager>(cfg, io->provider->getTimer(), *tasks);
    dispatcher = std::make_unique<RequestDispatcher>(
        ctx, *conns, [this](Connection& c, const std::string& word) { answerFourLetterWord(c, word); });
    conns->setHandler(dispatcher.get());
    effects = std::make_unique<CommitEffects>(ctx, *conns, *machine);
    effects->setOnWritesDone([this](Connection& c) { dispatcher->drainHeld(c); });
    // standalone: prepare → propose to the quorum of one → apply → effects.
    quorum = std::make_unique<replication::LocalQuorum>(
        *machine, txnLog.get(), [this](std::vector<replication::Entry> committed, std::string error) {
          onCommitted(std::move(committed), std::move(error));
        });
    pipeline = std::make_unique<PreparePipeline>(ctx, *conns, *effects, *quorum, prepareLimits);
    dispatcher->setWriteProcessor(pipeline.get());
  }

  // --- commits --------------------------------------------------------------------------

  // Replication thread: entries are committed and applied (or failed). Wakes the loop.
  void onCommitted(std::vector<replication::Entry> /*committed*/, std::string error) {
    {
      std::lock_guard lock(doneMu);
      doneCount++;
      if (!error.empty()) doneErrors.push_back(std::move(error));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(doneFd, &one, sizeof one);
  }

  kj::Promise<void> completionLoop(kj::UnixEventPort::FdObserver& observer) {
    return observer.whenBecomesReadable().then([this, &observer]() {
      uint64_t v;
      while (::read(doneFd, &v, sizeof v) > 0) {
      }
      size_t count;
      std::vector<std::string> errors;
      {
        std::lock_guard lock(doneMu);
        count = doneCount;
        doneCount = 0;
        errors.swap(doneErrors);
      }
      if (!errors.empty()) {
        // The store refused a batch (disk full, I/O error). Nothing of it was acknowledged;
        // stop rather than answer from a state we cannot keep.
        GK_LOG_ERROR("Severe unrecoverable error, exiting: could not apply a batch: {}",
                     errors.front());
        std::exit(1);
      }
      if (count > 0) {
        int64_t published = effects->publish();
        if (queryService) queryService->noteWritesApplied();
        pipeline->onPublished(published);
      }
      return completionLoop(observer);
    });
  }

  // --- the leader's own writes ----------------------------------------------------------

  kj::Promise<void> expiryLoop() {
    int interval = std::clamp(cfg.tickTime / 2, 50, 1000);
    return io->provider->getTimer().afterDelay(interval * kj::MILLISECONDS).then([this]() {
      for (int64_t sid : ctx.sessions.takeExpired(monoMs())) {
        const auto* s = ctx.sessions.find(sid);
        GK_LOG_INFO("Expiring session {}, timeout of {}ms exceeded", hexId(sid),
                    s ? s->timeoutMs : 0);
        pipeline->expireSession(sid);
      }
      return expiryLoop();
    });
  }

  // The container manager (ContainerManager): every checkIntervalMs, containers that had
  // children and are empty again, and TTL nodes idle past their TTL, are deleted as
  // server-originated writes (no client waits on them).
  kj::Promise<void> containerLoop() {
    return io->provider->getTimer()
        .afterDelay(containerPolicy.checkIntervalMs * kj::MILLISECONDS)
        .then([this]() {
          int64_t budget = containerPolicy.deletesPerCheck();
          for (const std::string& path : containerCandidates(*ctx.snap, wallMs(), containerPolicy)) {
            if (budget-- <= 0) break;  // the rest wait for the next check
            if (!pipeline->deleteContainer(path, containerPolicy)) continue;  // saved
            GK_LOG_INFO("Attempting to delete candidate container: {}", path);
          }
          return containerLoop();
        });
  }

  // --- four-letter words ----------------------------------------------------------------

  ServerStats stats(const Connection* asking) {
    return gatherServerStats(ctx, *conns, pipeline->outstanding(), mode, asking);
  }

  void answerFourLetterWord(Connection& c, const std::string& word) {
    if (word == "crst") resetConnectionStats();
    if (word == "srst" && cfg.fourLetterWordAllowed(word)) resetServerStats();
    auto reply = fourLetterReply(word, stats(&c), cfg);
    if (!reply) {
      conns->close(c, "unknown four-letter word");
      return;
    }
    conns->sendAndClose(c, std::move(*reply));
  }

  void resetConnectionStats() {  // crst
    for (auto& [id, cc] : conns->all()) {
      cc->received = cc->sent = 0;
      cc->minLatency = cc->maxLatency = cc->totalLatency = cc->latencyCount = 0;
    }
  }

  void resetServerStats() {  // srst
    conns->packetsReceived = conns->packetsSent = 0;
    ctx.resetLatencies();
  }

  // --- run ------------------------------------------------------------------------------

  // The operating system's reason inside a KJ socket error ("Address already in use"), not
  // the library call around it.
  static std::string socketReason(const kj::Exception& e) {
    std::string d = e.getDescription().cStr();
    size_t start = d.find("): ");
    start = start == std::string::npos ? 0 : start + 3;
    size_t end = d.find(';', start);
    return d.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }

  void run() {
    ctx.startedMs = wallMs();
    checkRole();
    openStore();
    // ZooKeeper's DatadirCleanupManager lines, so operators see their settings acknowledged.
    // There is nothing for them to purge here: the state is one LMDB file whose freed pages
    // are reused, and the transaction log recycles its own segments (docs/operations.md).
    GK_LOG_INFO("autopurge.snapRetainCount set to {}", cfg.autopurgeSnapRetainCount);
    GK_LOG_INFO("autopurge.purgeInterval set to {}", cfg.autopurgePurgeInterval);
    GK_LOG_INFO("Purge task is not scheduled: GraphKeeper keeps no snapshots and recycles its transaction log");
    doneFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (doneFd < 0) throw std::runtime_error("eventfd failed");

    auto ioContext = kj::setupAsyncIo();
    io = &ioContext;
    tasks = kj::heap<kj::TaskSet>(*this);
    setupRequestProcessors();
    try {
      serve(ioContext);
    } catch (...) {
      teardown();  // everything registered with the event loop goes while it is alive
      throw;
    }
    teardown();
  }

  // Stops the replication threads (finishing their batch, so its txns are durable) before
  // what they report to, then the processors, then the loop's tasks.
  void teardown() {
    quorum.reset();
    queryService = nullptr;
    listener = nullptr;
    if (conns) conns->closeAll();
    tasks = nullptr;
    pipeline.reset();
    effects.reset();
    dispatcher.reset();
    conns.reset();
    io = nullptr;
    if (doneFd >= 0) ::close(doneFd);
    doneFd = -1;
    ctx.snap.reset();
    store.reset();
  }

  void serve(kj::AsyncIoContext& ioContext) {
    std::string host = cfg.clientPortAddress.empty() ? "*" : cfg.clientPortAddress;
    try {
      auto addr = ioContext.provider->getNetwork()
                      .parseAddress(host, cfg.clientPort)
                      .wait(ioContext.waitScope);
      listener = addr->listen();
    } catch (const kj::Exception& e) {
      throw std::runtime_error(fmt::format(
          "cannot listen for clients on {}:{}: {} (is another server using this port? "
          "clientPort and clientPortAddress in the configuration choose it)",
          host == "*" ? "0.0.0.0" : host, cfg.clientPort, socketReason(e)));
    }
    GK_LOG_INFO("binding to port {}:{}", host == "*" ? "0.0.0.0" : host, cfg.clientPort);
    // Same loop, no threads; a port it cannot bind stops start-up (std::runtime_error).
    std::unique_ptr<QueryService> queries;  // POST /query's workers; outlive the admin server
    std::unique_ptr<AdminServer> admin;
    if (cfg.adminEnableServer || prometheusProviderConfigured(cfg)) {
      AdminHooks hooks;
      hooks.stats = [this]() { return stats(nullptr); };
      hooks.resetConnectionStats = [this]() { resetConnectionStats(); };
      hooks.resetServerStats = [this]() { resetServerStats(); };
      hooks.metrics = &ctx.metrics;
      if (cfg.adminEnableServer) {
        // Queries read their own snapshot of the store on worker threads; the loop only hands
        // over the ensemble as it is now (sessions connected here, the applied zxid).
        queries = std::make_unique<QueryService>(*store, cfg, [this]() {
          return standaloneEnsemble(cfg, ctx.appliedZxid, conns->sessionIds());
        });
        queryService = queries.get();
        hooks.query = [q = queries.get()](const std::string& body) { return q->handle(body); };
      }
      try {
        admin = std::make_unique<AdminServer>(*ioContext.provider,
                                              *ioContext.lowLevelProvider, cfg, std::move(hooks));
      } catch (...) {
        listener = nullptr;  // it must go while the event loop it is registered with is alive
        throw;
      }
    }

    {
      // The observers must go before the fds they watch are closed.
      kj::UnixEventPort::FdObserver doneObserver(ioContext.unixEventPort, doneFd,
                                                 kj::UnixEventPort::FdObserver::OBSERVE_READ);
      kj::UnixEventPort::FdObserver stopObserver(ioContext.unixEventPort, stopFd,
                                                 kj::UnixEventPort::FdObserver::OBSERVE_READ);
      tasks->add(conns->acceptLoop(*listener));
      tasks->add(completionLoop(doneObserver));
      tasks->add(expiryLoop());
      tasks->add(containerLoop());
      GK_LOG_INFO("GraphKeeper {} serving, mode {}, zxid {}", kServerVersion, mode,
                  hexId(ctx.appliedZxid));

      stopObserver.whenBecomesReadable().wait(ioContext.waitScope);
      GK_LOG_INFO("shutting down");

      // Let the batch being applied finish so its txns are durable, then drop everything.
      quorum.reset();
      admin.reset();
      queryService = nullptr;
      queries.reset();  // before the store: a running query finishes on its snapshot
      listener = nullptr;
      conns->closeAll();
      tasks = nullptr;
    }
  }
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  impl_->stopFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl_->stopFd < 0) throw std::runtime_error("eventfd failed");
}

Server::~Server() {
  if (impl_->stopFd >= 0) ::close(impl_->stopFd);
}

void Server::run() { impl_->run(); }

void Server::requestStop() {
  uint64_t one = 1;
  // write() on an eventfd is async-signal-safe.
  [[maybe_unused]] auto n = ::write(impl_->stopFd, &one, sizeof one);
}

}  // namespace gk::engine
