// `ikeconform emulate` against a real strongSwan (label `real;root`: root and charon-systemd,
// skips loudly otherwise). charon serves the note's S1 peer R2 in one namespace of a
// drivers/netns pair (drivers/strongswan's per-peer stack); `ikeconform emulate` runs as a
// subprocess in the other (`ip netns exec`) as R1, from R1's exported IOS configuration and
// PKCS#12 files of the project's PKI, R2 modeled by its exported configuration (personality
// strongswan-5.9). Each case checks the exit code and the JSON against the model's prediction.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_process.hpp"
#include "drivers/cisco_ios/emulate.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/p12.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers_test_util.hpp"
#include "ios/ios.hpp"
#include "model/personality_names.hpp"
#include "strongswan_test_util.hpp"
#include "wire/pcap.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct EmuRun {
  int exit = -1;
  nlohmann::json j;
  std::string text;
  std::chrono::milliseconds took{};
};

class EmulateVsCharon : public ::testing::TestWithParam<IkeVersion> {
 protected:
  void SetUp() override {
    if (!testing::is_root()) GTEST_SKIP() << "\n\n*** SKIPPED: emulate against charon needs root (namespaces) ***\n";
    if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
      GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
    dir_ = std::make_unique<process::TempDir>(fs::temp_directory_path(), process::run_prefix() + "-emulate-");
    keys_ = std::make_unique<pki::KeyCache>(testing::test_key_cache());
  }
  void TearDown() override {
    if (stack_) stack_->teardown();
    stack_.reset();
    net_.reset();
  }

  // R2 (peer 1) on charon; R1's configuration, R2's model and R1's PKCS#12 files on disk.
  void start(Scenario s) {
    s.peers[1].personality = std::string(kStrongswan59);
    s_ = s;
    pki_ = pki::make_pki(s, dir_->path() / "pki", *keys_);
    for (std::size_t i = 0; i < 2; ++i) {
      std::ofstream(dir_->path() / (s.peers[i].name + ".cfg")) << ios::export_ios_config(s, i);
      std::ofstream(dir_->path() / (s.peers[i].name + ".show")) << ios::export_show_certs(s, i);
    }
    for (const Trustpoint& tp : s.peers[0].trustpoints) {
      const pki::IdentityMaterial* m = pki_.cert(s.peers[0].name, tp.name);
      const std::string bytes = pki::p12_bytes(m ? m->cert_pem : "", m ? m->key_pem : "", {pki_.ca(tp.ca)->cert_pem},
                                               "s3cret");
      std::ofstream(dir_->path() / (tp.name + ".p12"), std::ios::binary) << bytes;
    }
    net_ = std::make_unique<netns::NetnsPair>(s.peers[0].address, s.peers[1].address);
    stack_ = strongswan::stack_kind().make(*net_, 1, dir_->path() / "charon", {});
    stack_->prepare(s, 1, pki_, "em");
  }

  std::vector<std::string> args(const std::string& role, const std::string& peer, double timeout = 8) {
    std::vector<std::string> a{"netns",
                               "exec",
                               net_->ns(0),
                               IKECONFORM_BIN,
                               "emulate",
                               (dir_->path() / (s_.peers[0].name + ".cfg")).string(),
                               "--peer",
                               peer,
                               role,
                               "--peer-config",
                               (dir_->path() / (s_.peers[1].name + ".cfg")).string(),
                               "--show-certs",
                               (dir_->path() / (s_.peers[0].name + ".show")).string(),
                               "--peer-show-certs",
                               (dir_->path() / (s_.peers[1].name + ".show")).string(),
                               "--json",
                               "--timeout",
                               std::to_string(timeout),
                               "--p12-password",
                               "s3cret"};
    for (const Trustpoint& tp : s_.peers[0].trustpoints) {
      a.push_back("--credentials");
      a.push_back(tp.name + "=" + (dir_->path() / (tp.name + ".p12")).string());
    }
    return a;
  }

  // `a` without option `name` and the `n - 1` words after it.
  static std::vector<std::string> without(std::vector<std::string> a, const std::string& name, std::ptrdiff_t n) {
    const auto it = std::find(a.begin(), a.end(), name);
    EXPECT_NE(it, a.end()) << name;
    if (it != a.end()) a.erase(it, it + n);
    return a;
  }

  EmuRun emulate(std::vector<std::string> a, const std::function<void()>& meanwhile = {}) {
    const fs::path log = dir_->path() / "emulate.out";
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = testing::spawn_logged("/usr/sbin/ip", a, log);
    if (meanwhile) meanwhile();
    EmuRun r;
    r.exit = testing::wait_exit(pid, std::chrono::seconds(60));
    r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    r.text = testing::slurp(log);
    const auto brace = r.text.find('{');
    if (brace != std::string::npos) r.j = nlohmann::json::parse(r.text.substr(brace), nullptr, false);
    return r;
  }

