#include "vesagent/telemetry/metrics_writer.hpp"

#include <cmath>
#include <cstdio>

namespace vesagent::telemetry {

void MetricsWriter::counter(std::string_view name, std::string_view help, double value, Labels labels) {
  add(name, help, "counter", value, labels.begin(), labels.size());
}

void MetricsWriter::counter(std::string_view name, std::string_view help, double value,
                            const std::vector<Label>& labels) {
  add(name, help, "counter", value, labels.data(), labels.size());
}

void MetricsWriter::gauge(std::string_view name, std::string_view help, double value, Labels labels) {
  add(name, help, "gauge", value, labels.begin(), labels.size());
}

void MetricsWriter::gauge(std::string_view name, std::string_view help, double value,
                          const std::vector<Label>& labels) {
  add(name, help, "gauge", value, labels.data(), labels.size());
}

void MetricsWriter::add(std::string_view name, std::string_view help, const char* type, double value,
                        const Label* labels, std::size_t label_count) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{std::string(help), type, {}}).first;
    order_.emplace_back(name);
  }
  std::string line(name);
  if (label_count > 0) {
    line += '{';
    for (std::size_t i = 0; i < label_count; ++i) {
      if (i > 0) line += ',';
      line += labels[i].first;
      line += "=\"";
      line += escape_label_value(labels[i].second);
      line += '"';
    }
    line += '}';
  }
  line += ' ';
  line += format_value(value);
  it->second.samples.push_back(std::move(line));
}

std::string MetricsWriter::text() const {
  std::string out;
  for (const auto& name : order_) {
    const Family& f = families_.find(name)->second;
    out += "# HELP " + name + ' ';
    // HELP text escapes backslash and newline only.
    for (char c : f.help) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += "\n# TYPE " + name + ' ' + f.type + '\n';
    for (const auto& s : f.samples) {
      out += s;
      out += '\n';
    }
  }
  return out;
}

std::string MetricsWriter::escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MetricsWriter::format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

}  // namespace vesagent::telemetry
