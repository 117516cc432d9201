/*
 * c_client_check: drives a server with the official ZooKeeper C client (libzookeeper_mt,
 * synchronous API) and exits non-zero with a message on the first mismatch.
 *
 *   c_client_check HOST:PORT            all basic checks; prints "OK" at the end
 *   c_client_check HOST:PORT reconnect  watch re-registration after a reconnect; talks with
 *                                       the test on stdout (see test_c_client.py)
 *
 * The server must be fresh (the checks expect exact sequence numbers under /cc).
 * Every wait is bounded; the whole run is bounded by an alarm.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zookeeper/zookeeper.h>

#define RECV_TIMEOUT_MS 10000
#define WAIT_MS 15000

static const char *g_host;

static void fail(int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "c_client_check: FAIL (line %d): ", line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  _exit(1);
}

#define CHECK(cond, ...)              \
  do {                                \
    if (!(cond)) fail(__LINE__, __VA_ARGS__); \
  } while (0)

#define CHECK_RC(expr, want)                                                         \
  do {                                                                               \
    int rc_ = (expr);                                                                \
    if (rc_ != (want))                                                               \
      fail(__LINE__, "%s returned %d (%s), wanted %d (%s)", #expr, rc_, zerror(rc_), \
           (want), zerror(want));                                                    \
  } while (0)

/* ---- events seen by watchers, shared with the client's completion thread ---- */