  Scenario s_;
  std::unique_ptr<process::TempDir> dir_;
  std::unique_ptr<pki::KeyCache> keys_;
  pki::Pki pki_;
  std::unique_ptr<netns::NetnsPair> net_;
  std::unique_ptr<stack::PeerStack> stack_;
};

// S1: R1 requests and chooses CA1, R2 (charon) answers; the tunnel comes up as the model says.
TEST_P(EmulateVsCharon, InitiateS1ComesUpAsPredicted) {
  start(testing::s1_scenario(GetParam()));
  auto a = args("--initiate", s_.peers[1].address);
  const fs::path pcap = dir_->path() / "emulate.pcap";
  a.insert(a.end(), {"--pcap", pcap.string()});
  const EmuRun r = emulate(a);
  ASSERT_EQ(r.exit, 0) << r.text;
  EXPECT_EQ(r.j["schema"], "ikeconform.emulate/1");
  EXPECT_EQ(r.j["observed"]["ike_sa"], "established") << r.text;
  EXPECT_EQ(r.j["predicted"]["ike_sa"], "established") << r.text;
  // What charon sent: its ID and a certificate from CA1 or CA2; its CERT_REQ list as predicted.
  EXPECT_EQ(r.j["peer_sent"]["ID"]["actual"], s_.peers[1].fqdn) << r.text;
  EXPECT_NE(r.j["peer_sent"]["certificate"]["actual"].get<std::string>().find("issuer cn=CA"), std::string::npos);
  EXPECT_EQ(r.j["observed"]["certreq_from_responder"], r.j["predicted"]["certreq_from_responder"]) << r.text;
  // --pcap: every datagram of the exchange (and our Delete), each one decoding as IKE.
  const auto packets = wire::read_ike_packets(pcap);
  EXPECT_GE(packets.size(), GetParam() == IkeVersion::V2 ? 4u : 9u);
  for (const auto& p : packets) EXPECT_TRUE(p.message.has_value()) << p.src.address.str();
}

// Ctrl-C while the responder waits: it ends at once, prints, and says it was interrupted.
TEST_P(EmulateVsCharon, CtrlCEndsTheResponderCleanly) {
  start(testing::s1_scenario(GetParam()));
  const fs::path log = dir_->path() / "emulate.out";
  const pid_t pid = testing::spawn_logged("/usr/sbin/ip", args("--respond", s_.peers[1].address, 60), log);
  std::this_thread::sleep_for(1500ms);
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);  // `ip netns exec` exec()s: the pid is emulate's
  EXPECT_EQ(testing::wait_exit(pid, std::chrono::seconds(10)), 1) << testing::slurp(log);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  const std::string text = testing::slurp(log);
  const auto j = nlohmann::json::parse(text.substr(text.find('{')), nullptr, false);
  EXPECT_EQ(j["interrupted"], true) << text;
  EXPECT_EQ(j["observed"]["reason"], "PEER_UNREACHABLE") << text;
}

// Without --peer-config the device is modeled by a synthesized router (trusts R1's
// trustpoints, accepts any identity): the tunnel still comes up, and a note says the prediction
// is a guess.
TEST_P(EmulateVsCharon, InitiateWithoutPeerConfig) {
  start(testing::s1_scenario(GetParam()));
  const EmuRun r = emulate(
      without(without(args("--initiate", s_.peers[1].address), "--peer-config", 2), "--peer-show-certs", 2));
  ASSERT_EQ(r.exit, 0) << r.text;
  EXPECT_EQ(r.j["observed"]["ike_sa"], "established") << r.text;
  EXPECT_NE(r.j["notes"].dump().find("no --peer-config"), std::string::npos) << r.text;
}

// charon initiates toward the emulated router.
TEST_P(EmulateVsCharon, RespondS1ComesUpAsPredicted) {
  start(testing::s1_scenario(GetParam()));
  const EmuRun r = emulate(args("--respond", s_.peers[1].address, 10), [&] {
    std::this_thread::sleep_for(1500ms);  // the emulator's sockets are open
    stack_->initiate();
  });
  ASSERT_EQ(r.exit, 0) << r.text;
  EXPECT_EQ(r.j["role"], "responder");
  EXPECT_EQ(r.j["observed"]["ike_sa"], "established") << r.text;
  EXPECT_EQ(r.j["observed"]["child_sa"], "established") << r.text;
  EXPECT_EQ(r.j["predicted"]["ike_sa"], "established") << r.text;
}

// S1 with R1 enrolled in CA2 only while R2 trusts CA1 only: charon refuses R1's certificate;
// exit 1 with the reason the model predicts.
TEST_P(EmulateVsCharon, InitiateFailsWithThePredictedReason) {
  Scenario s = testing::s1_scenario(GetParam());
  s.peers[0].certificates = {{"IOSCA2", "", false, {}}};
  s.peers[1].trustpoints = {{"IOSCA1", "CA1", Revocation::None}};
  s.peers[1].certificates = {{"IOSCA1", "", false, {}}};
  start(s);
  const EmuRun r = emulate(args("--initiate", s_.peers[1].address));
  ASSERT_EQ(r.exit, 1) << r.text;
  EXPECT_NE(r.j["predicted"]["reason"], "none") << r.text;
  EXPECT_EQ(r.j["observed"]["reason"], r.j["predicted"]["reason"]) << r.text;
}

