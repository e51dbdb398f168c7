# Sanitizer and fuzzing builds (docs/hardening.md; .ci/run builds one of each kind).
#   -DMESHWARD_SANITIZE=address,undefined  instruments every target; any report aborts the
#                                           process (-fno-sanitize-recover), so a test fails.
#   -DMESHWARD_FUZZ=ON                      (clang only) adds coverage instrumentation to every
#                                           target and builds the libFuzzer targets in fuzz/.
set(MESHWARD_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for every target")
option(MESHWARD_FUZZ "Build the libFuzzer targets in fuzz/ (clang)" OFF)

if(MESHWARD_SANITIZE)
  add_compile_options(-fsanitize=${MESHWARD_SANITIZE} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MESHWARD_SANITIZE} -fno-sanitize-recover=all)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Reports in code that is not ours (cmake/sanitize-ignorelist.txt says which and why).
    add_compile_options(-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/cmake/sanitize-ignorelist.txt)
  endif()
endif()

if(MESHWARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MESHWARD_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Boost 1.74's Asio looks for clang's coroutines in <experimental/coroutine> (libc++ only);
  # clang 14 implements C++20 coroutines with libstdc++'s <coroutine>, so say so.
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1 BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()

# clang 14's -fsanitize=function (part of "undefined") emits prologue data that the assembler
# cannot place for C++20 coroutine frames ("Cannot represent a difference across sections").
# Targets with coroutines (the kube client and its in-test API server) go without that one check.
function(meshward_coroutine_sanitize_workaround target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND MESHWARD_SANITIZE MATCHES "undefined|function")
    target_compile_options(${target} PRIVATE -fno-sanitize=function)
  endif()
endfunction()
