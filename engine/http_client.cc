// Blocking HTTP client (http_client.h) on plain sockets: the CLI runs no event loop, and one
// request per process needs none.
#include "engine/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace gk::engine {

namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

int connectTo(const std::string& host, int port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) throw HttpError("cannot resolve " + host + ": " + gai_strerror(rc));
  std::string lastError = "no address";
  int fd = -1;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      int err = errno;
      pollfd p{fd, POLLOUT, 0};
      socklen_t len = sizeof err;
      if (err != EINPROGRESS || ::poll(&p, 1, msLeft(deadline)) != 1 ||
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        lastError = err ? std::strerror(err) : "timed out";
        ::close(fd);
        fd = -1;
      }
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) {
    throw HttpError("cannot connect to " + host + ":" + std::to_string(port) + ": " + lastError);
  }
  return fd;
}

struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

// Chunked transfer coding -> the body.
std::string unchunk(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) throw HttpError("malformed chunked answer");
    size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
    pos = eol + 2;
    if (size == 0) return out;
    if (pos + size > raw.size()) throw HttpError("truncated chunked answer");
    out.append(raw, pos, size);
    pos += size + 2;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool splitHostPort(const std::string& text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    return used == text.size() - colon - 1 && port > 0 && port < 65536;
  } catch (const std::exception&) {
    return false;
  }
}

HttpResponse httpPost(const std::string& host, int port, const std::string& path,
                      const std::string& contentType, const std::string& body,
                      std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Fd conn{connectTo(host, port, deadline)};
  std::string hostHeader = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + ":" +
                        std::to_string(port) + "\r\nContent-Type: " + contentType +
                        "\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    pollfd p{conn.fd, POLLOUT, 0};
    if (::poll(&p, 1, msLeft(deadline)) != 1) throw HttpError("timed out sending the request");
    ssize_t n = ::send(conn.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      throw HttpError(std::string("cannot send the request: ") + std::strerror(errno));
    }
    if (n > 0) sent += size_t(n);
  }

  // Read the head, then as much body as Content-Length says (or to EOF).
  std::string raw;
  size_t headEnd = std::string::npos;
  std::optional<size_t> contentLength;
  bool chunked = false;
  for (;;) {
    if (headEnd != std::string::npos && contentLength && raw.size() >= headEnd + *contentLength) {
      break;
    }
    pollfd p{conn.fd, POLLIN, 0};
    int left = msLeft(deadline);
    if (left == 0 || ::poll(&p, 1, left) != 1) {
      throw HttpError("no answer from " + host + ":" + std::to_string(port) + " within " +
                      std::to_string(timeout.count()) + " ms");
    }
    char buf[16384];
    ssize_t n = ::recv(conn.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) throw HttpError(std::string("cannot read the answer: ") + std::strerror(errno));
    if (n == 0) break;
    raw.append(buf, size_t(n));
    if (headEnd == std::string::npos && (headEnd = raw.find("\r\n\r\n")) != std::string::npos) {
      headEnd += 4;
      std::string head = lower(raw.substr(0, headEnd));
      if (size_t cl = head.find("\r\ncontent-length:"); cl != std::string::npos) {
        contentLength = std::stoul(head.substr(cl + 17));
      }
      chunked = head.find("\r\ntransfer-encoding: chunked") != std::string::npos;
    }
  }
  if (raw.empty()) {
    throw HttpError(host + ":" + std::to_string(port) +
                    " closed the connection without answering (server stopping?)");
  }
  if (headEnd == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) {
    throw HttpError("not an HTTP answer from " + host + ":" + std::to_string(port));
  }
  HttpResponse r;
  size_t sp = raw.find(' ');
  r.status = std::atoi(raw.c_str() + sp + 1);
  r.body = raw.substr(headEnd);
  if (chunked) r.body = unchunk(r.body);
  if (contentLength && r.body.size() > *contentLength) r.body.resize(*contentLength);
  return r;
}

}  // namespace gk::engine
