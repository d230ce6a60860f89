// Boost.JSON's non-template parts (error category, the parser's internal stack), compiled once for this module:
// Boost.JSON is header-only here when exactly one translation unit includes <boost/json/src.hpp>.
//
// Why not Debian's libboost-json1.81-dev: the fuzz build (clang-14, ASan+UBSan, coverage) compiles this file with
// instrumentation, and the packaged agent gains no runtime library dependency. Kept alone in its file so that a
// program which compiles Boost.JSON itself (tests/bench/micro/micro_bench.cpp) and links this static library does
// not pull this object in, hence no duplicate symbols.
#include <boost/json/src.hpp>
