// The strongswan-5.9 personality against spec/real-stacks.md, and mixed pairs.
#include <gtest/gtest.h>

#include "model/personality.hpp"
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
