#pragma once
/// Internal: factories for Key entries, shared by key_table.cpp and the per-section key files
/// (keys_<section>.cpp). `acc` is a generic lambda returning a reference into a (const) Config.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "vesagent/config/loader.hpp"
#include "key_table.hpp"
#include "values.hpp"

namespace vesagent::config::detail {

using Message = std::optional<std::string>;

template <class Acc>
Key string_key(std::string path, std::string doc, Acc acc, KeyType type = KeyType::string) {
  Key k;
  k.path = std::move(path);
  k.type = type;
  k.doc = std::move(doc);
  k.secret = type == KeyType::secret;
  k.set = [acc](Config& c, std::string_view v, SetContext&) -> Message {
    acc(c) = std::string(v);
    return std::nullopt;
  };
  k.get = [acc](const Config& c) { return acc(c); };
  return k;
}

template <class Acc>
Key choice_key(std::string path, std::string doc, Acc acc, std::vector<std::string> choices) {
  Key k = string_key(std::move(path), std::move(doc), acc, KeyType::choice);
  k.choices = std::move(choices);
  k.set = [acc, allowed = k.choices](Config& c, std::string_view v, SetContext&) -> Message {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return "expected one of " + list + ", got " + quote(v);
    }
    acc(c) = std::string(v);
    return std::nullopt;
  };
  return k;
}

template <class Acc>
Key int_key(std::string path, std::string doc, Acc acc, std::int64_t min, std::int64_t max) {
  Key k;
  k.path = std::move(path);
  k.type = KeyType::integer;
  k.doc = std::move(doc);
  k.set = [acc](Config& c, std::string_view v, SetContext&) -> Message {
    auto n = parse_int(v);
    if (!n || *n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
      return "expected an integer, got " + quote(v);
    }
    acc(c) = static_cast<int>(*n);
    return std::nullopt;
  };
  k.check = [acc, min, max](const Config& c) -> Message {
    std::int64_t n = acc(c);
    if (n >= min && n <= max) return std::nullopt;
    if (max == std::numeric_limits<int>::max()) {
      return "must be at least " + std::to_string(min) + ", got " + std::to_string(n);
    }
    return "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(n);
  };
  k.get = [acc](const Config& c) { return std::to_string(acc(c)); };
  return k;
}

template <class Acc>
Key size_key(std::string path, std::string doc, Acc acc, std::size_t min) {
  Key k;
  k.path = std::move(path);
  k.type = KeyType::size;
  k.doc = std::move(doc);
  k.set = [acc](Config& c, std::string_view v, SetContext&) -> Message {
    auto n = parse_int(v);
    if (!n) return "expected a number of bytes, got " + quote(v);
    if (*n < 0) return "must not be negative, got " + std::to_string(*n);
    acc(c) = static_cast<std::size_t>(*n);
    return std::nullopt;
  };
  k.check = [acc, min](const Config& c) -> Message {
    if (acc(c) >= min) return std::nullopt;
    return "must be at least " + std::to_string(min) + " bytes, got " + std::to_string(acc(c));
  };
  k.get = [acc](const Config& c) { return std::to_string(acc(c)); };
  return k;
}

template <class Acc>
Key bool_key(std::string path, std::string doc, Acc acc) {
  Key k;
  k.path = std::move(path);
  k.type = KeyType::boolean;
  k.doc = std::move(doc);
  k.set = [acc](Config& c, std::string_view v, SetContext&) -> Message {
    auto b = parse_bool(v);
    if (!b) return "expected true or false, got " + quote(v);
    acc(c) = *b;
    return std::nullopt;
  };
  k.get = [acc](const Config& c) { return std::string(acc(c) ? "true" : "false"); };
  return k;
}

enum class Zero { allowed, rejected };

template <class Acc>
Key duration_key(std::string path, std::string doc, Acc acc, Zero zero) {
  Key k;
  k.path = std::move(path);
  k.type = KeyType::duration;
  k.doc = std::move(doc);
  k.set = [acc](Config& c, std::string_view v, SetContext&) -> Message {
    auto d = parse_duration(v);
    if (!d) {
      std::string hint;
      if (parse_int(v)) {
        hint = " (a unit is required)";
      } else if (!v.empty() && v.front() == '-') {
        hint = " (durations cannot be negative)";
      }
      return "expected a duration such as 60s, 5m, 1h30m or 500ms, got " + quote(v) + hint;
    }
    acc(c) = *d;
    return std::nullopt;
  };
  if (zero == Zero::rejected) {
    k.check = [acc](const Config& c) -> Message {
      if (acc(c).count() > 0) return std::nullopt;
      return "must be greater than 0s";
    };
  }
  k.get = [acc](const Config& c) { return format_duration(acc(c)); };
  return k;
}

/// A VESPA key that is accepted so VESPA files load, but not kept: a warning says why.
inline Key ignored_key(std::string path, KeyType type, std::string doc, std::string warning) {
  Key k;
  k.path = std::move(path);
  k.type = type;
  k.doc = std::move(doc);
  k.secret = type == KeyType::secret;
  k.set = [warning](Config&, std::string_view v, SetContext& ctx) -> Message {
    if (!v.empty()) ctx.report.warning(ctx.where, ctx.path, warning);
    return std::nullopt;
  };
  return k;
}

inline Key list_key(std::string path, KeyType type, std::string doc, YamlParser parse, YamlEmitter emit) {
  Key k;
  k.path = std::move(path);
  k.type = type;
  k.doc = std::move(doc);
  k.parse_yaml = std::move(parse);
  k.emit_yaml = std::move(emit);
  return k;
}

// ---- validators shared by the section files ----

/// A host name or IP address (no scheme, no path); empty passes.
Message check_host(std::string_view host);
/// host:port with a port from 1 to 65535.
Message check_listen_address(std::string_view addr);
/// An http:// or https:// URL; empty passes.
Message check_http_url(std::string_view url);

}  // namespace vesagent::config::detail
