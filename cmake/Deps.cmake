# Third-party dependencies, all from Debian 12 packages (scripts/deps.sh installs them).
# Their headers are SYSTEM includes so our warning flags do not apply to them.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
find_library(RE2_LIBRARY re2 REQUIRED)
find_path(RE2_INCLUDE_DIR re2/re2.h REQUIRED)

add_library(meshward_deps_core INTERFACE)
target_include_directories(meshward_deps_core SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR} ${Boost_INCLUDE_DIRS})
target_compile_definitions(meshward_deps_core INTERFACE RAPIDJSON_HAS_STDSTRING=1)
target_link_libraries(meshward_deps_core INTERFACE Threads::Threads)
add_library(meshward::deps_core ALIAS meshward_deps_core)

add_library(meshward_deps_yaml INTERFACE)
get_target_property(_yaml_inc yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
if(_yaml_inc)
  target_include_directories(meshward_deps_yaml SYSTEM INTERFACE ${_yaml_inc})
endif()
target_link_libraries(meshward_deps_yaml INTERFACE yaml-cpp)
add_library(meshward::deps_yaml ALIAS meshward_deps_yaml)

add_library(meshward_deps_re2 INTERFACE)
target_include_directories(meshward_deps_re2 SYSTEM INTERFACE ${RE2_INCLUDE_DIR})
target_link_libraries(meshward_deps_re2 INTERFACE ${RE2_LIBRARY})
add_library(meshward::deps_re2 ALIAS meshward_deps_re2)

# The allocator of what ships (the meshward binary) and of the benchmarks that measure it:
# tcmalloc (gperftools' minimal build, Debian libgoogle-perftools-dev), as Envoy links its own
# tcmalloc. A translation or a review builds and frees many small objects (names, matchers,
# metadata); glibc's malloc spent a tenth of a review's CPU and a third of a full sidecar
# translation there (docs/performance.md). Off under sanitizers and fuzzing, which bring their
# own allocator; the tests keep glibc's, so both allocators run the code.
option(MESHWARD_TCMALLOC "Link meshward and the benchmarks with tcmalloc" ON)
add_library(meshward_deps_allocator INTERFACE)
if(MESHWARD_TCMALLOC AND NOT MESHWARD_SANITIZE AND NOT MESHWARD_FUZZ)
  find_library(TCMALLOC_LIBRARY tcmalloc_minimal)
  if(NOT TCMALLOC_LIBRARY)
    message(FATAL_ERROR "tcmalloc_minimal not found: run scripts/deps.sh (libgoogle-perftools-dev) "
                        "or configure with -DMESHWARD_TCMALLOC=OFF")
  endif()
  target_link_libraries(meshward_deps_allocator INTERFACE ${TCMALLOC_LIBRARY})
  message(STATUS "meshward: allocator tcmalloc (${TCMALLOC_LIBRARY})")
endif()
add_library(meshward::allocator ALIAS meshward_deps_allocator)
