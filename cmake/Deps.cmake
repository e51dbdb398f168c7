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
