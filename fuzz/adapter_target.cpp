// Target `adapter`: the ikeconform.adapter/1 line parsers (drivers/adapter/protocol.hpp), both
// directions. The body lives in the adapter library (drivers/adapter/fuzz_message.cpp) so the
// adapter's own tests replay corpus/fuzz/adapter/ without this library; here a broken property
// goes through report_violation() like every other target's.
#include "drivers/adapter/fuzz_message.hpp"
#include "fuzz/targets.hpp"

namespace ikeconform::fuzz {

int fuzz_adapter(const std::uint8_t* data, std::size_t size) {
  try {
    return adapter::fuzz_adapter_message(data, size);
  } catch (const adapter::FuzzViolation& e) {
    report_violation("adapter", "property violated", e.what());
  }
}

}  // namespace ikeconform::fuzz
