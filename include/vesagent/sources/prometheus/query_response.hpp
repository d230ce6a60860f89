#pragma once
/// Parser for the answer of Prometheus' instant query API (/api/v1/query, Prometheus 2.x):
///   {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[<ts>,"<v>"]},...]}}
///   {"status":"error","errorType":"bad_data","error":"..."}
///
/// Built for large answers (100,000 series are about 16 MB): it walks the body in place, hands each sample to a
/// callback with views into the body, and keeps no tree. It first checks the whole body, so the callback runs
/// only for an answer that is complete and well-formed: a truncated or malformed body produces no samples at all.
///
/// Pure and Asio-free (fuzzed by tests/fuzz/prometheus_response_fuzz.cpp).
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "vesagent/sources/prometheus/template.hpp"

namespace vesagent::sources::prometheus {

/// One sample of an instant vector (or the single value of a scalar answer, with no labels).
struct Sample {
  std::span<const LabelView> labels;  ///< including __name__ when Prometheus kept it
  double timestamp = 0;               ///< seconds since the epoch, as Prometheus sent it
  std::string_view value;             ///< as Prometheus wrote it: "12.5", "1024", "NaN", "+Inf", "-Inf"
};

/// Why an answer gave no samples.
enum class ResponseError {
  none,
  malformed,          ///< not JSON, truncated, or not the shape of a query answer
  prometheus_error,   ///< "status":"error" (error_type and message filled)
  wrong_result_type,  ///< matrix or string: a rule must give an instant vector or a scalar
};

struct QueryResponse {
  ResponseError error = ResponseError::none;
  std::string error_type;   ///< Prometheus' errorType (bad_data, execution, timeout, ...)
  std::string message;      ///< Prometheus' error text, or what is wrong with the body
  std::string result_type;  ///< vector, scalar, matrix, string
  std::size_t samples = 0;  ///< samples handed to the callback

  bool ok() const { return error == ResponseError::none; }
};

using SampleCallback = std::function<void(const Sample&)>;

/// Parses `body`; calls `on_sample` (may be empty) once per sample when, and only when, the answer is a
/// successful vector or scalar. Never throws.
QueryResponse parse_query_response(std::string_view body, const SampleCallback& on_sample);

}  // namespace vesagent::sources::prometheus
