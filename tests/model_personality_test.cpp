// The strongswan-5.9 personality against spec/real-stacks.md, and mixed pairs.
#include <gtest/gtest.h>

#include "model/personality.hpp"
#include "model/scenario_json.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

using V = std::vector<std::string>;

Scenario swan(const char* name, IkeVersion v) {
  Scenario s = corpus(name);
  s.ike_version = v;
  for (Peer& p : s.peers) p.personality = kStrongswan59;
  return s;
}

// real-stacks.md "Verified": R1 remote.cacerts = CA1, R2 unrestricted, both hold CA1 and CA2
// certificates. R1 initiating works; R2 initiating fails when R2 picks its CA2 certificate.
TEST(StrongSwan, VerifiedAsymmetricCaCertsCase) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = swan("s1", v);
    s.peers[1].certificates = {{"IOSCA1", "", false, {}}, {"IOSCA2", "", false, {}}};  // CA2 newest
    EXPECT_EQ(run(s, 0).ike_sa, SaResult::Established);
    Observation o = run(s, 1);
    EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA2");
    EXPECT_EQ(o.reason, Reason::CertValidationFailed);
    std::swap(s.peers[1].certificates[0], s.peers[1].certificates[1]);  // CA1 newest
    EXPECT_EQ(run(s, 1).ike_sa, SaResult::Established);
  }
}

TEST(StrongSwan, CertReqContentPerRoleAndMessage) {
  Scenario s = swan("s1", IkeVersion::V1);
  Observation o = run(s, 0);
  // Initiator R1 with remote.cacerts = CA1 requests CA1 only (sent in MM5 for IKEv1).
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  // Responder: every trusted CA in reverse load order, no predefined trustpoints.
  EXPECT_EQ(issuers(s, o.certreq_from_responder), (V{kCA2, kCA1}));
  EXPECT_TRUE(traced(o, "sending cert request for \"cn=CA2,o=cisco,o=com\""));
}

TEST(StrongSwan, ChoosesFirstLocalCertHintedByAnyCertReq) {
  Scenario s = swan("s4", IkeVersion::V2);
  // R2's newest is TP2; R1 (responder) requests CA2 and CA1: any hint counts, local.certs order decides.
  Observation o = run(s, 1);
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "TP2");
}

// Minimal scenarios of the DIFF-MODEL classes of issue 11, shrunk on the daemons
// (tests/data/faithful/; real_faithful_test replays them on strongSwan and Libreswan). Each test
// states what the daemon did, from its log.
Scenario faithful(const std::string& name) {
  return load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/tests/data/faithful/" + name + ".json");
}

std::string bound(const Scenario& s, std::size_t responder, const Observation& o) {
  return o.responder_profile == kNone ? "(none)"
                                      : s.peers[responder].profiles[static_cast<std::size_t>(o.responder_profile)].name;
}

// Peer `initiator` of the faithful scenario `name` fails at `at` for `why`, the responder bound
// to `profile` ("(none)": none). Returns the observation for further checks.
Observation expect_down(const std::string& name, std::uint8_t initiator, Message at, Reason why,
                        const std::string& profile) {
  const Scenario s = faithful(name);
  const Observation o = run(s, initiator);
  EXPECT_EQ(o.failed_at, at) << name;
  EXPECT_EQ(o.reason, why) << name;
  EXPECT_EQ(bound(s, 1U - initiator, o), profile) << name;
  return o;
}

// R1's remote.id 192.168.0.0/24 goes out as IDr; R2's only connection has local.id R2.cisco.com:
// "looking for peer configs matching 192.168.0.2[192.168.0.0/24]...", "no matching peer config found".
TEST(StrongSwanFaithful, SubnetRemoteIdIsSentAsIdrAndMatchesNoLocalId) {
  expect_down("ss-v2-subnet-remote-id", 0, Message::IKE_AUTH, Reason::NoMatchingProfile, "(none)");
}

// IKEv1 initiator: "IDir 'R2.cisco.com' does not match to '192.168.0.2'" (main_mode.c), at MM6.
TEST(StrongSwanFaithful, Ikev1InitiatorChecksIdirAgainstRemoteId) {
  const Observation o = expect_down("ss-v1-idir-mismatch", 0, Message::MM6, Reason::NoMatchingProfile, "prof2");
  EXPECT_TRUE(traced(o, "does not match remote.id"));
}

// IKEv1 responder: "found 1 matching config, but none allows RSA signature authentication": the
// connection matching IDi expects a pre-shared key, so none is selected.
TEST(StrongSwanFaithful, Ikev1ResponderSelectsByIdAndMethod) {
  expect_down("ss-v1-method-selects-config", 0, Message::MM5, Reason::NoMatchingProfile, "(none)");
}

