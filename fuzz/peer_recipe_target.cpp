// Target `peer_recipe`: fuzz-peer's recipe decoder and its mutations (fuzzpeer/recipe.hpp), the
// parser of every byte string the daemon fuzzer evolves.
// Properties: any bytes decode to at most kMaxSteps steps; encode_recipe(decode(x)) decodes to the
// same recipe; applying it to the payloads of a genuine IKEv2 IKE_AUTH request and an IKEv1 MM5
// never throws, the chain is exactly as long as its segments say, and the codec's total decoder
// reads the chain without crashing; the empty recipe leaves the message and its authentication
// untouched.
#include "fuzz/targets.hpp"
#include "fuzzpeer/recipe.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "peer_recipe";
namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;

// A small DER certificate stand-in: SEQUENCE { SEQUENCE { INTEGER 2, OCTET STRING }, BIT STRING }.
const wire::Bytes kDer = {0x30, 0x0e, 0x30, 0x07, 0x02, 0x01, 0x02, 0x04,
                          0x02, 0xab, 0xcd, 0x03, 0x03, 0x00, 0x01, 0x02};

std::vector<wire::Payload> ike_auth() {
  return {{k2::kIDi, false, wire::IdV2{k2::kIdFqdn, {'r', '1'}}},
          {k2::kCERT, false, wire::Cert{wire::kCertX509Signature, kDer}},
          {k2::kCERTREQ, false, wire::CertRequest{wire::kCertX509Signature, wire::Bytes(40, 0x11)}},
          {k2::kAUTH, false, wire::AuthV2{k2::kAuthRsaSig, wire::Bytes(16, 0x22)}},
          {k2::kN, false, wire::NotifyV2{0, k2::kInitialContact, {}, {}}}};
}

std::vector<wire::Payload> mm5() {
  return {{k1::kID, false, wire::IdV1{k1::kIdFqdn, 0, 0, {'r', '1'}}},
          {k1::kCERT, false, wire::Cert{wire::kCertX509Signature, kDer}},
          {k1::kCR, false, wire::CertRequest{wire::kCertX509Signature, {0x30, 0x00}}},
          {k1::kSIG, false, wire::Raw{wire::Bytes(16, 0x33)}}};
}

void check(IkeVersion v, const fuzzpeer::Recipe& r, const std::vector<wire::Payload>& payloads) {
  const fuzzpeer::Material m{{kDer}, {wire::Bytes(20, 0x44)}, {{0x30, 0x00}}};
  const std::vector<fuzzpeer::Segment> original = fuzzpeer::segments(v, payloads);
  std::vector<fuzzpeer::Segment> s = original;
  try {
    fuzzpeer::apply(r, v, m, s);
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("apply threw: ") + e.what());
  }
  const wire::Bytes chain = fuzzpeer::encode_chain(s);
  std::size_t expected = 0;
  for (const fuzzpeer::Segment& x : s) expected += wire::kGenericHeaderSize + x.body.size();
  if (chain.size() != expected) report_violation(kTarget, "the chain is not as long as its segments");
  if (chain.size() > fuzzpeer::kMaxChain + 4096) report_violation(kTarget, "the chain outgrew kMaxChain");
  (void)wire::decode_payloads(v, fuzzpeer::first_type(s), chain);  // total: a value or a WireError
  if (r.steps.empty() && (s != original || fuzzpeer::authentication_broken(v, original, s)))
    report_violation(kTarget, "the empty recipe changed the message");
  if (fuzzpeer::encode_chain(original) != wire::encode_payloads(v, payloads))
    report_violation(kTarget, "segments do not encode back to the engine's chain");
}

}  // namespace

int fuzz_peer_recipe(const std::uint8_t* data, std::size_t size) {
  const fuzzpeer::Recipe r = fuzzpeer::decode_recipe({data, size});
  if (r.steps.size() > fuzzpeer::kMaxSteps) report_violation(kTarget, "more steps than kMaxSteps");
  const fuzzpeer::Recipe again = fuzzpeer::decode_recipe(fuzzpeer::encode_recipe(r));
  if (again.steps != r.steps) report_violation(kTarget, "decode(encode(recipe)) differs");
  check(IkeVersion::V2, r, ike_auth());
  check(IkeVersion::V1, r, mm5());
  return 0;
}

}  // namespace ikeconform::fuzz
