// charon log lines -> Observation, on lines recorded from charon 5.9.8 running S1 (IKEv1).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <sstream>

#include "drivers/strongswan/observe.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

namespace ss = strongswan;

std::vector<ss::LogLine> lines(const std::string& text) {
  std::vector<ss::LogLine> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    if (auto p = ss::parse_filelog_line(l)) out.push_back(*p);
  return out;
}

TEST(StrongswanObserve, ParsesFilelogLines) {
  EXPECT_EQ(ss::parse_filelog_line("13[IKE1] sending cert request for \"O=com, O=cisco, CN=CA1\""),
            (ss::LogLine{"IKE", 1, "sending cert request for \"O=com, O=cisco, CN=CA1\""}));
  EXPECT_EQ(ss::parse_filelog_line("Nov 29 07:28:20 05[CFG2]   candidate \"x\""),
            (ss::LogLine{"CFG", 2, "  candidate \"x\""}));
  EXPECT_EQ(ss::parse_filelog_line("00[LIB] loaded plugins: x"), (ss::LogLine{"LIB", 1, "loaded plugins: x"}));
  EXPECT_EQ(ss::parse_filelog_line("opening directory '/x' failed"), std::nullopt);
  EXPECT_EQ(ss::parse_filelog_line("[IKE] no thread"), std::nullopt);
  EXPECT_EQ(ss::parse_filelog_line(""), std::nullopt);
  EXPECT_EQ(ss::parse_filelog_line("1[]"), std::nullopt);
}

RC_GTEST_PROP(StrongswanObserveProperty, FilelogParserNeverCrashes, (const std::string& line)) {
  if (auto l = ss::parse_filelog_line(line)) RC_ASSERT(l->group.size() == 3U);
}

TEST(StrongswanObserve, LogEvents) {
  vici::Message m;
  m.set("group", "IKE").set("level", "2").set("msg", "hello");
  EXPECT_EQ(ss::from_log_event(m), (ss::LogLine{"IKE", 2, "hello"}));
}

// R2 initiates S1 with its CA2 certificate; R1 (CA1 only) rejects it at MM5.
constexpr const char* kR2Initiator = R"(
13[IKE1] initiating Main Mode IKE_SA s2-prof1[3] to 192.168.0.1
13[ENC1] generating ID_PROT request 0 [ SA V V V V V ]
13[NET1] sending packet: from 192.168.0.2[500] to 192.168.0.1[500] (180 bytes)
14[NET1] received packet: from 192.168.0.1[500] to 192.168.0.2[500] (160 bytes)
14[ENC1] parsed ID_PROT response 0 [ KE No CERTREQ CERTREQ NAT-D NAT-D ]
14[IKE1] received cert request for 'O=com, O=cisco, CN=CA2'
14[IKE1] received cert request for 'O=com, O=cisco, CN=CA1'
14[IKE1] sending cert request for "O=com, O=cisco, CN=CA2"
14[IKE1] sending cert request for "O=com, O=cisco, CN=CA1"
14[IKE1] authentication of 'R2.cisco.com' (myself) successful
14[IKE1] sending end entity cert "O=com, O=cisco, OU=IOSCA2, CN=R2"
15[ENC1] parsed INFORMATIONAL_V1 request 1928206550 [ HASH N(AUTH_FAILED) ]
15[IKE1] received AUTHENTICATION_FAILED error notify
)";

constexpr const char* kR1Responder = R"(
13[IKE1] 192.168.0.2 is initiating a Main Mode IKE_SA
15[IKE1] sending cert request for "O=com, O=cisco, CN=CA2"
15[IKE1] sending cert request for "O=com, O=cisco, CN=CA1"
11[IKE1] received end entity cert "O=com, O=cisco, OU=IOSCA2, CN=R2"
11[CFG1] looking for RSA signature peer configs matching 192.168.0.1...192.168.0.2[R2.cisco.com]
11[CFG2]   candidate "s2-prof1", match: 1/20/3100 (me/other/ike)
11[CFG1] selected peer config "s2-prof1"
11[CFG1]   using trusted ca certificate "O=com, O=cisco, CN=CA2"
11[IKE1] authentication of 'R2.cisco.com' with RSA_EMSA_PKCS1_NULL successful
11[CFG1] constraint check failed: peer not authenticated by CA 'O=com, O=cisco, CN=CA1'
11[CFG1] no alternative config found
)";

