#pragma once
// Private to src/http: ASCII case helpers for header names (the server and the client). Header-only.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace vesagent::http::detail {

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace vesagent::http::detail
