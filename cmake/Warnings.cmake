function(meshward_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # RapidJSON 1.1's iterators declare == and != as members; C++20's reversed candidates make
    # clang warn at every `it != end` in our code (a header we cannot change).
    target_compile_options(${target} PRIVATE -Wno-ambiguous-reversed-operator)
  endif()
  if(MESHWARD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
