#pragma once
/// Internal: collects Diagnostics while a configuration loads, with the origin of each value.
#include <string>
#include <utility>
#include <vector>

#include "vesagent/config/loader.hpp"

namespace vesagent::config::detail {

/// Where one value came from: the file (with its 1-based line), an env variable or a flag.
struct Where {
  Origin origin = Origin::defaults;
  int line = 0;        ///< 1-based, file only
  std::string source;  ///< env variable or flag name
};

/// Appends errors and warnings to a LoadResult; fills in the file name for file diagnostics.
class Report {
 public:
  Report(std::string file_name, std::vector<Diagnostic>& errors, std::vector<Diagnostic>& warnings)
      : file_name_(std::move(file_name)), errors_(errors), warnings_(warnings) {}

  void error(const Where& where, std::string path, std::string message) {
    errors_.push_back(make(where, std::move(path), std::move(message)));
  }
  void warning(const Where& where, std::string path, std::string message) {
    warnings_.push_back(make(where, std::move(path), std::move(message)));
  }
  /// A file location from yaml-cpp's 0-based mark line (negative for an empty document).
  Where at_line(int mark_line) const { return Where{Origin::file, mark_line >= 0 ? mark_line + 1 : 0, {}}; }
  std::size_t error_count() const { return errors_.size(); }
  /// True when `path` already has an error, so a follow-up ("required") would only repeat it.
  bool has_error_for(const std::string& path) const {
    for (const auto& d : errors_) {
      if (d.path == path) return true;
    }
    return false;
  }

 private:
  Diagnostic make(const Where& where, std::string path, std::string message) const {
    Diagnostic d;
    d.path = std::move(path);
    d.origin = where.origin;
    d.line = where.line;
    d.message = std::move(message);
    d.source = where.source;
    if (where.origin == Origin::file) d.file = file_name_;
    return d;
  }

  std::string file_name_;
  std::vector<Diagnostic>& errors_;
  std::vector<Diagnostic>& warnings_;
};

}  // namespace vesagent::config::detail
