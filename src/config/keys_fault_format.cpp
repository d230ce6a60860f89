// Keys that choose how fault events are encoded: VES faultFields, or 3GPP Fault Supervision notifications
// (TS 28.532) carried in VES 7.2.1 stndDefined events.
#include "key_factories.hpp"

namespace vesagent::config::detail {

void add_fault_format_keys(std::vector<Key>& keys) {
  {
    Key k = choice_key("event.faultFormat",
                       "How faults are sent: \"ves\" (VES faultFields) or \"stndDefined\" (VES 7.2.1 stndDefined "
                       "events, namespace 3GPP-FaultSupervision, carrying the 3GPP TS 28.532 notifications "
                       "notifyNewAlarm, notifyChangedAlarm and notifyClearedAlarm). stndDefined needs ves.version 7.",
                       [](auto& c) -> auto& { return c.event.fault_format; }, {"ves", "stndDefined"});
    k.check = [](const Config& c) -> Message {
      if (c.event.fault_format == "stndDefined" && c.ves.version == 5) {
        return "stndDefined events do not exist in VES 5.4.1; set ves.version: 7 or event.faultFormat: ves";
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }
  {
    Key k = string_key("event.stndDefinedSchemaReference",
                       "With event.faultFormat stndDefined: the faultMnS.yaml URL sent in "
                       "stndDefinedFields.schemaReference (\"#/components/schemas/<notification>\" is appended). It "
                       "must equal a publicURL of the collector's schema-map.json: the default is what collectors "
                       "1.7.7 and later map; 1.7.3-1.7.4 map "
                       "https://forge.3gpp.org/rep/sa5/data-models/blob/REL-16/OpenAPI/faultMnS.yaml and 1.7.5-1.7.6 "
                       "https://forge.3gpp.org/rep/sa5/data-models/tree/SA88-Rel16/OpenAPI/faultMnS.yaml.",
                       [](auto& c) -> auto& { return c.event.stnd_defined_schema_reference; });
    k.check = [](const Config& c) -> Message {
      const std::string& ref = c.event.stnd_defined_schema_reference;
      if (ref.empty()) return "must not be empty: the collector validates stndDefined data only against a schema";
      if (ref.find('#') != std::string::npos) {
        return "give the URL without the '#' part; the notification's schema (#/components/schemas/...) is "
               "appended per event, got " + quote(ref);
      }
      return check_http_url(ref);
    };
    keys.push_back(std::move(k));
  }
}

}  // namespace vesagent::config::detail
