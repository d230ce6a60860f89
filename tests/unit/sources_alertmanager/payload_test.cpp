// parse_payload() on every payload a real Alertmanager 0.25 sent, and on the broken bodies a webhook must refuse
// with a clear one-line reason.
#include "vesagent/sources/alertmanager/payload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace vesagent::sources::alertmanager {
namespace {

using test::parse_ok;
using ::testing::HasSubstr;

constexpr std::int64_t kStart01 = 1795665503664000;  // 2026-11-26T03:58:23.664Z

TEST(PayloadTest, parses_every_recorded_payload_the_same_from_the_wire_and_pretty_printed) {
  struct Expected {
    std::size_t alerts;
    std::size_t resolved;
    std::int64_t truncated;
  };
  const Expected expected[] = {{1, 0, 0}, {3, 0, 0}, {3, 0, 0}, {3, 1, 0}, {3, 3, 0},
                               {1, 0, 0}, {4, 3, 0}, {4, 4, 0}, {6, 0, 0}, {3, 0, 3}};
  ASSERT_EQ(test::fixture_names().size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const std::string& name = test::fixture_names()[i];
    SCOPED_TRACE(name);
    Payload wire = parse_ok(test::wire_body(name));
    Payload pretty = parse_ok(test::pretty_body(name));
    EXPECT_EQ(wire.version, "4");
    EXPECT_EQ(wire.receiver, "ves-webhook");
    EXPECT_EQ(wire.external_url, "http://127.0.0.1:19093");
    EXPECT_EQ(wire.truncated_alerts, expected[i].truncated);
    ASSERT_EQ(wire.alerts.size(), expected[i].alerts);
    std::size_t resolved = 0;
    for (std::size_t a = 0; a < wire.alerts.size(); ++a) {
      const Alert& w = wire.alerts[a];
      const Alert& p = pretty.alerts.at(a);
      if (w.status == AlertStatus::resolved) {
        ++resolved;
        EXPECT_GT(w.ends_at_us, w.starts_at_us);
      } else {
        EXPECT_EQ(w.ends_at_us, 0) << "a firing alert's endsAt is Go's zero time";
      }
      EXPECT_EQ(w.fingerprint.size(), 16u);
      EXPECT_NE(w.label("alertname"), nullptr);
      EXPECT_NE(w.label("severity"), nullptr);
      EXPECT_THAT(w.generator_url, HasSubstr("&g0.tab=1")) << "\\u0026 must be decoded";
      EXPECT_EQ(w.status, p.status);
      EXPECT_EQ(w.labels, p.labels);
      EXPECT_EQ(w.annotations, p.annotations);
      EXPECT_EQ(w.starts_at_us, p.starts_at_us);
      EXPECT_EQ(w.ends_at_us, p.ends_at_us);
      EXPECT_EQ(w.fingerprint, p.fingerprint);
      EXPECT_EQ(w.generator_url, p.generator_url);
    }
    EXPECT_EQ(resolved, expected[i].resolved);
  }
}

TEST(PayloadTest, keeps_every_field_of_a_single_alert) {
  Payload p = parse_ok(test::wire_body("01_firing_single_alert"));
  EXPECT_EQ(p.status, "firing");
  EXPECT_EQ(p.group_key, "{}:{alertname=\"VesTestAlwaysFiring\"}");
  ASSERT_EQ(p.alerts.size(), 1u);
  const Alert& a = p.alerts[0];
  EXPECT_EQ(a.status, AlertStatus::firing);
  const core::NameValues labels = {{"VNFC", "vnfc-test-01"},       {"alertname", "VesTestAlwaysFiring"},
                                   {"eventSourceType", "promstack-test"}, {"instance", "vnf-host-01"},
                                   {"monitor", "promstack"},       {"severity", "critical"}};
  EXPECT_EQ(a.labels, labels);
  const core::NameValues annotations = {
      {"description", "vector(1) is always 1; this alert fires on the first evaluation."},
      {"summary", "Always-firing test alert"}};
  EXPECT_EQ(a.annotations, annotations);
  EXPECT_EQ(a.starts_at_us, kStart01);
  EXPECT_EQ(a.ends_at_us, 0);
  EXPECT_EQ(a.fingerprint, "0eb5df6acd5b1815");
  EXPECT_EQ(a.generator_url, "http://127.0.0.1:19090/graph?g0.expr=vector%281%29&g0.tab=1");
  ASSERT_NE(a.label("instance"), nullptr);
  EXPECT_EQ(*a.label("instance"), "vnf-host-01");
  EXPECT_EQ(a.label("nope"), nullptr);
  EXPECT_EQ(*a.annotation("summary"), "Always-firing test alert");
}

TEST(PayloadTest, each_alert_keeps_its_own_status_under_a_firing_group) {
  Payload p = parse_ok(test::wire_body("04_toggle_mixed_2_firing_1_resolved"));
  EXPECT_EQ(p.status, "firing");
  ASSERT_EQ(p.alerts.size(), 3u);
  EXPECT_EQ(p.alerts[0].status, AlertStatus::firing);
  EXPECT_EQ(p.alerts[1].status, AlertStatus::resolved);
  EXPECT_EQ(p.alerts[1].ends_at_us, 1795665513664000);  // 03:58:33.664Z
  EXPECT_EQ(*p.alerts[1].label("target"), "b");
  EXPECT_EQ(p.alerts[2].status, AlertStatus::firing);
}

TEST(PayloadTest, parses_rfc3339_times_with_fractions_and_offsets) {
  struct Case {
    const char* text;
    std::int64_t us;
  };
  for (const auto& c : {Case{"2026-11-26T03:58:23.664Z", kStart01}, Case{"2026-11-26T03:58:23.664000000Z", kStart01},
                        Case{"2026-11-26T05:58:23.664+02:00", kStart01},
                        Case{"2026-11-25T22:28:23.664-05:30", kStart01}, Case{"2026-11-26t03:58:23.664z", kStart01},
                        Case{"2026-11-26T03:58:23Z", kStart01 - 664000},
                        Case{"2026-11-26T03:58:23.6641239Z", kStart01 + 123},  // below 1 µs: truncated
                        Case{"2000-02-29T23:59:59.999999Z", 951868799999999},
                        Case{"1970-01-01T00:00:00Z", 0}, Case{"1970-01-01T00:00:01+00:00", 1000000},
                        Case{"0001-01-01T00:00:00Z", 0}}) {
    auto us = parse_rfc3339_us(c.text);
    ASSERT_TRUE(us.has_value()) << c.text;
    EXPECT_EQ(*us, c.us) << c.text;
  }
}

TEST(PayloadTest, rejects_malformed_times) {
  for (const char* text : {"", "2026-11-26", "2026-11-26T03:58:23", "2026-11-26 03:58:23Z", "2026-13-26T03:58:23Z",
                           "2026-11-31T03:58:23Z", "2025-02-29T00:00:00Z", "2026-11-26T24:00:00Z",
                           "2026-11-26T03:60:00Z", "2026-11-26T03:58:60Z", "2026-11-26T03:58:23.Z",
                           "2026-11-26T03:58:23+0200", "2026-11-26T03:58:23+24:00", "2026-11-26T03:58:23Zjunk",
                           "26-11-26T03:58:23Z", "2026-11-26T03:58:23.664", "1795665503"}) {
    EXPECT_FALSE(parse_rfc3339_us(text).has_value()) << text;
  }
}

struct BadCase {
  std::string body;
  std::string reason;  ///< substring of the one-line reason
};

TEST(PayloadTest, rejects_bad_bodies_with_a_one_line_reason) {
  const std::string ok_alert =
      R"({"status":"firing","labels":{"alertname":"A"},"annotations":{},"startsAt":"2026-11-26T03:58:23Z"})";
  const BadCase cases[] = {
      {"", "empty body"},
      {"not json", "invalid JSON at byte"},
      {R"({"alerts":[)", "invalid JSON"},
      {R"({"alerts":[]} trailing)", "invalid JSON"},
      {"[1,2]", "expected a JSON object, got an array"},
      {"\"text\"", "expected a JSON object, got a string"},
      {"42", "expected a JSON object, got a number"},
      {R"({"receiver":"x"})", "missing \"alerts\""},
      {R"({"alerts":{}})", "\"alerts\": expected an array, got an object"},
      {R"({"alerts":"none"})", "\"alerts\": expected an array, got a string"},
      {R"({"alerts":null})", "\"alerts\": expected an array, got null"},
      {R"({"alerts":[1]})", "alerts[0]: expected an object, got a number"},
      {R"({"alerts":[)" + ok_alert + R"(,[]]})", "alerts[1]: expected an object, got an array"},
      {R"({"alerts":[{"labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})", "alerts[0]: missing \"status\""},
      {R"({"alerts":[{"status":"firing","startsAt":"2026-11-26T03:58:23Z"}]})", "alerts[0]: missing \"labels\""},
      {R"({"alerts":[{"status":"firing","labels":{}}]})", "alerts[0]: missing \"startsAt\""},
      {R"({"alerts":[{"status":"pending","labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].status: expected \"firing\" or \"resolved\", got \"pending\""},
      {R"({"alerts":[{"status":1,"labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].status: expected a string, got a number"},
      {R"({"alerts":[{"status":"firing","labels":[],"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].labels: expected an object, got an array"},
      {R"({"alerts":[{"status":"firing","labels":"a=b","startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].labels: expected an object, got a string"},
      {R"({"alerts":[{"status":"firing","labels":{"severity":3},"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].labels.severity: expected a string, got a number"},
      {R"({"alerts":[{"status":"firing","labels":{"a":{"b":"c"}},"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].labels.a: expected a string, got an object"},
      {R"({"alerts":[{"status":"firing","labels":{},"annotations":{"d":null},"startsAt":"2026-11-26T03:58:23Z"}]})",
       "alerts[0].annotations.d: expected a string, got null"},
      {R"({"alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]})",
       "alerts[0].startsAt: expected an RFC 3339 time, got \"yesterday\""},
      {R"({"alerts":[{"status":"firing","labels":{},"startsAt":1795665503}]})",
       "alerts[0].startsAt: expected a string, got a number"},
      {R"({"alerts":[{"status":"resolved","labels":{},"startsAt":"2026-11-26T03:58:23Z",)"
       R"("endsAt":"2026-13-01T00:00:00Z"}]})",
       "alerts[0].endsAt: expected an RFC 3339 time"},
      {R"({"alerts":[],"truncatedAlerts":-1})", "\"truncatedAlerts\": expected a non-negative integer"},
      {R"({"alerts":[],"truncatedAlerts":"3"})", "\"truncatedAlerts\": expected a non-negative integer, got a string"},
      {R"({"alerts":[],"receiver":["x"]})", "\"receiver\": expected a string, got an array"},
      {R"({"alerts":[],"version":4})", "\"version\": expected a string, got a number"},
      {"{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"\xff\"}}]}", "invalid JSON"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    std::string why;
    auto r = parse_payload(c.body, why);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_json));
    EXPECT_THAT(why, HasSubstr(c.reason));
    EXPECT_EQ(why.find('\n'), std::string::npos);
    EXPECT_LT(why.size(), 260u);
  }
}

