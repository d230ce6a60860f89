# VESAGENT_SANITIZE="address;undefined" instruments every target (tests run a second time this way in CI).
if(VESAGENT_SANITIZE)
  list(JOIN VESAGENT_SANITIZE "," _vesagent_sanitizers)
  add_compile_options(-fsanitize=${_vesagent_sanitizers} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_vesagent_sanitizers})
endif()
