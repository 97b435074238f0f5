// Our IKEv2 engine (peer/) against a real charon in a network namespace pair (label `real`,
// needs root and strongSwan): our initiator completes IKE_SA_INIT + IKE_AUTH with a CHILD SA
// and deletes the IKE SA; a charon initiator completes against our responder and deletes it;
// the keys we derive equal the keys charon logs (`ike = 4` dumps SKEYSEED and SK_*); every
// captured packet decodes in tshark with nothing malformed.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include "drivers/capture/capture.hpp"
#include "drivers/cisco_ios/peer.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers_test_util.hpp"
#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/session.hpp"
#include "peer/personality_policy.hpp"
#include "tshark_util.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
namespace k2 = wire::ikev2;
using namespace std::chrono_literals;
using peer::ikev2::IkeSuite;
using Keys = peer::crypto::Ikev2Keys;

// One algorithm set per run: what our side offers (charon accepts both).
struct Suite {
  std::string name;
  IkeSuite ike;
  std::uint8_t auth_method;
};
const std::vector<Suite>& suites() {
  static const std::vector<Suite> kSuites = {
      {"aes128_sha256_modp2048_rfc7427",
       {k2::kEncrAesCbc, 128, k2::kAuthHmacSha256_128, k2::kPrfHmacSha256, 14},
       k2::kAuthDigitalSignature},
      {"aes256gcm16_prfsha256_ecp256_rsasig", {k2::kEncrAesGcm16, 256, 0, k2::kPrfHmacSha256, 19}, k2::kAuthRsaSig},
      {"aes256_sha384_prfsha384_ecp256",
       {k2::kEncrAesCbc, 256, k2::kAuthHmacSha384_192, k2::kPrfHmacSha384, 19},
       k2::kAuthDigitalSignature},
  };
  return kSuites;
}
constexpr const char* kCharonProposals[] = {"aes128-sha256-modp2048", "aes256gcm16-prfsha256-ecp256",
                                            "aes256-sha384-prfsha384-ecp256"};

wire::TrafficSelector subnet(std::uint8_t second_octet) {
  wire::TrafficSelector t;
  t.start_address = {10, second_octet, 0, 0};
  t.end_address = {10, second_octet, 0, 255};
  return t;
}

wire::IdV2 fqdn(const std::string& name) { return {k2::kIdFqdn, wire::Bytes(name.begin(), name.end())}; }

// The hex dump charon writes after "<label> => N bytes @ 0x..." at log level 4.
std::optional<wire::Bytes> logged_chunk(const std::string& log, const std::string& label) {
  const std::regex head(label + R"( => (\d+) bytes @)");
  std::smatch m;
  if (!std::regex_search(log, m, head)) return std::nullopt;
  const std::size_t size = std::stoul(m[1]);
  wire::Bytes out;
  std::istringstream rest(log.substr(static_cast<std::size_t>(m.position(0) + m.length(0))));
  const std::regex row(R"(^.*?\s(\d+): ((?:[0-9A-F]{2} ){1,16}))");
  for (std::string line; out.size() < size && std::getline(rest, line);) {
    std::smatch r;
    if (!std::regex_search(line, r, row)) continue;
    std::istringstream bytes(r[2]);
    for (std::string b; bytes >> b && out.size() < size;)
      out.push_back(static_cast<std::uint8_t>(std::stoul(b, nullptr, 16)));
  }
  return out;
}

// The rendered connection with charon's proposals replaced by kCharonProposals (VICI messages
// take a key once, so the message is copied entry by entry).
vici::Message with_proposals(const vici::Message& conn) {
  vici::Message out;
  for (const vici::Message::Entry& e : conn.entries()) {
    if (e.name == "proposals") {
      out.set_list("proposals", std::vector<std::string>(std::begin(kCharonProposals), std::end(kCharonProposals)));
    } else if (e.kind == vici::Message::Kind::Value) {
      out.set(e.name, e.value);
    } else if (e.kind == vici::Message::Kind::List) {
      out.set_list(e.name, e.items);
    } else {
      out.add_section(e.name, e.section);
    }
  }
  return out;
}