ss::RunEvidence r2_initiates() {
  ss::RunEvidence e;
  e.initiator = 1;
  e.sides[1].log = lines(kR2Initiator);
  e.sides[0].log = lines(kR1Responder);
  e.initiate_errmsg = "establishing CHILD_SA 's2-prof1-tun' failed";
  return e;
}

ss::RenderOptions prefix(const char* p) {
  ss::RenderOptions o;
  o.prefix = p;
  return o;
}

TEST(StrongswanObserve, S1R2InitiatesRejectedAtMM5) {
  const Scenario s = testing::s1_scenario();
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s2-"), r2_initiates());
  EXPECT_EQ(o.initiator, 1);
  EXPECT_EQ(o.ike_sa, SaResult::Failed);
  EXPECT_EQ(o.child_sa, SaResult::NotAttempted);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.initiator_trustpoint, 1);  // R2's IOSCA2
  EXPECT_EQ(o.responder_trustpoint, kNone);
  EXPECT_EQ(o.responder_profile, 0);
  // CA indices and the sender's trustpoint for them (both peers: IOSCA1 = CA1, IOSCA2 = CA2).
  EXPECT_EQ(o.certreq_from_initiator, (CertReqList{{1, 1}, {0, 0}}));
  EXPECT_EQ(o.certreq_from_responder, (CertReqList{{1, 1}, {0, 0}}));
  ASSERT_FALSE(o.trace.empty());
  EXPECT_EQ(o.trace.front(), "R2: [IKE] initiating Main Mode IKE_SA s2-prof1[3] to 192.168.0.1");
  EXPECT_TRUE(std::find(o.trace.begin(), o.trace.end(),
                        "R1: [CFG] constraint check failed: peer not authenticated by CA 'O=com, O=cisco, CN=CA1'") !=
              o.trace.end());
  // Level-2 lines stay out of the trace.
  for (const std::string& l : o.trace) EXPECT_EQ(l.find("candidate"), std::string::npos) << l;
}

TEST(StrongswanObserve, InitiatorRejectsResponderAtMM6) {
  const Scenario s = testing::s1_scenario();
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[0].log = lines(
      "14[NET1] received packet: from 192.168.0.2[4500] to 192.168.0.1[4500] (1196 bytes)\n"
      "14[CFG1] constraint check failed: peer not authenticated by CA 'O=com, O=cisco, CN=CA1'\n");
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_EQ(o.failed_at, Message::MM6);
  Scenario v2 = s;
  v2.ike_version = IkeVersion::V2;
  EXPECT_EQ(ss::observe(v2, testing::fake_material(v2), prefix("s1-"), e).failed_at, Message::IKE_AUTH);
}

// Recorded (strongswan,libreswan seed 3, scenario 18): pluto refused charon's IKE_AUTH request as
// malformed; charon's initiator says what it received.
TEST(StrongswanObserve, InitiatorToldInvalidSyntax) {
  ss::SideEvidence side;
  side.log = lines(
      "03[ENC1] parsed IKE_AUTH response 1 [ N(INVAL_SYN) ]\n"
      "03[IKE1] received INVALID_SYNTAX notify error\n");
  EXPECT_EQ(ss::side_verdict(side, Role::Initiator), stack::Verdict::InvalidSyntax);
}

// Recorded (campaign seed 3, scenario 27): R1's profile expects a pre-shared key from R2, which
// signs; charon's IKEv2 initiator refuses after IKE_AUTH -- the model's AUTH_METHOD_MISMATCH.
TEST(StrongswanObserve, InitiatorRefusesTheResponderAuthenticationMethod) {
  Scenario s = testing::s1_scenario();
  s.ike_version = IkeVersion::V2;
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[0].log = lines(
      "14[NET1] received packet: from 192.168.0.2[4500] to 192.168.0.1[4500] (228 bytes)\n"
      "14[IKE1] authentication of 'R2.cisco.com' with RSA_EMSA_PKCS1_SHA2_256 successful\n"
      "14[CFG1] constraint requires pre-shared key authentication, but public key was used\n"
      "14[CFG1] selected peer config 's1-prof1' unacceptable: constraint checking failed\n"
      "14[CFG1] no alternative config found\n");
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::AuthMethodMismatch);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
}

