#pragma once
// Internal to vesagent_ves: the stateChangeFields block (VES 7 schema 30.2.1_ONAP and VES 5 schema 28.4.1), kept
// apart from encode.cpp so the domain added for sources/openstack is one file plus a dispatch line.
#include <string>

#include "json_writer.hpp"
#include "vesagent/core/event.hpp"

namespace vesagent::ves::detail {

/// Writes `"stateChangeFields":{...}`. Returns false with the reason in `error` when a required field is empty.
/// v7: stateChangeFieldsVersion "4.0" (string enum), additionalFields hashMap; v5: 2.0 (number), [{name,value}].
bool write_state_change_fields(JsonWriter& w, const core::StateChangeBody& body, bool v7, std::string& error);

}  // namespace vesagent::ves::detail
