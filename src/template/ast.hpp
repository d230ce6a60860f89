#pragma once
// The syntax tree of a compiled template (Go's text/template/parse, reduced to what is supported).
#include <memory>
#include <string>
#include <vector>

#include "functions.hpp"
#include "value.hpp"

namespace vesagent::text_template {

struct Pipeline;

/// One operand of a command.
struct Arg {
  enum class Kind : std::uint8_t { dot, field, variable, constant, nil, function, pipeline };
  Kind kind = Kind::dot;
  std::size_t pos_offset = 0;  ///< byte offset in the template, for messages
  std::string name;                 ///< variable name ("$x", "$"), function name
  std::vector<std::string> fields;  ///< field chain read after the term (.a.b)
  Value constant;                   ///< literal: bool, string, int or float
  bool number = false;              ///< a number literal (an int one can also be a float argument)
  bool number_is_int = false;
  std::int64_t number_int = 0;
  double number_float = 0;
  const Function* function = nullptr;
  std::shared_ptr<const Pipeline> pipe;  ///< (...)
  std::string text;                      ///< as written, for messages
};

struct Command {
  std::size_t pos_offset = 0;  ///< byte offset in the template, for messages
  std::vector<Arg> args;
};

struct Pipeline {
  std::size_t pos_offset = 0;  ///< byte offset in the template, for messages
  std::vector<std::string> decl;  ///< variables declared or assigned
  bool assign = false;            ///< `=` rather than `:=`
  std::vector<Command> cmds;
};

struct Node {
  enum class Kind : std::uint8_t { text, action, if_, range, with, break_, continue_ };
  Kind kind = Kind::text;
  std::size_t pos_offset = 0;  ///< byte offset in the template, for messages
  std::string text;
  Pipeline pipe;
  std::vector<Node> list;
  std::vector<Node> else_list;
};

struct Root {
  std::string source;
  std::string text;
  std::vector<Node> nodes;
  bool constant = true;
  std::string constant_text;
  std::vector<std::string> root_keys;
};

}  // namespace vesagent::text_template
