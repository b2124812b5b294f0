# Precompiled headers: nearly every source reaches xtensor and xsimd through core/tensor.hpp, and every test
# includes Catch2's single 17 000-line header; parsing them alone took 1.4-2.4 s a source, in each of ~170 sources,
# and CI builds the project three times (release, ThreadSanitizer, AddressSanitizer). Measured on 2 cores from a
# cold cache (2026-12-06, Ninja): the gcc Release build of the library, the GUI and the tests 223-238 s -> 198-206 s
# (two rounds each way); the clang ASan + UBSan build of the asan stage's targets 738 -> 482 s of compile time (-35%:
# clang's precompiled headers also hold the instantiated templates). Each target gets its own precompiled header,
# built with its own flags, so sanitizer and cross builds stay consistent.
#
# -DCONVSCOPE_PCH=OFF turns them off: e.g. to check that every source includes what it uses.
#
# With ccache, a compile that uses a precompiled header is cached only under
# CCACHE_SLOPPINESS=pch_defines,time_macros (scripts/test.sh and scripts/test-arm64.sh set it); without that,
# ccache compiles it every time, which is slower but correct.
option(CONVSCOPE_PCH "Precompile the heavy headers every source includes (the STL, xtensor, xsimd; Catch2 in tests)" ON)

set(convscope_pch_headers
  <algorithm> <atomic> <chrono> <cmath> <cstdint> <cstdio> <cstring> <functional> <memory> <optional> <string>
  <vector> <xtensor/xarray.hpp> <xtensor/xtensor.hpp>)

# convscope_precompile_headers(TARGET [EXTRA_HEADER...])
function(convscope_precompile_headers target)
  if(CONVSCOPE_PCH)
    target_precompile_headers(${target} PRIVATE ${convscope_pch_headers} ${ARGN})
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      # Without it clang stamps the header with its build time, and ccache cannot cache the sources using it.
      target_compile_options(${target} PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
    endif()
  endif()
endfunction()

# A source compiled with options of its own (-mavx512f, -O3, -ffp-contract=off) cannot use its target's
# precompiled header: clang refuses a header built for other target features or optimisation settings.
function(convscope_source_options)
  cmake_parse_arguments(arg "" "" "SOURCES;OPTIONS" ${ARGN})
  set_source_files_properties(${arg_SOURCES} PROPERTIES COMPILE_OPTIONS "${arg_OPTIONS}" SKIP_PRECOMPILE_HEADERS ON)
endfunction()
