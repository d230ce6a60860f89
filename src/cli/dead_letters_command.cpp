#include "vesagent/cli/dead_letters_command.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "vesagent/outbox/dead_letter_store.hpp"
#include "vesagent/outbox/outbox.hpp"

namespace vesagent::cli {

namespace fs = std::filesystem;

namespace {

struct Args {
  std::string verb;
  std::map<std::string, std::string, std::less<>> flags;  ///< name -> value ("" for a bare flag)
  std::vector<std::string> errors;
};

constexpr std::string_view kListFlags[] = {"datadir", "order", "limit", "collector", "status",
                                           "domain",  "text",  "output", "events"};
constexpr std::string_view kReplayFlags[] = {"datadir", "ids", "all"};

Args parse_args(std::span<const char* const> args) {
  Args a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      if (a.verb.empty()) {
        a.verb = std::string(arg);
      } else {
        a.errors.push_back("unexpected argument " + std::string(arg));
      }
      continue;
    }
    arg.remove_prefix(2);
    auto eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (name != "all" && name != "events" && name != "help" && i + 1 < args.size() &&
               !std::string_view(args[i + 1]).starts_with("--")) {
      value = args[++i];
    }
    a.flags[name] = value;
  }
  return a;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string iso_time(std::int64_t us) {
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<core::Domain> domain_of(std::string_view s) {
  for (auto d : {core::Domain::fault, core::Domain::heartbeat, core::Domain::measurement,
                 core::Domain::state_change}) {
    if (core::to_string(d) == s) return d;
  }
  return std::nullopt;
}

int list(const Args& a, const fs::path& datadir, std::ostream& out, std::ostream& err) {
  outbox::DeadLetterQuery q;
  q.limit = 0;
  if (auto it = a.flags.find("order"); it != a.flags.end()) {
    if (it->second != "newest" && it->second != "oldest") {
      err << "error: --order must be newest or oldest, got \"" << it->second << "\"\n";
      return 2;
    }
    q.newest_first = it->second == "newest";
  }
  if (auto it = a.flags.find("limit"); it != a.flags.end()) {
    auto n = to_u64(it->second);
    if (!n) {
      err << "error: --limit must be a number, got \"" << it->second << "\"\n";
      return 2;
    }
    q.limit = static_cast<std::size_t>(*n);
  }
  if (auto it = a.flags.find("collector"); it != a.flags.end()) q.collector = it->second;
  if (auto it = a.flags.find("text"); it != a.flags.end()) q.text = it->second;
  if (auto it = a.flags.find("status"); it != a.flags.end()) {
    auto n = to_u64(it->second);
    if (!n || *n > 999) {
      err << "error: --status must be an HTTP status, got \"" << it->second << "\"\n";
      return 2;
    }
    q.status = static_cast<int>(*n);
  }
  if (auto it = a.flags.find("domain"); it != a.flags.end()) {
    q.domain = domain_of(it->second);
    if (!q.domain) {
      err << "error: --domain must be fault, heartbeat, measurement or stateChange, got \"" << it->second
          << "\"\n";
      return 2;
    }
  }
  std::string output = "table";
  if (auto it = a.flags.find("output"); it != a.flags.end()) output = it->second;
  if (output != "table" && output != "json") {
    err << "error: --output must be table or json, got \"" << output << "\"\n";
    return 2;
  }
  q.with_events = output == "json" && a.flags.count("events") != 0;

  // Read only, without the lock: listing is safe while an agent runs too.
  outbox::DeadLetterStore store(datadir / "dead-letters", {std::numeric_limits<std::uint64_t>::max(),
                                                           std::numeric_limits<std::uint64_t>::max()});
  std::string warnings;
  if (auto r = store.open(warnings, false); !r) {
    err << "error: " << warnings << "\n";
    return 1;
  }
  if (!warnings.empty()) err << "warning: " << warnings << "\n";
  const auto page = store.list(q);
  if (output == "json") {
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (const auto& r : page.records) {
      nlohmann::ordered_json j{{"id", r.id},
                               {"rejectedAt", iso_time(r.rejected_us)},
                               {"rejectedAtEpochMicrosec", r.rejected_us},
                               {"collector", r.collector},
                               {"status", r.status},
                               {"reason", r.reason},
                               {"domain", core::to_string(r.domain)},
                               {"eventId", r.event_id}};
      if (q.with_events) j["event"] = nlohmann::ordered_json::parse(r.event_json, nullptr, false);
      records.push_back(std::move(j));
    }
    nlohmann::ordered_json doc{
        {"total", page.total}, {"matched", page.matched}, {"bytes", page.bytes}, {"records", records}};
    out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return 0;
  }
  out << std::left << std::setw(8) << "ID" << std::setw(22) << "REJECTED" << std::setw(11) << "COLLECTOR"
      << std::setw(8) << "STATUS" << std::setw(13) << "DOMAIN" << std::setw(26) << "EVENT_ID"
      << "REASON\n";
  for (const auto& r : page.records) {
    out << std::left << std::setw(8) << r.id << std::setw(22) << iso_time(r.rejected_us) << std::setw(11)
        << (r.collector.empty() ? "-" : r.collector) << std::setw(8) << r.status << std::setw(13)
        << core::to_string(r.domain) << std::setw(26) << r.event_id << r.reason << "\n";
  }
  out << page.matched << " of " << page.total << " dead letters";
  if (page.records.size() < page.matched) out << " (" << page.records.size() << " shown)";
  out << "\n";
  return 0;
}

int replay(const Args& a, const fs::path& datadir, std::ostream& out, std::ostream& err) {
  std::vector<std::uint64_t> ids;
  const bool all = a.flags.count("all") != 0;
  if (auto it = a.flags.find("ids"); it != a.flags.end()) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto id = to_u64(rest.substr(0, comma));
      if (!id || *id == 0) {
        err << "error: --ids must be a comma-separated list of record ids, got \"" << it->second << "\"\n";
        return 2;
      }
      ids.push_back(*id);
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
  }
  if (all == !ids.empty()) {
    err << "error: say which records to replay: --ids=ID,... or --all\n";
    return 2;
  }
  boost::asio::io_context ioc{1};
  outbox::DeadLetterStore store(datadir / "dead-letters", {std::numeric_limits<std::uint64_t>::max(),
                                                           std::numeric_limits<std::uint64_t>::max()});
  std::string note;
  if (auto r = store.open(note, true); !r) {
    err << "error: " << note << ": is an agent running on " << datadir.string()
        << "? Stop it, or replay through its API\n";
    return 1;
  }
  // No bounds here: the agent applies its own when it starts.
  outbox::Options options;
  options.directory = datadir / "outbox";
  options.fsync = outbox::FsyncPolicy::always;
  options.max_bytes = std::numeric_limits<std::uint64_t>::max();
  options.max_age = std::chrono::milliseconds(0);
  std::optional<outbox::Outbox> box;
  box.emplace(ioc.get_executor(), options);
  std::string outbox_note;
  if (auto r = box->open(outbox_note); !r) {
    err << "error: cannot open the outbox: " << outbox_note << ": is an agent running on " << datadir.string()
        << "? Stop it, or replay through its API\n";
    return 1;
  }
  const auto result = store.replay(ids, *box);
  bool durable = result.replayed == 0;
  bool done = result.replayed == 0;
  if (!done) {
    box->when_durable([&](bool ok) {
      durable = ok;
      done = true;
    });
  }
  while (!done) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(50));
  }
  box.reset();  // writes what is pending and stops the outbox's I/O thread
  ioc.poll();
  if (!durable) {
    err << "error: cannot write the outbox in " << (datadir / "outbox").string()
        << "; the records stay in the dead-letter store\n";
    return 1;
  }
  out << "replayed " << result.replayed << " dead letter" << (result.replayed == 1 ? "" : "s") << " into "
      << (datadir / "outbox").string() << "; the agent delivers them at its next start\n";
  if (result.not_found > 0) err << "warning: " << result.not_found << " id(s) not in the store\n";
  if (result.unreadable > 0) err << "warning: " << result.unreadable << " record(s) unreadable; kept\n";
  return result.not_found > 0 || result.unreadable > 0 ? 1 : 0;
}

}  // namespace

