#pragma once
/// The subset of Go's text/template that VESPA rule fields use: literal text plus the actions {{.labels.NAME}},
/// {{.vmId}} and {{.interval}}, with optional spaces, trim markers ({{- and -}}) and comments ({{/* ... */}}).
/// Anything else (pipelines, functions, range, if, ...) is refused when the configuration is loaded, so a rule
/// never fails at run time because of its template.
///
/// Pure and Asio-free: parsed once at load, rendered for every series. Not thread-safe to share while parsing;
/// rendering a parsed Template is const.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::sources::prometheus {

/// One label of a series, as name/value views into the Prometheus answer.
using LabelView = std::pair<std::string_view, std::string_view>;

/// Which variables a field may use. expr has only .interval (there is no series yet); vmId has .labels and
/// .interval; every other field has all three.
enum TemplateVars : unsigned { kVarInterval = 1u, kVarLabels = 2u, kVarVmId = 4u, kVarAll = 7u };

/// What a template is rendered with.
struct TemplateData {
  std::span<const LabelView> labels;  ///< looked up by name (a series has a handful)
  std::string_view vm_id;
  std::int64_t interval_seconds = 0;
};

/// A parsed template.
class Template {
 public:
  /// Parses `text`. On failure returns nullopt and sets `error` to one sentence such as
  /// `unsupported template action "{{range .labels}}"` (the caller prefixes the field's path).
  static std::optional<Template> parse(std::string_view text, unsigned allowed_vars, std::string& error);

  /// Appends the rendering to `out`. Returns false when a referenced label is absent from the series (Go's
  /// missingkey=error); `missing_label` then names it and `out` holds a partial rendering.
  bool render(const TemplateData& data, std::string& out, std::string_view* missing_label = nullptr) const;

  /// True when the template has no action: its text is the same for every series.
  bool is_constant() const { return constant_; }
  /// The text of a constant template (empty otherwise).
  const std::string& constant_text() const { return constant_text_; }
  bool uses_labels() const { return uses_labels_; }
  /// The template as written in the configuration.
  const std::string& source() const { return source_; }

 private:
  enum class Kind : std::uint8_t { text, label, vm_id, interval };
  struct Segment {
    Kind kind = Kind::text;
    std::string text;  ///< literal text, or the label name
  };
  std::vector<Segment> segments_;
  std::string source_;
  std::string constant_text_;
  bool constant_ = true;
  bool uses_labels_ = false;
};

/// The value of label `name` in `labels`, or nullopt.
std::optional<std::string_view> find_label(std::span<const LabelView> labels, std::string_view name) noexcept;

}  // namespace vesagent::sources::prometheus
