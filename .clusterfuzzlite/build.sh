#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build step. The builder sets CC, CXX, CFLAGS, CXXFLAGS (sanitizer and
# coverage flags included), LIB_FUZZING_ENGINE, SRC, OUT and WORK; this script only uses them.
# scripts/fuzz-ci runs it locally with the same variables, so CI keeps it working.
src=$SRC/ikeconform
build=$WORK/build-ikeconform

# Sanitizers come from CFLAGS/CXXFLAGS (IKECONFORM_FUZZ_SANITIZERS empty), the engine from
# LIB_FUZZING_ENGINE; CMake passes CXXFLAGS to the link too, so the runtimes link.
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DIKECONFORM_FUZZ=ON -DIKECONFORM_FUZZ_SANITIZERS= -DIKECONFORM_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DIKECONFORM_TESTS=OFF -DIKECONFORM_BENCH=OFF
cmake --build "$build" -j "$(nproc)" --target ikeconform_fuzz_all

source "$src/scripts/fuzz-lib.sh"
for bin in "$build"/bin/fuzz_*; do
  name=${bin##*/}
  target=${name#fuzz_}
  cp "$bin" "$OUT/"
  # <fuzzer>_seed_corpus.zip, <fuzzer>.dict and <fuzzer>.options: the OSS-Fuzz conventions.
  rm -f "$OUT/${name}_seed_corpus.zip"
  seeds=$(fuzz_seed_dirs "$target")
  if [[ -n $seeds ]]; then
    (cd "$WORK" && find $seeds -type f ! -name 'README*' -print0 | xargs -0 zip -q -j "$OUT/${name}_seed_corpus.zip")
  fi
  dict=$(fuzz_dict "$target")
  if [[ -n $dict ]]; then
    cp "$dict" "$OUT/$name.dict"
    printf '[libfuzzer]\ndict = %s.dict\n' "$name" >"$OUT/$name.options"
  fi
done
