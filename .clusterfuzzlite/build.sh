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
  # (cmake -E tar writes the zip: no zip package needed on a CI machine)
  rm -f "$OUT/${name}_seed_corpus.zip"
  stage=$WORK/seeds-$name
  rm -rf "$stage" && mkdir -p "$stage"
  while read -r dir; do
    find "$dir" -type f ! -name 'README*' -exec cp {} "$stage/" \;
  done < <(fuzz_seed_dirs "$target")
  if [[ -n $(ls -A "$stage") ]]; then
    (cd "$stage" && cmake -E tar cf "$OUT/${name}_seed_corpus.zip" --format=zip -- *)
  fi
  # <fuzzer>.options: the dictionary and fuzz_flags (e.g. entropic = 0 for the model target).
  dict=$(fuzz_dict "$target")
  options=()
  if [[ -n $dict ]]; then
    cp "$dict" "$OUT/$name.dict"
    options+=("dict = $name.dict")
  fi
  while read -r flag; do
    [[ -n $flag ]] || continue
    flag=${flag#-}
    options+=("${flag%%=*} = ${flag#*=}")
  done < <(fuzz_flags "$target")
  rm -f "$OUT/$name.options"
  if ((${#options[@]})); then
    printf '[libfuzzer]\n' >"$OUT/$name.options"
    printf '%s\n' "${options[@]}" >>"$OUT/$name.options"
  fi
done
