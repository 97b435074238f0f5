// S1 both ways on two real charons (label `root`): the PKI from drivers/pki, namespaces from
// drivers/netns, daemons from drivers/process, everything else through VICI.
// Expected (spec/real-stacks.md "Verified"): R1 (remote.cacerts = CA1) initiating works; R2
// initiating fails once R2 sends its CA2 certificate, which R1 rejects at MM5.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

using namespace std::chrono_literals;

std::string dump(const Observation& o) {
  std::string s;
  for (const std::string& l : o.trace) s += "    " + l + "\n";
  return s;
}

class StrongswanE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::is_root())
      GTEST_SKIP() << "\n\n*** SKIPPED: the strongSwan end-to-end test needs root (network namespaces, "
                      "charon-systemd). Run it as root to exercise the real stack. ***\n";
  }
};

struct Timed {
  Observation obs;
  std::chrono::milliseconds took;
};

// The strongSwan target: a pair of strongSwan peer stacks, as `--target strongswan` makes it.
stack::PairTarget strongswan_pair() {
  stack::PairOptions o;
  o.key_cache = testing::test_key_cache();
  return stack::PairTarget(strongswan::stack_kind(), strongswan::stack_kind(), o);
}

Timed run(stack::PairTarget& t, const Scenario& s, const pki::Pki& pki, std::uint8_t initiator) {
  const auto begin = std::chrono::steady_clock::now();
  Observation o = t.run(s, pki, initiator);
  return {std::move(o),
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)};
}

TEST_F(StrongswanE2E, S1IkeV1BothWays) {
  const Scenario s = testing::s1_scenario(IkeVersion::V1);
  pki::KeyCache keys(testing::test_key_cache());
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-s1pki-");
  const pki::Pki m = pki::make_pki(s, dir.path(), keys);
  stack::PairTarget target = strongswan_pair();

  const Timed r1 = run(target, s, m, 0);
  std::cout << "R1 initiates: " << r1.took.count() << " ms (pair start and prepare "
            << target.runner().last().prepare_time.count() / 1000 << " ms)\n";
  EXPECT_EQ(r1.obs.ike_sa, SaResult::Established) << dump(r1.obs);
  EXPECT_EQ(r1.obs.child_sa, SaResult::Established) << dump(r1.obs);
  EXPECT_EQ(r1.obs.reason, Reason::None) << dump(r1.obs);
  // R1's CERT_REQ names CA1 only (remote.cacerts); R2 requests every CA it trusts.
  ASSERT_EQ(r1.obs.certreq_from_initiator.size(), 1U) << dump(r1.obs);
  EXPECT_EQ(r1.obs.certreq_from_initiator[0], (CertReq{0, 0}));
  EXPECT_EQ(r1.obs.certreq_from_responder.size(), 2U) << dump(r1.obs);
  EXPECT_EQ(r1.obs.responder_trustpoint, 0) << "R2 must answer with its CA1 certificate\n" << dump(r1.obs);
  EXPECT_EQ(r1.obs.responder_profile, 0);

  // R2 initiates. IOS fails here (R2 picks CA2, the first CERT_REQ R1 sent). strongSwan's
  // IKEv1 initiator takes the most recently loaded certificate that matches a request, and the
  // target loads certificates in enrollment order: R2's CA1 certificate, which R1 accepts.
  const Timed r2 = run(target, s, m, 1);
  std::cout << "R2 initiates: " << r2.took.count() << " ms\n";
  EXPECT_TRUE(r2.obs.up()) << dump(r2.obs);
  EXPECT_EQ(r2.obs.initiator_trustpoint, 0) << "R2 sent its CA1 certificate\n" << dump(r2.obs);
  // R1 as responder requests every CA it trusts, in the IOS store order: CA2 first.
  ASSERT_EQ(r2.obs.certreq_from_responder.size(), 2U) << dump(r2.obs);
  EXPECT_EQ(r2.obs.certreq_from_responder[0], (CertReq{1, 1}));
  EXPECT_EQ(r2.obs.certreq_from_responder[1], (CertReq{0, 0}));
  EXPECT_EQ(r2.obs.certreq_from_initiator.size(), 2U) << dump(r2.obs);

  // R2 enrolled CA2 last: now R2 picks CA2 and R1, restricted to CA1, rejects it at MM5.
  Scenario swapped = s;
  std::swap(swapped.peers[1].certificates[0], swapped.peers[1].certificates[1]);
  const Timed r3 = run(target, swapped, pki::make_pki(swapped, dir.path(), keys), 1);
  EXPECT_EQ(r3.obs.ike_sa, SaResult::Failed) << dump(r3.obs);
  EXPECT_EQ(r3.obs.child_sa, SaResult::NotAttempted);
  EXPECT_EQ(r3.obs.reason, Reason::CertValidationFailed) << dump(r3.obs);
  EXPECT_EQ(r3.obs.failed_at, Message::MM5) << dump(r3.obs);
  EXPECT_EQ(r3.obs.initiator_trustpoint, 1) << "R2 sent its CA2 certificate\n" << dump(r3.obs);
  EXPECT_EQ(r3.obs.responder_profile, 0) << dump(r3.obs);

  // Again, to see that a reused pair gives the same answers.
  EXPECT_TRUE(run(target, s, m, 0).obs.up());
  EXPECT_EQ(run(target, swapped, pki::make_pki(swapped, dir.path(), keys), 1).obs.reason, Reason::CertValidationFailed);
}

