#pragma once
// Go's fmt for the template values: Sprint, Sprintln, Sprintf and strconv.Quote.
#include <span>
#include <string>
#include <string_view>

#include "value.hpp"

namespace vesagent::text_template {

/// fmt.Sprint of one value (%v); missing and nil print "<nil>".
void append_value(std::string& out, const Value& v);
/// fmt.Sprint: spaces between operands when neither is a string.
std::string sprint(std::span<const Value> args);
/// fmt.Sprintln: spaces between all operands, and a newline.
std::string sprintln(std::span<const Value> args);
/// fmt.Sprintf, with Go's %!verb(type=value), %!verb(MISSING) and %!(EXTRA ...) for mismatches.
std::string sprintf(std::string_view format, std::span<const Value> args);
/// strconv.Quote.
std::string quote(std::string_view s);
/// strconv.FormatFloat(f, 'g', -1, 64) with fmt's spelling of infinities (%v of a float64).
std::string format_float(double f);

}  // namespace vesagent::text_template