TEST(PayloadTest, reason_never_carries_control_characters_or_a_huge_value) {
  std::string body = R"({"alerts":[{"status":")" + std::string("bad\\r\\nX-Injected: 1\\u0001") +
                     std::string(1000, 'x') + R"(","labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})";
  std::string why;
  ASSERT_FALSE(parse_payload(body, why).has_value());
  for (char c : why) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << why;
  EXPECT_LT(why.size(), 200u);
  EXPECT_THAT(why, HasSubstr("alerts[0].status"));
}

TEST(PayloadTest, accepts_other_versions_nulls_and_unknown_keys) {
  Payload p = parse_ok(R"({"version":"5","receiver":null,"newField":{"deep":[1,{"x":[]}]},"alerts":[
    {"status":"resolved","labels":{"alertname":"A"},"annotations":null,"startsAt":"2026-11-26T03:58:23.664Z",
     "endsAt":"2026-11-26T03:58:33.664Z","fingerprint":null,"generatorURL":null,"extra":{"status":"ignored"}},
    {"status":"firing","labels":null,"startsAt":"2026-11-26T03:58:23.664Z"}],
    "groupLabels":{},"truncatedAlerts":null})");
  EXPECT_EQ(p.version, "5");
  EXPECT_EQ(p.receiver, "");
  ASSERT_EQ(p.alerts.size(), 2u);
  EXPECT_EQ(p.alerts[0].status, AlertStatus::resolved);
  EXPECT_TRUE(p.alerts[0].annotations.empty());
  EXPECT_EQ(p.alerts[0].fingerprint, "");
  EXPECT_TRUE(p.alerts[1].labels.empty());
  EXPECT_EQ(p.alerts[1].ends_at_us, 0);
}

