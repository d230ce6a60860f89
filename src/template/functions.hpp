#pragma once
// The functions a template may call: Go's builtins (evaluated by exec.cpp) and the supported Sprig functions.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "value.hpp"

namespace vesagent::text_template {

/// How an argument reaches a function, as Go converts it to the parameter's type: `string` and `integer` must
/// have that type (a missing value is an error); `any` is interface{} (a missing value becomes nil); `raw` is a
/// builtin's reflect.Value (a missing value stays missing).
enum class Param : std::uint8_t { string, integer, any, raw };

/// Builtins whose evaluation exec.cpp does itself (short-circuit, or Go-specific comparison rules).
enum class Builtin : std::uint8_t { none, and_, or_ };

struct Function {
  std::string_view name;
  std::vector<Param> params;  ///< fixed parameters
  bool variadic = false;      ///< the last of `params` repeats (zero or more times)
  Builtin builtin = Builtin::none;
  /// Computes the result; returns an error message (Go's "error calling X: ..." text after the prefix).
  std::optional<std::string> (*call)(std::span<const Value> args, Value& result) = nullptr;
};

/// The function called `name`, or nullptr.
const Function* find_function(std::string_view name);

/// Unicode-aware case mapping and white space, as Go's strings package does them.
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

}  // namespace vesagent::text_template
