#pragma once
// Shared helpers of the sources_openstack tests.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "vesagent/core/event.hpp"
#include "support/stage_harness.hpp"
#include "vesagent/core/event_sink.hpp"

namespace vesagent::sources::openstack::testing {

inline std::string fixture(const std::string& name) {
  return vesagent::test::read_text(vesagent::test::data_dir() / "openstack" / name);
}

/// Records what a source submits.
struct RecordingSink : core::EventSink {
  std::vector<core::Event> events;
  void submit(core::Event e) override { events.push_back(std::move(e)); }
  std::vector<const core::Event*> faults() const {
    std::vector<const core::Event*> out;
    for (const auto& e : events) {
      if (e.domain == core::Domain::fault) out.push_back(&e);
    }
    return out;
  }
};

inline const core::FaultBody& fault(const core::Event& e) { return std::get<core::FaultBody>(e.body); }

inline std::string info(const core::Event& e, const std::string& name) {
  for (const auto& [k, v] : fault(e).additional_information) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace vesagent::sources::openstack::testing
