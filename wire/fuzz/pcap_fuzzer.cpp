// libFuzzer target: the capture reader never crashes on any file; a bad file is an InputError.
#include <cstdint>
#include <cstdlib>

#include "model/input_error.hpp"
#include "wire/pcap.hpp"

namespace w = ikeconform::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    for (const w::IkePacket& p : w::parse_ike_packets({data, size}))
      if (p.message.has_value() == p.error.has_value()) std::abort();
  } catch (const ikeconform::InputError&) {
  }
  return 0;
}