#define MAX_EVENTS 256
struct event {
  zhandle_t *zh;
  int type;
  int state;
  char path[256];
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static struct event g_events[MAX_EVENTS];
static int g_nevents;

static void record(zhandle_t *zh, int type, int state, const char *path) {
  pthread_mutex_lock(&g_mu);
  if (g_nevents < MAX_EVENTS) {
    struct event *e = &g_events[g_nevents++];
    e->zh = zh;
    e->type = type;
    e->state = state;
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
  }
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
  (void)ctx;
  record(zh, type, state, path);
}

static void deadline_in(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Waits for an event matching (zh, type, state or -1, path or NULL) seen at index >= *from;
 * consumes it by moving *from past it. Returns 1 if found within ms. */
static int wait_event(zhandle_t *zh, int type, int state, const char *path, int *from, int ms) {
  struct timespec ts;
  deadline_in(&ts, ms);
  pthread_mutex_lock(&g_mu);
  for (;;) {
    for (int i = *from; i < g_nevents; i++) {
      struct event *e = &g_events[i];
      if (e->zh == zh && e->type == type && (state == -1 || e->state == state) &&
          (path == NULL || strcmp(e->path, path) == 0)) {
        *from = i + 1;
        pthread_mutex_unlock(&g_mu);
        return 1;
      }
    }
    if (pthread_cond_timedwait(&g_cv, &g_mu, &ts) == ETIMEDOUT) {
      pthread_mutex_unlock(&g_mu);
      return 0;
    }
  }
}

/* Number of events so far whose (zh, type) match and path matches (for "no more events"). */
static int count_events(zhandle_t *zh, int type, const char *path, int from) {
  int n = 0;
  pthread_mutex_lock(&g_mu);
  for (int i = from; i < g_nevents; i++)
    if (g_events[i].zh == zh && g_events[i].type == type &&
        (path == NULL || strcmp(g_events[i].path, path) == 0))
      n++;
  pthread_mutex_unlock(&g_mu);
  return n;
}

static int event_mark(void) {
  pthread_mutex_lock(&g_mu);
  int n = g_nevents;
  pthread_mutex_unlock(&g_mu);
  return n;
}

static zhandle_t *connect_to(const char *host, const clientid_t *cid) {
  int from = event_mark();
  zhandle_t *zh = zookeeper_init(host, watcher, RECV_TIMEOUT_MS, cid, NULL, 0);
  CHECK(zh != NULL, "zookeeper_init failed: %s", strerror(errno));
  if (cid == NULL || cid->client_id == 0) {
    CHECK(wait_event(zh, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, &from, WAIT_MS),
          "no connection to %s within %d ms", host, WAIT_MS);
  }
  return zh;
}

/* ---- completion for zoo_async (sync) ---- */
static int g_sync_rc = 1;
static int g_sync_done;
static void sync_done(int rc, const char *value, const void *data) {
  (void)value;
  (void)data;
  pthread_mutex_lock(&g_mu);
  g_sync_rc = rc;
  g_sync_done = 1;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

/* Field by field: struct Stat has padding that memcmp would compare. */
static int same_stat(const struct Stat *a, const struct Stat *b) {
  return a->czxid == b->czxid && a->mzxid == b->mzxid && a->ctime == b->ctime &&
         a->mtime == b->mtime && a->version == b->version && a->cversion == b->cversion &&
         a->aversion == b->aversion && a->ephemeralOwner == b->ephemeralOwner &&
         a->dataLength == b->dataLength && a->numChildren == b->numChildren &&
         a->pzxid == b->pzxid;
}

static void basic(void) {
  char buf[512];
  int len;
  struct Stat st, st2;
  int mark;

  zhandle_t *zh = connect_to(g_host, NULL);
  CHECK_RC(zoo_set_servers_resolution_delay(zh, -1), ZOK);
  CHECK(zoo_recv_timeout(zh) == RECV_TIMEOUT_MS, "negotiated timeout %d, asked %d",
        zoo_recv_timeout(zh), RECV_TIMEOUT_MS);
  const clientid_t *cid = zoo_client_id(zh);
  CHECK(cid->client_id != 0, "session id 0");
  int64_t sid = cid->client_id;
  zhandle_t *zh2 = connect_to(g_host, NULL);
  CHECK(zoo_client_id(zh2)->client_id != sid, "two handles share a session");

  /* create / get / set / exists / delete */
  CHECK_RC(zoo_create(zh, "/cc", "root", 4, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, buf,
                      sizeof buf), ZOK);
  CHECK(strcmp(buf, "/cc") == 0, "created %s", buf);
  CHECK_RC(zoo_create(zh, "/cc", "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
           ZNODEEXISTS);
  CHECK_RC(zoo_create(zh, "/nope/child", "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
           ZNONODE);
  CHECK_RC(zoo_create2(zh, "/cc/a", "hello", 5, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, buf,
                       sizeof buf, &st), ZOK);
  CHECK(st.version == 0 && st.cversion == 0 && st.dataLength == 5 && st.numChildren == 0 &&
            st.ephemeralOwner == 0 && st.czxid == st.mzxid && st.czxid == st.pzxid,
        "create2 stat: version %d dataLength %d czxid %lld mzxid %lld", st.version,
        st.dataLength, (long long)st.czxid, (long long)st.mzxid);
  len = sizeof buf;
  CHECK_RC(zoo_get(zh, "/cc/a", 0, buf, &len, &st2), ZOK);
  CHECK(len == 5 && memcmp(buf, "hello", 5) == 0, "get returned %d bytes", len);
  CHECK(same_stat(&st, &st2), "get stat differs from create2 stat");

  CHECK_RC(zoo_set(zh, "/cc/a", "world!", 6, 0), ZOK);
  CHECK_RC(zoo_set(zh, "/cc/a", "late", 4, 0), ZBADVERSION);
  CHECK_RC(zoo_set2(zh, "/cc/a", "again", 5, 1, &st2), ZOK);
  CHECK(st2.version == 2 && st2.dataLength == 5 && st2.czxid == st.czxid &&
            st2.mzxid > st.mzxid,
        "set2 stat: version %d", st2.version);
  CHECK_RC(zoo_exists(zh, "/cc/a", 0, &st), ZOK);
  CHECK(st.version == 2, "exists stat version %d", st.version);
  CHECK_RC(zoo_exists(zh, "/cc/none", 0, &st), ZNONODE);
  CHECK_RC(zoo_delete(zh, "/cc/none", -1), ZNONODE);

  /* children */
  struct String_vector kids;
  CHECK_RC(zoo_get_children(zh, "/cc", 0, &kids), ZOK);
  CHECK(kids.count == 1 && strcmp(kids.data[0], "a") == 0, "children of /cc: %d", kids.count);
  deallocate_String_vector(&kids);
  CHECK_RC(zoo_get_children2(zh, "/cc", 0, &kids, &st), ZOK);
  CHECK(kids.count == 1 && st.numChildren == 1 && st.cversion == 1, "getChildren2 stat");
  deallocate_String_vector(&kids);

  /* ephemeral and sequential */
  CHECK_RC(zoo_create(zh, "/cc/eph", "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0), ZOK);
  CHECK_RC(zoo_exists(zh2, "/cc/eph", 0, &st), ZOK);
  CHECK(st.ephemeralOwner == sid, "ephemeralOwner %llx, session %llx",
        (long long)st.ephemeralOwner, (long long)sid);
  CHECK_RC(zoo_create(zh, "/cc/eph/kid", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
           ZNOCHILDRENFOREPHEMERALS);
  CHECK_RC(zoo_create(zh, "/cc/seq-", "s", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL,
                      buf, sizeof buf), ZOK);
  CHECK(strcmp(buf, "/cc/seq-0000000002") == 0, "sequential create gave %s", buf);
  CHECK_RC(zoo_create(zh, "/cc/eseq-", "s", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL_SEQUENTIAL,
                      buf, sizeof buf), ZOK);
  CHECK(strcmp(buf, "/cc/eseq-0000000003") == 0, "ephemeral sequential create gave %s", buf);
  CHECK_RC(zoo_delete(zh, "/cc", -1), ZNOTEMPTY);
  CHECK_RC(zoo_delete(zh, "/", -1), ZBADARGUMENTS);

  /* null and large data */
  CHECK_RC(zoo_create(zh, "/cc/null", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
           ZOK);
  len = sizeof buf;
  CHECK_RC(zoo_get(zh, "/cc/null", 0, buf, &len, &st), ZOK);
  CHECK(len == -1 && st.dataLength == 0, "null data read back as %d bytes", len);
  {
    const int big = 1000000;
    char *v = malloc(big), *r = malloc(big);
    CHECK(v && r, "malloc");
    for (int i = 0; i < big; i++) v[i] = (char)(i * 7 + 3);
    CHECK_RC(zoo_create(zh, "/cc/big", v, big, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
             ZOK);
    len = big;
    CHECK_RC(zoo_get(zh2, "/cc/big", 0, r, &len, &st), ZOK);
    CHECK(len == big && st.dataLength == big && memcmp(v, r, big) == 0,
          "1,000,000-byte value read back as %d bytes", len);
    CHECK_RC(zoo_delete(zh, "/cc/big", 0), ZOK);
    free(v);
    free(r);
  }

  /* ACL */
  {
    struct ACL_vector acl;
    CHECK_RC(zoo_get_acl(zh, "/cc/a", &acl, &st), ZOK);
    CHECK(acl.count == 1 && acl.data[0].perms == ZOO_PERM_ALL &&
              strcmp(acl.data[0].id.scheme, "world") == 0 &&
              strcmp(acl.data[0].id.id, "anyone") == 0,
          "ACL of /cc/a is not world:anyone:cdrwa");
    deallocate_ACL_vector(&acl);
  }

  /* watches: data, child, exists; each fires once */
  mark = event_mark();
  len = sizeof buf;
  CHECK_RC(zoo_wget(zh, "/cc/a", watcher, NULL, buf, &len, &st), ZOK);
  CHECK_RC(zoo_wget_children(zh, "/cc", watcher, NULL, &kids), ZOK);
  deallocate_String_vector(&kids);
  CHECK_RC(zoo_wexists(zh, "/cc/later", watcher, NULL, &st), ZNONODE);
  CHECK_RC(zoo_set(zh2, "/cc/a", "changed", 7, -1), ZOK);
  CHECK(wait_event(zh, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, "/cc/a", &mark, WAIT_MS),
        "no data watch event for /cc/a");
  {
    int m2 = mark;
    CHECK_RC(zoo_create(zh2, "/cc/later", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
             ZOK);
    CHECK(wait_event(zh, ZOO_CREATED_EVENT, -1, "/cc/later", &m2, WAIT_MS),
          "no exists watch event for /cc/later");
    int m3 = mark;
    CHECK(wait_event(zh, ZOO_CHILD_EVENT, -1, "/cc", &m3, WAIT_MS),
          "no child watch event for /cc");
  }
  /* the watch event came before the data: a read now sees the change */
  len = sizeof buf;
  CHECK_RC(zoo_get(zh, "/cc/a", 0, buf, &len, &st), ZOK);
  CHECK(len == 7 && memcmp(buf, "changed", 7) == 0, "read after watch event is stale");
  CHECK_RC(zoo_set(zh2, "/cc/a", "again", 5, -1), ZOK);
  CHECK_RC(zoo_delete(zh2, "/cc/later", -1), ZOK);
  /* flush: a fresh watch, fired after the changes above; then check nothing else fired */
  {
    int m4 = event_mark();
    CHECK_RC(zoo_wexists(zh, "/cc/flush", watcher, NULL, &st), ZNONODE);
    CHECK_RC(zoo_create(zh2, "/cc/flush", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0),
             ZOK);
    CHECK(wait_event(zh, ZOO_CREATED_EVENT, -1, "/cc/flush", &m4, WAIT_MS), "flush watch");
    CHECK(count_events(zh, ZOO_CHANGED_EVENT, "/cc/a", 0) == 1, "data watch fired twice");
    CHECK(count_events(zh, ZOO_DELETED_EVENT, "/cc/later", 0) == 0, "exists watch fired twice");
    CHECK_RC(zoo_delete(zh2, "/cc/flush", -1), ZOK);
  }

  /* sync */
  CHECK_RC(zoo_async(zh, "/cc", sync_done, NULL), ZOK);
  {
    struct timespec ts;
    deadline_in(&ts, WAIT_MS);
    pthread_mutex_lock(&g_mu);
    while (!g_sync_done && pthread_cond_timedwait(&g_cv, &g_mu, &ts) != ETIMEDOUT) {
    }
    int done = g_sync_done, rc = g_sync_rc;
    pthread_mutex_unlock(&g_mu);
    CHECK(done && rc == ZOK, "sync: done %d rc %d", done, rc);
  }

  /* multi: success */
  {
    zoo_op_t ops[5];
    zoo_op_result_t res[5];
    char created[64];
    struct Stat setstat;
    CHECK_RC(zoo_create(zh, "/cc/b", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0), ZOK);
    zoo_create_op_init(&ops[0], "/cc/m", "m1", 2, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, created,
                       sizeof created);
    zoo_set_op_init(&ops[1], "/cc/m", "m2", 2, 0, &setstat);
    zoo_check_op_init(&ops[2], "/cc/m", 1);
    zoo_delete_op_init(&ops[3], "/cc/b", 0);
    zoo_create_op_init(&ops[4], "/cc/ms-", "", 0, &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_PERSISTENT_SEQUENTIAL, NULL, 0);
    CHECK_RC(zoo_multi(zh, 5, ops, res), ZOK);
    for (int i = 0; i < 5; i++) CHECK(res[i].err == ZOK, "multi op %d: %d", i, res[i].err);
    CHECK(strcmp(created, "/cc/m") == 0, "multi create gave %s", created);
    CHECK(setstat.version == 1, "multi set stat version %d", setstat.version);
    CHECK_RC(zoo_exists(zh, "/cc/b", 0, &st), ZNONODE);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, "/cc/m", 0, buf, &len, &st), ZOK);
    CHECK(len == 2 && memcmp(buf, "m2", 2) == 0 && st.version == 1, "multi result data");
  }
  /* multi: failure in the middle, nothing applied */
  {
    zoo_op_t ops[4];
    zoo_op_result_t res[4];
    zoo_create_op_init(&ops[0], "/cc/m2", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
    zoo_set_op_init(&ops[1], "/cc/m", "zz", 2, -1, NULL);
    zoo_check_op_init(&ops[2], "/cc/a", 99);
    zoo_delete_op_init(&ops[3], "/cc/m", -1);
    CHECK_RC(zoo_multi(zh, 4, ops, res), ZBADVERSION);
    CHECK(res[0].err == ZOK && res[1].err == ZOK, "ops before the failing one: %d %d",
          res[0].err, res[1].err);
    CHECK(res[2].err == ZBADVERSION, "failing op: %d", res[2].err);
    CHECK(res[3].err == ZRUNTIMEINCONSISTENCY, "op after the failing one: %d", res[3].err);
    CHECK_RC(zoo_exists(zh, "/cc/m2", 0, &st), ZNONODE);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, "/cc/m", 0, buf, &len, &st), ZOK);
    CHECK(len == 2 && memcmp(buf, "m2", 2) == 0 && st.version == 1, "failed multi applied");
  }

  /* closing the session removes its ephemerals and fires watches of others */
  mark = event_mark();
  CHECK_RC(zoo_wexists(zh2, "/cc/eph", watcher, NULL, &st), ZOK);
  CHECK_RC(zookeeper_close(zh), ZOK);
  CHECK(wait_event(zh2, ZOO_DELETED_EVENT, -1, "/cc/eph", &mark, WAIT_MS),
        "ephemeral not deleted when its session closed");
  CHECK_RC(zoo_exists(zh2, "/cc/eseq-0000000003", 0, &st), ZNONODE);

  /* a wrong password: the C client reports the session expired */
  {
    clientid_t bad;
    bad.client_id = zoo_client_id(zh2)->client_id;
    memcpy(bad.passwd, zoo_client_id(zh2)->passwd, sizeof bad.passwd);
    bad.passwd[0] ^= 0x5a;
    mark = event_mark();
    zhandle_t *zh3 = zookeeper_init(g_host, watcher, RECV_TIMEOUT_MS, &bad, NULL, 0);
    CHECK(zh3 != NULL, "zookeeper_init");
    CHECK(wait_event(zh3, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, NULL, &mark, WAIT_MS),
          "wrong password not reported as an expired session");
    zookeeper_close(zh3);
    /* The real session is untouched. (ZooKeeper 3.8 closes the session's current connection
     * when any client asks to re-attach to it, even with a wrong password; zh2 then
     * reconnects to the same session. Either way the session must still be there.) */
    int rc = zoo_exists(zh2, "/cc/a", 0, &st);
    if (rc == ZCONNECTIONLOSS) {
      CHECK(wait_event(zh2, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, &mark, WAIT_MS),
            "owner did not reconnect");
      rc = zoo_exists(zh2, "/cc/a", 0, &st);
    }
    CHECK(rc == ZOK, "owner's session after a wrong-password attempt: %s", zerror(rc));
    CHECK(zoo_client_id(zh2)->client_id == bad.client_id, "owner's session changed");
  }
  CHECK_RC(zookeeper_close(zh2), ZOK);
  printf("OK\n");
  fflush(stdout);
}

/* Watches set before a disconnect are re-registered (setWatches) and fire for changes made
 * while disconnected. Protocol with the test, one line each on stdout / stdin:
 *   -> READY            watches are set on /cw (data) and /cwkids (children)
 *   <- CUT              the test has cut the connection (via its proxy)
 *   -> DISCONNECTED     the client noticed
 *   <- CHANGED          the test changed /cw and added a child to /cwkids, then restored
 *   -> OK               both watches fired on the same session after the reconnect */
static void reconnect_check(void) {
  char line[64];
  char buf[64];
  int len = sizeof buf;
  struct Stat st;
  struct String_vector kids;
  zhandle_t *zh = connect_to(g_host, NULL);
  int64_t sid = zoo_client_id(zh)->client_id;
  CHECK_RC(zoo_wget(zh, "/cw", watcher, NULL, buf, &len, &st), ZOK);
  CHECK_RC(zoo_wget_children(zh, "/cwkids", watcher, NULL, &kids), ZOK);
  deallocate_String_vector(&kids);
  int mark = event_mark();
  printf("READY\n");
  fflush(stdout);
  CHECK(fgets(line, sizeof line, stdin) && strncmp(line, "CUT", 3) == 0, "expected CUT");
  CHECK(wait_event(zh, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, NULL, &mark, WAIT_MS),
        "connection loss not noticed");
  printf("DISCONNECTED\n");
  fflush(stdout);
  CHECK(fgets(line, sizeof line, stdin) && strncmp(line, "CHANGED", 7) == 0,
        "expected CHANGED");
  int m = mark;
  CHECK(wait_event(zh, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, &m, WAIT_MS),
        "no reconnect");
  m = mark;
  CHECK(wait_event(zh, ZOO_CHANGED_EVENT, -1, "/cw", &m, WAIT_MS),
        "data watch did not fire after reconnect");
  m = mark;
  CHECK(wait_event(zh, ZOO_CHILD_EVENT, -1, "/cwkids", &m, WAIT_MS),
        "child watch did not fire after reconnect");
  CHECK(zoo_client_id(zh)->client_id == sid, "session changed across the reconnect");
  len = sizeof buf;
  CHECK_RC(zoo_get(zh, "/cw", 0, buf, &len, &st), ZOK);
  CHECK(len == 5 && memcmp(buf, "after", 5) == 0, "read after reconnect is stale");
  CHECK_RC(zookeeper_close(zh), ZOK);
  printf("OK\n");
  fflush(stdout);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "c_client_check: FAIL: timed out\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(3);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s HOST:PORT [basic|reconnect]\n", argv[0]);
    return 2;
  }
  g_host = argv[1];
  signal(SIGALRM, on_alarm);
  alarm(120);
  zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
  zoo_deterministic_conn_order(1);
  const char *mode = argc > 2 ? argv[2] : "basic";
  if (strcmp(mode, "basic") == 0)
    basic();
  else if (strcmp(mode, "reconnect") == 0)
    reconnect_check();
  else {
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  return 0;
}