class PeerVsCharon : public ::testing::TestWithParam<Suite> {
 protected:
  void SetUp() override {
    if (!testing::is_root())
      GTEST_SKIP() << "\n\n*** SKIPPED: our IKE engine against charon needs root (namespaces) ***\n";
    if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
      GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
    s_ = scenario();
    dir_ = std::make_unique<process::TempDir>(fs::temp_directory_path(), process::run_prefix() + "-peer-");
    keys_ = std::make_unique<pki::KeyCache>(testing::test_key_cache());
    pki::PkiOptions po;
    po.p12 = false;
    pki_ = pki::make_pki(s_, dir_->path() / "pki", *keys_, po);
    net_ = std::make_unique<netns::NetnsPair>(s_.peers[0].address, s_.peers[1].address);
    start_charon();
    // kernel-libipsec routes the CHILD SA through an address inside its local selector.
    ASSERT_TRUE(net_->exec(1, {"ip", "addr", "add", strongswan::tunnel_address(1), "dev", "lo"}).ok());
    load_charon();
    // Our side: R1 with both CAs and both its certificates, deciding as strongSwan would
    // (request and trust every CA) and binding its profile to R2's FQDN.
    Scenario ours = s_;
    ours.peers[0].personality = strongswan::kPersonality;
    ours.peers[0].profiles[0].match = {{IdKind::Fqdn, s_.peers[1].fqdn, ""}};
    creds_ = cisco_ios::credentials(ours, 0, pki_);
    policy_ = std::make_unique<peer::PersonalityPolicy>(ours, 0, creds_);
    config_.ike = {GetParam().ike};
    config_.auth_method = GetParam().auth_method;
    config_.local_id = fqdn(s_.peers[0].fqdn);
    config_.remote_id = fqdn(s_.peers[1].fqdn);
    config_.local_ts = subnet(1);
    config_.remote_ts = subnet(2);
    config_.retransmit_timeout = 400ms;
    config_.retransmit_tries = 3;
  }
  virtual Scenario scenario() const { return testing::two_ca_scenario(); }
  void TearDown() override {
    vici_.reset();
    charon_.reset();
    net_.reset();
  }

  void start_charon() {
    const fs::path d = dir_->path() / "charon";
    fs::create_directories(d);
    strongswan::DaemonOptions o;
    o.dir = d;
    std::string conf = strongswan::render_strongswan_conf(o);
    // Level 4 of `ike` dumps SKEYSEED and every SK_* key: the cross-check of our key schedule.
    const auto at = conf.find("      ike = 2\n");
    ASSERT_NE(at, std::string::npos);
    conf.replace(at, 14, "      ike = 4\n");
    std::ofstream(d / "strongswan.conf") << conf;
    process::DaemonSpec spec;
    spec.name = "charon (peer test)";
    spec.argv = net_->exec_argv(1, {"charon-systemd"});
    spec.env = {{"STRONGSWAN_CONF", (d / "strongswan.conf").string()}};
    spec.log_file = d / "charon.out";
    spec.more_logs = {strongswan::log_path(d)};
    spec.stop_grace = 1000ms;
    charon_dir_ = d;
    charon_ = std::make_unique<process::Daemon>(std::move(spec));
    charon_->wait_ready(
        [&] {
          try {
            vici::Client c = vici::Client::connect(strongswan::vici_uri(d), 200ms);
            c.stats();
            vici_.emplace(std::move(c));
            return true;
          } catch (const vici::Error&) {
            return false;
          }
        },
        5000ms);
  }

  void load_charon() {
    const strongswan::Material m = strongswan::material_from(pki_, s_);
    strongswan::PeerConfig pc = strongswan::render_peer(s_, 1, m, {});
    if (s_.ike_version == IkeVersion::V2)
      for (auto& c : pc.connections) c.conf = with_proposals(c.conf);
    tunnel_ = pc.tunnel_connection().name;
    child_ = pc.tunnel_connection().child;
    std::string loaded;
    strongswan::load_peer(*vici_, loaded, pc);
  }

  // charon's view: one IKE SA ESTABLISHED with a CHILD SA INSTALLED.
  std::pair<bool, bool> charon_state() {
    bool ike = false, child = false;
    for (const vici::Message& event : vici_->list_sas())
      for (const vici::Message::Entry& e : event.entries()) {
        if (e.kind != vici::Message::Kind::Section) continue;
        ike = ike || e.section.get("state") == "ESTABLISHED";
        if (const vici::Message* children = e.section.section("child-sas"))
          for (const vici::Message::Entry& c : children->entries())
            child = child || (c.kind == vici::Message::Kind::Section && c.section.get("state") == "INSTALLED");
      }
    return {ike, child};
  }

