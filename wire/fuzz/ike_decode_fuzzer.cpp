// libFuzzer target: decode() never crashes, and what decodes re-encodes to the same message
// (decode(encode(decode(b))) == decode(b)). Run: ike_decode_fuzzer -max_total_time=60 CORPUS
#include <cstdint>
#include <cstdlib>

#include "wire/ike.hpp"

namespace w = ikeconform::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = w::decode({data, size});
  if (!r.ok()) return 0;
  (void)w::describe(*r);
  static const w::CaTables tables{{w::Bytes{0x30, 0x00}}, {w::Bytes(20, 0)}};
  (void)w::certreqs_in(*r, tables);
  const auto again = w::decode(w::encode(*r));
  if (!again.ok() || !(*again == *r)) std::abort();
  return 0;
}
