#include "vesagent/sources/prometheus/template.hpp"

#include <charconv>

namespace vesagent::sources::prometheus {
namespace {

// Go's text/template treats these as the space around trim markers.
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_identifier(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

constexpr std::string_view kWhereVars = " (expr has only .interval; vmId has .labels and .interval)";

}  // namespace

std::optional<std::string_view> find_label(std::span<const LabelView> labels, std::string_view name) noexcept {
  for (const auto& [n, v] : labels) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<Template> Template::parse(std::string_view text, unsigned allowed_vars, std::string& error) {
  Template t;
  t.source_ = std::string(text);
  std::string pending;  // literal text not yet stored as a segment
  auto flush = [&] {
    if (pending.empty()) return;
    if (!t.segments_.empty() && t.segments_.back().kind == Kind::text) {
      t.segments_.back().text += pending;
    } else {
      t.segments_.push_back(Segment{Kind::text, pending});
    }
    pending.clear();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      pending.append(text.substr(pos));
      break;
    }
    std::string_view literal = text.substr(pos, open - pos);
    std::size_t inner_begin = open + 2;
    bool trim_left = false;
    if (inner_begin + 1 < text.size() && text[inner_begin] == '-' && is_space(text[inner_begin + 1])) {
      trim_left = true;
      inner_begin += 2;
    }
    const std::size_t close = text.find("}}", inner_begin);
    if (close == std::string_view::npos) {
      error = "unclosed template action " + quoted(text.substr(open)) + " (missing \"}}\")";
      return std::nullopt;
    }
    std::size_t inner_end = close;
    bool trim_right = false;
    if (close >= inner_begin + 2 && text[close - 1] == '-' && is_space(text[close - 2])) {
      trim_right = true;
      inner_end = close - 2;
    }
    if (trim_left) {
      while (!literal.empty() && is_space(literal.back())) literal.remove_suffix(1);
    }
    pending.append(literal);
    const std::string_view raw = text.substr(open, close + 2 - open);
    const std::string_view action = trim(text.substr(inner_begin, inner_end - inner_begin));
    constexpr std::string_view kLabels = ".labels.";
    if (action.size() >= 4 && action.starts_with("/*") && action.ends_with("*/")) {
      // A comment renders nothing.
    } else if (action == ".interval") {
      if ((allowed_vars & kVarInterval) == 0u) {
        error = quoted(raw) + " uses .interval, which this field does not have";
        return std::nullopt;
      }
      flush();
      t.segments_.push_back(Segment{Kind::interval, {}});
    } else if (action == ".vmId") {
      if ((allowed_vars & kVarVmId) == 0u) {
        error = quoted(raw) + " uses .vmId, which this field does not have" + std::string(kWhereVars);
        return std::nullopt;
      }
      flush();
      t.segments_.push_back(Segment{Kind::vm_id, {}});
    } else if (action.starts_with(kLabels) && is_identifier(action.substr(kLabels.size()))) {
      if ((allowed_vars & kVarLabels) == 0u) {
        error = quoted(raw) + " uses .labels, which this field does not have" + std::string(kWhereVars);
        return std::nullopt;
      }
      flush();
      t.segments_.push_back(Segment{Kind::label, std::string(action.substr(kLabels.size()))});
      t.uses_labels_ = true;
    } else {
      error = "unsupported template action " + quoted(raw) +
              "; supported are {{.labels.NAME}}, {{.vmId}}, {{.interval}} and literal text";
      return std::nullopt;
    }
    pos = close + 2;
    if (trim_right) {
      while (pos < text.size() && is_space(text[pos])) ++pos;
    }
  }
  flush();
  t.constant_ = true;
  for (const auto& s : t.segments_) t.constant_ = t.constant_ && s.kind == Kind::text;
  if (t.constant_ && !t.segments_.empty()) t.constant_text_ = t.segments_.front().text;
  return t;
}

bool Template::render(const TemplateData& data, std::string& out, std::string_view* missing_label) const {
  for (const auto& s : segments_) {
    switch (s.kind) {
      case Kind::text:
        out += s.text;
        break;
      case Kind::vm_id:
        out += data.vm_id;
        break;
      case Kind::interval: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, data.interval_seconds);
        (void)ec;  // 24 chars always fit an int64
        out.append(buf, end);
        break;
      }
      case Kind::label: {
        auto value = find_label(data.labels, s.text);
        if (!value) {
          if (missing_label != nullptr) *missing_label = s.text;
          return false;
        }
        out += *value;
        break;
      }
    }
  }
  return true;
}

}  // namespace vesagent::sources::prometheus
