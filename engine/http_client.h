// A minimal blocking HTTP/1.1 client for the CLI: one request per connection (Connection:
// close), Content-Length or chunked answers, an overall deadline. Just enough for POST /query
// on the admin port; loopback or any host the user names.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace gk::engine {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws HttpError (cannot connect, timed out, malformed answer).
HttpResponse httpPost(const std::string& host, int port, const std::string& path,
                      const std::string& contentType, const std::string& body,
                      std::chrono::milliseconds timeout);

// "host:port" or "[v6]:port" -> host and port; false when malformed.
bool splitHostPort(const std::string& text, std::string& host, int& port);

}  // namespace gk::engine