// Recorded (soak, seed 1): R2's first peer config expects a pre-shared key, R1 signs; charon
// switches to the next config, which has no key to sign with: the model's NO_CERTIFICATE_PAYLOAD,
// not the method mismatch of the config it left.
TEST(StrongswanObserve, ResponderSwitchingConfigAfterAMethodConstraintIsJudgedByItsLaterRefusal) {
  Scenario s = testing::s1_scenario();
  s.ike_version = IkeVersion::V2;
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[1].log = lines(
      "14[IKE1] authentication of 'R1.cisco.com' with RSA_EMSA_PKCS1_SHA2_256 successful\n"
      "14[CFG1] constraint requires pre-shared key authentication, but public key was used\n"
      "14[CFG1] selected peer config 's1-prof2' unacceptable: non-matching authentication done\n"
      "14[CFG1] switching to peer config 's1-prof2'\n"
      "14[IKE1] no private key found for 'R2.cisco.com'\n"
      "14[ENC1] generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]\n");
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::NoCertificatePayload);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
}

// Recorded (seed 1, index 1731): R1's remote.id is a subnet, sent as IDr; R2 selects its config,
// then refuses the IDr: NO_MATCHING_PROFILE with no profile bound, as the strongswan-5.9
// personality predicts.
TEST(StrongswanObserve, ResponderRefusingASubnetIdrBindsNoProfile) {
  Scenario s = testing::s1_scenario();
  s.ike_version = IkeVersion::V2;
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[1].log = lines(
      "14[CFG1] selected peer config 's1-prof1'\n"
      "14[IKE1] authentication of '192.168.0.1' with RSA_EMSA_PKCS1_SHA2_256 successful\n"
      "14[CFG1] received IDr 192.168.0.0/24, but require 192.168.0.2\n"
      "14[ENC1] generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]\n");
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::NoMatchingProfile);
  EXPECT_EQ(o.responder_profile, kNone);
}

// charon refusing to initiate what we loaded is our rendering's fault: INTERNAL_ERROR (the
// infrastructure error), never a verdict such as PEER_UNREACHABLE.
TEST(StrongswanObserve, RefusedConfigurationIsNoVerdict) {
  const Scenario s = testing::s1_scenario();
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[0].log = lines("09[CFG0] configuration uses unsupported authentication\n");
  const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::InternalError);
  EXPECT_TRUE(std::find(o.trace.begin(), o.trace.end(),
                        "harness: the stack refused our configuration: [CFG] configuration uses unsupported "
                        "authentication") != o.trace.end());
}

// An IKEv1 initiator without a key sends nothing: NO_CERTIFICATE_PAYLOAD at MM1, also when its
// log is read before the "configuration uses unsupported authentication" that follows (seen:
// MM5 once, libreswan,strongswan seed 3, scenario 550); one that heard the peer lacked it at MM5.
TEST(StrongswanObserve, Ikev1InitiatorWithoutKeyStopsAtMm1) {
  const Scenario s = testing::s1_scenario();
  // The message at which the initiator's log (alone) says it failed, for want of a key.
  const auto failed_at = [&](const std::string& initiator_log) {
    ss::RunEvidence e;
    e.initiator = 0;
    e.sides[0].log = lines(initiator_log);
    const Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
    EXPECT_EQ(o.reason, Reason::NoCertificatePayload) << initiator_log;
    return o.failed_at;
  };
  const std::string no_key =
      "09[IKE0] initiating Main Mode IKE_SA s1-prof1[1] to 192.168.0.2\n"
      "09[IKE0] no private key found for 'R1.cisco.com'\n";
  EXPECT_EQ(failed_at(no_key), Message::MM1);
  EXPECT_EQ(failed_at(no_key + "09[CFG0] configuration uses unsupported authentication\n"), Message::MM1);
  EXPECT_EQ(failed_at("13[NET0] received packet: from 192.168.0.2[500] to 192.168.0.1[500] (372 bytes)\n"
                      "13[IKE0] no private key found for 'R1.cisco.com'\n"),
            Message::MM5);
}

TEST(StrongswanObserve, EstablishedAndChildOutcomes) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[0].ike_established = true;
  e.sides[0].child_installed = true;
  Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_TRUE(o.up());
  EXPECT_EQ(o.reason, Reason::None);
  EXPECT_EQ(o.failed_at, Message::None);

  e.sides[0].child_installed = false;
  e.sides[1].log = lines(
      "11[IKE1] traffic selectors 10.2.0.0/24 === 10.1.0.0/24 unacceptable\n"
      "11[ENC1] generating IKE_AUTH response 1 [ IDr CERT AUTH N(TS_UNACCEPT) ]\n"
      "11[IKE1] no acceptable traffic selectors found\n");
  o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  EXPECT_EQ(o.reason, Reason::TsUnacceptable);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
}

