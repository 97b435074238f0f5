// fuzz-peer's recipe (fuzzpeer/recipe.hpp): decoding, re-encoding and the mutations; and the
// defects fuzz-peer found in our own engine, kept as regressions (label `unit`).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers_test_util.hpp"
#include "fuzzpeer/exchange.hpp"
#include "fuzzpeer/fuzz_peer.hpp"
#include "fuzzpeer/recipe.hpp"
#include "peer/personality_policy.hpp"

namespace ikeconform {
namespace {

namespace fp = fuzzpeer;
namespace fs = std::filesystem;
namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;
using nlohmann::json;

const wire::Bytes kDer = {0x30, 0x0e, 0x30, 0x07, 0x02, 0x01, 0x02, 0x04,
                          0x02, 0xab, 0xcd, 0x03, 0x03, 0x00, 0x01, 0x02};

std::vector<wire::Payload> ike_auth() {
  return {{k2::kIDi, false, wire::IdV2{k2::kIdFqdn, {'r', '1'}}},
          {k2::kCERT, false, wire::Cert{wire::kCertX509Signature, kDer}},
          {k2::kCERTREQ, false, wire::CertRequest{wire::kCertX509Signature, wire::Bytes(40, 0x11)}},
          {k2::kAUTH, false, wire::AuthV2{k2::kAuthRsaSig, wire::Bytes(16, 0x22)}}};
}

fp::Recipe one(fp::Op op, std::uint8_t a, std::uint8_t b, std::uint16_t c, wire::Bytes data = {}) {
  return {{fp::Mutation{op, a, b, c, std::move(data)}}};
}

std::vector<fp::Segment> mutated(const fp::Recipe& r, IkeVersion v = IkeVersion::V2) {
  std::vector<fp::Segment> s = fp::segments(v, ike_auth());
  fp::apply(r, v, fp::Material{{kDer}, {wire::Bytes(20, 0x44)}, {{0x30, 0x00}}}, s);
  return s;
}

TEST(FuzzPeerRecipe, SegmentsEncodeBackToTheEnginesChain) {
  EXPECT_EQ(fp::encode_chain(fp::segments(IkeVersion::V2, ike_auth())),
            wire::encode_payloads(IkeVersion::V2, ike_auth()));
}

TEST(FuzzPeerRecipe, EmptyInputIsTheValidMessage) {
  EXPECT_TRUE(fp::decode_recipe({}).steps.empty());
  EXPECT_EQ(mutated(fp::Recipe{}), fp::segments(IkeVersion::V2, ike_auth()));
}

RC_GTEST_PROP(FuzzPeerRecipe, AnyBytesDecodeAndReencodeToTheSameRecipe, (std::vector<std::uint8_t> bytes)) {
  const fp::Recipe r = fp::decode_recipe(bytes);
  RC_ASSERT(r.steps.size() <= fp::kMaxSteps);
  RC_ASSERT(fp::decode_recipe(fp::encode_recipe(r)).steps == r.steps);
  const auto s = mutated(r);  // never throws
  std::size_t n = 0;
  for (const auto& x : s) n += wire::kGenericHeaderSize + x.body.size();
  RC_ASSERT(fp::encode_chain(s).size() == n);
  RC_ASSERT(n <= fp::kMaxChain + 4096);  // the engine's own message may start near 4 KiB
}

TEST(FuzzPeerRecipe, DuplicatingPastADatagramIsSkipped) {
  fp::Recipe r;
  for (int i = 0; i < 8; ++i) r.steps.push_back({fp::Op::CertreqList, 0, 0, 255, {}});
  for (int i = 0; i < 8; ++i) r.steps.push_back({fp::Op::Duplicate, 2, 0, 0, {}});
  std::size_t n = 0;
  for (const auto& x : mutated(r)) n += wire::kGenericHeaderSize + x.body.size();
  EXPECT_LE(n, fp::kMaxChain);
}

TEST(FuzzPeerRecipe, CertreqListWritesTheAskedNumberOfHashes) {
  const auto s = mutated(one(fp::Op::CertreqList, 0, 0, 45));
  const auto it = std::find_if(s.begin(), s.end(), [](const fp::Segment& x) { return x.type == k2::kCERTREQ; });
  ASSERT_NE(it, s.end());
  EXPECT_EQ(it->body.size(), 1 + 45 * wire::kSha1Size);
  EXPECT_EQ(wire::Bytes(it->body.begin() + 1, it->body.begin() + 21), wire::Bytes(20, 0x44));  // the CA's hash
}

TEST(FuzzPeerRecipe, LengthLieIsWrittenWhileTheBodyStays) {
  const auto s = mutated(one(fp::Op::LengthLie, 0, 1, 0));  // IDi, honest + 1
  ASSERT_TRUE(s[0].length);
  EXPECT_EQ(*s[0].length, wire::kGenericHeaderSize + s[0].body.size() + 1);
  const wire::Bytes chain = fp::encode_chain(s);
  EXPECT_EQ((chain[2] << 8) | chain[3], *s[0].length);
  EXPECT_FALSE(wire::decode_payloads(IkeVersion::V2, k2::kIDi, chain).ok());
}

TEST(FuzzPeerRecipe, DerLongFormKeepsTheContent) {
  const auto s = mutated(one(fp::Op::DerMutate, 0, 0, 0));  // the root node's length in long form
  const auto& cert = s[1].body;
  ASSERT_EQ(cert.size(), 1 + kDer.size() + 3);
  EXPECT_EQ(cert[1], 0x30);
  EXPECT_EQ(cert[2], 0x83);  // three length octets for a length that fits in one
  EXPECT_EQ(wire::Bytes(cert.begin() + 6, cert.end()), wire::Bytes(kDer.begin() + 2, kDer.end()));
}

TEST(FuzzPeerRecipe, AuthenticationBrokenOnlyWhenTheSignedBodiesAreGone) {
  const auto original = fp::segments(IkeVersion::V2, ike_auth());
  EXPECT_FALSE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::Duplicate, 0, 0, 0))));
  EXPECT_FALSE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::Move, 3, 0, 0))));
  EXPECT_FALSE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::Delete, 2, 0, 0))));
  EXPECT_FALSE(
      fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::FlipBit, 0, 0, 9))));  // RESERVED
  EXPECT_TRUE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::FlipBit, 0, 0, 33))));  // data
  EXPECT_TRUE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::FlipBit, 0, 0, 1))));   // type
  EXPECT_TRUE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::Delete, 3, 0, 0))));
  EXPECT_TRUE(fp::authentication_broken(IkeVersion::V2, original, mutated(one(fp::Op::LengthLie, 3, 0, 0))));
}