  // An engine's trace (IKEv1 or IKEv2 SA), one line each.
  template <class Sa>
  static std::string trace_of(const Sa& sa) {
    std::string t;
    for (const auto& l : sa.trace) t += l + "\n";
    return t;
  }

  // charon initiates its tunnel while `serve` runs our responder; then it terminates.
  struct CharonRun {
    vici::CommandResult result;
    std::pair<bool, bool> state;  // charon_state() right after `initiate`
  };
  CharonRun charon_initiates(const std::function<void()>& serve) {
    auto served = std::async(std::launch::async, serve);
    vici::InitiateArgs a;
    a.ike = tunnel_;
    a.child = child_;
    a.timeout = 8000ms;
    CharonRun run{vici_->initiate(a), {}};
    run.state = charon_state();
    vici::TerminateArgs t;
    t.ike = tunnel_;
    t.timeout = 3000ms;
    vici_->terminate(t);
    served.get();
    return run;
  }

  std::string charon_log() const {
    std::ifstream f(strongswan::log_path(charon_dir_));
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  // Our keys equal charon's (it logs them as responder and as initiator alike).
  void expect_keys_match(const Keys& ours) {
    const std::string log = charon_log();
    const std::pair<const char*, const wire::Bytes*> keys[] = {
        {"SKEYSEED", &ours.skeyseed},  {"Sk_d secret", &ours.sk_d},   {"Sk_ei secret", &ours.sk_ei},
        {"Sk_er secret", &ours.sk_er}, {"Sk_pi secret", &ours.sk_pi}, {"Sk_pr secret", &ours.sk_pr}};
    for (const auto& [label, ours_key] : keys) {
      const auto theirs = logged_chunk(log, label);
      ASSERT_TRUE(theirs.has_value()) << "charon logged no " << label << "\n" << log;
      EXPECT_EQ(*theirs, *ours_key) << label;
    }
    if (!ours.sk_ai.empty()) {
      EXPECT_EQ(logged_chunk(log, "Sk_ai secret"), ours.sk_ai);
      EXPECT_EQ(logged_chunk(log, "Sk_ar secret"), ours.sk_ar);
    }
  }

  void check_capture(capture::Capture& cap, const std::string& name) {
    const fs::path file = dir_->path() / (name + ".pcap");
    cap.end().save(file);
    if (!testing::have_tshark()) {
      ADD_FAILURE() << "tshark not found at /usr/bin/tshark: the capture cannot be checked";
      return;
    }
    std::vector<wire::Bytes> hashes;
    for (const auto& ca : pki_.cas) hashes.emplace_back(ca.spki_sha1.begin(), ca.spki_sha1.end());
    testing::check_with_tshark(file, s_, wire::ca_tables(s_, true, hashes), /*checksums=*/false);
  }

  Scenario s_;
  std::unique_ptr<process::TempDir> dir_;
  std::unique_ptr<pki::KeyCache> keys_;
  pki::Pki pki_;
  std::unique_ptr<netns::NetnsPair> net_;
  fs::path charon_dir_;
  std::unique_ptr<process::Daemon> charon_;
  std::optional<vici::Client> vici_;
  std::string tunnel_, child_;
  peer::Credentials creds_;
  std::unique_ptr<peer::PersonalityPolicy> policy_;
  peer::ikev2::Config config_;
};

TEST_P(PeerVsCharon, OurInitiatorEstablishesIkeAndChildSaThenDeletes) {
  capture::Capture cap(net_->ns(0), net_->interface(0));
  cap.begin();
  peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
  peer::ikev2::Initiator ini(config_, creds_, *policy_, udp, {s_.peers[0].address, s_.peers[1].address, 500, 500});
  const auto& sa = ini.establish();
  const std::string trace = trace_of(sa);
  ASSERT_TRUE(sa.outcome.ike_sa) << sa.outcome.reason << "\n" << trace << charon_->report();
  EXPECT_TRUE(sa.outcome.child_sa) << trace;
  EXPECT_EQ(sa.received.certreqs.size(), 2U) << "charon requests both its CAs\n" << trace;
  EXPECT_TRUE(sa.validated_by.has_value());
  EXPECT_EQ(charon_state(), std::pair(true, true)) << charon_log();
  expect_keys_match(sa.keys);
  EXPECT_TRUE(ini.delete_ike_sa()) << trace;
  EXPECT_EQ(charon_state().first, false) << "charon still holds the IKE SA after our Delete";
  EXPECT_TRUE(charon_->alive());
  std::cout << "fragments received from charon: " << ini.fragments_received()
            << ", retransmissions: " << ini.retransmissions() << "\n";
  check_capture(cap, "initiator-" + GetParam().name);
}

TEST_P(PeerVsCharon, CharonInitiatorEstablishesAgainstOurResponder) {
  capture::Capture cap(net_->ns(0), net_->interface(0));
  cap.begin();
  peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
  peer::ikev2::Responder res(config_, creds_, *policy_, udp);
  const auto [r, state] = charon_initiates([&] {
    res.serve(20s, [](const peer::ikev2::Responder& x) { return !x.sas().empty() && x.sas().back().deleted; });
  });
  ASSERT_FALSE(res.sas().empty()) << "no IKE_SA_INIT reached our responder\n" << charon_log();
  const auto& sa = res.sas().back();
  const std::string trace = trace_of(sa);
  EXPECT_TRUE(r.success) << r.errmsg << "\n" << trace << charon_log();
  EXPECT_EQ(state, std::pair(true, true)) << trace;
  EXPECT_TRUE(sa.outcome.ike_sa) << sa.outcome.reason << "\n" << trace;
  EXPECT_TRUE(sa.outcome.child_sa) << trace;
  EXPECT_TRUE(sa.deleted) << "charon's Delete did not reach our responder\n" << trace;
  EXPECT_TRUE(sa.validated_by.has_value());
  expect_keys_match(sa.keys);
  std::cout << "fragments received from charon: " << res.fragments_received() << "\n";
  check_capture(cap, "responder-" + GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Suites, PeerVsCharon, ::testing::ValuesIn(suites()),
                         [](const ::testing::TestParamInfo<Suite>& i) { return i.param.name; });

// ---- Error paths (one algorithm set) --------------------------------------------------------------

// Trusts no CA: every peer certificate fails validation (an emulated router without the
// issuer's trustpoint).
class TrustNoOne final : public peer::CertificatePolicy {
 public:
  explicit TrustNoOne(peer::CertificatePolicy& p) : p_(p) {}
  void begin(peer::Role r) override { p_.begin(r); }
  std::optional<std::vector<wire::Bytes>> certreq(const peer::CertStep& at) override { return p_.certreq(at); }
  std::optional<std::size_t> choose_certificate(const peer::CertStep& at) override { return p_.choose_certificate(at); }
  bool sends_certificate(const peer::CertStep& at) override { return p_.sends_certificate(at); }
  bool bind_profile(const peer::CertStep& at) override { return p_.bind_profile(at); }
  std::vector<std::size_t> trust_anchors(const peer::CertStep&) override { return {}; }
  void certificate_checked(const peer::CertStep& at, std::optional<std::size_t> a) override {
    p_.certificate_checked(at, a);
  }
  bool ipsec_policy(const peer::CertStep& at) override { return p_.ipsec_policy(at); }

 private:
  peer::CertificatePolicy& p_;
};

class PeerVsCharonErrors : public PeerVsCharon {
 protected:
  // Our initiator against charon with `config_` as the test left it.
  peer::ikev2::IkeSa initiate(peer::CertificatePolicy& policy) {
    peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
    peer::ikev2::Initiator ini(config_, creds_, policy, udp, {s_.peers[0].address, s_.peers[1].address, 500, 500});
    ini.establish();
    ini.delete_ike_sa();
    return ini.sa();
  }
};

// RFC 7296 §2.7: no acceptable proposal -> NO_PROPOSAL_CHOSEN in the IKE_SA_INIT response.
TEST_P(PeerVsCharonErrors, NoProposalChosen) {
  config_.ike = {{k2::kEncrAesCbc, 192, k2::kAuthHmacSha512_256, k2::kPrfHmacSha512, 14}};
  const auto sa = initiate(*policy_);
  EXPECT_EQ(sa.outcome.failed_at, "IKE_SA_INIT") << trace_of(sa);
  EXPECT_EQ(sa.outcome.error, k2::kNoProposalChosen) << trace_of(sa);
  EXPECT_FALSE(sa.outcome.ike_sa);
}

// §1.3: KE of a group the responder does not pick -> INVALID_KE_PAYLOAD naming its group; we
// retry with that group and succeed.
TEST_P(PeerVsCharonErrors, InvalidKePayloadThenRetry) {
  config_.ike = {{k2::kEncrAesCbc, 128, k2::kAuthHmacSha256_128, k2::kPrfHmacSha256, 19},
                 {k2::kEncrAesCbc, 128, k2::kAuthHmacSha256_128, k2::kPrfHmacSha256, 14}};
  const auto sa = initiate(*policy_);
  EXPECT_TRUE(sa.outcome.ike_sa) << trace_of(sa);
  EXPECT_EQ(sa.suite.dh, 14) << trace_of(sa);
  EXPECT_NE(trace_of(sa).find("it requested 14"), std::string::npos) << trace_of(sa);
}

// Our IDi does not match our certificate: charon answers AUTHENTICATION_FAILED (§2.21.2).
TEST_P(PeerVsCharonErrors, CharonRejectsOurAuthentication) {
  config_.local_id = fqdn("R9.cisco.com");
  const auto sa = initiate(*policy_);
  EXPECT_EQ(sa.outcome.failed_at, "IKE_AUTH") << trace_of(sa);
  EXPECT_EQ(sa.outcome.error, k2::kAuthenticationFailed) << trace_of(sa);
  EXPECT_FALSE(sa.outcome.ike_sa);
  EXPECT_NE(charon_log().find("R9.cisco.com"), std::string::npos);
}

// We reject charon's certificate: no SA on an unverified certificate, and charon is told in an
// INFORMATIONAL AUTHENTICATION_FAILED.
TEST_P(PeerVsCharonErrors, WeRejectCharonsCertificate) {
  TrustNoOne none(*policy_);
  const auto sa = initiate(none);
  EXPECT_FALSE(sa.outcome.ike_sa) << trace_of(sa);
  EXPECT_EQ(sa.outcome.error, k2::kAuthenticationFailed) << trace_of(sa);
  EXPECT_FALSE(sa.validated_by.has_value());
  std::this_thread::sleep_for(300ms);
  const std::string log = charon_log();
  EXPECT_NE(log.find("parsed INFORMATIONAL request 2 [ N(AUTH_FAILED) ]"), std::string::npos)
      << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
  EXPECT_FALSE(charon_state().first) << "charon keeps the IKE SA its peer refused";
}

// Our networks are not charon's: the IKE SA stands, the CHILD SA is refused with TS_UNACCEPTABLE.
TEST_P(PeerVsCharonErrors, TsUnacceptable) {
  config_.local_ts = subnet(9);
  const auto sa = initiate(*policy_);
  EXPECT_TRUE(sa.outcome.ike_sa) << trace_of(sa);
  EXPECT_FALSE(sa.outcome.child_sa);
  EXPECT_EQ(sa.outcome.error, k2::kTsUnacceptable) << trace_of(sa);
}

// As responder we refuse charon's certificate: AUTHENTICATION_FAILED, charon's initiate fails.
TEST_P(PeerVsCharonErrors, OurResponderRejectsCharon) {
  TrustNoOne none(*policy_);
  peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
  peer::ikev2::Responder res(config_, creds_, none, udp);
  const auto r = charon_initiates([&] {
                   res.serve(10s, [](const peer::ikev2::Responder& x) {
                     return !x.sas().empty() && !x.sas().back().outcome.failed_at.empty();
                   });
                 }).result;
  ASSERT_FALSE(res.sas().empty());
  const auto& sa = res.sas().back();
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(sa.outcome.ike_sa) << trace_of(sa);
  EXPECT_EQ(sa.outcome.error, k2::kAuthenticationFailed) << trace_of(sa);
  EXPECT_NE(charon_log().find("received AUTHENTICATION_FAILED notify error"), std::string::npos) << charon_log();
  EXPECT_EQ(charon_state().first, false);
  EXPECT_TRUE(charon_->alive());
}

INSTANTIATE_TEST_SUITE_P(Cbc, PeerVsCharonErrors, ::testing::Values(suites().front()),
                         [](const ::testing::TestParamInfo<Suite>& i) { return i.param.name; });

// ---- IKEv1: Main Mode with RSA signatures + Quick Mode ---------------------------------------------

class PeerV1VsCharon : public PeerVsCharon {
 protected:
  Scenario scenario() const override {
    Scenario s = testing::two_ca_scenario();
    s.ike_version = IkeVersion::V1;
    return s;
  }
  // R1 (us): its FQDN as IDii / IDir, 10.1.0.0/24 behind it, 10.2.0.0/24 behind charon.
  peer::ikev1::Config v1_config() const {
    peer::ikev1::Config c;
    const std::string self = s_.peers[0].fqdn;
    c.local_id = {wire::ikev1::kIdFqdn, 0, 0, wire::Bytes(self.begin(), self.end())};
    c.local_ts = subnet(1);
    c.remote_ts = subnet(2);
    c.retransmit_timeout = 400ms;
    c.retransmit_tries = 3;
    return c;
  }
};

TEST_P(PeerV1VsCharon, MainModeAndQuickModeThenDelete) {
  capture::Capture cap(net_->ns(0), net_->interface(0));
  cap.begin();
  peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
  peer::ikev1::Config c = v1_config();
  peer::ikev1::Initiator ini(c, creds_, *policy_, udp, s_.peers[1].address);
  const auto& sa = ini.establish();
  const std::string trace = trace_of(sa);
  ASSERT_TRUE(sa.outcome.isakmp_sa) << sa.outcome.failed_at << ": " << sa.outcome.reason << "\n"
                                    << trace << charon_log();
  EXPECT_TRUE(sa.outcome.ipsec_sa) << trace;
  EXPECT_EQ(sa.received.certreqs.size(), 2U) << "charon's MM4 requests both its CAs\n" << trace;
  EXPECT_TRUE(sa.validated_by.has_value());
  // charon installs the CHILD SA once QM3 arrived.
  std::pair<bool, bool> state;
  for (int i = 0; i < 20 && state != std::pair(true, true); ++i) {
    std::this_thread::sleep_for(50ms);
    state = charon_state();
  }
  EXPECT_EQ(state, std::pair(true, true)) << trace << charon_log();
  // Our RFC 2409 key schedule equals charon's (keymat_v1 dumps it at `ike = 4`).
  const std::string log = charon_log();
  const std::pair<const char*, const wire::Bytes*> keys[] = {
      {"SKEYID", &sa.keys.skeyid},     {"SKEYID_d", &sa.keys.skeyid_d},         {"SKEYID_a", &sa.keys.skeyid_a},
      {"SKEYID_e", &sa.keys.skeyid_e}, {"encryption key Ka", &sa.keys.enc_key}, {"initial IV", &sa.keys.iv}};
  for (const auto& [label, ours] : keys) {
    const auto theirs = logged_chunk(log, label);
    ASSERT_TRUE(theirs.has_value()) << "charon logged no " << label << "\n" << log;
    EXPECT_EQ(*theirs, *ours) << label;
  }
  ini.delete_isakmp_sa();
  for (int i = 0; i < 20 && charon_state().first; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(charon_state().first) << "charon keeps the ISAKMP SA after our Delete\n" << charon_log();
  EXPECT_TRUE(charon_->alive());
  check_capture(cap, "ikev1-initiator");
}

TEST_P(PeerV1VsCharon, CharonInitiatorCompletesMainAndQuickModeAgainstOurResponder) {
  capture::Capture cap(net_->ns(0), net_->interface(0));
  cap.begin();
  peer::UdpTransport udp(s_.peers[0].address, net_->ns(0));
  peer::ikev1::Config c = v1_config();
  peer::ikev1::Responder res(c, creds_, *policy_, udp);
  const auto [r, state] = charon_initiates([&] {
    res.serve(20s, [](const peer::ikev1::Responder& x) { return !x.sas().empty() && x.sas().back().deleted; });
  });
  ASSERT_FALSE(res.sas().empty()) << "no Main Mode reached our responder\n" << charon_log();
  const auto& sa = res.sas().back();
  const std::string trace = trace_of(sa);
  EXPECT_TRUE(r.success) << r.errmsg << "\n" << trace << charon_log();
  EXPECT_EQ(state, std::pair(true, true)) << trace;
  EXPECT_TRUE(sa.outcome.isakmp_sa) << sa.outcome.failed_at << ": " << sa.outcome.reason << "\n" << trace;
  EXPECT_TRUE(sa.outcome.ipsec_sa) << trace;
  EXPECT_EQ(sa.received.certreqs.size(), 2U) << trace;
  EXPECT_TRUE(sa.validated_by.has_value());
  EXPECT_TRUE(sa.deleted) << "charon's Delete did not reach our responder\n" << trace;
  EXPECT_EQ(logged_chunk(charon_log(), "SKEYID"), sa.keys.skeyid);
  check_capture(cap, "ikev1-responder");
}

INSTANTIATE_TEST_SUITE_P(Ikev1, PeerV1VsCharon, ::testing::Values(suites().front()),
                         [](const ::testing::TestParamInfo<Suite>&) { return std::string("aes128_sha256_modp2048"); });

}  // namespace
}  // namespace ikeconform