TEST(StrongswanObserve, NoAnswerNoProposalAndHarnessErrors) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  ss::RunEvidence e;
  e.initiator = 0;
  e.sides[0].log = lines(
      "13[NET1] sending packet: from 192.168.0.1[500] to 192.168.0.2[500] (336 bytes)\n"
      "09[IKE1] giving up after 2 retransmits\n");
  Observation o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::PeerUnreachable);
  EXPECT_EQ(o.failed_at, Message::IKE_SA_INIT);

  e.sides[0].log = lines(
      "14[NET1] received packet: from 192.168.0.2[500] to 192.168.0.1[500] (36 bytes)\n"
      "14[IKE1] received NO_PROPOSAL_CHOSEN notify error\n");
  o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::NoProposalChosen);
  EXPECT_EQ(o.failed_at, Message::IKE_SA_INIT);

  e.sides[1].daemon_alive = false;
  o = ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
  EXPECT_EQ(o.reason, Reason::InternalError);

  ss::RunEvidence h;
  h.harness_error = "VICI: timed out while reading";
  o = ss::observe(s, testing::fake_material(s), prefix("s1-"), h);
  EXPECT_EQ(o.reason, Reason::InternalError);
  EXPECT_EQ(o.trace.back(), "harness: VICI: timed out while reading");
}

// One run of s1 in which only the initiator's log (and, when given, the responder's) says something.
Observation observe_s1(IkeVersion v, std::uint8_t initiator, const std::string& initiator_log,
                       const std::string& responder_log = "") {
  const Scenario s = testing::s1_scenario(v);
  ss::RunEvidence e;
  e.initiator = initiator;
  e.sides[initiator].log = lines(initiator_log);
  e.sides[1 - initiator].log = lines(responder_log);
  return ss::observe(s, testing::fake_material(s), prefix("s1-"), e);
}

// Issue 11 (tests/data/faithful/): charon's IKEv1 responder selects by ID and method together
// ("found 1 matching config, but none allows RSA signature authentication"): no profile bound.
TEST(StrongswanObserve, NoConfigAllowingTheMethodIsNoMatchingProfile) {
  const Observation o = observe_s1(IkeVersion::V1, 0, "10[IKE1] received AUTHENTICATION_FAILED notify error\n",
                                   "09[CFG1] looking for RSA signature peer configs matching "
                                   "192.168.0.2...192.168.0.1[R1.cisco.com]\n"
                                   "09[IKE1] found 1 matching config, but none allows RSA signature authentication "
                                   "using Main Mode\n");
  EXPECT_EQ(o.reason, Reason::NoMatchingProfile);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.responder_profile, kNone);
}

// charon logs its CERTREQs while building IKE_AUTH; without a private key that message never
// leaves, so no CERTREQ was sent ("sending cert request ..." then "no private key found").
TEST(StrongswanObserve, CertreqsOfAMessageNeverSentDoNotCount) {
  const Observation o = observe_s1(IkeVersion::V2, 1,
                                   "12[IKE1] sending cert request for \"O=com, O=cisco, CN=CA1\"\n"
                                   "12[IKE1] no private key found for 'R2.cisco.com'\n");
  EXPECT_EQ(o.reason, Reason::NoCertificatePayload);
  EXPECT_TRUE(o.certreq_from_initiator.empty());
}

TEST(StrongswanObserve, ListSasPicksOurPrefix) {
  vici::Message ev;
  vici::Message& ike = ev.section("s3-prof1");
  ike.set("state", "ESTABLISHED");
  ike.section("child-sas").section("s3-prof1-tun-1").set("state", "INSTALLED");
  vici::Message other;
  other.section("s2-prof1").set("state", "ESTABLISHED");
  ss::SideEvidence side;
  ss::read_list_sas({other}, "s3-", side);
  EXPECT_FALSE(side.ike_established);
  ss::read_list_sas({other, ev}, "s3-", side);
  EXPECT_TRUE(side.ike_established);
  EXPECT_TRUE(side.child_installed);
}

}  // namespace
}  // namespace ikeconform
