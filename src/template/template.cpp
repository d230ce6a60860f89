// Execution of the syntax tree (Go's text/template/exec) and the public Template.
#include "vesagent/template/template.hpp"

#include <optional>

#include "ast.hpp"
#include "format.hpp"

namespace vesagent::text_template {

bool parse_into(Root& root, std::string& error);  // parse.cpp

namespace {

// Output beyond this stops the execution: template fields are short, and a loop over a large datum must not
// exhaust memory.
constexpr std::size_t kMaxOutput = 1 << 20;

struct Stop {};  // thrown after the error is recorded

enum class Flow { normal, break_, continue_ };

class Exec {
 public:
  Exec(const Root& root, const ExecOptions& options, std::string& out) : root_(root), options_(options), out_(out) {}

  std::optional<ExecError> run(const json& data) {
    const Value dot = Value::from_json(data);
    vars_.emplace_back("$", dot);
    try {
      walk(root_.nodes, dot);
    } catch (const Stop&) {
      return std::move(error_);
    }
    return std::nullopt;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& message, std::string missing_key = {}) {
    int line = 1;
    int col = 1;
    for (std::size_t i = 0; i < at && i < root_.text.size(); ++i) {
      if (root_.text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    error_ = ExecError{(root_.source.empty() ? std::string() : root_.source + ":") + std::to_string(line) + ":" + std::to_string(col) + ": " + message,
                       std::move(missing_key)};
    throw Stop{};
  }

  void write(std::string_view s, std::size_t at) {
    if (out_.size() + s.size() > start_size_ + kMaxOutput) fail(at, "output longer than 1 MiB");
    out_ += s;
  }

  Flow walk(const std::vector<Node>& nodes, const Value& dot) {
    for (const auto& n : nodes) {
      const Flow f = walk(n, dot);
      if (f != Flow::normal) return f;
    }
    return Flow::normal;
  }

  Flow walk(const Node& n, const Value& dot) {
    switch (n.kind) {
      case Node::Kind::text: write(n.text, n.pos_offset); return Flow::normal;
      case Node::Kind::action: {
        const Value v = pipeline(dot, n.pipe);
        if (n.pipe.decl.empty()) print(v, n.pos_offset);
        return Flow::normal;
      }
      case Node::Kind::if_:
      case Node::Kind::with: {
        const std::size_t mark = vars_.size();
        const Value v = pipeline(dot, n.pipe);
        Flow f;
        if (truth(v)) {
          f = walk(n.list, n.kind == Node::Kind::with ? v : dot);
        } else {
          f = walk(n.else_list, dot);
        }
        vars_.resize(mark);
        return f;
      }
      case Node::Kind::range: return range(n, dot);
      case Node::Kind::break_: return Flow::break_;
      case Node::Kind::continue_: return Flow::continue_;
    }
    return Flow::normal;
  }

  Flow range(const Node& n, const Value& dot) {
    const std::size_t mark = vars_.size();
    const Value v = pipeline(dot, n.pipe);
    Flow result = Flow::normal;
    auto once = [&](const Value& index, const Value& elem) {
      if (!n.pipe.decl.empty()) vars_[vars_.size() - 1].second = elem;
      if (n.pipe.decl.size() > 1) vars_[vars_.size() - 2].second = index;
      const std::size_t inner = vars_.size();
      const Flow f = walk(n.list, elem);
      vars_.resize(inner);
      return f;
    };
    bool any = false;
    if (v.is(Value::Kind::list)) {
      std::int64_t i = 0;
      for (const auto& e : v.node()) {
        any = true;
        if (once(Value::integer(i++), v.element(e)) == Flow::break_) break;
      }
    } else if (v.is(Value::Kind::map)) {
      for (const auto& [k, e] : v.node().items()) {  // sorted keys, as Go ranges over a map
        any = true;
        if (once(Value::string(k), v.element(e)) == Flow::break_) break;
      }
    } else if (!v.is_missing() && !v.is(Value::Kind::nil)) {
      std::string shown;
      append_value(shown, v);
      fail(n.pipe.pos_offset, "range can't iterate over " + shown);
    }
    if (!any) result = walk(n.else_list, dot);
    vars_.resize(mark);
    return result == Flow::normal ? Flow::normal : result;
  }

  void print(const Value& v, std::size_t at) {
    if (v.is_missing() || v.is(Value::Kind::nil)) {
      if (v.is_missing() && options_.missing_printed != nullptr && options_.missing_printed->empty()) {
        *options_.missing_printed = last_missing_.empty() ? std::string("<no value>") : last_missing_;
      }
      write("<no value>", at);
      return;
    }
    if (v.is(Value::Kind::string)) {
      write(v.as_string(), at);
      return;
    }
    std::string s;
    append_value(s, v);
    write(s, at);
  }

  Value pipeline(const Value& dot, const Pipeline& p) {
    std::optional<Value> value;
    for (const auto& c : p.cmds) value = command(dot, c, value);
    for (const auto& name : p.decl) {
      if (p.assign) {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
          if (it->first == name) {
            it->second = *value;
            break;
          }
        }
      } else {
        vars_.emplace_back(name, *value);
      }
    }
    return *value;
  }

  Value variable(const std::string& name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return {};  // the parser refused undefined variables
  }

  Value command(const Value& dot, const Command& c, const std::optional<Value>& final) {
    const Arg& first = c.args[0];
    switch (first.kind) {
      case Arg::Kind::function: return call(dot, first, c.args, final);
      case Arg::Kind::field: return chain(dot, first.fields, first.pos_offset);
      case Arg::Kind::variable: return chain(variable(first.name), first.fields, first.pos_offset);
      case Arg::Kind::pipeline: return chain(pipeline(dot, *first.pipe), first.fields, first.pos_offset);
      case Arg::Kind::dot: return dot;
      case Arg::Kind::constant: return first.constant;
      case Arg::Kind::nil: fail(first.pos_offset, "nil is not a command");
    }
    return {};
  }

  Value chain(Value receiver, const std::vector<std::string>& fields, std::size_t at) {
    for (const auto& name : fields) receiver = field(receiver, name, at);
    return receiver;
  }

  Value field(const Value& receiver, const std::string& name, std::size_t at) {
    const bool strict = options_.missing_key == MissingKey::error;
    switch (receiver.kind()) {
      case Value::Kind::missing:
        if (strict) fail(at, "nil data; no entry for key " + quote(name), name);
        last_missing_ = name;
        return {};
      case Value::Kind::nil: fail(at, "nil pointer evaluating interface {}." + name);
      case Value::Kind::map: {
        const json& m = receiver.node();
        auto it = m.find(name);
        if (it == m.end()) {
          if (strict) fail(at, "map has no entry for key " + quote(name), name);
          last_missing_ = name;
          return {};
        }
        return receiver.element(*it);
      }
      default: fail(at, "can't evaluate field " + name + " in type " + type_name(receiver));
    }
  }

  Value validate(const Value& v, Param p, std::size_t at) {
    switch (p) {
      case Param::string:
        if (v.is(Value::Kind::string)) return v;
        if (v.is_missing()) fail(at, "invalid value; expected string");
        fail(at, "wrong type for value; expected string; got " + type_name(v));
      case Param::integer:
        if (v.is(Value::Kind::integer)) return v;
        if (v.is_missing()) fail(at, "invalid value; expected int");
        fail(at, "wrong type for value; expected int; got " + type_name(v));
      case Param::any: return v.is_missing() ? Value::nil() : v;
      case Param::raw: return v;
    }
    return v;
  }

  Value arg(const Value& dot, const Arg& a, Param p) {
    switch (a.kind) {
      case Arg::Kind::nil:
        if (p == Param::any) return Value::nil();
        fail(a.pos_offset, std::string("cannot assign nil to ") + (p == Param::string ? "string" : p == Param::integer ? "int" : "reflect.Value"));
      case Arg::Kind::constant:
        if (p == Param::string && !a.constant.is(Value::Kind::string)) fail(a.pos_offset, "expected string; found " + a.text);
        if (p == Param::integer) {
          if (!a.number || !a.number_is_int) fail(a.pos_offset, "expected integer; found " + a.text);
          return Value::integer(a.number_int);
        }
        return a.constant;
      case Arg::Kind::function: {
        const std::vector<Arg> only{a};
        return validate(call(dot, a, only, std::nullopt), p, a.pos_offset);
      }
      default: {
        Command c;
        c.args.push_back(a);
        return validate(command(dot, c, std::nullopt), p, a.pos_offset);
      }
    }
  }

  Value call(const Value& dot, const Arg& fn, const std::vector<Arg>& args, const std::optional<Value>& final) {
    const Function& f = *fn.function;
    const std::size_t given = args.size() - 1 + (final ? 1 : 0);
    const std::size_t fixed = f.params.size() - (f.variadic ? 1 : 0);
    if (f.variadic ? given < fixed : given != fixed) {
      fail(fn.pos_offset, "wrong number of args for " + std::string(f.name));
    }
    if (f.builtin == Builtin::and_ || f.builtin == Builtin::or_) {
      const bool want = f.builtin == Builtin::or_;
      Value v;
      for (std::size_t i = 1; i < args.size(); ++i) {
        v = arg(dot, args[i], Param::raw);
        if (truth(v) == want) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Value> values;
    values.reserve(given);
    auto param = [&](std::size_t i) { return i < f.params.size() ? f.params[i] : f.params.back(); };
    for (std::size_t i = 1; i < args.size(); ++i) values.push_back(arg(dot, args[i], param(i - 1)));
    if (final) values.push_back(validate(*final, param(values.size()), fn.pos_offset));
    Value result;
    if (auto error = f.call(values, result)) fail(fn.pos_offset, "error calling " + std::string(f.name) + ": " + *error);
    return result;
  }

  const Root& root_;
  const ExecOptions& options_;
  std::string& out_;
  std::size_t start_size_ = out_.size();
  std::vector<std::pair<std::string, Value>> vars_;
  std::string last_missing_;
  ExecError error_;
};

}  // namespace

bool is_string_map(const json& object) {
  if (object.empty()) return false;
  for (const auto& [k, v] : object.items()) {
    if (!v.is_string()) return false;
  }
  return true;
}

std::string type_name(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::missing:
    case Value::Kind::nil: return "<nil>";
    case Value::Kind::boolean: return "bool";
    case Value::Kind::integer: return "int";
    case Value::Kind::int64: return "int64";
    case Value::Kind::floating: return "float64";
    case Value::Kind::string: return "string";
    case Value::Kind::list: return "[]interface {}";
    case Value::Kind::map: return is_string_map(v.node()) ? "map[string]string" : "map[string]interface {}";
  }
  return "<nil>";
}

bool truth(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::missing:
    case Value::Kind::nil: return false;
    case Value::Kind::boolean: return v.as_bool();
    case Value::Kind::integer:
    case Value::Kind::int64: return v.as_int() != 0;
    case Value::Kind::floating: return v.as_float() != 0;
    case Value::Kind::string: return !v.as_string().empty();
    case Value::Kind::list:
    case Value::Kind::map: return !v.node().empty();
  }
  return false;
}

std::optional<Template> Template::compile(std::string_view text, std::string_view source, std::string& error) {
  auto root = std::make_shared<Root>();
  root->text = std::string(text);
  root->source = std::string(source);
  if (!parse_into(*root, error)) return std::nullopt;
  Template t;
  t.root_ = std::move(root);
  return t;
}

std::optional<ExecError> Template::execute(const json& data, std::string& out, const ExecOptions& options) const {
  Exec exec(*root_, options, out);
  return exec.run(data);
}

bool Template::is_constant() const { return root_->constant; }
const std::string& Template::constant_text() const { return root_->constant_text; }
const std::vector<std::string>& Template::root_keys() const { return root_->root_keys; }
const std::string& Template::text() const { return root_->text; }
const std::string& Template::source() const { return root_->source; }

}  // namespace vesagent::text_template
