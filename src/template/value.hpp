#pragma once
// Values during execution. Go's reflect values reduced to the types a JSON datum and the supported functions
// produce: a missing value (Go's invalid reflect.Value), nil, bool, int, int64 (Sprig's arithmetic), float64,
// string, and slices and maps, which point into the data or own their JSON.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vesagent::text_template {

using json = nlohmann::json;

class Value {
 public:
  enum class Kind : std::uint8_t { missing, nil, boolean, integer, int64, floating, string, list, map };

  Value() = default;
  static Value nil() { return Value(Kind::nil); }
  static Value boolean(bool b) {
    Value v(Kind::boolean);
    v.b_ = b;
    return v;
  }
  static Value integer(std::int64_t i, bool is_int64 = false) {
    Value v(is_int64 ? Kind::int64 : Kind::integer);
    v.i_ = i;
    return v;
  }
  static Value floating(double f) {
    Value v(Kind::floating);
    v.f_ = f;
    return v;
  }
  static Value string(std::string s) {
    Value v(Kind::string);
    v.owned_ = std::make_shared<const json>(std::move(s));
    v.node_ = v.owned_.get();
    return v;
  }
  /// A value read from the data (or from a JSON this value keeps alive through `keep`).
  static Value from_json(const json& j, std::shared_ptr<const json> keep = nullptr) {
    Value v;
    switch (j.type()) {
      case json::value_t::null: return nil();
      case json::value_t::boolean: return boolean(j.get<bool>());
      case json::value_t::number_integer: return integer(j.get<std::int64_t>());
      case json::value_t::number_unsigned: return integer(static_cast<std::int64_t>(j.get<std::uint64_t>()));
      case json::value_t::number_float: return floating(j.get<double>());
      case json::value_t::string: v.kind_ = Kind::string; break;
      case json::value_t::array: v.kind_ = Kind::list; break;
      case json::value_t::object: v.kind_ = Kind::map; break;
      default: return nil();
    }
    v.node_ = &j;
    v.owned_ = std::move(keep);
    return v;
  }
  /// A list or map built by a function (splitList, split).
  static Value owned(json j) {
    auto holder = std::make_shared<const json>(std::move(j));
    const json& ref = *holder;
    return from_json(ref, std::move(holder));
  }

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  bool is_missing() const { return kind_ == Kind::missing; }
  bool is_int() const { return kind_ == Kind::integer || kind_ == Kind::int64; }
  bool as_bool() const { return b_; }
  std::int64_t as_int() const { return i_; }
  double as_float() const { return f_; }
  std::string_view as_string() const { return node_->get_ref<const std::string&>(); }
  const json& node() const { return *node_; }
  /// The JSON keeping node() alive when it is not part of the data.
  const std::shared_ptr<const json>& keeper() const { return owned_; }
  /// An element of this list or map as a value (kept alive with this one).
  Value element(const json& j) const { return from_json(j, owned_); }

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::missing;
  bool b_ = false;
  std::int64_t i_ = 0;
  double f_ = 0;
  const json* node_ = nullptr;
  std::shared_ptr<const json> owned_;
};

/// Go's element type of a map: an object whose values are all strings is a map[string]string (Prometheus labels,
/// Sprig's split); any other is a map[string]interface{}.
bool is_string_map(const json& object);

/// Go's type name of a value, as fmt's %T and error messages print it.
std::string type_name(const Value& v);

/// Go's truth: false, 0, "", empty list or map, nil and missing are false.
bool truth(const Value& v);

}  // namespace vesagent::text_template