TEST(PayloadTest, a_repeated_label_keeps_the_last_value_like_go) {
  Payload p = parse_ok(
      R"({"alerts":[{"status":"firing","labels":{"severity":"minor","alertname":"A","severity":"critical"},)"
      R"("startsAt":"2026-11-26T03:58:23Z"}]})");
  ASSERT_EQ(p.alerts.size(), 1u);
  const core::NameValues expected = {{"severity", "critical"}, {"alertname", "A"}};
  EXPECT_EQ(p.alerts[0].labels, expected);
}

TEST(PayloadTest, an_empty_alert_list_is_valid) {
  Payload p = parse_ok(R"({"version":"4","status":"resolved","alerts":[]})");
  EXPECT_TRUE(p.alerts.empty());
}

// ---- edge cases of the JSON itself (the parser moved from nlohmann's SAX parser to Boost.JSON's basic_parser;
// these pin down what both accept and refuse) ------------------------------------------------------------------

/// A body of one alert whose "labels" object is `labels` (JSON text).
std::string with_labels(const std::string& labels) {
  return R"({"alerts":[{"status":"firing","labels":)" + labels + R"(,"startsAt":"2026-11-26T03:58:23Z"}]})";
}

/// The reason parse_payload() gives for `body`; fails the test when the body is accepted.
std::string reason(const std::string& body) {
  std::string why;
  auto r = parse_payload(body, why);
  EXPECT_FALSE(r.has_value()) << body.substr(0, 200);
  if (!r.has_value()) {
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_json));
  }
  return why;
}