TEST_F(StrongswanE2E, S1IkeV2BothWaysAndThroughput) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  pki::KeyCache keys(testing::test_key_cache());
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-s1pki-");
  const pki::Pki m = pki::make_pki(s, dir.path(), keys);
  stack::PairTarget target = strongswan_pair();

  const Timed r1 = run(target, s, m, 0);
  EXPECT_TRUE(r1.obs.up()) << dump(r1.obs);
  EXPECT_EQ(r1.obs.certreq_from_initiator.size(), 1U) << dump(r1.obs);
  // IKEv2: R2's local.certs is store order (CA1 first) and R1 asked for CA1: R2 sends CA1.
  EXPECT_EQ(r1.obs.responder_trustpoint, 0) << dump(r1.obs);

  // R2 initiates: local.certs of R2 starts with its CA1 certificate, and R1's CERTREQ names
  // CA2 first; strongSwan takes the first local.certs entry that matches any request: CA1.
  const Timed r2 = run(target, s, m, 1);
  std::cout << "IKEv2 R2 initiates: " << (r2.obs.up() ? "up" : "down") << ", R2 sent trustpoint "
            << r2.obs.initiator_trustpoint << "\n"
            << dump(r2.obs);
  EXPECT_EQ(r2.obs.initiator_trustpoint, 0) << dump(r2.obs);
  EXPECT_TRUE(r2.obs.up()) << dump(r2.obs);

  // Throughput through VICI: whole scenarios (clear + load + initiate + list + terminate + unload).
  constexpr int kRuns = 20;
  const auto begin = std::chrono::steady_clock::now();
  int up = 0;
  std::chrono::microseconds load{0}, handshake{0}, teardown{0};
  auto per_run_ms = [](std::chrono::microseconds d) {
    return std::chrono::duration<double, std::milli>(d).count() / kRuns;
  };
  for (int i = 0; i < kRuns; ++i) {
    up += run(target, s, m, 0).obs.up() ? 1 : 0;
    load += target.runner().last().prepare_time;
    handshake += target.runner().last().exchange_time;
    teardown += target.runner().last().teardown_time;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin);
  std::cout << "IKEv2 scenario runs: " << kRuns << " in " << ms.count()
            << " ms = " << (1000.0 * kRuns / static_cast<double>(std::max<long long>(ms.count(), 1)))
            << " scenarios/s; per run: load " << per_run_ms(load) << " ms, handshake " << per_run_ms(handshake)
            << " ms, teardown " << per_run_ms(teardown) << " ms\n";
  EXPECT_EQ(up, kRuns);
}

}  // namespace
}  // namespace ikeconform

