// argv -> Options. Flags are Prometheus style (--config.file, --log.level); every configuration key that is not
// a list has a flag named after its path, taken from the same key table as the YAML parser.
#include "vesagent/cli/options.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "vesagent/config/loader.hpp"

namespace vesagent::cli {

namespace {

struct ProcessFlag {
  std::string_view name;
  std::string_view value_name;  ///< empty: takes no value
  std::string_view doc;
};

constexpr ProcessFlag kProcessFlags[] = {
    {"config.file", "PATH",
     "Configuration file. Default /etc/ves-agent/ves-agent.yml; a missing default file is fine (defaults, "
     "environment and flags are used), a missing --config.file is an error."},
    {"check-config", "", "Load and validate the configuration, print every problem, and exit (0 = valid)."},
    {"print-config", "", "Print the effective configuration as YAML, secrets shown as <redacted>, and exit."},
    {"dry-run", "",
     "Collect and encode as usual, but print each VES event as one JSON line ({\"event\":...}) on stdout instead "
     "of posting it. State (eventIds, active faults) lives in a temporary directory, so a dry run never changes "
     "what the running agent sends. Logs stay on stderr."},
    {"once", "",
     "Run one cycle of every poller (heartbeat, Prometheus rules, OpenStack), deliver the events, and exit: 0 when "
     "every event was delivered, 1 otherwise. The webhook and the web endpoint are not started. With --dry-run: "
     "print one cycle and exit."},
    {"web.listen-address", "HOST:PORT",
     "Serve /metrics, /-/healthy, /-/ready and the status pages on this address (Prometheus spelling of "
     "--web.listenAddress; empty = off)."},
    {"help", "", "Show this help and exit."},
    {"version", "", "Show the version and exit."},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_bool_literal(std::string_view v) {
  for (std::string_view b : {"true", "false", "yes", "no", "on", "off"}) {
    if (iequals(v, b)) return true;
  }
  return false;
}

const config::KeyDoc* find_key(std::string_view path) {
  const config::KeyDoc* ci = nullptr;
  for (const auto& d : config::key_docs()) {
    if (d.path == path) return &d;
    // VESPA's flags were PrimaryCollector.FQDN style; accept any case.
    if (ci == nullptr && iequals(d.path, path)) ci = &d;
  }
  return ci;
}

std::string suggestion(std::string_view name) {
  // Process flags first (typos there are common: --check-conf), then configuration keys.
  for (const auto& f : kProcessFlags) {
    if (iequals(f.name, name) || (name.size() >= 5 && f.name.rfind(name, 0) == 0)) {
      return "; did you mean --" + std::string(f.name) + "?";
    }
  }
  std::string best = config::closest_key(name);
  return best.empty() ? std::string{} : "; did you mean --" + best + "?";
}

/// `text` as lines of at most kWidth columns, each indented by six spaces.
std::string wrap(std::string_view text) {
  constexpr std::size_t kWidth = 100;
  const std::string indent = "      ";
  std::string out;
  std::string line = indent;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = indent;
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    pos = end + 1;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
}

}  // namespace

Options parse(int argc, const char* const* argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i] != nullptr ? argv[i] : "";
    if (arg == "-h" || arg == "--help") {
      o.show_help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      if (arg.size() > 1 && arg.front() == '-') {
        // Go's flag package (VESPA) also took -name; point at the -- form.
        std::string_view bare = arg.substr(std::min(arg.find_first_not_of('-'), arg.size()));
        bare = bare.substr(0, bare.find('='));
        o.errors.push_back("unknown flag " + std::string(bare.empty() ? arg : arg.substr(0, arg.find('='))) +
                           "; flags start with --" + suggestion(bare));
      } else {
        o.errors.push_back("unexpected argument \"" + std::string(arg) + "\"; options are flags such as " +
                           "--config.file=PATH (see --help)");
      }
      continue;
    }
    std::string_view body = arg.substr(2);
    auto eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    bool has_value = eq != std::string_view::npos;
    std::string value = has_value ? std::string(body.substr(eq + 1)) : std::string{};
    // A value may follow as the next argument, unless that looks like the next flag.
    auto take_next = [&]() -> bool {
      if (i + 1 < argc && argv[i + 1] != nullptr && std::string_view(argv[i + 1]).rfind("--", 0) != 0) {
        value = argv[++i];
        return true;
      }
      return false;
    };

