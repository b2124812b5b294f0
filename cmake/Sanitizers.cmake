# CONVSCOPE_SANITIZE: build core, the apps and the tests with compiler sanitizers.
#
#   -DCONVSCOPE_SANITIZE=thread                ThreadSanitizer (data races, lock order)
#   -DCONVSCOPE_SANITIZE=address,undefined     AddressSanitizer + UndefinedBehaviorSanitizer
#                                              ("address;undefined" means the same; -DCONVSCOPE_FUZZ=ON sets it)
#
# Included from the top-level CMakeLists.txt before any target, so every target of the project is
# instrumented the same way (a static library built without -fsanitize=thread would hide its races).
# Undefined behaviour aborts instead of printing and carrying on, so a test that triggers it fails.
# Run-time options (suppression files, halt_on_error) are set by scripts/test.sh and documented there.

set(CONVSCOPE_SANITIZE "" CACHE STRING
    "Sanitizers for every target: thread, or address,undefined (empty: none)")

if(CONVSCOPE_SANITIZE)
  string(REPLACE ";" "," _convscope_sanitizers "${CONVSCOPE_SANITIZE}")
  string(REPLACE "," ";" _convscope_sanitizer_list "${_convscope_sanitizers}")
  foreach(_s IN LISTS _convscope_sanitizer_list)
    if(NOT _s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "CONVSCOPE_SANITIZE=${CONVSCOPE_SANITIZE}: \"${_s}\" is not one of "
                          "address, undefined, thread, leak")
    endif()
  endforeach()
  if("thread" IN_LIST _convscope_sanitizer_list AND "address" IN_LIST _convscope_sanitizer_list)
    message(FATAL_ERROR "CONVSCOPE_SANITIZE=${CONVSCOPE_SANITIZE}: thread and address cannot be combined "
                        "(build them in separate build directories)")
  endif()

  # -g1 (line tables) is what a report's stack needs, function names and lines; full debug info (-g) made
  # every object of these builds a third slower to compile, for variables no report shows.
  add_compile_options(-fsanitize=${_convscope_sanitizers} -fno-omit-frame-pointer -g1)
  add_link_options(-fsanitize=${_convscope_sanitizers})
  if("undefined" IN_LIST _convscope_sanitizer_list)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "convscope: sanitizers ${_convscope_sanitizers}")
endif()
