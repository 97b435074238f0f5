// Our IKEv2 initiator against our IKEv2 responder over loopback (label `unit`: no root, no
// daemon): both algorithm families, IKE fragmentation both ways, the Delete, retransmission
// after a lost first try, a bounded give-up when nobody answers, and a responder that answers
// a retransmitted IKE_SA_INIT with the very same response (RFC 7296 §2.1); an abandoned
// initiator (both versions) and the transport's wake().
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"  // kPersonality
#include "drivers_test_util.hpp"
#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/session.hpp"
#include "peer/personality_policy.hpp"

namespace ikeconform {
namespace {

namespace k2 = wire::ikev2;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wire::Bytes;

constexpr const char* kLoopback = "127.0.0.1";
// Ports per test process, so that parallel ctest runs do not collide.
std::uint16_t base_port() { return static_cast<std::uint16_t>(40000 + (::getpid() % 1000) * 8); }

wire::IdV2 fqdn(const std::string& n) { return {k2::kIdFqdn, wire::Bytes(n.begin(), n.end())}; }
wire::TrafficSelector subnet(std::uint8_t b) {
  wire::TrafficSelector t;
  t.start_address = {10, b, 0, 0};
  t.end_address = {10, b, 0, 255};
  return t;
}

class PeerSession : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = testing::two_ca_scenario();
    // strongSwan's decisions: request every CA, trust every CA, bind the profile by the peer's FQDN.
    for (std::size_t side = 0; side < 2; ++side) {
      s_.peers[side].personality = strongswan::kPersonality;
      s_.peers[side].profiles[0].match = {{IdKind::Fqdn, s_.peers[1 - side].fqdn, ""}};
    }
    dir_ = std::make_unique<process::TempDir>(std::filesystem::temp_directory_path(), process::run_prefix() + "-peer-");
    pki::KeyCache keys(testing::test_key_cache());
    pki::PkiOptions po;
    po.p12 = false;
    pki_ = pki::make_pki(s_, dir_->path(), keys, po);
    for (std::size_t side = 0; side < 2; ++side) {
      creds_[side] = cisco_ios::credentials(s_, side, pki_);
      policy_[side] = std::make_unique<peer::PersonalityPolicy>(s_, side, creds_[side]);
      auto& c = config_[side];
      c.local_id = fqdn(s_.peers[side].fqdn);
      c.remote_id = fqdn(s_.peers[1 - side].fqdn);
      c.local_ts = subnet(static_cast<std::uint8_t>(side + 1));
      c.remote_ts = subnet(static_cast<std::uint8_t>(2 - side));
      c.retransmit_timeout = 200ms;
      c.retransmit_tries = 3;
    }
    port_ = base_port();
  }
  peer::ikev2::Endpoints ends() const { return {kLoopback, kLoopback, port_, static_cast<std::uint16_t>(port_ + 1)}; }
  std::string trace(const peer::ikev2::IkeSa& sa) const {
    std::string t;
    for (const auto& l : sa.trace) t += l + "\n";
    return t;
  }

  Scenario s_;
  std::unique_ptr<process::TempDir> dir_;
  pki::Pki pki_;
  peer::Credentials creds_[2];
  peer::ikev2::Config config_[2];
  std::unique_ptr<peer::PersonalityPolicy> policy_[2];
  std::uint16_t port_ = 0;
};

