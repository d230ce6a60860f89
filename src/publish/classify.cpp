#include "vesagent/publish/classify.hpp"

namespace vesagent::publish {

Outcome classify(int status, bool transport_failed) noexcept {
  if (transport_failed || status == 0) return Outcome::retry;
  if (status >= 200 && status < 300) return Outcome::delivered;
  // 408/429 and every 5xx are about the collector's state, not the payload: the same bytes may pass later.
  if (status == 408 || status == 429 || status >= 500) return Outcome::retry;
  return Outcome::reject;
}

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::delivered: return "delivered";
    case Outcome::retry: return "retry";
    case Outcome::reject: return "reject";
  }
  return "retry";
}

}  // namespace vesagent::publish
