#include "vesagent/publish/classify.hpp"

#include <gtest/gtest.h>

namespace vesagent::publish {
namespace {

using http::TransportError;

Verdict answer(int status, std::string_view body = {}, std::size_t events = 1, std::string_view location = {}) {
  return classify(Answer{status, TransportError::none, {}, body, location, events},
                  Origin{"primaryCollector", "http://c:8080/eventListener/v7"});
}

/// What the agent must do for each status a collector (or something in front of it) can answer, for a single
/// event and for a batch. This is the table of docs/operations.md.
Outcome expected_for(int status, std::size_t events) {
  if (status >= 200 && status < 300) return Outcome::delivered;
  if (status < 200 || status == 408 || status == 429 || status >= 500) return Outcome::retry;
  if (status >= 300 && status < 400) return Outcome::endpoint_error;
  if (status == 400 || status == 422) return Outcome::event_rejected;  // the batch is split by the publisher
  if (status == 413) return events > 1 ? Outcome::batch_too_large : Outcome::event_rejected;
  return Outcome::endpoint_error;  // 401, 403, 404, 405, 407, 415 and every other 4xx keep the events
}

TEST(ClassifyTest, every_status_for_one_event_and_for_a_batch) {
  for (std::size_t events : {std::size_t{1}, std::size_t{5}}) {
    for (int status = 100; status < 600; ++status) {
      EXPECT_EQ(answer(status, {}, events).outcome, expected_for(status, events))
          << "status " << status << " events " << events;
    }
  }
}

TEST(ClassifyTest, endpoint_errors_named_in_the_task) {
  for (int status : {300, 301, 302, 303, 307, 308, 401, 403, 404, 405, 407, 415}) {
    EXPECT_EQ(answer(status).outcome, Outcome::endpoint_error) << status;
  }
}

TEST(ClassifyTest, transport_failures_are_retried_but_a_tls_failure_condemns_the_endpoint) {
  for (auto e : {TransportError::connect, TransportError::timeout, TransportError::resolve,
                 TransportError::send_recv, TransportError::other, TransportError::cancelled}) {
    EXPECT_EQ(classify(Answer{0, e, "refused", {}, {}, 1}, Origin{"primaryCollector", ""}).outcome, Outcome::retry);
  }
  EXPECT_EQ(classify(Answer{0, TransportError::none, {}, {}, {}, 1}, Origin{"primaryCollector", ""}).outcome,
            Outcome::retry);
  const auto tls = classify(Answer{0, TransportError::tls, "certificate verify failed", {}, {}, 1},
                            Origin{"backupCollector", "https://c:8443/eventListener/v7"});
  EXPECT_EQ(tls.outcome, Outcome::endpoint_error);
  EXPECT_NE(tls.reason.find("backupCollector.caCert"), std::string::npos) << tls.reason;
  EXPECT_NE(tls.reason.find("certificate verify failed"), std::string::npos) << tls.reason;
}

TEST(ClassifyTest, reasons_name_the_cause_and_the_fix) {
  EXPECT_EQ(answer(401).reason.rfind("401 from primaryCollector: check primaryCollector.user/password", 0), 0u)
      << answer(401).reason;
  const auto not_found = answer(404).reason;
  EXPECT_NE(not_found.find("check primaryCollector.serverRoot/topic"), std::string::npos) << not_found;
  EXPECT_NE(not_found.find("(URL http://c:8080/eventListener/v7)"), std::string::npos) << not_found;
  const auto moved = answer(301, {}, 1, "https://new:8443/eventListener/v7").reason;
  EXPECT_NE(moved.find("redirects to https://new:8443/eventListener/v7"), std::string::npos) << moved;
  EXPECT_NE(moved.find("primaryCollector.fqdn"), std::string::npos) << moved;
  EXPECT_NE(answer(407).reason.find("HTTPS_PROXY"), std::string::npos);
}

TEST(ClassifyTest, onap_per_event_exceptions_condemn_the_event) {
  const std::string svc =
      R"j({"requestError":{"ServiceException":{"messageId":"SVC0002","text":"Bad Parameter (JSON does not conform to schema)"}}})j";
  const auto v = answer(400, svc);
  EXPECT_EQ(v.outcome, Outcome::event_rejected);
  EXPECT_NE(v.reason.find("SVC0002 Bad Parameter"), std::string::npos) << v.reason;
  // The spec's lowerCamel spelling too.
  EXPECT_EQ(answer(400, R"({"requestError":{"policyException":{"messageId":"POL9003","text":"too large"}}})").outcome,
            Outcome::event_rejected);
  EXPECT_EQ(answer(400, svc, 10).outcome, Outcome::event_rejected);  // a batch: the publisher splits it
}

TEST(ClassifyTest, onap_plain_text_400s_are_about_the_endpoint) {
  EXPECT_EQ(answer(400, "Operation not permitted").outcome, Outcome::endpoint_error);
  EXPECT_EQ(answer(400, "API version v6 is not supported").outcome, Outcome::endpoint_error);
  EXPECT_NE(answer(400, "API version v6 is not supported").reason.find("ves.version"), std::string::npos);
  EXPECT_EQ(answer(400, "INVALID_CUSTOM_HEADER").outcome, Outcome::endpoint_error);
}

TEST(ClassifyTest, too_large_splits_a_batch_and_condemns_a_single_event) {
  const std::string body =
      R"({"requestError":{"ServiceException":{"messageId":"SVC2000","text":"The following service error occurred: %1. Error code is %2","variables":["Request Entity Too Large","413"]}}})";
  EXPECT_EQ(answer(413, body, 8).outcome, Outcome::batch_too_large);
  EXPECT_EQ(answer(413, body, 1).outcome, Outcome::event_rejected);
}

TEST(ClassifyTest, a_probe_is_healthy_when_the_collector_judges_the_empty_batch) {
  // The ONAP collector answers an empty eventList with 400 SVC0001 once credentials and path are right.
  const auto judged = answer(
      400, R"({"requestError":{"ServiceException":{"messageId":"SVC0001","text":"Different value of domain fields in Batch Event"}}})",
      0);
  EXPECT_EQ(judged.outcome, Outcome::event_rejected);
  EXPECT_EQ(answer(401, {}, 0).outcome, Outcome::endpoint_error);
  EXPECT_EQ(answer(202, {}, 0).outcome, Outcome::delivered);
}

TEST(ClassifyTest, every_outcome_has_a_name) {
  EXPECT_EQ(to_string(Outcome::delivered), "delivered");
  EXPECT_EQ(to_string(Outcome::retry), "retry");
  EXPECT_EQ(to_string(Outcome::endpoint_error), "endpoint_error");
  EXPECT_EQ(to_string(Outcome::event_rejected), "event_rejected");
  EXPECT_EQ(to_string(Outcome::batch_too_large), "batch_too_large");
}

}  // namespace
}  // namespace vesagent::publish
