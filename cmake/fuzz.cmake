# VESAGENT_FUZZ=ON (with CXX=clang++-14): every library gets coverage instrumentation for libFuzzer and the
# tests/fuzz targets are built. Only parsers of outside input have targets there.
if(VESAGENT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VESAGENT_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
