#pragma once
/// The VES wire versions the agent speaks. Each one is tied to the schema the ONAP collector applies to
/// /eventListener/v<N>.
#include <string_view>

namespace vesagent::ves {

/// v7 = VES 7.2.1 (CommonEventFormat_30.2.1_ONAP.json); v5 = VES 5.4.1 (CommonEventFormat_28.4.1.json).
enum class Version { v5 = 5, v7 = 7 };

/// "VES 7.2.1" / "VES 5.4.1", for messages.
constexpr std::string_view to_string(Version v) noexcept {
  return v == Version::v5 ? std::string_view{"VES 5.4.1"} : std::string_view{"VES 7.2.1"};
}

}  // namespace vesagent::ves
