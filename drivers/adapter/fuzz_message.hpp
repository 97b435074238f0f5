// The adapter protocol's fuzz body (fuzz_message.cpp): libFuzzer calls it through
// drivers/adapter/fuzz_main.cpp or the fuzz library's `fuzz_adapter`; tests replay the corpus
// corpus/fuzz/adapter/ through it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace ikeconform::adapter {

// A broken property (not a rejected input): the libFuzzer entry turns it into a crash.
class FuzzViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

int fuzz_adapter_message(const std::uint8_t* data, std::size_t size);

}  // namespace ikeconform::adapter
