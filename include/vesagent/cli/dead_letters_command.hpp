#pragma once
/// `ves-agent dead-letters list|replay --datadir=DIR ...`: the dead-letter store of a stopped agent, offline.
///   list    prints the records (a table, or --output=json), newest first unless --order=oldest, with filters;
///   replay  moves records (--ids=1,2,... or --all) into <datadir>/outbox, so the agent's next start delivers them,
///           in order, each once. It takes the outbox's and the store's locks, so it refuses while an agent runs
///           on that datadir (use the agent's API then).
#include <iosfwd>
#include <span>
#include <string>

namespace vesagent::cli {

/// `args` are the arguments after "dead-letters". Returns the exit code: 0 done, 1 failed (locked, unreadable,
/// ids not found), 2 bad command line.
int run_dead_letters(std::span<const char* const> args, std::ostream& out, std::ostream& err);

/// The help text of the subcommand.
std::string dead_letters_help();

}  // namespace vesagent::cli