std::string dead_letters_help() {
  return "Usage: ves-agent dead-letters list|replay --datadir=DIR [flags]\n"
         "\n"
         "Events a collector refused for their content, in DIR/dead-letters, on a stopped agent's datadir.\n"
         "\n"
         "  list     --datadir=DIR [--order=newest|oldest] [--limit=N] [--collector=primary|backup]\n"
         "           [--status=N] [--domain=fault|heartbeat|measurement|stateChange] [--text=SUBSTRING]\n"
         "           [--output=table|json] [--events (json: include each event)]\n"
         "  replay   --datadir=DIR --ids=ID,... | --all\n"
         "           Moves the records into DIR/outbox, in order; the agent's next start delivers them. Refused\n"
         "           while an agent runs on DIR (use its API then).\n";
}

int run_dead_letters(std::span<const char* const> args, std::ostream& out, std::ostream& err) {
  const Args a = parse_args(args);
  if (a.flags.count("help") != 0 || a.verb == "help") {
    out << dead_letters_help();
    return 0;
  }
  for (const auto& e : a.errors) err << "error: " << e << "\n";
  if (!a.errors.empty()) return 2;
  if (a.verb != "list" && a.verb != "replay") {
    err << "error: expected list or replay, got \"" << a.verb << "\"\n" << dead_letters_help();
    return 2;
  }
  const auto& allowed = a.verb == "list" ? std::span<const std::string_view>(kListFlags)
                                         : std::span<const std::string_view>(kReplayFlags);
  for (const auto& [name, value] : a.flags) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      err << "error: unknown flag --" << name << " for dead-letters " << a.verb << "\n";
      return 2;
    }
  }
  auto dir = a.flags.find("datadir");
  if (dir == a.flags.end() || dir->second.empty()) {
    err << "error: --datadir=DIR is required (the agent's datadir, e.g. /var/lib/ves-agent)\n";
    return 2;
  }
  const fs::path datadir = dir->second;
  std::error_code ec;
  if (!fs::is_directory(datadir, ec)) {
    err << "error: " << datadir.string() << " is not a directory\n";
    return 1;
  }
  return a.verb == "list" ? list(a, datadir, out, err) : replay(a, datadir, out, err);
}

}  // namespace vesagent::cli
