// Two real plutos (label `root`): S1 end-to-end in both directions and IKE versions, and the
// libreswan-4.10 personality's predictions against the real pair on S1..S4 variants.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "drivers/libreswan/nss.hpp"
#include "drivers/libreswan/peer.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/pair_target.hpp"
#include "libreswan_test_util.hpp"

namespace ikeconform {
namespace {

using namespace std::chrono_literals;
using testing::dump;
using testing::dump_diff;
using testing::ike_only;
using testing::runnable;

class LibreswanE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ROOT_AND("the Libreswan end-to-end test");
    if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
      GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  }
  static stack::PairOptions options() {
    stack::PairOptions o;
    o.key_cache = testing::test_key_cache();
    o.keep_dirs = std::getenv("IKECONFORM_KEEP_DIRS") != nullptr;  // post-mortem: configs and pluto logs stay
    return o;
  }
};

// Runs both directions on the real pair and on the model, and reports the differences.
struct Agreement {
  Observation real[2], model[2];
  std::string report;
};

// The Libreswan target: a pair of Libreswan peer stacks, as `--target libreswan` makes it.
stack::PairTarget libreswan_pair(stack::PairOptions o) {
  return stack::PairTarget(libreswan::stack_kind(), libreswan::stack_kind(), std::move(o));
}

Agreement compare(stack::PairTarget& t, const Scenario& s) {
  Agreement a;
  const Scenario ls = t.personalities(s);
  for (std::uint8_t i = 0; i < 2; ++i) {
    a.real[i] = t.run(s, i);
    const stack::RunRecord& r = t.runner().last();
    std::cout << "    [ timing ] " << s.name << " " << int(i) << ": prepare " << r.prepare_time.count() / 1000
              << " ms, exchange " << r.exchange_time.count() / 1000 << " ms, teardown "
              << r.teardown_time.count() / 1000 << " ms\n";
    a.model[i] = ike_only(run_direction(ls, i, ModelOptions{}));
    std::string d = dump_diff(ls, a.model[i], a.real[i]);
    // The wire cross-check: the CERTREQ lists the logs imply must be the ones on the wire.
    for (const std::string& l : a.real[i].trace)
      if (l.rfind("finding:", 0) == 0) d += "  " + l + "\n";
    if (!d.empty())
      a.report += s.name + " " + s.peers[i].name + " initiates:\n" + d + "  real trace:\n" + dump(a.real[i]) +
                  "  model trace:\n" + dump(a.model[i]);
  }
  return a;
}

// A peer's NSS database as pluto gets it (drivers/libreswan/nss.hpp), all from one PKCS#12
// bundle: every CA under its Ca::id (no trust flags: pluto takes self-signed CAs as anchors),
// every identity certificate with its private key (NSS shows a certificate with a key as
// "u,u,u"), under the nickname its connection names.
TEST_F(LibreswanE2E, NssDatabaseHoldsEveryCaAndEveryIdentityWithItsKey) {
  const Scenario s = testing::two_ca_scenario();  // two identities per peer: one bundle
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-nss-");
  pki::KeyCache keys(testing::test_key_cache());
  pki::PkiOptions po;
  po.p12 = false;  // the bundle is made from the PEMs
  const pki::Pki pki = pki::make_pki(s, dir.path() / "pki", keys, po);
  const libreswan::NssContent c = libreswan::nss_content(s, 0, pki);
  ASSERT_EQ(c.identities.size(), 2U);
  libreswan::install_nss_db(dir.path() / "templates", dir.path() / "db", c);
  const process::RunResult l = process::run({"certutil", "-L", "-d", "sql:" + (dir.path() / "db").string()}, {},
                                            std::chrono::seconds(10));
  ASSERT_TRUE(l.ok()) << l.err;
  ASSERT_EQ(c.cas.size(), 2U);
  for (const auto& ca : c.cas) EXPECT_NE(l.out.find(ca.friendly_name), std::string::npos) << l.out;
  for (const auto& id : c.identities) {
    const auto at = l.out.find(id.friendly_name);
    ASSERT_NE(at, std::string::npos) << l.out;
    EXPECT_NE(l.out.substr(at, l.out.find('\n', at) - at).find("u,u,u"), std::string::npos)
        << id.friendly_name << " has no private key in the database:\n"
        << l.out;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "db" / "content.p12"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "templates" / c.fingerprint.substr(0, 24) / "content.p12"));
  // A second database of the same content is a copy of the template, not a build.
  EXPECT_FALSE(libreswan::install_nss_db(dir.path() / "templates", dir.path() / "db2", c));
}

