# Warnings apply to our targets only; dependencies are included as SYSTEM headers.
add_library(vesagent_warnings INTERFACE)
target_compile_options(vesagent_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
# GCC 12 at -O2 misreads Asio's coroutine frame allocator (aligned_alloc paired with its own operator delete,
# which frees correctly) as a mismatched new/delete; the warning is a known false positive there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(vesagent_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
if(VESAGENT_WERROR)
  target_compile_options(vesagent_warnings INTERFACE -Werror)
endif()
