// libFuzzer target for the HTTP client's own parsers of outside input (src/http, Asio-free parts): URLs and proxy
// URLs (configuration, environment), no_proxy lists (environment) and gzip bodies (any peer's answer). No crash,
// no sanitizer report, and: an accepted URL never carries a byte that could split a request line, its port is
// set, and gunzip never returns more than its cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gzip.hpp"
#include "proxy.hpp"
#include "url.hpp"

namespace {

void check_url(const vesagent::http::detail::Url& u) {
  for (const std::string* part : {&u.host, &u.target, &u.scheme}) {
    for (const char c : *part) {
      if (c == ' ' || c == '\r' || c == '\n' || c == '\0') std::abort();
    }
  }
  if (u.port == 0 || u.host.empty() || u.target.empty() || u.target.front() != '/') std::abort();
  (void)u.authority();
  (void)u.host_port();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vesagent::http::detail;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto u = parse_url(text, error)) check_url(*u);
  if (auto p = parse_proxy_url(text, error)) check_url(*p);
  // The first line is a no_proxy list, the rest a host.
  const auto nl = text.find('\n');
  if (nl != std::string_view::npos) (void)no_proxy_matches(text.substr(0, nl), text.substr(nl + 1));
  std::string out;
  constexpr std::size_t kCap = 1U << 20;
  if (gunzip(text, kCap, out, error) == GunzipResult::ok && out.size() > kCap) std::abort();
  return 0;
}
