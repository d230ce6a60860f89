#pragma once
/// Where events go that no collector will ever accept (rejected with a 4xx, or too large to send): one JSON line
/// each, `{"rejectedAtEpochMicrosec":..,"collector":..,"status":..,"reason":..,"event":{...}}`, so an operator can
/// inspect them and re-post them by hand. Appending is synchronous: this is a rare, small write.
#include <filesystem>
#include <string>
#include <string_view>

namespace vesagent::outbox {

class DeadLetterFile {
 public:
  explicit DeadLetterFile(std::filesystem::path path) : path_(std::move(path)) {}

  /// Appends one record; `event_json` is the encoded event. Returns false when the file cannot be written.
  bool append(std::string_view collector, int status, std::string_view reason, std::string_view event_json) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vesagent::outbox
