# Cross-compiling for 64-bit ARM Linux (Raspberry Pi 5, ARM laptops) with Debian's g++-aarch64-linux-gnu; run the
# programs and tests with qemu-aarch64. Used by scripts/test-arm64.sh, which passes CONVSCOPE_ARM64_SYSROOT: a
# folder holding Debian's arm64 development packages unpacked (HDF5, curl, OpenSSL, stb and what they need).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(CONVSCOPE_ARM64_SYSROOT "" CACHE PATH "arm64 packages unpacked (scripts/test-arm64.sh)")
# Libraries only from the arm64 folders; headers and CMake package files of architecture-independent packages
# (xtensor, xsimd, Catch2) from the host as well.
set(CMAKE_FIND_ROOT_PATH "${CONVSCOPE_ARM64_SYSROOT}" /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# The unpacked libraries are found at link time (-L, -rpath-link) and at run time: the programs' RPATH, an old-style
# one (--disable-new-dtags) because it must also serve the libraries' own dependencies (HDF5 loads libsz).
set(_arm64_libs "${CONVSCOPE_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu;${CONVSCOPE_ARM64_SYSROOT}/lib/aarch64-linux-gnu")
foreach(dir ${_arm64_libs})
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -L${dir} -Wl,-rpath-link,${dir} -Wl,-rpath,${dir}")
endforeach()
string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wl,--disable-new-dtags")

# Tests (CTest, catch_discover_tests) run the programs through the emulator; -L: where the arm64 C library is.
# (An absolute path: the programs start the sandboxed decoder through it too, see core/CMakeLists.txt.)
find_program(CONVSCOPE_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CONVSCOPE_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu)
