#pragma once
/// Internal: scalar parsing and message helpers shared by the key table, the list parsers and the CLI.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vesagent::config::detail {

/// Decimal integer with an optional leading '-'; nothing else (no spaces, no 0x, no fraction).
std::optional<std::int64_t> parse_int(std::string_view text);

/// true/false, yes/no, on/off in any case (YAML 1.1 and Go's strconv spellings overlap here).
std::optional<bool> parse_bool(std::string_view text);

/// `text` in double quotes for a message, shortened and with control characters escaped.
std::string quote(std::string_view text);

/// The candidate closest to `word` (case-insensitive edit distance), or empty when none is close enough.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

/// "; did you mean \"x\"?" when closest() finds something, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

bool iequals(std::string_view a, std::string_view b);

/// Expands ${NAME} references from `env`. Returns the error text in `error` (and nullopt) when a referenced
/// variable is not set or a reference is malformed. A '$' not followed by '{' is kept as is.
std::optional<std::string> expand_env_refs(std::string_view text, const std::map<std::string, std::string>& env,
                                           std::string& error);

}  // namespace vesagent::config::detail