TEST(FuzzPeerRecipe, ByteMutatorIsSeededAndBounded) {
  fp::ByteMutator a(7), b(7);
  wire::Bytes x{1, 2, 3}, y{1, 2, 3};
  for (int i = 0; i < 200; ++i) {
    x = a.mutate(x, {9, 9}, 32);
    y = b.mutate(y, {9, 9}, 32);
    ASSERT_EQ(x, y);
    ASSERT_LE(x.size(), 32u);
  }
}

TEST(FuzzPeerRecipe, PointNamesRoundTrip) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2})
    for (fp::Point p : fp::points(v)) {
      EXPECT_EQ(fp::point_named(fp::point_name(p)), p);
      EXPECT_EQ(fp::point_version(p), v);
    }
  EXPECT_EQ(fp::points(IkeVersion::V2).size(), 3u);
  EXPECT_EQ(fp::points(IkeVersion::V1).size(), 4u);
}

}  // namespace
}  // namespace ikeconform

// ---- What fuzz-peer found in our own engine ------------------------------------------------------------

namespace ikeconform {
namespace {

// fuzz-peer --target planted, daemon-died at ikev1:MM3 with FlipBit on the CERT_REQ: a DN that
// names no CA of the scenario became CA index kNone, and the cisco-ios personality's trace line
// for it threw std::out_of_range out of the responder (Negotiation::ca_dn). Every hook must take
// CERT_REQs naming unknown CAs, in both versions.
TEST(FuzzPeerFindings, CertreqNamingNoKnownCaIsNoCrash) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario s = fuzzpeer::fuzz_scenario(v, "cisco-ios");
    pki::KeyCache keys(testing::test_key_cache());
    const fs::path dir = fs::temp_directory_path() / ("fuzzpeer-finding-" + std::to_string(::getpid()));
    const pki::Pki pki = pki::make_pki(s, dir, keys, pki::PkiOptions{false});
    const peer::Credentials creds = cisco_ios::credentials(s, 1, pki);
    peer::PersonalityPolicy policy(s, 1, creds);
    policy.begin(peer::Role::Responder);
    peer::Received rec;
    rec.certreqs = {v == IkeVersion::V1 ? wire::Bytes{0x38, 0x00} : wire::Bytes(20, 0xee)};
    rec.certreq_payload = true;
    std::vector<std::string> log;
    const Message in = v == IkeVersion::V1 ? Message::MM3 : Message::IKE_SA_INIT;
    const Message out = v == IkeVersion::V1 ? Message::MM4 : Message::IKE_SA_INIT;
    EXPECT_NO_THROW(policy.choose_certificate(peer::CertStep{in, peer::Role::Responder, rec, log}));
    EXPECT_NO_THROW(policy.certreq(peer::CertStep{out, peer::Role::Responder, rec, log}));
    EXPECT_NO_THROW(policy.sends_certificate(peer::CertStep{out, peer::Role::Responder, rec, log}));
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace ikeconform