TEST_F(LibreswanE2E, S1BothDirectionsBothVersions) {
  stack::PairTarget t = libreswan_pair(options());
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario s = runnable("s1", v);
    const auto begin = std::chrono::steady_clock::now();
    Agreement a = compare(t, s);
    std::cout << "[ timing ] S1 IKEv" << (v == IkeVersion::V1 ? 1 : 2) << " both directions: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count()
              << " ms\n";
    for (int i = 0; i < 2; ++i) std::cout << "--- real, initiator " << i << ":\n" << dump(a.real[i]);
    EXPECT_TRUE(a.report.empty()) << a.report;
    // The second direction kept the first one's connections (their states terminated), on both
    // sides; the other IKE version needs other connections: loaded anew, nothing reused from v1.
    for (std::size_t i = 0; i < 2; ++i) {
      const auto* peer = dynamic_cast<libreswan::LibreswanPeer*>(t.runner().stack(i));
      ASSERT_NE(peer, nullptr);
      EXPECT_EQ(peer->reuses(), v == IkeVersion::V1 ? 1U : 2U) << "side " << i;
    }
  }
}

}  // namespace
}  // namespace ikeconform

namespace ikeconform {
namespace {

// S1..S4 and variants that move one rule at a time.
std::vector<Scenario> agreement_scenarios() {
  std::vector<Scenario> out;
  auto add = [&](Scenario s, const std::string& name) {
    s.name = name;
    out.push_back(std::move(s));
  };
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const std::string tag = v == IkeVersion::V1 ? "-v1" : "-v2";
    const Scenario s1 = testing::runnable("s1", v);
    add(s1, "S1" + tag);
    Scenario r2swap = s1;  // R2's newest is its CA2 certificate: R1 (rightca CA1) must refuse it
    std::swap(r2swap.peers[1].certificates[0], r2swap.peers[1].certificates[1]);
    add(r2swap, "S1-R2-CA2-newest" + tag);
    Scenario r1swap = s1;
    std::swap(r1swap.peers[0].certificates[0], r1swap.peers[0].certificates[1]);
    add(r1swap, "S1-R1-CA1-newest" + tag);
    Scenario exclusive = s1;  // R2 restricted to CA2, R1 to CA1
    exclusive.peers[1].profiles[0].trustpoints = {{"IOSCA2", TrustpointUse::Both}};
    add(exclusive, "S1-exclusive" + tag);
    Scenario wrong_id = s1;  // R2 expects an identity R1 never sends
    wrong_id.peers[1].profiles[0].match = {{IdKind::Fqdn, "R3.cisco.com", ""}};
    add(wrong_id, "S1-unknown-id" + tag);
    Scenario psk = s1;
    for (Peer& p : psk.peers)
      for (Profile& f : p.profiles) f.auth_local = f.auth_remote = AuthMethod::PreShare;
    add(psk, "S1-psk" + tag);
    Scenario two = s1;  // R2: pA accepts CA1 only, pB CA2 only; R1 accepts either
    {
      Profile pa = two.peers[1].profiles[0];
      pa.name = "pA";
      pa.trustpoints = {{"IOSCA1", TrustpointUse::Both}};
      Profile pb = pa;
      pb.name = "pB";
      pb.trustpoints = {{"IOSCA2", TrustpointUse::Both}};
      two.peers[1].profiles = {pa, pb};
      two.peers[1].tunnel_profile = "pA";
      two.peers[0].profiles[0].trustpoints.clear();
    }
    add(two, "S1-two-profiles" + tag);
    std::swap(two.peers[0].certificates[0], two.peers[0].certificates[1]);
    add(two, "S1-two-profiles-R1-CA1-newest" + tag);
    add(testing::runnable("s2", v), "S2" + tag);
    add(testing::runnable("s3", v), "S3" + tag);
    add(testing::runnable("s4", v), "S4" + tag);
    Scenario s4open = testing::runnable("s4", v);  // responder R1 unrestricted
    s4open.peers[0].profiles[0].trustpoints.clear();
    add(s4open, "S4-R1-unrestricted" + tag);
  }
  return out;
}

TEST_F(LibreswanE2E, ModelAgreesWithRealPair) {
  stack::PairTarget t = libreswan_pair(options());
  std::string report;
  int runs = 0;
  const auto begin = std::chrono::steady_clock::now();
  for (const Scenario& s : agreement_scenarios()) {
    Agreement a = compare(t, s);
    runs += 2;
    report += a.report;
    std::cout << s.name << ": R1->R2 " << sa_result_text(a.real[0].ike_sa) << " " << reason_code(a.real[0].reason)
              << ", R2->R1 " << sa_result_text(a.real[1].ike_sa) << " " << reason_code(a.real[1].reason)
              << (a.report.empty() ? "" : "  (MODEL DISAGREES)") << "\n";
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count();
  std::cout << "[ timing ] " << runs << " real runs in " << ms << " ms\n";
  EXPECT_TRUE(report.empty()) << report;
}

}  // namespace
}  // namespace ikeconform