bool is_ascii_line(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

TEST(PayloadTest, repeated_keys_keep_the_last_value_like_go) {
  // Top level: a repeated "alerts" replaces the earlier list, a repeated string field keeps the last value.
  Payload p = parse_ok(R"({"receiver":"a","alerts":[)" + std::string(R"({"status":"firing","labels":{},)") +
                       R"("startsAt":"2026-11-26T03:58:23Z"}],"receiver":"b","alerts":[]})");
  EXPECT_EQ(p.receiver, "b");
  EXPECT_TRUE(p.alerts.empty());
  // In an alert: the last status counts; a second "labels" object adds to the first (Go reuses the map).
  p = parse_ok(R"({"alerts":[{"status":"firing","status":"resolved","labels":{"a":"1"},"labels":{"b":"2","a":"3"},)"
               R"("startsAt":"2026-11-26T03:58:23Z","startsAt":"2026-11-26T03:58:24Z"}]})");
  ASSERT_EQ(p.alerts.size(), 1u);
  EXPECT_EQ(p.alerts[0].status, AlertStatus::resolved);
  const core::NameValues labels = {{"a", "3"}, {"b", "2"}};
  EXPECT_EQ(p.alerts[0].labels, labels);
  EXPECT_EQ(p.alerts[0].starts_at_us, kStart01 - 664000 + 1000000);
  // Each value is checked as it comes: a bad first status is refused even if a good one follows.
  EXPECT_THAT(reason(R"({"alerts":[{"status":"pending","status":"firing","labels":{},)"
                     R"("startsAt":"2026-11-26T03:58:23Z"}]})"),
              HasSubstr("alerts[0].status: expected \"firing\" or \"resolved\", got \"pending\""));
}

TEST(PayloadTest, many_unsorted_labels_with_repeats_keep_first_position_and_last_value) {
  // Beyond a few dozen names in no particular order the parser indexes them; the result must not change.
  std::string labels = "{";
  core::NameValues expected;
  for (int i = 0; i < 300; ++i) {
    const std::string name = "k" + std::to_string((i * 7919) % 120);  // 120 names, most repeated, unsorted
    const std::string value = "v" + std::to_string(i);
    labels += (i ? "," : "") + ("\"" + name + "\":\"" + value + "\"");
    auto it = std::find_if(expected.begin(), expected.end(), [&](const auto& nv) { return nv.first == name; });
    if (it == expected.end()) {
      expected.emplace_back(name, value);
    } else {
      it->second = value;
    }
  }
  Payload p = parse_ok(with_labels(labels + "}"));
  ASSERT_EQ(p.alerts.size(), 1u);
  EXPECT_EQ(p.alerts[0].labels.size(), 120u);
  EXPECT_EQ(p.alerts[0].labels, expected);
  // Sorted names (what Alertmanager sends) repeated out of order.
  p = parse_ok(with_labels(R"({"a":"1","b":"2","c":"3","b":"4","a":"5","d":"6"})"));
  const core::NameValues sorted = {{"a", "5"}, {"b", "4"}, {"c", "3"}, {"d", "6"}};
  EXPECT_EQ(p.alerts[0].labels, sorted);
  // A second "labels" object merges into the first, whatever the order of the first one's names.
  p = parse_ok(R"({"alerts":[{"status":"firing","labels":{"s":"1","c":"2","v":"3"},"labels":{"s":"4","d":"5"},)"
               R"("startsAt":"2026-11-26T03:58:23Z"}]})");
  const core::NameValues merged = {{"s", "4"}, {"c", "2"}, {"v", "3"}, {"d", "5"}};
  EXPECT_EQ(p.alerts[0].labels, merged);
}

TEST(PayloadTest, escapes_in_label_names_and_values_are_decoded) {
  Payload p = parse_ok(
      R"({"alerts":[{"st\u0061tus":"firing","labels":{"al\u0065rtname":"q\"uote\\back\/slash\nline\ttab",)"
      R"("nul":"a\u0000b","e\u0301":"caf\u00e9 \ud83d\ude00"},"startsAt":"2026-11-26T03:58:23Z"}]})");
  ASSERT_EQ(p.alerts.size(), 1u);
  ASSERT_NE(p.alerts[0].label("alertname"), nullptr) << "an escaped key must match its plain spelling";
  EXPECT_EQ(*p.alerts[0].label("alertname"), "q\"uote\\back/slash\nline\ttab");
  EXPECT_EQ(*p.alerts[0].label("nul"), std::string("a\0b", 3));
  ASSERT_NE(p.alerts[0].label("e\xCC\x81"), nullptr);
  EXPECT_EQ(*p.alerts[0].label("e\xCC\x81"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // Raw (unescaped) UTF-8 passes through unchanged.
  p = parse_ok(with_labels("{\"z\xC3\xBC\":\"\xE2\x82\xAC \xF0\x9F\x98\x80\"}"));
  EXPECT_EQ(*p.alerts[0].label("z\xC3\xBC"), "\xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(PayloadTest, long_escaped_strings_arrive_whole) {
  // Escaped strings are decoded in pieces of a few KiB; names and values must come out whole.
  std::string name, value, json_name, json_value;
  for (int i = 0; i < 3000; ++i) {
    name += "n\t";
    json_name += "n\\t";
    value += "v\n";
    json_value += "v\\n";
  }
  Payload p = parse_ok(with_labels("{\"" + json_name + "\":\"" + json_value + "\",\"z\":\"1\"}"));
  ASSERT_EQ(p.alerts[0].labels.size(), 2u);
  EXPECT_EQ(p.alerts[0].labels[0].first, name);
  EXPECT_EQ(p.alerts[0].labels[0].second, value);
  EXPECT_EQ(*p.alerts[0].label("z"), "1");
  // The same for a top-level field and an alert field.
  p = parse_ok(R"({"alerts":[],"receiver":")" + json_value + R"("})");
  EXPECT_EQ(p.receiver, value);
}

TEST(PayloadTest, refuses_invalid_utf8_and_lone_surrogates_with_an_ascii_reason_and_the_byte) {
  struct Case {
    std::string value;      ///< raw bytes inside a label value
    std::size_t bad_byte;   ///< 1-based position in the value of the first refused byte
  };
  const std::string prefix = with_labels("{\"a\":\"").substr(0, with_labels("{\"a\":\"").find("\"a\":\"") + 5);
  for (const auto& c : {Case{"\xFF", 1}, Case{"ok\xC0\x80", 3},                 // 0xFF; overlong NUL
                        Case{"\xED\xA0\x80", 1}, Case{"\xF4\x90\x80\x80", 1},  // surrogate; above U+10FFFF
                        Case{"\xE2\x82", 1}, Case{"\x80", 1},                  // cut sequence; lone continuation
                        Case{"a\x01", 2}}) {                                    // raw control character
    const std::string body = prefix + c.value + R"("},"startsAt":"2026-11-26T03:58:23Z"}]})";
    const std::string why = reason(body);
    EXPECT_THAT(why, HasSubstr("invalid JSON at byte " + std::to_string(prefix.size() + c.bad_byte) + ":"));
    EXPECT_TRUE(is_ascii_line(why)) << why;
  }
  EXPECT_THAT(reason(with_labels(R"({"a":"\ud800"})")), HasSubstr("unpaired UTF-16 surrogate"));
  EXPECT_THAT(reason(with_labels(R"({"a":"\udc00"})")), HasSubstr("unpaired UTF-16 surrogate"));
  EXPECT_THAT(reason(with_labels(R"({"a":"\ud800\u0041"})")), HasSubstr("unpaired UTF-16 surrogate"));
  EXPECT_THAT(reason(with_labels(R"({"a":"\u12g4"})")), HasSubstr("invalid JSON at byte"));
  EXPECT_THAT(reason(with_labels(R"({"a":"\q"})")), HasSubstr("invalid JSON at byte"));
  // Invalid UTF-8 in a key, even one the parser skips.
  EXPECT_THAT(reason("{\"alerts\":[],\"groupLabels\":{\"\xFF\":\"x\"}}"), HasSubstr("invalid JSON at byte 30:"));
}