// Without --json, S1: UP, the model agrees, exit 0 (the worked example of docs/emulate.md).
TEST_P(EmulateVsCharon, TextS1Up) {
  start(testing::s1_scenario(GetParam()));
  const EmuRun r = emulate(without(args("--initiate", s_.peers[1].address), "--json", 1));
  if (const char* keep = std::getenv("IKECONFORM_KEEP_EMULATE_UP")) std::ofstream(keep) << r.text;
  ASSERT_EQ(r.exit, 0) << r.text;
  EXPECT_NE(r.text.find("R1 -> R2: UP (IKE SA and CHILD SA established)"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Model of the pair: UP (agrees)"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("ID                 R2.cisco.com"), std::string::npos) << r.text;
}

// Without --json: check's ladder for the direction, what charon sent beside its model's
// prediction, and the model's verdict for the pair.
TEST_P(EmulateVsCharon, TextShowsTheLadderAndWhatThePeerSent) {
  Scenario s = testing::s1_scenario(GetParam());
  s.peers[0].certificates = {{"IOSCA2", "", false, {}}};
  s.peers[1].trustpoints = {{"IOSCA1", "CA1", Revocation::None}};
  s.peers[1].certificates = {{"IOSCA1", "", false, {}}};
  start(s);
  const EmuRun r = emulate(without(args("--initiate", s_.peers[1].address), "--json", 1));
  if (const char* keep = std::getenv("IKECONFORM_KEEP_EMULATE_TEXT")) std::ofstream(keep) << r.text;
  ASSERT_EQ(r.exit, 1) << r.text;
  EXPECT_NE(r.text.find("ikeconform emulate: S1 (IKEv"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("R1 -> R2: DOWN at "), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("R2 sent (its model predicted):"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Model of the pair: DOWN at "), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("(agrees)"), std::string::npos) << r.text;
  EXPECT_TRUE(r.text.find("Suggested fixes") != std::string::npos || r.text.find("No fix of one or two configuration "
                                                                                 "changes") != std::string::npos)
      << r.text;
}

// Nobody at the address: PEER_UNREACHABLE within --timeout, not a hang.
TEST_P(EmulateVsCharon, UnreachablePeerEndsWithinTheTimeout) {
  start(testing::s1_scenario(GetParam()));
  const EmuRun r = emulate(args("--initiate", "192.168.0.77", 2));
  ASSERT_EQ(r.exit, 1) << r.text;
  EXPECT_EQ(r.j["observed"]["reason"], "PEER_UNREACHABLE") << r.text;
  EXPECT_LT(r.took, 6s);
  // No route at all (outside the namespace's only subnet): the same verdict, not bad input.
  const EmuRun no_route = emulate(args("--initiate", "10.99.99.99", 2));
  ASSERT_EQ(no_route.exit, 1) << no_route.text;
  EXPECT_EQ(no_route.j["observed"]["reason"], "PEER_UNREACHABLE") << no_route.text;
  EXPECT_NE(no_route.j["trace"].dump().find("no route to 10.99.99.99"), std::string::npos) << no_route.text;
}

// Bad input: exit 2, file:line message, one JSON `error` object.
TEST_P(EmulateVsCharon, BadInputsExitTwo) {
  start(testing::s1_scenario(GetParam()));
  auto with = [&](const std::string& from, const std::string& to) {
    auto a = args("--initiate", s_.peers[1].address);
    for (auto& x : a)
      if (x.find(from) != std::string::npos) x.replace(x.find(from), from.size(), to);
    return a;
  };
  const EmuRun missing = emulate(with("IOSCA1.p12", "nothere.p12"));
  EXPECT_EQ(missing.exit, 2) << missing.text;
  EXPECT_NE(missing.text.find("nothere.p12: cannot read file"), std::string::npos) << missing.text;
  EXPECT_TRUE(missing.j.contains("error")) << missing.text;
  const EmuRun wrong = emulate(with("s3cret", "guess"));
  EXPECT_EQ(wrong.exit, 2) << wrong.text;
  EXPECT_NE(wrong.text.find("wrong password"), std::string::npos) << wrong.text;
  const EmuRun no_tp = emulate(with("IOSCA1=", "NOSUCHTP="));
  EXPECT_EQ(no_tp.exit, 2) << no_tp.text;
  EXPECT_NE(no_tp.text.find("no trustpoint 'NOSUCHTP'"), std::string::npos) << no_tp.text;
}

INSTANTIATE_TEST_SUITE_P(Versions, EmulateVsCharon, ::testing::Values(IkeVersion::V2, IkeVersion::V1),
                         [](const auto& p) { return p.param == IkeVersion::V2 ? "IKEv2" : "IKEv1"; });

}  // namespace
}  // namespace ikeconform
