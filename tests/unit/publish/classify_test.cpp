#include "vesagent/publish/classify.hpp"

#include <gtest/gtest.h>

namespace vesagent::publish {
namespace {

// Every HTTP status a collector could answer, against the outcome the agent must act on.
TEST(ClassifyTest, every_status_maps_to_the_right_outcome) {
  for (int status = 100; status < 600; ++status) {
    Outcome expected;
    if (status >= 200 && status < 300) {
      expected = Outcome::delivered;
    } else if (status == 408 || status == 429 || status >= 500) {
      expected = Outcome::retry;
    } else {
      expected = Outcome::reject;
    }
    EXPECT_EQ(classify(status, false), expected) << "status " << status;
  }
}

TEST(ClassifyTest, transport_failures_are_retried_whatever_the_status) {
  EXPECT_EQ(classify(0, true), Outcome::retry);
  EXPECT_EQ(classify(0, false), Outcome::retry);
  EXPECT_EQ(classify(202, true), Outcome::retry);
}

TEST(ClassifyTest, onap_collector_answers) {
  EXPECT_EQ(classify(202, false), Outcome::delivered);  // v7.2 compatibility mode
  EXPECT_EQ(classify(200, false), Outcome::delivered);  // compatibility None
  EXPECT_EQ(classify(400, false), Outcome::reject);     // schema validation failed
  EXPECT_EQ(classify(401, false), Outcome::reject);     // bad credentials
  EXPECT_EQ(classify(413, false), Outcome::reject);
  EXPECT_EQ(classify(503, false), Outcome::retry);      // bus failure
}

}  // namespace
}  // namespace vesagent::publish
