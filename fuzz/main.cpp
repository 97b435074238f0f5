// libFuzzer entry point, compiled once per target with IKECONFORM_FUZZ_ENTRY naming the body
// (fuzz/targets.hpp). The bodies live in a library so the test suite can replay corpora.
#include <cstddef>
#include <cstdint>

#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  ikeconform::fuzz::model_options_from_env();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ikeconform::fuzz::IKECONFORM_FUZZ_ENTRY(data, size);
}