namespace ikeconform {
namespace {

// Variants of S1 that each end in a different Observation: the log vocabulary of observe.cpp
// checked against what charon 5.9 really says.
struct Variant {
  const char* name;
  std::function<void(Scenario&)> change;
  std::uint8_t initiator;
  SaResult ike_sa;
  Reason reason;
  Message failed_at;
};

TEST_F(StrongswanE2E, OutcomeVocabulary) {
  const std::vector<Variant> variants = {
      {"ikev2: R2 enrolled CA2 last, sends it, R1 (CA1 only) rejects",
       [](Scenario& s) {
         s.ike_version = IkeVersion::V2;
         std::swap(s.peers[1].certificates[0], s.peers[1].certificates[1]);
       },
       1, SaResult::Failed, Reason::CertValidationFailed, Message::IKE_AUTH},
      {"ikev2: R2 restricted to CA2 rejects R1's only (CA1) certificate",
       [](Scenario& s) {
         s.ike_version = IkeVersion::V2;
         s.peers[0].certificates = {{"IOSCA1", "", false, {}}};
         s.peers[1].profiles[0].trustpoints = {{"IOSCA2", TrustpointUse::Verify}};
       },
       0, SaResult::Failed, Reason::CertValidationFailed, Message::IKE_AUTH},
      {"ikev1: R1 restricted to CA2, R2 holds only a CA1 certificate: R1 rejects it at MM6",
       [](Scenario& s) {
         s.peers[1].certificates = {{"IOSCA1", "", false, {}}};
         s.peers[0].profiles[0].trustpoints = {{"IOSCA2", TrustpointUse::Both}};
       },
       0, SaResult::Failed, Reason::CertValidationFailed, Message::MM6},
      {"ikev2: no common proposal",
       [](Scenario& s) {
         s.ike_version = IkeVersion::V2;
         s.peers[0].proposals = {{"aes 256", "sha512", 20}};
       },
       0, SaResult::Failed, Reason::NoProposalChosen, Message::IKE_SA_INIT},
      {"ikev1: no common proposal",
       [](Scenario& s) {
         s.peers[0].proposals = {{"aes 256", "sha512", 20}};
       },
       0, SaResult::Failed, Reason::NoProposalChosen, Message::MM1},
      {"ikev2: R1 expects another identity",
       [](Scenario& s) {
         s.ike_version = IkeVersion::V2;
         s.peers[0].profiles[0].match = {{IdKind::Fqdn, "R3.cisco.com", ""}};
       },
       1, SaResult::Failed, Reason::NoMatchingProfile, Message::IKE_AUTH},
      {"ikev2: pre-shared keys",
       [](Scenario& s) {
         s.ike_version = IkeVersion::V2;
         for (Peer& p : s.peers) p.profiles[0].auth_local = p.profiles[0].auth_remote = AuthMethod::PreShare;
       },
       0, SaResult::Established, Reason::None, Message::None},
  };
  pki::KeyCache keys(testing::test_key_cache());
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-varpki-");
  stack::PairTarget target = strongswan_pair();
  for (const Variant& v : variants) {
    Scenario s = testing::s1_scenario();
    v.change(s);
    const pki::Pki m = pki::make_pki(s, dir.path(), keys);
    const Timed r = run(target, s, m, v.initiator);
    std::cout << v.name << ": " << r.took.count() << " ms\n";
    if (std::getenv("IKECONFORM_TRACE")) std::cout << dump(r.obs);  // the lines each verdict rests on
    EXPECT_EQ(r.obs.ike_sa, v.ike_sa) << v.name << "\n" << dump(r.obs);
    EXPECT_EQ(r.obs.reason, v.reason) << v.name << "\n" << dump(r.obs);
    EXPECT_EQ(r.obs.failed_at, v.failed_at) << v.name << "\n" << dump(r.obs);
  }
}

}  // namespace
}  // namespace ikeconform

