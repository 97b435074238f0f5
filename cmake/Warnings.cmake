# Warnings on and clean: every project target calls ikeconform_warnings().
# (-Wnull-dereference is left out: at -O2 GCC 12 reports it inside Boost.Asio headers.)
function(ikeconform_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wconversion -Wsign-conversion -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O2/-O3 reports -Wrestrict inside std::string's own code (GCC bug 105329).
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(IKECONFORM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
