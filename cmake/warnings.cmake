# Warnings apply to our targets only; dependencies are included as SYSTEM headers.
add_library(vesagent_warnings INTERFACE)
target_compile_options(vesagent_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
# Two known GCC 12 false positives in optimized builds: it misreads Asio's coroutine frame allocator
# (aligned_alloc paired with its own operator delete, which frees correctly) as a mismatched new/delete, and at -O3
# it reports impossible overlapping memcpy sizes inside std::string concatenation (-Wrestrict, GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(vesagent_warnings INTERFACE -Wno-mismatched-new-delete -Wno-restrict)
endif()
if(VESAGENT_WERROR)
  target_compile_options(vesagent_warnings INTERFACE -Werror)
endif()
