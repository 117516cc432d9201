// libFuzzer entry point for the query parser. Besides "no crash, no hang, no sanitizer report",
// it checks the printer's promise: a query that parses prints to text that parses back to the
// same text. Also linked with fuzz_replay_main.cc in ordinary builds to replay the seed corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/parser.h"
#include "query/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  gk::query::ParseResult first = gk::query::parseQuery(text);
  if (!first.ok()) {
    if (!first.error || first.error->line < 1 || first.error->column < 1 ||
        first.error->message.empty()) {
      std::fprintf(stderr, "parse failed without a proper error\n");
      std::abort();
    }
    return 0;
  }
  std::string printed = gk::query::printQuery(*first.query);
  gk::query::ParseResult second = gk::query::parseQuery(printed);
  if (!second.ok()) {
    std::fprintf(stderr, "canonical text does not parse: %s\n  text: %s\n",
                 second.error->toString().c_str(), printed.c_str());
    std::abort();
  }
  std::string reprinted = gk::query::printQuery(*second.query);
  if (reprinted != printed) {
    std::fprintf(stderr, "round trip changed the text:\n  %s\n  %s\n", printed.c_str(),
                 reprinted.c_str());
    std::abort();
  }
  return 0;
}