// Responder R2 binds prof3 (not the tunnel's): no CHILD_SA config there, TS_UNACCEPTABLE.
TEST(StrongSwanFaithful, OnlyTheTunnelsConnectionHasAChild) {
  const Scenario s = faithful("ss-v2-child-only-on-tunnel");
  const Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(bound(s, 1, o), "prof3");
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  EXPECT_EQ(o.reason, Reason::TsUnacceptable);
}

// R2 sends IDr R1.cisco.com: of R1's two connections matching IDi, only prof2's local.id fits.
TEST(StrongSwanFaithful, IdrChoosesAmongConnectionsByLocalId) {
  const Scenario s = faithful("ss-v2-idr-selects-local-id");
  const Observation o = run(s, 1);
  EXPECT_TRUE(o.up());
  EXPECT_EQ(bound(s, 0, o), "prof2");
}

// strongSwan requests certificates in IKE_AUTH even when it expects a pre-shared key
// ("sending cert request for \"O=com, O=cisco, CN=CA1\"" before "authentication ... with pre-shared key").
TEST(StrongSwanFaithful, PskInitiatorStillSendsCertreq) {
  const Scenario s = faithful("ss-v2-psk-initiator-certreq");
  const Observation o = run(s, 0);
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  EXPECT_EQ(o.reason, Reason::AuthMethodMismatch);
}

// R2 proposes a pre-shared key; R1 signs only and so holds no key: "no shared key found" at MM3.
// The other way R1 has no certificate and so no key to choose its method with: nothing sent
// ("no private key found", "configuration uses unsupported authentication").
TEST(StrongSwanFaithful, Ikev1KeysAreNeededBeforeAnyId) {
  expect_down("ss-v1-psk-needs-key-at-mm3", 1, Message::MM3, Reason::AuthMethodMismatch, "(none)");
  expect_down("ss-v1-psk-needs-key-at-mm3", 0, Message::MM1, Reason::NoCertificatePayload, "(none)");
}

// R2's first match prof1 restricts to CA2, R1's certificate is from CA3: "constraint check
// failed: peer not authenticated by CA 'O=com, O=cisco, CN=CA2'", "switching to peer config
// 's251-prof2'", which presents 192.168.0.2: R1 refuses that IDir at MM6.
TEST(StrongSwanFaithful, ResponderSwitchesConfigOnTheCaConstraint) {
  expect_down("ss-v1-switches-config-on-ca-constraint", 0, Message::MM6, Reason::NoMatchingProfile, "prof2");
}

// pluto MM5: "SEC_ERROR_UNKNOWN_ISSUER", "X509: CERT payload bogus or revoked" on "prof3-TP3",
// the connection it started on: the ID never gets to switch it to prof2.
TEST(LibreswanFaithful, Ikev1UntrustedCertificateKeepsTheFirstConnection) {
  expect_down("ls-v1-untrusted-cert-keeps-conn", 0, Message::MM5, Reason::CertValidationFailed, "prof3");
}

// R1 proposes signatures, R2's only connection is authby=secret: pluto drops MM1 ("initial Main
// Mode message received but no connection has been authorized with authby=RSASIG").
TEST(LibreswanFaithful, Ikev1MethodWithoutAConnectionIsRefusedAtMm1) {
  expect_down("ls-v1-method-refused-at-mm1", 0, Message::MM2, Reason::NoProposalChosen, "(none)");
}

// The initiator learns IDr at the same point under every personality; IOS keeps its tunnel's
// profile whatever the ID (the cisco-ios goldens pin the rest).
TEST(CiscoIos, InitiatorKeepsTheTunnelProfileWhateverTheIdr) {
  Scenario s = faithful("ss-v2-subnet-remote-id");
  s.ike_version = IkeVersion::V1;  // IKEv2 IOS would first need `pki trustpoint` to sign (V2-4)
  for (Peer& p : s.peers) p.personality = kCiscoIos;
  const Observation o = run(s, 0);
  EXPECT_TRUE(o.up()) << reason_code(o.reason) << " at " << message_name(o.failed_at);
}

TEST(MixedPair, CiscoAndStrongSwanEachFollowTheirRules) {
  Scenario s = corpus("s1");
  s.peers[1].personality = kStrongswan59;
  Observation o = run(s, 1);  // strongSwan R2 initiates IKEv1: its CERT_REQs go in MM5
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA2, kCA1}));  // Cisco R1's MM4
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA1");              // R2's newest hinted cert
  EXPECT_TRUE(o.up());
  EXPECT_NE(find_personality(kStrongswan59), nullptr);
}

}  // namespace
}  // namespace ikeconform::testing
