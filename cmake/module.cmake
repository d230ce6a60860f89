# vesagent_module(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One concept, one folder, one target: src/<name> + include/vesagent/<name> -> vesagent_<name>, alias vesagent::<name>.
function(vesagent_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  string(REPLACE "/" "_" target_suffix "${name}")
  set(target vesagent_${target_suffix})
  add_library(${target} STATIC ${M_SOURCES})
  add_library(vesagent::${target_suffix} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${target} PUBLIC ${M_PUBLIC_DEPS} PRIVATE vesagent_warnings ${M_PRIVATE_DEPS})
endfunction()