    if (name == "config.file") {
      if (!has_value && !take_next()) {
        o.errors.push_back("flag --config.file needs a value: --config.file=PATH");
      } else if (value.empty()) {
        o.errors.push_back("flag --config.file needs a non-empty path");
      } else {
        o.config_file = value;
        o.config_file_given = true;
      }
      continue;
    }
    if (name == "web.listen-address") {
      // The Prometheus spelling; the configuration key is web.listenAddress.
      if (!has_value && !take_next()) {
        o.errors.push_back("flag --web.listen-address needs a value: --web.listen-address=HOST:PORT");
      } else {
        o.overrides.emplace_back("web.listenAddress", value);
      }
      continue;
    }
    bool* process_switch = name == "check-config" ? &o.check_config
                           : name == "print-config" ? &o.print_config
                           : name == "dry-run"      ? &o.dry_run
                           : name == "once"         ? &o.once
                           : name == "version"      ? &o.show_version
                                                    : nullptr;
    if (process_switch != nullptr) {
      if (has_value) {
        o.errors.push_back("flag --" + std::string(name) + " takes no value");
      } else {
        *process_switch = true;
      }
      continue;
    }

    const config::KeyDoc* key = find_key(name);
    if (key == nullptr) {
      o.errors.push_back("unknown flag --" + std::string(name) + suggestion(name));
      continue;
    }
    if (key->flag.empty()) {
      o.errors.push_back("flag --" + std::string(name) + ": " + key->path + " is a " + key->type +
                         " and can only be set in the configuration file");
      continue;
    }
    if (!has_value) {
      if (key->type == "bool") {
        // A bare boolean flag means true; an explicit true/false may follow as the next argument.
        if (i + 1 < argc && argv[i + 1] != nullptr && is_bool_literal(argv[i + 1])) {
          value = argv[++i];
        } else {
          value = "true";
        }
      } else if (!take_next()) {
        o.errors.push_back("flag --" + key->path + " needs a value: --" + key->path + "=<" + key->type + ">");
        continue;
      }
    }
    o.overrides.emplace_back(key->path, std::move(value));
  }
  return o;
}

std::string help_text() {
  std::string out =
      "Usage: ves-agent [flags]\n"
      "       ves-agent dead-letters list|replay --datadir=DIR   (see ves-agent dead-letters --help)\n"
      "\n"
      "Turns Prometheus measurements and Alertmanager alerts into ONAP VES events and posts them to a VES\n"
      "collector, failing over to a backup collector.\n"
      "\n"
      "Process flags:\n";
  for (const auto& f : kProcessFlags) {
    std::string flag = "--" + std::string(f.name);
    if (f.name == "help") flag = "-h, --help";
    if (!f.value_name.empty()) flag += "=" + std::string(f.value_name);
    out += "  " + flag + "\n" + wrap(f.doc);
  }
  out +=
      "\n"
      "Configuration (precedence: built-in defaults < file < environment < flags):\n"
      "  Every key below can be set in the YAML file, with the environment variable shown, or with its flag\n"
      "  (--key=value or --key value; a boolean flag alone means true). Variables are VES_<SECTION>_<KEY>:\n"
      "  the key path upper-cased with dots as underscores, e.g. VES_PRIMARYCOLLECTOR_FQDN for\n"
      "  --primaryCollector.fqdn. Durations look like 60s, 5m, 1h30m, 500ms. Lists are file-only.\n"
      "  See docs/configuration.md for details.\n"
      "\n";
  std::string file_only;
  for (const auto& d : config::key_docs()) {
    if (d.flag.empty()) {
      file_only += "  " + d.path + " (" + d.type + ")\n" + wrap(d.doc);
      continue;
    }
    out += "  " + d.flag + "=<" + d.type + ">\n      " + d.env;
    if (d.required) {
      out += ", required";
    } else if (d.secret) {
      out += ", secret";
    } else if (!d.default_value.empty()) {
      out += ", default " + d.default_value;
    }
    out += "\n" + wrap(d.doc);
  }
  out += "\nFile-only keys:\n" + file_only;
  return out;
}

}  // namespace vesagent::cli