TEST_F(PeerSession, InitiatorAndResponderAgreeOnEverySuiteWithFragments) {
  const peer::ikev2::IkeSuite suites[] = {{k2::kEncrAesCbc, 128, k2::kAuthHmacSha256_128, k2::kPrfHmacSha256, 14},
                                          {k2::kEncrAesGcm16, 256, 0, k2::kPrfHmacSha256, 19},
                                          {k2::kEncrAesCbc, 256, k2::kAuthHmacSha384_192, k2::kPrfHmacSha384, 19}};
  for (const auto& suite : suites) {
    SCOPED_TRACE(peer::ikev2::suite_name(suite));
    for (auto& c : config_) {
      c.ike = {suite};
      c.fragment_size = 600;  // IKE_AUTH with a certificate and a 2048-bit signature: 3+ fragments
    }
    peer::UdpTransport ini_udp(kLoopback, "", port_, 0),
        res_udp(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
    peer::ikev2::Responder res(config_[1], creds_[1], *policy_[1], res_udp);
    auto served = std::async(std::launch::async, [&] {
      res.serve(10s, [](const peer::ikev2::Responder& r) { return !r.sas().empty() && r.sas().back().deleted; });
    });
    peer::ikev2::Initiator ini(config_[0], creds_[0], *policy_[0], ini_udp, ends());
    const auto& sa = ini.establish();
    EXPECT_TRUE(sa.outcome.ike_sa) << trace(sa);
    EXPECT_TRUE(sa.outcome.child_sa) << trace(sa);
    EXPECT_TRUE(ini.delete_ike_sa());
    served.get();
    ASSERT_EQ(res.sas().size(), 1U);
    const auto& r = res.sas().front();
    EXPECT_TRUE(r.outcome.ike_sa) << trace(r);
    EXPECT_TRUE(r.outcome.child_sa) << trace(r);
    EXPECT_TRUE(r.deleted);
    EXPECT_EQ(r.keys.sk_d, sa.keys.sk_d);
    EXPECT_EQ(r.keys.sk_er, sa.keys.sk_er);
    EXPECT_EQ(r.esp_spi_peer, sa.esp_spi_ours);
    EXPECT_EQ(sa.esp_spi_peer, r.esp_spi_ours);
    EXPECT_GE(ini.fragments_received(), 2U);
    EXPECT_GE(res.fragments_received(), 2U);
    // CERTREQ both ways: each side named both CAs (strongswan-5.9 asks for every trusted CA).
    EXPECT_EQ(sa.received.certreqs.size(), 2U);
    EXPECT_EQ(r.received.certreqs.size(), 2U);
    EXPECT_TRUE(sa.validated_by.has_value());
    EXPECT_TRUE(r.validated_by.has_value());
    EXPECT_EQ(ini.retransmissions(), 0U);
  }
}

TEST_F(PeerSession, InitiatorRetransmitsUntilTheResponderAppears) {
  peer::UdpTransport ini_udp(kLoopback, "", port_, 0);
  auto late = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(300ms);  // the first IKE_SA_INIT (timeout 200 ms) goes unanswered
    peer::UdpTransport res_udp(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
    peer::ikev2::Responder res(config_[1], creds_[1], *policy_[1], res_udp);
    res.serve(5s, [](const peer::ikev2::Responder& r) { return !r.sas().empty() && r.sas().back().outcome.ike_sa; });
    return res.sas().size();
  });
  peer::ikev2::Initiator ini(config_[0], creds_[0], *policy_[0], ini_udp, ends());
  const auto& sa = ini.establish();
  EXPECT_TRUE(sa.outcome.ike_sa) << trace(sa);
  EXPECT_GE(ini.retransmissions(), 1U) << trace(sa);
  EXPECT_EQ(late.get(), 1U);
}

TEST_F(PeerSession, InitiatorGivesUpAfterBoundedRetransmissions) {
  peer::UdpTransport ini_udp(kLoopback, "", port_, 0);
  peer::ikev2::Initiator ini(config_[0], creds_[0], *policy_[0], ini_udp, ends());
  const auto begin = Clock::now();
  const auto& sa = ini.establish();
  const auto took = Clock::now() - begin;
  EXPECT_EQ(sa.outcome.failed_at, "IKE_SA_INIT");
  EXPECT_FALSE(sa.outcome.ike_sa);
  EXPECT_EQ(ini.retransmissions(), 3U);
  // 200 + 400 + 800 + 1600 ms: doubling from retransmit_timeout, retransmit_tries times.
  EXPECT_GE(took, 2900ms);
  EXPECT_LT(took, 4500ms);
}

// The pair reads an emulated initiator's report once the other side has concluded
// (drivers/cisco_ios): Config::abandon ends its wait then, instead of after its retransmissions.
TEST_F(PeerSession, AnAbandonedInitiatorGivesUpAtOnceOnBothVersions) {
  std::atomic<bool> abandon{false};
  auto stop_soon = [&] {
    return std::async(std::launch::async, [&] {
      std::this_thread::sleep_for(100ms);
      abandon = true;
    });
  };
  {
    peer::UdpTransport udp(kLoopback, "", port_, 0);
    config_[0].abandon = &abandon;
    peer::ikev2::Initiator ini(config_[0], creds_[0], *policy_[0], udp, ends());
    auto flag = stop_soon();
    const auto begin = Clock::now();
    const auto& sa = ini.establish();
    EXPECT_LT(Clock::now() - begin, 1500ms) << "without the flag: 200 + 400 + 800 + 1600 ms";
    EXPECT_EQ(sa.outcome.failed_at, "IKE_SA_INIT");
    EXPECT_EQ(ini.retransmissions(), 0U) << "the first wait (200 ms) was cut short";
    EXPECT_NE(trace(sa).find("giving up: abandoned"), std::string::npos) << trace(sa);
  }
  abandon = false;
  {
    peer::UdpTransport udp(kLoopback, "", port_, 0);  // IKEv1 sends to port 500: nobody answers here
    peer::ikev1::Config c;
    c.retransmit_timeout = 200ms;
    c.retransmit_tries = 3;
    c.abandon = &abandon;
    peer::ikev1::Initiator ini(c, creds_[0], *policy_[0], udp, kLoopback);
    auto flag = stop_soon();
    const auto begin = Clock::now();
    const auto& sa = ini.establish();
    EXPECT_LT(Clock::now() - begin, 1500ms);
    EXPECT_EQ(sa.outcome.failed_at, "MM2");
    EXPECT_FALSE(sa.outcome.isakmp_sa);
    bool said = false;
    for (const auto& l : sa.trace) said = said || l.find("giving up: abandoned") != std::string::npos;
    EXPECT_TRUE(said);
  }
}

