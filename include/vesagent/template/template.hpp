#pragma once
/// Go's text/template with the Sprig functions that rule files use, compiled once into a syntax tree and executed
/// against a JSON value (objects are Go maps, arrays slices; whole numbers are Go ints, others float64). What it
/// accepts and how it differs from Go is listed in src/template/README.md.
///
/// Everything a template can get wrong without seeing data (syntax, unknown functions, the number of arguments,
/// undefined variables) is refused by compile(), with the source's name, line and column. Execution fails only on
/// what depends on the data (a missing key in MissingKey::error mode, a wrong type, an index out of range).
/// A compiled Template is immutable: execute() is const and may run from several threads at once.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vesagent::text_template {

struct Root;  // the syntax tree (src/template)

/// What a map lookup of an absent key does, as Go's Option("missingkey=..."): `no_value` is Go's default (the
/// value is missing: "<no value>" when printed, nil when passed to a function, false in `if`); `error` stops the
/// execution.
enum class MissingKey { no_value, error };

/// Why an execution failed.
struct ExecError {
  std::string message;      ///< "<source>:1:9: map has no entry for key \"cpu\"", Go's wording where it has one
  std::string missing_key;  ///< the key, when the failure is a missing key in MissingKey::error mode
};

struct ExecOptions {
  MissingKey missing_key = MissingKey::no_value;
  /// When set, receives the name of the first missing key whose "<no value>" went into the output (so a caller
  /// can treat it as missing data while `default`, `if` and `with` still see the key as absent, as in Go).
  std::string* missing_printed = nullptr;
};

class Template {
 public:
  /// Compiles `text`. `source` names it in every message (a configuration path such as
  /// `measurement.prometheus.rules.metrics[2].vmId`). On failure returns nullopt and sets `error` to
  /// "<source>:<line>:<col>: <what>", e.g. `...vmId:1:3: function "b64enc" is not supported`.
  static std::optional<Template> compile(std::string_view text, std::string_view source, std::string& error);

  /// Appends the output to `out`. On failure returns the error; `out` then holds the output written so far.
  std::optional<ExecError> execute(const nlohmann::json& data, std::string& out, const ExecOptions& options = {}) const;

  /// True when the template has no action but comments: its output is constant_text() for any data.
  bool is_constant() const;
  const std::string& constant_text() const;
  /// The keys of the data's top level that the template reads (`.x` where dot is the data, `$.x`), sorted. A
  /// template that passes the whole data on (`{{.}}`, `{{$}}`, `{{range $}}`...) lists "" as well.
  const std::vector<std::string>& root_keys() const;
  /// The template as written, and the source name given to compile().
  const std::string& text() const;
  const std::string& source() const;

 private:
  std::shared_ptr<const Root> root_;
};

/// Names of the functions templates may call (Go's builtins and the supported Sprig functions), sorted.
const std::vector<std::string_view>& function_names();

}  // namespace vesagent::text_template
