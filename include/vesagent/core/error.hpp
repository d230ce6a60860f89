#pragma once
/// The agent's own error codes, usable with boost::system::error_code, and Result<T>.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <type_traits>

namespace vesagent {

enum class errc {
  ok = 0,
  invalid_config,
  invalid_json,
  invalid_event,     ///< an event the encoder cannot express (missing required field, wrong domain)
  event_too_large,   ///< an encoded event exceeds event.maxSize
  collector_rejected,
  collector_unavailable,
  timeout,
  io_error,
  cancelled,
};

const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

template <class T>
using Result = boost::system::result<T>;

}  // namespace vesagent

template <>
struct boost::system::is_error_code_enum<vesagent::errc> : std::true_type {};