TEST(PayloadTest, a_quoted_value_is_cut_at_a_character_boundary) {
  const std::string status = std::string(59, 'a') + "\xC3\xA9" + "zz";  // 'é' straddles the 60-byte cut
  const std::string why = reason(R"({"alerts":[{"status":")" + status +
                                 R"(","labels":{},"startsAt":"2026-11-26T03:58:23Z"}]})");
  EXPECT_THAT(why, HasSubstr("got \"" + std::string(59, 'a') + "...\""));
}

TEST(PayloadTest, numbers_follow_json_and_truncated_alerts_must_be_an_int64) {
  EXPECT_EQ(parse_ok(R"({"alerts":[],"truncatedAlerts":9223372036854775807})").truncated_alerts, INT64_MAX);
  EXPECT_EQ(parse_ok(R"({"alerts":[],"truncatedAlerts":-0})").truncated_alerts, 0);
  for (const char* n : {"9223372036854775808", "18446744073709551616", "1e2", "1.0", "-0.0", "-1"}) {
    EXPECT_THAT(reason(std::string(R"({"alerts":[],"truncatedAlerts":)") + n + "}"),
                HasSubstr("\"truncatedAlerts\": expected a non-negative integer"))
        << n;
  }
  // Anywhere, even in a skipped field: finite numbers of any size are fine, numbers beyond double's range are not.
  for (const std::string& n : std::vector<std::string>{"99999999999999999999999", "1e-400", "0e400", "-0.0e999", "1.7976931348623158e308",
                              "1" + std::string(300, '0')}) {
    parse_ok(R"({"alerts":[],"groupLabels":{"x":[)" + n + "]}}");
  }
  for (const std::string& n : std::vector<std::string>{"1e400", "-1e400", "1.7976931348623159e308", "1" + std::string(400, '0')}) {
    EXPECT_THAT(reason(R"({"alerts":[],"groupLabels":{"x":[)" + n + "]}}"),
                HasSubstr("invalid JSON at byte 34: number out of range"))
        << n;
  }
  // An exponent beyond what basic_parser counts (INT_MAX) is refused even when the value would be 0.
  EXPECT_THAT(reason(R"({"alerts":[],"x":1e-2147483648})"), HasSubstr("number out of range"));
  // Not JSON numbers.
  for (const char* n : {"01", "+1", ".5", "1.", "1e", "NaN", "Infinity", "0x10"}) {
    EXPECT_THAT(reason(std::string(R"({"alerts":[],"x":)") + n + "}"), HasSubstr("invalid JSON at byte")) << n;
  }
}

