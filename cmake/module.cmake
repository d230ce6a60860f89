# vesagent_module(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One concept, one folder, one target: src/<name> + include/vesagent/<name> -> vesagent_<name>, alias vesagent::<name>.
function(vesagent_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  string(REPLACE "/" "_" target_suffix "${name}")
  # While the tree is being built up, a module whose vesagent dependencies are not there yet is left out
  # (with a note) instead of breaking the whole configure step.
  foreach(dep ${M_PUBLIC_DEPS} ${M_PRIVATE_DEPS})
    if(dep MATCHES "^vesagent::" AND NOT TARGET ${dep})
      message(STATUS "vesagent: skipping module ${name}: ${dep} is not available")
      return()
    endif()
  endforeach()
  set(target vesagent_${target_suffix})
  add_library(${target} STATIC ${M_SOURCES})
  add_library(vesagent::${target_suffix} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${target} PUBLIC ${M_PUBLIC_DEPS} PRIVATE vesagent_warnings ${M_PRIVATE_DEPS})
endfunction()
