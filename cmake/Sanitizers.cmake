# The test build runs with ASan + UBSan (IKECONFORM_SANITIZE=ON); the fuzz build adds
# -fsanitize=fuzzer-no-link so the libFuzzer targets link the real libraries.
if(IKECONFORM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(IKECONFORM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IKECONFORM_FUZZ needs clang (CXX=clang++-14)")
  endif()
  # OSS-Fuzz / ClusterFuzzLite put their sanitizer and coverage flags in CFLAGS/CXXFLAGS and
  # the engine in $LIB_FUZZING_ENGINE: .clusterfuzzlite/build.sh sets IKECONFORM_FUZZ_SANITIZERS
  # to "" and IKECONFORM_FUZZ_ENGINE to $LIB_FUZZING_ENGINE.
  set(IKECONFORM_FUZZ_SANITIZERS "address,undefined" CACHE STRING "Sanitizers of the fuzz build (empty: from CXXFLAGS)")
  set(IKECONFORM_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING "Link flags that add the fuzzing engine's main()")
  if(IKECONFORM_FUZZ_SANITIZERS)
    # no-recover: a UBSan report must end the run so libFuzzer saves the input.
    add_compile_options(-fsanitize=fuzzer-no-link,${IKECONFORM_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${IKECONFORM_FUZZ_SANITIZERS})
  endif()
endif()