namespace ikeconform {
namespace {

TEST_F(StrongswanE2E, MakesItsOwnPkiAndRefusesAggressiveMode) {
  stack::PairTarget target = strongswan_pair();
  Scenario s = testing::s1_scenario(IkeVersion::V2);
  const Observation up = target.run(s, 0);
  EXPECT_TRUE(up.up()) << dump(up);
  s.aggressive_mode = true;
  const Observation o = target.run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::NotAttempted);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  ASSERT_FALSE(o.trace.empty());
  EXPECT_NE(o.trace[0].find("aggressive"), std::string::npos) << o.trace[0];
}

}  // namespace
}  // namespace ikeconform

namespace ikeconform {
namespace {

// A silent peer in a pair of our own daemons is the infrastructure's failure, never the stack's
// verdict (docs/reasons.md); without the retry in a fresh pair (which would heal it:
// tests/infrastructure_real_test.cpp) the run gives up in time and says so.
TEST_F(StrongswanE2E, SilentPeerIsAnInfrastructureErrorInTime) {
  stack::PairTarget target = strongswan_pair();
  target.runner().options().retry = false;
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  ASSERT_TRUE(target.run(s, 0).up());  // the pair exists (and works) before its link goes down
  const netns::NetnsPair& pair = *target.runner().net();
  const process::Argv down{"ip", "link", "set", pair.interface(1), "down"};
  ASSERT_TRUE(pair.exec(1, down).ok());
  const auto begin = std::chrono::steady_clock::now();
  const Timed r{target.run(s, 0),
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)};
  std::cout << "unreachable peer: " << r.took.count() << " ms\n";
  EXPECT_EQ(r.obs.ike_sa, SaResult::Failed) << dump(r.obs);
  EXPECT_EQ(r.obs.reason, Reason::InternalError) << dump(r.obs);  // the infrastructure error's code
  ASSERT_FALSE(r.obs.trace.empty());
  EXPECT_NE(r.obs.trace[0].find("R1 logged no answer from R2"), std::string::npos) << dump(r.obs);
  EXPECT_LT(r.took, 6000ms);
}

}  // namespace
}  // namespace ikeconform

namespace ikeconform {
namespace {

// S2 (spec section 4): the responder has three IKEv2 profiles that all match the initiator;
// IOS binds the last one and the CHILD SA fails (TS unacceptable). strongSwan's connections
// differ only in name, so whichever it binds carries the same traffic selectors.
TEST_F(StrongswanE2E, S2OverlappingProfiles) {
  Scenario s = testing::s1_scenario(IkeVersion::V2);
  s.name = "S2";
  for (Peer& p : s.peers) {
    p.trustpoints = {{"TP1", "CA1", Revocation::None}};
    p.certificates = {{"TP1", "", false, {}}};
    p.profiles[0].trustpoints = {{"TP1", TrustpointUse::Both}};
  }
  s.peers[0].profiles[0].match = {{IdKind::Address, "192.168.0.2", ""}};
  Peer& r2 = s.peers[1];
  r2.profiles[0].name = "profile1";
  r2.profiles[0].match = {{IdKind::Address, "192.168.0.1", ""}};
  r2.profiles.push_back(r2.profiles[0]);
  r2.profiles.back().name = "profile2";
  r2.profiles.push_back(r2.profiles[0]);
  r2.profiles.back().name = "profile3";
  r2.tunnel_profile = "profile1";
  for (Peer& p : s.peers) p.profiles[0].self_identity = IdKind::Address;
  for (Profile& f : r2.profiles) f.self_identity = IdKind::Address;

  stack::PairTarget target = strongswan_pair();
  const Observation o = target.run(s, 0);
  std::cout << "S2 on strongSwan: " << (o.up() ? "up" : "down") << ", responder bound profile " << o.responder_profile
            << "\n";
  EXPECT_TRUE(o.up()) << dump(o);
  EXPECT_NE(o.responder_profile, kNone) << dump(o);
}

}  // namespace
}  // namespace ikeconform
