#pragma once
/// Rule field templates: VESPA's Go text/template + Sprig language (vesagent::text_template), compiled when the
/// configuration is loaded and rendered for every series with VESPA's data: `.labels` (the series' labels, a
/// map[string]string), `.interval` (the window in whole seconds, an int) and `.vmId` (the rendered vmId).
/// Syntax errors, unsupported functions and variables the field does not have are refused at load.
///
/// Rendering a parsed Template is const and pure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "vesagent/template/template.hpp"

namespace vesagent::sources::prometheus {

/// One label of a series, as name/value views into the Prometheus answer.
using LabelView = std::pair<std::string_view, std::string_view>;

/// Which variables a field may use. expr has only .interval (there is no series yet); vmId has .labels and
/// .interval; every other field has all three.
enum TemplateVars : unsigned { kVarInterval = 1u, kVarLabels = 2u, kVarVmId = 4u, kVarAll = 7u };

/// What an absent label does, as VESPA executes the field: `error` (expr, vmId, target: Go's missingkey=error)
/// stops the rendering; `no_value` (key labels, object keys, object name and instance: Go's default) lets
/// `default`, `if` and `with` see the label as absent, and a missing label that reaches the output still skips the
/// series (ves-agent sends no "<no value>" keys).
enum class MissingLabels { error, no_value };

/// What a template is rendered with.
struct TemplateData {
  TemplateData(std::span<const LabelView> series_labels = {}, std::string_view vm = {}, std::int64_t interval = 0)
      : labels(series_labels), vm_id(vm), interval_seconds(interval) {}

  std::span<const LabelView> labels;  ///< looked up by name (a series has a handful)
  std::string_view vm_id;
  std::int64_t interval_seconds = 0;
  /// The data value the engine reads, built from the fields above on first use and reused by the other fields
  /// of the same series.
  mutable nlohmann::json value;
};

/// A parsed template.
class Template {
 public:
  /// Parses `text`. On failure returns nullopt and sets `error` to one sentence such as
  /// `function "b64enc" is not supported, at 1:4 of "{{ b64enc .labels.x }}"` (the caller prefixes the field's path).
  static std::optional<Template> parse(std::string_view text, unsigned allowed_vars, std::string& error,
                                       MissingLabels missing = MissingLabels::error);

  /// Appends the rendering to `out`. Returns false when the series cannot be rendered: `missing_label` then names
  /// a label the series lacks, or is empty and `error` (when given) says what failed (a wrong type, an index out
  /// of range...). `out` then holds a partial rendering.
  bool render(const TemplateData& data, std::string& out, std::string_view* missing_label = nullptr,
              std::string* error = nullptr) const;

  /// True when the template has no action: its text is the same for every series.
  bool is_constant() const { return compiled_ ? compiled_->is_constant() : true; }
  /// The text of a constant template (empty otherwise).
  const std::string& constant_text() const;
  bool uses_labels() const { return uses_labels_; }
  /// The template as written in the configuration.
  const std::string& source() const;

 private:
  std::optional<text_template::Template> compiled_;
  unsigned vars_ = kVarAll;
  MissingLabels missing_ = MissingLabels::error;
  bool uses_labels_ = false;

  std::string_view name_in_text(const std::string& name) const;
};

/// The value of label `name` in `labels`, or nullopt.
std::optional<std::string_view> find_label(std::span<const LabelView> labels, std::string_view name) noexcept;

}  // namespace vesagent::sources::prometheus
