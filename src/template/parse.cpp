// Lexer and parser: Go's text/template/parse for the supported subset, into the tree of ast.hpp.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "ast.hpp"
#include "format.hpp"
#include "vesagent/template/template.hpp"

namespace vesagent::text_template {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Nesting of parentheses and blocks beyond this is refused (the parser and the executor recurse).
constexpr int kMaxDepth = 64;

enum class Tok : std::uint8_t {
  text, left, right, space, ident, field, dot, variable, declare, assign, pipe, lparen, rparen, comma, string,
  char_, number, boolean, nil, kw_if, kw_else, kw_end, kw_range, kw_with, kw_break, kw_continue, kw_unsupported, eof
};

struct Token {
  Tok type;
  std::size_t pos;
  std::string text;  // for strings: the unquoted value
};

struct Failure {
  std::size_t pos;
  std::string message;
};

// strconv.Unquote for "..." and '...' literals.
bool unquote(std::string_view q, std::string& out) {
  const char quote_char = q.front();
  std::string_view s = q.substr(1, q.size() - 2);
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == quote_char) return false;
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (++i >= s.size()) return false;
    const char e = s[i++];
    auto hex = [&](std::size_t n, std::uint32_t& v) {
      if (i + n > s.size()) return false;
      v = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const char h = s[i + k];
        const int d = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
        if (d < 0) return false;
        v = v * 16 + static_cast<std::uint32_t>(d);
      }
      i += n;
      return true;
    };
    std::uint32_t v = 0;
    switch (e) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '\'':
      case '"':
        if (e != quote_char) return false;
        out += e;
        break;
      case 'x':
        if (!hex(2, v)) return false;
        out += static_cast<char>(v);
        break;
      case 'u':
      case 'U': {
        if (!hex(e == 'u' ? 4 : 8, v)) return false;
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
        const Value r = Value::integer(v);
        out += sprintf("%c", std::span<const Value>(&r, 1));
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > s.size()) return false;
          v = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2; ++k) {
            const char d = s[i++];
            if (d < '0' || d > '7') return false;
            v = v * 8 + static_cast<std::uint32_t>(d - '0');
          }
          if (v > 255) return false;
          out += static_cast<char>(v);
          break;
        }
        return false;
    }
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  std::vector<Token> run() {
    while (pos_ < s_.size()) {
      const std::size_t open = s_.find("{{", pos_);
      std::size_t text_end = open == std::string_view::npos ? s_.size() : open;
      bool trim_left = false;
      if (open != std::string_view::npos && open + 3 < s_.size() && s_[open + 2] == '-' && is_space(s_[open + 3])) {
        trim_left = true;
      }
      std::string_view text = s_.substr(pos_, text_end - pos_);
      if (trim_left) {
        while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
      }
      if (!text.empty()) out_.push_back({Tok::text, pos_, std::string(text)});
      if (open == std::string_view::npos) {
        pos_ = s_.size();
        break;
      }
      pos_ = open + 2 + (trim_left ? 2 : 0);
      if (s_.substr(pos_, 2) == "/*") {
        comment(open);
      } else {
        out_.push_back({Tok::left, open, {}});
        action();
      }
    }
    out_.push_back({Tok::eof, s_.size(), {}});
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(std::size_t at, std::string message) { throw Failure{at, std::move(message)}; }

  void trim_after() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  // Right after an action's body: "}}" or " -}}" (a space, then the trim marker).
  bool right_delim() {
    if (s_.substr(pos_, 2) == "}}") {
      pos_ += 2;
      return true;
    }
    if (pos_ + 4 <= s_.size() && is_space(s_[pos_]) && s_.substr(pos_ + 1, 3) == "-}}") {
      pos_ += 4;
      trim_after();
      return true;
    }
    return false;
  }

  void comment(std::size_t open) {
    const std::size_t end = s_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) fail(open, "unclosed comment");
    pos_ = end + 2;
    if (!right_delim()) fail(open, "comment ends before closing delimiter");
  }

  void action() {
    int parens = 0;
    while (true) {
      if (pos_ >= s_.size()) fail(pos_, "unclosed action");
      const std::size_t start = pos_;
      const char c = s_[pos_];
      if (parens == 0 && s_.substr(pos_, 2) == "}}") {
        pos_ += 2;
        out_.push_back({Tok::right, start, {}});
        return;
      }
      if (is_space(c)) {
        if (parens == 0 && right_delim()) {
          out_.push_back({Tok::right, start, {}});
          return;
        }
        while (pos_ < s_.size() && is_space(s_[pos_])) {
          if (pos_ + 4 <= s_.size() && s_.substr(pos_ + 1, 3) == "-}}") {
            ++pos_;
            break;
          }
          ++pos_;
        }
        out_.push_back({Tok::space, start, {}});
        continue;
      }
      switch (c) {
        case '=': ++pos_; out_.push_back({Tok::assign, start, {}}); continue;
        case ':':
          if (s_.substr(pos_, 2) != ":=") fail(start, "expected :=");
          pos_ += 2;
          out_.push_back({Tok::declare, start, {}});
          continue;
        case '|': ++pos_; out_.push_back({Tok::pipe, start, {}}); continue;
        case ',': ++pos_; out_.push_back({Tok::comma, start, {}}); continue;
        case '(':
          ++pos_;
          ++parens;
          out_.push_back({Tok::lparen, start, {}});
          continue;
        case ')':
          if (parens == 0) fail(start, "unexpected right paren");
          ++pos_;
          --parens;
          out_.push_back({Tok::rparen, start, {}});
          continue;
        case '"':
        case '\'': {
          std::size_t i = pos_ + 1;
          while (i < s_.size() && s_[i] != c) {
            if (s_[i] == '\\') ++i;
            if (i < s_.size() && s_[i] == '\n') i = s_.size();
            ++i;
          }
          if (i >= s_.size()) fail(start, c == '"' ? "unterminated quoted string" : "unterminated character constant");
          std::string value;
          const std::string_view q = s_.substr(start, i + 1 - start);
          if (!unquote(q, value)) fail(start, "invalid syntax in " + std::string(q));
          pos_ = i + 1;
          if (c == '\'') {
            // A character constant is the rune's code point.
            const Value v = Value::string(value);
            std::size_t n = 0;
            std::uint32_t r = 0;
            const auto b0 = static_cast<unsigned char>(value.empty() ? 0 : value[0]);
            n = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : 4;
            if (value.empty() || value.size() != n) fail(start, "malformed character constant: " + std::string(q));
            r = n == 1 ? b0 : n == 2 ? (b0 & 0x1Fu) : n == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
            for (std::size_t k = 1; k < n; ++k) r = (r << 6) | (static_cast<unsigned char>(value[k]) & 0x3Fu);
            out_.push_back({Tok::char_, start, std::to_string(r)});
          } else {
            out_.push_back({Tok::string, start, std::move(value)});
          }
          continue;
        }
        case '`': {
          const std::size_t end = s_.find('`', pos_ + 1);
          if (end == std::string_view::npos) fail(start, "unterminated raw quoted string");
          std::string value(s_.substr(pos_ + 1, end - pos_ - 1));
          value.erase(std::remove(value.begin(), value.end(), '\r'), value.end());
          pos_ = end + 1;
          out_.push_back({Tok::string, start, std::move(value)});
          continue;
        }
        case '$': {
          ++pos_;
          while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
          out_.push_back({Tok::variable, start, std::string(s_.substr(start, pos_ - start))});
          continue;
        }
        case '.':
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
            number();
            continue;
          }
          ++pos_;
          if (pos_ < s_.size() && is_alnum(s_[pos_])) {
            while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
            out_.push_back({Tok::field, start, std::string(s_.substr(start + 1, pos_ - start - 1))});
          } else {
            out_.push_back({Tok::dot, start, {}});
          }
          continue;
        default:
          break;
      }
      if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        number();
        continue;
      }
      if (is_alnum(c)) {
        while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
        const std::string word(s_.substr(start, pos_ - start));
        Tok t = Tok::ident;
        if (word == "true" || word == "false") t = Tok::boolean;
        else if (word == "nil") t = Tok::nil;
        else if (word == "if") t = Tok::kw_if;
        else if (word == "else") t = Tok::kw_else;
        else if (word == "end") t = Tok::kw_end;
        else if (word == "range") t = Tok::kw_range;
        else if (word == "with") t = Tok::kw_with;
        else if (word == "break") t = Tok::kw_break;
        else if (word == "continue") t = Tok::kw_continue;
        else if (word == "define" || word == "template" || word == "block") t = Tok::kw_unsupported;
        out_.push_back({t, start, word});
        continue;
      }
      char buf[48];
      std::snprintf(buf, sizeof buf, "unrecognized character in action: %s", quote(std::string(1, c)).c_str());
      fail(start, buf);
    }
  }

  void number() {
    const std::size_t start = pos_;
    if (s_[pos_] == '+' || s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (is_alnum(c) || c == '.') {
        ++pos_;
      } else if ((c == '+' || c == '-') && (s_[pos_ - 1] | 0x20) == 'e' && !(s_.substr(start, 3) == "0x" || s_.substr(start, 3) == "0X")) {
        ++pos_;
      } else if ((c == '+' || c == '-') && (s_[pos_ - 1] | 0x20) == 'p') {
        ++pos_;
      } else {
        break;
      }
    }
    out_.push_back({Tok::number, start, std::string(s_.substr(start, pos_ - start))});
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::vector<Token> out_;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, Root& root) : t_(std::move(tokens)), root_(root) { vars_.push_back("$"); }

  void run() {
    Tok end;
    root_.nodes = list(end, 0);
    if (end == Tok::kw_end) fail(last_, "unexpected {{end}}");
    if (end == Tok::kw_else) fail(last_, "unexpected {{else}}");
  }

 private:
  [[noreturn]] void fail(std::size_t at, std::string message) { throw Failure{at, std::move(message)}; }

  const Token& peek() const { return t_[i_]; }
  const Token& next() {
    last_ = t_[i_].pos;
    return t_[i_ < t_.size() - 1 ? i_++ : i_];
  }
  const Token& peek_non_space() {
    while (t_[i_].type == Tok::space) ++i_;
    return t_[i_];
  }
  const Token& next_non_space() {
    peek_non_space();
    return next();
  }
  void expect_right(const char* context) {
    const Token& t = next_non_space();
    if (t.type != Tok::right) fail(t.pos, std::string("unexpected ") + describe(t) + " in " + context);
  }
  static std::string describe(const Token& t) {
    switch (t.type) {
      case Tok::eof: return "EOF";
      case Tok::right: return "\"}}\"";
      case Tok::space: return "space";
      default: return t.text.empty() ? "token" : quote(t.text);
    }
  }

  // Nodes until {{end}}, {{else}} or the end of the text; `end` says which.
  std::vector<Node> list(Tok& end, int depth) {
    std::vector<Node> nodes;
    while (true) {
      const Token& t = next();
      if (t.type == Tok::eof) {
        end = Tok::eof;
        return nodes;
      }
      if (t.type == Tok::text) {
        Node n;
        n.kind = Node::Kind::text;
        n.text = t.text;
        nodes.push_back(std::move(n));
        continue;
      }
      // t is "{{"
      const Token& k = peek_non_space();
      switch (k.type) {
        case Tok::kw_end:
        case Tok::kw_else:
          next();
          end = k.type;
          return nodes;
        case Tok::kw_if:
        case Tok::kw_range:
        case Tok::kw_with:
          next();
          nodes.push_back(control(k.type, k.pos, depth + 1));
          continue;
        case Tok::kw_break:
        case Tok::kw_continue: {
          const Token kw = next();
          if (range_depth_ == 0) fail(kw.pos, "{{" + kw.text + "}} outside {{range}}");
          expect_right(kw.text.c_str());
          Node n;
          n.kind = kw.type == Tok::kw_break ? Node::Kind::break_ : Node::Kind::continue_;
          nodes.push_back(std::move(n));
          continue;
        }
        case Tok::kw_unsupported: fail(k.pos, "{{" + k.text + "}} is not supported (one template per field)");
        default: {
          Node n;
          n.kind = Node::Kind::action;
          n.pos_offset = k.pos;
          n.pipe = pipeline("command", Tok::right, false, depth);
          nodes.push_back(std::move(n));
          root_.constant = false;
        }
      }
    }
  }

  Node control(Tok kind, std::size_t at, int depth) {
    if (depth > kMaxDepth) fail(at, "blocks nested too deeply");
    const char* context = kind == Tok::kw_if ? "if" : kind == Tok::kw_range ? "range" : "with";
    Node n;
    n.kind = kind == Tok::kw_if ? Node::Kind::if_ : kind == Tok::kw_range ? Node::Kind::range : Node::Kind::with;
    n.pos_offset = at;
    root_.constant = false;
    const std::size_t mark = vars_.size();
    n.pipe = pipeline(context, Tok::right, kind == Tok::kw_range, depth);
    const bool outer_root = dot_is_root_;
    if (kind != Tok::kw_if) {
      dot_is_root_ = false;
      if (kind == Tok::kw_range) ++range_depth_;
    }
    Tok end;
    n.list = list(end, depth);
    if (kind == Tok::kw_range) --range_depth_;
    dot_is_root_ = outer_root;
    if (end == Tok::eof) fail(last_, "unexpected EOF");
    if (end == Tok::kw_else) {
      const Token& k = peek_non_space();
      if (k.type == Tok::kw_if && kind == Tok::kw_if) {
        // {{else if ...}} is {{else}}{{if ...}}...{{end}} sharing the {{end}}.
        next();
        n.else_list.push_back(control(Tok::kw_if, k.pos, depth + 1));
      } else {
        expect_right("else");
        n.else_list = list(end, depth);
        if (end == Tok::eof) fail(last_, "unexpected EOF");
        if (end == Tok::kw_else) fail(last_, "expected end; found {{else}}");
        expect_right("end");
      }
    } else {
      expect_right("end");
    }
    vars_.resize(mark);
    return n;
  }

  // A pipeline up to `until` (the right delimiter or a right paren), with its declarations.
  Pipeline pipeline(const char* context, Tok until, bool range, int depth) {
    Pipeline p;
    const Token& first = peek_non_space();
    p.pos_offset = first.pos;
    if (first.type == Tok::variable) {
      // Look ahead for "$x :=", "$x =" or (range) "$i, $v :=".
      std::size_t j = i_ + 1;
      auto skip = [&] {
        while (t_[j].type == Tok::space) ++j;
      };
      skip();
      if (t_[j].type == Tok::declare || t_[j].type == Tok::assign) {
        p.decl.push_back(first.text);
        p.assign = t_[j].type == Tok::assign;
        i_ = j + 1;
      } else if (t_[j].type == Tok::comma) {
        ++j;
        skip();
        if (t_[j].type == Tok::variable) {
          const std::string second = t_[j].text;
          ++j;
          skip();
          if (t_[j].type == Tok::declare || t_[j].type == Tok::assign) {
            if (!range) fail(first.pos, std::string("too many declarations in ") + context);
            p.decl.push_back(first.text);
            p.decl.push_back(second);
            p.assign = t_[j].type == Tok::assign;
            i_ = j + 1;
          } else if (t_[j].type == Tok::comma) {
            fail(first.pos, std::string("too many declarations in ") + context);
          }
        }
      }
      for (const auto& v : p.decl) {
        if (p.assign) {
          if (std::find(vars_.begin(), vars_.end(), v) == vars_.end()) fail(first.pos, "undefined variable " + quote(v));
        } else {
          vars_.push_back(v);
        }
      }
    }
    while (true) {
      const Token& t = peek_non_space();
      if (t.type == until) {
        next();
        break;
      }
      if (t.type == Tok::eof || t.type == Tok::right || t.type == Tok::rparen) {
        fail(t.pos, until == Tok::rparen ? "unclosed left paren" : std::string("unexpected ") + describe(t) + " in " + context);
      }
      p.cmds.push_back(command(p.cmds.size(), depth));
      const Token& after = peek_non_space();
      if (after.type == Tok::pipe) {
        next();
        if (peek_non_space().type == until) fail(after.pos, "missing command after \"|\"");
      }
    }
    if (p.cmds.empty()) fail(first.pos, std::string("missing value for ") + context);
    for (std::size_t k = 1; k < p.cmds.size(); ++k) {
      const Arg& a = p.cmds[k].args[0];
      if (a.kind == Arg::Kind::constant || a.kind == Arg::Kind::nil || a.kind == Arg::Kind::dot) {
        fail(a.pos_offset, "non executable command in pipeline stage " + std::to_string(k + 1));
      }
    }
    // A function's number of arguments is known here: its operands plus the piped value.
    for (std::size_t k = 0; k < p.cmds.size(); ++k) {
      const Command& c = p.cmds[k];
      const Arg& a = c.args[0];
      const std::size_t given = c.args.size() - 1 + (k > 0 ? 1 : 0);
      if (a.kind == Arg::Kind::function) {
        check_arity(*a.function, given, a.pos_offset);
      } else if (given > 0 && a.fields.empty() && a.kind != Arg::Kind::field) {
        fail(a.pos_offset, "can't give argument to non-function " + a.text);
      } else if (given > 0) {
        fail(a.pos_offset, a.fields.back() + " is not a method but has arguments");
      }
    }
    return p;
  }

  void check_arity(const Function& f, std::size_t given, std::size_t at) {
    const std::size_t fixed = f.params.size() - (f.variadic ? 1 : 0);
    if (f.variadic ? given < fixed : given != fixed) {
      fail(at, "wrong number of args for " + std::string(f.name) + ": want " + (f.variadic ? "at least " : "") +
                   std::to_string(fixed) + " got " + std::to_string(given));
    }
  }

  Command command(std::size_t stage, int depth) {
    (void)stage;
    Command c;
    while (true) {
      const Token& t = peek_non_space();
      if (t.type == Tok::right || t.type == Tok::rparen || t.type == Tok::pipe || t.type == Tok::eof) break;
      c.args.push_back(operand(depth));
      const Token& after = peek();
      if (after.type != Tok::space && after.type != Tok::right && after.type != Tok::rparen && after.type != Tok::pipe) {
        fail(after.pos, "unexpected " + describe(after) + " in operand");
      }
    }
    if (c.args.empty()) fail(peek().pos, "missing value for command");
    return c;
  }

  void note_root_key(const std::string& key) {
    auto& keys = root_.root_keys;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }

  Arg operand(int depth) {
    Arg a = term(depth);
    const std::size_t start = a.pos_offset;
    while (peek().type == Tok::field) {
      if (a.kind == Arg::Kind::function || a.kind == Arg::Kind::constant || a.kind == Arg::Kind::nil) {
        fail(peek().pos, "unexpected . after term " + quote(a.text));
      }
      a.fields.push_back(next().text);
    }
    if (a.kind == Arg::Kind::dot && !a.fields.empty()) a.kind = Arg::Kind::field;
    if (a.kind == Arg::Kind::field && dot_is_root_) note_root_key(a.fields.front());
    if (a.kind == Arg::Kind::variable && a.name == "$") note_root_key(a.fields.empty() ? "" : a.fields.front());
    if (a.kind == Arg::Kind::dot && dot_is_root_) note_root_key("");
    a.pos_offset = start;
    return a;
  }

  Arg term(int depth) {
    const Token t = next_non_space();
    Arg a;
    a.pos_offset = t.pos;
    a.text = t.text;
    switch (t.type) {
      case Tok::ident: {
        a.kind = Arg::Kind::function;
        a.name = t.text;
        a.function = find_function(t.text);
        if (a.function == nullptr) fail(t.pos, "function " + quote(t.text) + " is not supported");
        return a;
      }
      case Tok::dot: a.kind = Arg::Kind::dot; a.text = "."; return a;
      case Tok::nil: a.kind = Arg::Kind::nil; return a;
      case Tok::variable:
        if (std::find(vars_.begin(), vars_.end(), t.text) == vars_.end()) fail(t.pos, "undefined variable " + quote(t.text));
        a.kind = Arg::Kind::variable;
        a.name = t.text;
        return a;
      case Tok::field:
        a.kind = Arg::Kind::field;
        a.fields.push_back(t.text);
        a.text = "." + t.text;
        return a;
      case Tok::boolean:
        a.kind = Arg::Kind::constant;
        a.constant = Value::boolean(t.text == "true");
        return a;
      case Tok::string:
        a.kind = Arg::Kind::constant;
        a.constant = Value::string(t.text);
        a.text = quote(t.text);
        return a;
      case Tok::char_:
        a.kind = Arg::Kind::constant;
        a.number = true;
        a.number_is_int = true;
        a.number_int = std::stoll(t.text);
        a.number_float = static_cast<double>(a.number_int);
        a.constant = Value::integer(a.number_int);
        return a;
      case Tok::number: number(t, a); return a;
      case Tok::lparen: {
        if (depth > kMaxDepth) fail(t.pos, "parentheses nested too deeply");
        a.kind = Arg::Kind::pipeline;
        a.text = "(...)";
        a.pipe = std::make_shared<const Pipeline>(pipeline("parenthesized pipeline", Tok::rparen, false, depth + 1));
        return a;
      }
      default: fail(t.pos, "unexpected " + describe(t) + " in operand");
    }
  }

  // Go's number literals: decimal, 0x/0o/0b/0 integers, decimal floats; an integral float is also an integer.
  void number(const Token& t, Arg& a) {
    // Go allows underscores between digits (1_000); they carry no value.
    std::string plain = t.text;
    if (plain.find('_') != std::string::npos) {
      if (plain.front() == '_' || plain.back() == '_' || plain.find("__") != std::string::npos) {
        fail(t.pos, "bad number syntax: " + quote(t.text));
      }
      plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    }
    std::string_view s = plain;
    a.kind = Arg::Kind::constant;
    a.number = true;
    bool neg = false;
    std::string_view body = s;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      neg = body[0] == '-';
      body.remove_prefix(1);
    }
    int base = 10;
    std::string_view digits = body;
    if (body.size() > 1 && body[0] == '0') {
      const char p = static_cast<char>(body[1] | 0x20);
      if (p == 'x') base = 16, digits = body.substr(2);
      else if (p == 'o') base = 8, digits = body.substr(2);
      else if (p == 'b') base = 2, digits = body.substr(2);
      else if (body.find_first_of(".eE") == std::string_view::npos) base = 8, digits = body.substr(1);
    }
    std::uint64_t u = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
    if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
      if (u > static_cast<std::uint64_t>(INT64_MAX) + (neg ? 1 : 0)) fail(t.pos, t.text + " overflows int");
      a.number_is_int = true;
      a.number_int = neg ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(u);
      a.number_float = static_cast<double>(a.number_int);
      a.constant = Value::integer(a.number_int);
      return;
    }
    if (base == 10 || (base == 8 && body.find_first_of(".eE") != std::string_view::npos)) {
      double d = 0;
      auto [fend, fec] = std::from_chars(body.data(), body.data() + body.size(), d);
      if (fec == std::errc() && fend == body.data() + body.size() && std::isfinite(d)) {
        a.number_float = neg ? -d : d;
        if (a.number_float == std::trunc(a.number_float) && std::fabs(a.number_float) < 9.2e18) {
          a.number_is_int = true;
          a.number_int = static_cast<std::int64_t>(a.number_float);
        }
        a.constant = Value::floating(a.number_float);
        return;
      }
    }
    fail(t.pos, "bad number syntax: " + quote(t.text));
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::size_t last_ = 0;
  Root& root_;
  std::vector<std::string> vars_;
  bool dot_is_root_ = true;
  int range_depth_ = 0;
};

}  // namespace

bool parse_into(Root& root, std::string& error) {
  try {
    Lexer lexer(root.text);
    Parser parser(lexer.run(), root);
    parser.run();
  } catch (const Failure& f) {
    int line = 1;
    int col = 1;
    for (std::size_t i = 0; i < f.pos && i < root.text.size(); ++i) {
      if (root.text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    error = (root.source.empty() ? std::string() : root.source + ":") + std::to_string(line) + ":" + std::to_string(col) + ": " + f.message;
    return false;
  }
  std::sort(root.root_keys.begin(), root.root_keys.end());
  if (root.constant) {
    for (const auto& n : root.nodes) root.constant_text += n.text;
  }
  return true;
}

}  // namespace vesagent::text_template