// UdpTransport::wake(): a worker told to stop leaves its receive() at once, but never before
// what is already queued has been read.
TEST_F(PeerSession, WakeEndsAReceiveButQueuedDatagramsComeFirst) {
  peer::UdpTransport a(kLoopback, "", port_, 0), b(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
  auto waiting = std::async(std::launch::async, [&] {
    const auto begin = Clock::now();
    const bool got = b.receive(5000ms).has_value();
    return std::pair(got, Clock::now() - begin);
  });
  std::this_thread::sleep_for(50ms);
  b.wake();
  const auto [got, took] = waiting.get();
  EXPECT_FALSE(got);
  EXPECT_LT(took, 2000ms);
  a.send(kLoopback, static_cast<std::uint16_t>(port_ + 1), Bytes{1, 2, 3});
  std::this_thread::sleep_for(20ms);
  b.wake();
  const auto d = b.receive(1000ms);
  ASSERT_TRUE(d.has_value()) << "the queued datagram before the wake";
  EXPECT_EQ(d->data, (Bytes{1, 2, 3}));
  EXPECT_FALSE(b.receive(1000ms).has_value()) << "then the wake";
  EXPECT_EQ(a.datagrams_sent(), 1U);
}

TEST_F(PeerSession, ResponderAnswersARetransmittedRequestWithTheSameResponse) {
  peer::UdpTransport ini_udp(kLoopback, "", port_, 0), res_udp(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
  peer::ikev2::Responder res(config_[1], creds_[1], *policy_[1], res_udp);
  auto served = std::async(std::launch::async, [&] { res.serve(1500ms); });
  peer::ikev2::IkeSa sa;
  sa.ends = ends();
  sa.suite = config_[0].ike.front();
  const peer::ikev2::Context ctx{config_[0], creds_[0], *policy_[0]};
  peer::ikev2::ike_sa_init_build_i(sa, ctx);
  std::vector<wire::Bytes> answers;
  ini_udp.send(kLoopback, static_cast<std::uint16_t>(port_ + 1), wire::Bytes{1, 2, 3}, port_);  // not IKE
  for (int i = 0; i < 2; ++i) {
    ini_udp.send(kLoopback, static_cast<std::uint16_t>(port_ + 1), sa.init_request, port_);
    auto d = ini_udp.receive(1000ms);
    ASSERT_TRUE(d.has_value());
    answers.push_back(d->data);
  }
  // Two answers, equal, for two copies of one request; none for the datagram that is not IKE.
  EXPECT_FALSE(ini_udp.receive(200ms).has_value());
  served.get();
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(res.sas().size(), 1U);
}

// Mutated datagrams of a real exchange, fed straight into our responders: nothing crashes
// (ASan / UBSan watch), nothing throws, and no IKE SA is ever established without a validated
// certificate (RFC 7296 §2.15 / RFC 2409 §5.1: authentication is the signature over the peer's
// certificate key).
Bytes mutate(Bytes b, const std::vector<std::pair<std::uint16_t, std::uint8_t>>& flips, std::uint16_t cut) {
  for (const auto& [at, x] : flips)
    if (!b.empty()) b[at % b.size()] ^= static_cast<std::uint8_t>(x | 1);
  if (cut % 4 == 0 && !b.empty()) b.resize(cut % b.size());
  return b;
}

TEST_F(PeerSession, MutatedRequestsNeverCrashOrAuthenticate) {
  peer::UdpTransport res_udp(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
  peer::ikev2::Responder v2(config_[1], creds_[1], *policy_[1], res_udp);
  peer::ikev1::Config c1;
  c1.local_id = {wire::ikev1::kIdFqdn, 0, 0, wire::Bytes{'R', '2'}};
  c1.local_ts = subnet(2);
  c1.remote_ts = subnet(1);
  peer::ikev1::Responder v1(c1, creds_[1], *policy_[1], res_udp);
  // A genuine IKEv2 IKE_SA_INIT and, after the responder's answer, a genuine IKE_AUTH.
  peer::ikev2::IkeSa ini;
  ini.ends = ends();
  ini.suite = config_[0].ike.front();
  const peer::ikev2::Context ctx{config_[0], creds_[0], *policy_[0]};
  peer::ikev2::ike_sa_init_build_i(ini, ctx);
  peer::ikev2::Responder genuine(config_[1], creds_[1], *policy_[1], res_udp);
  genuine.handle({kLoopback, port_, 500, ini.init_request});
  ASSERT_EQ(genuine.sas().size(), 1U);
  const Bytes init_response = genuine.sas().front().init_response;
  ASSERT_EQ(peer::ikev2::ike_sa_init_process_i(ini, ctx, *wire::decode(init_response), init_response),
            peer::ikev2::InitStatus::Done);
  ini.next_id = 1;
  const auto auth = peer::ikev2::seal(ini, peer::ikev2::header_for(ini, k2::kIkeAuth, 1, false),
                                      peer::ikev2::ike_auth_build_i(ini, ctx), 0)
                        .front();
  rc::check("mutations",
            [&](const std::vector<std::pair<std::uint16_t, std::uint8_t>>& flips, std::uint16_t cut, bool which) {
              const Bytes& base = which ? auth : ini.init_request;
              const Bytes bad = mutate(base, flips, cut);
              // The IKE_AUTH goes to the responder that holds the SA its SPIs name.
              peer::ikev2::Responder& target = which ? genuine : v2;
              target.handle({kLoopback, port_, 500, bad});
              v1.handle({kLoopback, port_, 500, bad});
              for (const auto* r : {&v2, &genuine})
                for (const auto& sa : r->sas()) RC_ASSERT(!sa.outcome.ike_sa || sa.validated_by.has_value());
              for (const auto& sa : v1.sas()) RC_ASSERT(!sa.outcome.isakmp_sa || sa.validated_by.has_value());
            });
  // The genuine IKE_AUTH still authenticates after all that.
  genuine.handle({kLoopback, port_, 500, auth});
  EXPECT_TRUE(genuine.sas().front().outcome.ike_sa) << trace(genuine.sas().front());
}

// The responder's IKE_SA_INIT answer: CERTREQ with the SHA-1 of each CA's SubjectPublicKeyInfo
// in the policy's order (RFC 7296 §3.7), HTTP_CERT_LOOKUP_SUPPORTED when configured (§3.10.1),
// fragmentation and signature hashes only when the initiator announced them.
TEST_F(PeerSession, ResponderInitAnswerCarriesCertreqAndAnnouncements) {
  peer::UdpTransport res_udp(kLoopback, "", static_cast<std::uint16_t>(port_ + 1), 0);
  config_[1].http_cert_lookup = true;
  peer::ikev2::Responder res(config_[1], creds_[1], *policy_[1], res_udp);
  peer::ikev2::IkeSa ini;
  ini.ends = ends();
  ini.suite = config_[0].ike.front();
  const peer::ikev2::Context ctx{config_[0], creds_[0], *policy_[0]};
  peer::ikev2::ike_sa_init_build_i(ini, ctx);
  res.handle({kLoopback, port_, 500, ini.init_request});
  ASSERT_EQ(res.sas().size(), 1U);
  const auto answer = wire::decode(res.sas().front().init_response);
  ASSERT_TRUE(answer.ok());
  std::vector<std::uint16_t> notifies;
  for (const auto* p : answer->all(k2::kN)) notifies.push_back(std::get<wire::NotifyV2>(p->body).type);
  for (std::uint16_t n : {k2::kNatDetectionSourceIp, k2::kNatDetectionDestinationIp, k2::kHttpCertLookupSupported,
                          k2::kIkev2FragmentationSupported, k2::kSignatureHashAlgorithms})
    EXPECT_NE(std::find(notifies.begin(), notifies.end(), n), notifies.end()) << "notify " << n;
  const auto* cr = answer->find(k2::kCERTREQ);
  ASSERT_NE(cr, nullptr);
  Bytes expected;  // the personality's order: strongSwan requests the CA it loaded last first
  ASSERT_EQ(policy_[1]->record().certreqs_sent.size(), 2U);
  EXPECT_EQ(policy_[1]->record().certreqs_sent[0].ca, 1);
  for (const CertReq& c : policy_[1]->record().certreqs_sent) {
    const auto& h = pki_.cas.at(static_cast<std::size_t>(c.ca)).spki_sha1;
    expected.insert(expected.end(), h.begin(), h.end());
  }
  EXPECT_EQ(std::get<wire::CertRequest>(cr->body).authority, expected);
  EXPECT_EQ(std::get<wire::CertRequest>(cr->body).encoding, wire::kCertX509Signature);
}

}  // namespace
}  // namespace ikeconform
