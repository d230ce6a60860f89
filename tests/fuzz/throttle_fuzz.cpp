// libFuzzer target for the throttling state (the persisted <datadir>/throttling-state.json and the
// provideThrottlingState body): the file may be damaged or edited by hand.
// Properties checked besides "no crash": what parses reads back the same from state_body(), and applying it to a
// VES 5 fault never yields text that is not JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vesagent/ves/throttle.hpp"

namespace {
constexpr std::string_view kFault =
    R"({"commonEventHeader":{"domain":"fault","eventId":"f1","eventName":"Fault_X","sourceName":"s",)"
    R"("reportingEntityName":"r","priority":"High","sequence":1,"startEpochMicrosec":1,"lastEpochMicrosec":2,)"
    R"("version":3.0},"faultFields":{"faultFieldsVersion":2.0,"alarmCondition":"c","specificProblem":"p",)"
    R"("eventSeverity":"MAJOR","eventSourceType":"host","vfStatus":"Active","alarmInterfaceA":"eth0",)"
    R"("alarmAdditionalInformation":[{"name":"a","value":"1"},{"name":"b","value":"2"}]}})";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vesagent::ves::DomainThrottle> specs;
  std::string error;
  if (!vesagent::ves::parse_throttling_state(text, specs, error)) return 0;
  vesagent::ves::Throttle throttle;
  for (const auto& s : specs) {
    if (!throttle.apply(s, error)) std::abort();  // in memory: nothing can fail
  }
  std::vector<vesagent::ves::DomainThrottle> again;
  if (!vesagent::ves::parse_throttling_state(throttle.state_body(), again, error) || again != throttle.specs()) {
    std::abort();
  }
  std::string event(kFault);
  throttle.suppress(event);
  if (nlohmann::json::parse(event, nullptr, false).is_discarded()) std::abort();
  return 0;
}
