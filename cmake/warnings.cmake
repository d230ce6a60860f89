# Warnings apply to our targets only; dependencies are included as SYSTEM headers.
add_library(vesagent_warnings INTERFACE)
target_compile_options(vesagent_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(VESAGENT_WERROR)
  target_compile_options(vesagent_warnings INTERFACE -Werror)
endif()
