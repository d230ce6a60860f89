#include "vesagent/sources/prometheus/template.hpp"

#include <algorithm>
#include <cctype>

namespace vesagent::sources::prometheus {
namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

const std::string& empty_string() {
  static const std::string empty;
  return empty;
}

constexpr std::string_view kWhereVars = " (expr has only .interval; vmId has .labels and .interval)";

// "1:4: what" from the engine (no source name) -> "what, at 1:4 of "<text>"".
std::string locate(const std::string& engine_error, std::string_view text) {
  const std::size_t first = engine_error.find(':');
  const std::size_t second = first == std::string::npos ? std::string::npos : engine_error.find(':', first + 1);
  if (second == std::string::npos || second + 2 > engine_error.size()) return engine_error;
  return engine_error.substr(second + 2) + ", at " + engine_error.substr(0, second) + " of " + in_quotes(text);
}

// The action of `text` that reads `.key` ("{{.labels.vm}}"), for messages; the whole text when not found.
std::string_view action_reading(std::string_view text, std::string_view key) {
  const std::string needle = "." + std::string(key);
  std::size_t at = text.find(needle);
  while (at != std::string_view::npos) {
    const std::size_t after = at + needle.size();
    const bool whole = after >= text.size() || !(std::isalnum(static_cast<unsigned char>(text[after])) || text[after] == '_');
    if (whole) break;
    at = text.find(needle, after);
  }
  if (at == std::string_view::npos) return text;
  const std::size_t open = text.rfind("{{", at);
  const std::size_t close = text.find("}}", at);
  if (open == std::string_view::npos || close == std::string_view::npos) return text;
  return text.substr(open, close + 2 - open);
}

}  // namespace

std::optional<std::string_view> find_label(std::span<const LabelView> labels, std::string_view name) noexcept {
  for (const auto& [n, v] : labels) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<Template> Template::parse(std::string_view text, unsigned allowed_vars, std::string& error,
                                        MissingLabels missing) {
  std::string why;
  auto compiled = text_template::Template::compile(text, "", why);
  if (!compiled) {
    error = locate(why, text);
    return std::nullopt;
  }
  // The data has .labels, .interval and .vmId only; a field may read those it has.
  for (const auto& key : compiled->root_keys()) {
    const unsigned var = key == "labels" ? kVarLabels : key == "interval" ? kVarInterval : key == "vmId" ? kVarVmId : 0u;
    if (key.empty()) continue;  // {{.}} / {{$}}: the data as a whole
    if (var == 0u) {
      error = in_quotes(action_reading(text, key)) + " uses ." + key +
              ", which rule templates do not have: they have .labels, .vmId and .interval";
      return std::nullopt;
    }
    if ((allowed_vars & var) == 0u) {
      error = in_quotes(action_reading(text, key)) + " uses ." + key + ", which this field does not have" +
              (var == kVarInterval ? std::string() : std::string(kWhereVars));
      return std::nullopt;
    }
  }
  Template t;
  t.vars_ = allowed_vars;
  t.missing_ = missing;
  const auto& keys = compiled->root_keys();
  t.uses_labels_ = std::find(keys.begin(), keys.end(), "labels") != keys.end() ||
                   std::find(keys.begin(), keys.end(), "") != keys.end();
  t.compiled_ = std::move(*compiled);
  return t;
}

const std::string& Template::constant_text() const {
  return compiled_ ? compiled_->constant_text() : empty_string();
}

std::string_view Template::name_in_text(const std::string& name) const {
  // A missing key is a field name written in the template, so the view can point into the template's text.
  if (name.empty()) return {};
  const std::string& text = compiled_->text();
  const std::size_t at = text.find(name);
  if (at == std::string::npos) return "<no value>";
  return std::string_view(text).substr(at, name.size());
}

const std::string& Template::source() const { return compiled_ ? compiled_->text() : empty_string(); }

bool Template::render(const TemplateData& data, std::string& out, std::string_view* missing_label,
                      std::string* error) const {
  if (!compiled_) return true;
  if (compiled_->is_constant()) {
    out += compiled_->constant_text();
    return true;
  }
  // VESPA's data: {"labels": map[string]string, "interval": int, "vmId": string}, each key only where the field
  // has it. The labels are built once per series; vmId changes once the vmId field is rendered.
  nlohmann::json& value = data.value;
  if (!value.is_object()) value = nlohmann::json::object();
  if ((vars_ & kVarLabels) != 0u) {
    if (!value.contains("labels")) {
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& [n, v] : data.labels) labels.emplace(std::string(n), std::string(v));
      value["labels"] = std::move(labels);
    }
  } else {
    value.erase("labels");
  }
  if ((vars_ & kVarInterval) != 0u) {
    value["interval"] = data.interval_seconds;
  } else {
    value.erase("interval");
  }
  if ((vars_ & kVarVmId) != 0u) {
    value["vmId"] = std::string(data.vm_id);
  } else {
    value.erase("vmId");
  }
  text_template::ExecOptions options;
  std::string printed_missing;
  if (missing_ == MissingLabels::error) {
    options.missing_key = text_template::MissingKey::error;
  } else {
    options.missing_printed = &printed_missing;
  }
  auto failure = compiled_->execute(value, out, options);
  if (failure) {
    if (missing_label != nullptr) *missing_label = name_in_text(failure->missing_key);
    if (error != nullptr) *error = locate(failure->message, compiled_->text());
    return false;
  }
  if (!printed_missing.empty()) {
    if (missing_label != nullptr) *missing_label = name_in_text(printed_missing);
    if (error != nullptr) *error = "the series has no label " + in_quotes(printed_missing);
    return false;
  }
  return true;
}

}  // namespace vesagent::sources::prometheus
