// Target `ike_codec`: the IKE message codec (wire/ike.hpp), both versions.
// Properties:
//  - decode() is total: an IkeMessage or a WireError whose offset lies inside the datagram;
//  - decoded => encode() works, decode(encode(m)) == m, and encode is stable (RESERVED bits and
//    lengths are normalised once, then bytes do not change);
//  - the CERT_REQ helpers accept whatever decoded (they read attacker-controlled lengths).
#include <exception>
#include <span>

#include "fuzz/targets.hpp"
#include "model/scenario_json.hpp"
#include "wire/ike.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "ike_codec";

std::string hex(std::span<const std::uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t x : b) {
    out += kDigits[x >> 4];
    out += kDigits[x & 15];
  }
  return out;
}

// One CA table for the CERT_REQ helpers, built once: two user CAs like the note's.
const Scenario& table_scenario() {
  static const Scenario s = [] {
    Scenario x;
    x.cas = {{"CA1", "cn=CA1,o=cisco,o=com", ""}, {"CA2", "cn=CA2,o=cisco,o=com", ""}};
    x.peers.resize(2);
    x.peers[0].trustpoints = {{"IOSCA1", "CA1", Revocation::None}, {"IOSCA2", "CA2", Revocation::None}};
    x.peers[1].trustpoints = x.peers[0].trustpoints;
    return x;
  }();
  return s;
}

void check_certreq_helpers(const wire::IkeMessage& m) {
  static const wire::CaTables tables = wire::ca_tables(table_scenario());
  const auto reqs = wire::certreqs_in(m, tables);
  (void)wire::to_certreq_list(reqs, table_scenario(), 0);
  (void)wire::describe(m);
}

void check_round_trip(const wire::IkeMessage& m, std::span<const std::uint8_t> input) {
  wire::Bytes once;
  try {
    once = wire::encode(m);
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("a decoded message does not encode: ") + e.what(), hex(input));
  }
  auto again = wire::decode(once);
  if (!again) report_violation(kTarget, "encode(decode(x)) does not decode: " + again.error().what(), hex(once));
  if (!(*again == m)) report_violation(kTarget, "decode(encode(m)) != m", hex(input) + "\n" + hex(once));
  if (wire::encode(*again) != once) report_violation(kTarget, "encode is not stable", hex(once));
}

}  // namespace

int fuzz_ike_codec(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  auto m = wire::decode(input);
  if (!m) {
    if (m.error().offset > size)
      report_violation(kTarget, "WireError offset beyond the datagram: " + m.error().what(), hex(input));
    if (m.error().reason.empty()) report_violation(kTarget, "WireError without a reason", hex(input));
    return 0;
  }
  check_round_trip(*m, input);
  check_certreq_helpers(*m);
  return 0;
}

}  // namespace ikeconform::fuzz
