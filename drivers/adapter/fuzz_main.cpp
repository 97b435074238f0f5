// libFuzzer entry for the adapter protocol parsers (built with IKECONFORM_FUZZ=ON as
// fuzz_adapter_message; once the fuzz library is in the tree, its `fuzz_adapter` target runs the
// same body). A broken property aborts, which libFuzzer saves as a crash artifact.
#include <cstdio>
#include <cstdlib>

#include "drivers/adapter/fuzz_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    return ikeconform::adapter::fuzz_adapter_message(data, size);
  } catch (const ikeconform::adapter::FuzzViolation& e) {
    std::fprintf(stderr, "fuzz_adapter_message: property violated: %s\n", e.what());
    std::abort();
  }
}
