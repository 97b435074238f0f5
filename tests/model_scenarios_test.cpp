// The note's worked scenarios S1-S4 (spec section 4) as golden tests.
#include <gtest/gtest.h>

#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

using V = std::vector<std::string>;

TEST(S1, R1InitiatesAndSucceeds) {
  Scenario s = corpus("s1");
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Established);
  EXPECT_EQ(o.failed_at, Message::None);
  // MM3: one CERT_REQ (CA1) because of `ca trust-point IOSCA1`.
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  EXPECT_EQ(requesting_tps(s, 0, o.certreq_from_initiator), V{"IOSCA1"});
  // MM4: seven CERT_REQs, CA1 first (R2 shows its CA1 certificate first), then the predefined.
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA1, kCA2}));
  EXPECT_EQ(trustpoint_name(s, 0, o.initiator_trustpoint), "IOSCA1");
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "IOSCA1");
  EXPECT_EQ(profile_name(s, 1, o.responder_profile), "prof1");
  EXPECT_TRUE(traced(o, "constructing CERT_REQ for issuer cn=CA1,o=cisco,o=com"));
  EXPECT_TRUE(traced(o, "Examining profile list for trustpoint IOSCA1"));
  EXPECT_TRUE(traced(o, "Found matching profile for IOSCA1"));
  EXPECT_TRUE(traced(o, "Choosing trustpoint IOSCA1 as issuer"));
  EXPECT_TRUE(traced(o, "using the IOSCA1 trustpoint's keypair to sign"));
  EXPECT_TRUE(traced(o, "peer matches prof1 profile"));
  EXPECT_TRUE(traced(o, "Creating CERT validation list: IOSCA1"));
  EXPECT_TRUE(traced(o, "IKE_P1_COMPLETE"));
}

TEST(S1, R2InitiatesAndFailsAtMM5) {
  Scenario s = corpus("s1");
  Observation o = run(s, 1);
  EXPECT_EQ(o.ike_sa, SaResult::Failed);
  EXPECT_EQ(o.child_sa, SaResult::NotAttempted);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  // MM3 from R2: seven CERT_REQs, CA1 first.
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), with_predefined({kCA1, kCA2}));
  // MM4 from R1: seven CERT_REQs with CA2 first (R1 enrolled IOSCA2 last).
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA2, kCA1}));
  EXPECT_EQ(trustpoint_name(s, 0, o.responder_trustpoint), "IOSCA1");  // R1 chose IOSCA1 for MM6
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA2");  // R2 signs MM5 with IOSCA2
  EXPECT_EQ(profile_name(s, 0, o.responder_profile), "prof1");
  EXPECT_TRUE(traced(o, "Choosing trustpoint IOSCA2 as issuer"));
  EXPECT_TRUE(traced(o, "using the IOSCA2 trustpoint's keypair to sign"));
  EXPECT_TRUE(traced(o, "Creating CERT validation list: IOSCA1"));
  EXPECT_TRUE(traced(o, "No suitable trustpoints found"));
  EXPECT_TRUE(traced(o,
                     "%CRYPTO-5-IKMP_INVAL_CERT: Certificate received from 192.168.0.2 is bad: unknown error returned "
                     "in certificate validation"));
  EXPECT_TRUE(traced(o, "Unknown error in cert validation, -1"));
}

TEST(S1, WorksBothWaysWhenR1ShowsItsCA1CertificateFirst) {
  Scenario s = corpus("s1");
  std::swap(s.peers[0].certificates[0], s.peers[0].certificates[1]);  // IOSCA1 enrolled last
  EXPECT_TRUE(run(s, 0).up());
  Observation o = run(s, 1);
  EXPECT_TRUE(o.up());
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA1");
}

TEST(S2, ResponderBindsLastOverlappingProfileAndChildSaFails) {
  Scenario s = corpus("s2");
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::TsUnacceptable);
  EXPECT_EQ(profile_name(s, 1, o.responder_profile), "profile3");
  EXPECT_TRUE(traced(o, "Searching policy based on peer's identity '192.168.0.1' of type 'IPv4 address'"));
  EXPECT_TRUE(traced(o, "found matching IKEv2 profile 'profile3'"));
  EXPECT_TRUE(traced(o, "map_db_check_isakmp_profile profile did not match"));
  EXPECT_TRUE(traced(o, "proxy identities not supported"));
  EXPECT_TRUE(traced(o, "There was no IPSEC policy found for received TS"));
  EXPECT_TRUE(traced(o, "Sending TS unacceptable notify"));
  EXPECT_TRUE(run(s, 1).up());  // the single-profile side as responder is fine
}

TEST(S3, InitiatorWithoutPkiTrustpointFailsToBuildCertificatePayload) {
  Scenario s = corpus("s3");
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::NoCertificatePayload);
  EXPECT_EQ(o.initiator_trustpoint, kNone);
  EXPECT_TRUE(o.certreq_from_initiator.empty());                                   // nothing is sent in IKE_AUTH
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA1, kCA2}));  // "names TP1 and TP2"
  EXPECT_TRUE(traced(o, "Retrieved trustpoint(s): 'TP2'"));
  EXPECT_TRUE(traced(o, "Retrieved trustpoint(s): 'TP1'"));
  EXPECT_TRUE(traced(o, "Failed to build certificate payload"));
  EXPECT_TRUE(run(s, 1).up());  // V2-4: `pki trustpoint` is optional for the responder
}

TEST(S4, AsymmetricPkiTrustpointFailsWhenR2Initiates) {
  Scenario s = corpus("s4");
  Observation o = run(s, 1);
  EXPECT_EQ(o.ike_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA2, kCA1}));  // R1 shows TP2 first
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "TP2");
  EXPECT_TRUE(traced(o, "Retrieved trustpoint(s): 'TP2'"));
  EXPECT_TRUE(traced(o, "Getting cert chain for the trustpoint TP2"));
  EXPECT_TRUE(traced(o, "Validation of certificate chain FAILED"));
  EXPECT_TRUE(traced(o, "Verification of peer's authentication data FAILED"));
  EXPECT_TRUE(traced(o, "Sending authentication failure notify"));
  EXPECT_TRUE(traced(o, "NOTIFY(AUTHENTICATION_FAILED)"));
  EXPECT_TRUE(run(s, 0).up());
}

TEST(S4, WorksWithTp1AndTp2OnBothEnds) {
  Scenario s = corpus("s4");
  s.peers[0].profiles[0].trustpoints = {{"TP1"}, {"TP2"}};
  EXPECT_TRUE(run(s, 0).up());
  EXPECT_TRUE(run(s, 1).up());
}

}  // namespace
}  // namespace ikeconform::testing
