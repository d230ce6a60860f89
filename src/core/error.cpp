#include "vesagent/core/error.hpp"

#include <string>

namespace vesagent {
namespace {
class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "vesagent"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::invalid_config: return "invalid configuration";
      case errc::invalid_json: return "invalid JSON";
      case errc::invalid_event: return "event cannot be encoded";
      case errc::event_too_large: return "event exceeds event.maxSize";
      case errc::collector_rejected: return "collector rejected the event";
      case errc::collector_unavailable: return "no collector available";
      case errc::timeout: return "timed out";
      case errc::io_error: return "I/O error";
      case errc::cancelled: return "cancelled";
    }
    return "unknown vesagent error";
  }
};
}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace vesagent