TEST(PayloadTest, deep_nesting_is_skipped_up_to_a_limit_and_refused_beyond_without_crashing) {
  auto nested = [](std::size_t depth) {
    return R"({"alerts":[],"commonLabels":{"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}}";
  };
  parse_ok(nested(990));  // 992 levels with the two objects around it
  EXPECT_THAT(reason(nested(1000)), HasSubstr("nested deeper than 1000 levels"));
  // A body of nothing but brackets (the webhook accepts up to 10 MiB) must not exhaust the stack.
  EXPECT_THAT(reason("{\"x\":" + std::string(1 << 20, '[')), HasSubstr("nested deeper than 1000 levels"));
  EXPECT_THAT(reason("{\"alerts\":[]," + std::string(1 << 20, '{')), HasSubstr("invalid JSON at byte 14"));
}

TEST(PayloadTest, only_strict_json_is_accepted_and_the_reason_points_at_the_byte) {
  const BadCase cases[] = {
      {"not json", "invalid JSON at byte 1: syntax error near \"not json\""},
      {R"({"alerts":[]} trailing)", "invalid JSON at byte 15: more data after the JSON value near \"trailing\""},
      {R"({"alerts":[]}{})", "invalid JSON at byte 14: more data after the JSON value"},
      {R"({"alerts":[],)", "invalid JSON at byte 14: incomplete JSON"},
      {R"({"alerts":[],"x":"abc)", "invalid JSON at byte 22: incomplete JSON"},
      {R"({"alerts":[] /* comment */})", "invalid JSON at byte 14: syntax error"},
      {R"({"alerts":[],})", "invalid JSON at byte 14: syntax error"},
      {R"({"alerts":[1,]})", "alerts[0]: expected an object, got a number"},
      {"{'alerts':[]}", "invalid JSON at byte 2: syntax error"},
      {"{alerts:[]}", "invalid JSON at byte 2: syntax error"},
      {"\f{\"alerts\":[]}", "invalid JSON at byte 1: syntax error near \"\\x0c{"},
      {"\xC2\xA0{\"alerts\":[]}", "invalid JSON at byte 1: syntax error near \"\\xc2\\xa0{"},  // NBSP is no space
      {"\xEF\xBB{\"alerts\":[]}", "invalid JSON at byte 1"},
      {"\xEF\xBB\xBF", "invalid JSON at byte 4: incomplete JSON"},
      {std::string("{\"alerts\":[]\0}", 14), "invalid JSON at byte 13: syntax error near \"\\x00}\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const std::string why = reason(c.body);
    EXPECT_THAT(why, HasSubstr(c.reason));
    EXPECT_TRUE(is_ascii_line(why)) << why;
  }
}

TEST(PayloadTest, a_byte_order_mark_and_whitespace_around_the_value_are_accepted) {
  EXPECT_TRUE(parse_ok("\xEF\xBB\xBF{\"alerts\":[]}").alerts.empty());
  EXPECT_TRUE(parse_ok(" \t\r\n{ \"alerts\" : [ ] } \r\n\t").alerts.empty());
  // Kept from the nlohmann parser: a NUL byte after the value ends the body (C-string style senders).
  EXPECT_TRUE(parse_ok(std::string("{\"alerts\":[]}\0ignored", 21)).alerts.empty());
}

}  // namespace
}  // namespace vesagent::sources::alertmanager
