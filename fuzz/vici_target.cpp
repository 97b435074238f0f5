// Target `vici`: strongSwan's VICI message and packet decoders (drivers/vici/vici.hpp), which
// read whatever the daemon's socket delivers.
// Properties: only vici::DecodeError escapes; decoded => encode -> decode gives the same
// message / packet and the encoding is stable.
#include <exception>

#include "drivers/vici/vici.hpp"
#include "fuzz/targets.hpp"
#include "fuzz/util.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "vici";

template <typename T, typename Decode, typename Encode>
void round_trip(std::string_view bytes, Decode decode, Encode encode, const char* what) {
  T first;
  try {
    first = decode(bytes);
  } catch (const vici::DecodeError&) {
    return;
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string(what) + " decoder threw something other than DecodeError: " + e.what());
  }
  std::string once;
  try {
    once = encode(first);
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("a decoded ") + what + " does not encode: " + e.what());
  }
  T second;
  try {
    second = decode(once);
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("an encoded ") + what + " does not decode: " + e.what());
  }
  if (!(second == first)) report_violation(kTarget, std::string("decode(encode(") + what + ")) differs");
  if (encode(second) != once) report_violation(kTarget, std::string(what) + " encoding is not stable");
}

}  // namespace

int fuzz_vici(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = as_text(data, size);
  round_trip<vici::Message>(bytes, &vici::decode_message, &vici::encode_message, "message");
  round_trip<vici::Packet>(bytes, &vici::decode_packet, &vici::encode_packet, "packet");
  return 0;
}

}  // namespace ikeconform::fuzz
