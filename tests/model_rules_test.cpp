// One test (at least) per rule of spec/cisco-ios-behavior.md; test names carry the rule id.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/ladder.hpp"
#include "model/observation_json.hpp"
#include "model/personality.hpp"
#include "model/predefined.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

using V = std::vector<std::string>;

// A symmetric two-CA IKEv1 pair without restrictions, to vary one thing at a time.
Scenario v1_base() {
  Scenario s = corpus("s1");
  s.peers[0].profiles[0].trustpoints.clear();
  return s;
}

TEST(V1_1, MainModeNeedsACommonPolicyAndNoCertificatePayloadsBeforeMM3) {
  Scenario s = v1_base();
  s.peers[1].proposals = {{"aes", "sha", 14}};
  Observation o = run(s, 0);
  EXPECT_EQ(o.failed_at, Message::MM2);
  EXPECT_EQ(o.reason, Reason::NoProposalChosen);
  EXPECT_TRUE(o.certreq_from_initiator.empty());
  EXPECT_TRUE(o.certreq_from_responder.empty());
}

TEST(V1_2, InitiatorWithCaTrustPointRequestsOnlyThoseCas) {
  Scenario s = corpus("s1");
  Observation o = run(s, 0);
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
}

TEST(V1_2, InitiatorWithoutCaTrustPointRequestsEveryGlobalTrustpoint) {
  Scenario s = corpus("s1");
  Observation o = run(s, 1);
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), with_predefined({kCA1, kCA2}));
}

TEST(V1_3, ResponderRequestsEveryGlobalTrustpointWhateverItsProfileSays) {
  Scenario s = corpus("s1");
  Observation o = run(s, 1);  // R1 responds; its prof1 says `ca trust-point IOSCA1`
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA2, kCA1}));
}

TEST(V1_4, CertReqOrderIsStoreOrderThenCaOnlyThenPredefined) {
  Scenario s = v1_base();
  s.cas.push_back({"CA3", "cn=CA3,o=cisco,o=com", ""});
  s.cas.push_back({"CA4", "cn=CA4,o=cisco,o=com", ""});
  s.peers[1].trustpoints.push_back({"IOSCA3", "CA3", Revocation::None});
  s.peers[1].trustpoints.push_back({"IOSCA4", "CA4", Revocation::None});  // both CA-only
  Observation o = run(s, 0);
  // R2 enrolled IOSCA2 then IOSCA1: CA1, CA2; CA-only in reverse authenticate order: CA4, CA3.
  EXPECT_EQ(issuers(s, o.certreq_from_responder),
            with_predefined({kCA1, kCA2, "cn=CA4,o=cisco,o=com", "cn=CA3,o=cisco,o=com"}));
  ModelOptions opt;
  ASSERT_FALSE(set_model_option(opt, "ca_only_order=authenticate"));
  EXPECT_EQ(issuers(s, run(s, 0, opt).certreq_from_responder),
            with_predefined({kCA1, kCA2, "cn=CA3,o=cisco,o=com", "cn=CA4,o=cisco,o=com"}));
  ASSERT_FALSE(set_model_option(opt, "predefined_trustpoints=off"));
  EXPECT_EQ(issuers(s, run(s, 0, opt).certreq_from_responder),
            (V{kCA1, kCA2, "cn=CA3,o=cisco,o=com", "cn=CA4,o=cisco,o=com"}));
}

TEST(V1_4, DuplicateIssuersAreDropped) {
  Scenario s = v1_base();
  s.peers[1].trustpoints.push_back({"IOSCA1-again", "CA1", Revocation::None});
  s.peers[1].certificates.push_back({"IOSCA1-again", "", false, {}});
  Observation o = run(s, 0);
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA1, kCA2}));
  EXPECT_EQ(requesting_tps(s, 1, o.certreq_from_responder)[0], "IOSCA1-again");
}

TEST(V1_5, FirstMatchingCertReqDecidesLaterOnesAreIgnored) {
  Scenario s = v1_base();
  Observation o = run(s, 1);  // R1's MM4 lists CA2 first
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA2");
  std::swap(s.peers[0].certificates[0], s.peers[0].certificates[1]);
  o = run(s, 1);
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "IOSCA1");
  EXPECT_TRUE(o.up());
}

TEST(V1_6, RestrictedInitiatorOnlyConsidersItsProfileList) {
  Scenario s = corpus("s1");
  s.peers[1].profiles[0].trustpoints = {{"IOSCA1"}};  // symmetric: both profiles name IOSCA1
  s.peers[1].certificates = {{"IOSCA1", "", false, {}}, {"IOSCA2", "", false, {}}};  // R2 shows CA2 first
  Observation o = run(s, 0);
  EXPECT_EQ(trustpoint_name(s, 0, o.initiator_trustpoint), "IOSCA1");
  EXPECT_TRUE(o.up());
  ModelOptions off;
  ASSERT_FALSE(set_model_option(off, "initiator_choice_restricted_to_profile=off"));
  o = run(s, 0, off);
  EXPECT_EQ(trustpoint_name(s, 0, o.initiator_trustpoint), "IOSCA2");  // first match in MM4, unrestricted
  EXPECT_EQ(o.failed_at, Message::MM5);                                // R2 validates against IOSCA1 only
}

// R1 restricted to IOSCA3 (CA3), a CA R2 does not know at all: R2's MM4 never names CA3, so R1
// falls back to IOSCA3 (V1-7).
Scenario v1_fallback() {
  Scenario s = v1_base();
  s.cas.push_back({"CA3", "cn=CA3,o=cisco,o=com", ""});
  s.peers[0].trustpoints.push_back({"IOSCA3", "CA3", Revocation::None});
  s.peers[0].certificates.push_back({"IOSCA3", "", false, {}});
  s.peers[0].profiles[0].trustpoints = {{"IOSCA3"}};
  return s;
}

TEST(V1_7, NoMatchFallsBackToACertificateAndCanStillAuthenticate) {
  Scenario s = v1_fallback();
  Observation o = run(s, 0);
  EXPECT_EQ(trustpoint_name(s, 0, o.initiator_trustpoint), "IOSCA3");
  EXPECT_TRUE(traced(o, "sending the certificate of IOSCA3 anyway"));
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);  // R2 has no CA3 anchor
  ModelOptions none;
  ASSERT_FALSE(set_model_option(none, "fallback_certificate=none"));
  o = run(s, 0, none);
  EXPECT_EQ(o.reason, Reason::NoCertificatePayload);
  EXPECT_EQ(o.failed_at, Message::MM5);
}

TEST(V1_7, ResponderFallsBackWhenTheRestrictedRequestNamesNoCaItHolds) {
  Scenario s = v1_base();
  s.peers[0].profiles[0].trustpoints = {{"IOSCA1"}};
  s.peers[0].certificates = {{"IOSCA1", "", false, {}}};
  s.peers[1].certificates = {{"IOSCA2", "", false, {}}};  // R2 holds no CA1 certificate
  Observation o = run(s, 0);
  // MM3 asks for CA1 only; R2 sends its IOSCA2 certificate anyway, which R1's list rejects at MM6.
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "IOSCA2");
  EXPECT_TRUE(traced(o, "sending the certificate of IOSCA2 anyway"));
  EXPECT_EQ(o.failed_at, Message::MM6);
}

TEST(V1_8, ResponderBindsItsProfileFromTheIkeIdAtMM5) {
  Scenario s = v1_base();
  Observation o = run(s, 0);
  EXPECT_TRUE(o.up());
  EXPECT_EQ(profile_name(s, 1, o.responder_profile), s.peers[1].tunnel_profile);
  EXPECT_TRUE(traced(o, "peer matches"));
  EXPECT_FALSE(o.certreq_from_responder.empty());  // MM4 was sent before the binding
}

// Spec, IOS semantics: "peer matches *none* of the profiles" does not end main mode; the
// responder goes on with its global configuration (every global trustpoint validates, even when
// the unmatched profile's `ca trust-point` would not), and quick mode then finds no crypto map
// entry for the tunnel's ISAKMP profile: INVALID-ID-INFORMATION at QM1, not a failure at MM5.
TEST(IosSemantics, Ikev1ResponderMatchingNoProfileGoesOnWithItsGlobalConfiguration) {
  Scenario s = v1_base();
  s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}};
  s.peers[1].profiles[0].trustpoints = {{"IOSCA2"}};  // would reject R1's CA1 certificate if bound
  s.peers[0].certificates = {{"IOSCA1", "", false, {}}};
  Observation o = run(s, 0);
  EXPECT_TRUE(traced(o, "ISAKMP:(0):: peer matches *none* of the profiles"));
  EXPECT_TRUE(traced(o, "continuing with the global configuration"));
  EXPECT_TRUE(traced(o, "Creating CERT validation list: IOSCA1, IOSCA2"));
  EXPECT_EQ(o.responder_profile, kNone);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::QM1);
  EXPECT_EQ(o.reason, Reason::InvalidIdInformation);
  EXPECT_TRUE(traced(o, "proxy identities not supported"));
  // The global list still rejects a CA the router does not trust at all.
  s.peers[1].trustpoints.pop_back();  // R2 forgets IOSCA2 ...
  s.peers[1].profiles[0].trustpoints.clear();
  s.peers[1].certificates = {{"IOSCA1", "", false, {}}};
  s.peers[0].certificates = {{"IOSCA2", "", false, {}}};  // ... and R1 only holds a CA2 certificate
  s.peers[0].trustpoints = {s.peers[0].trustpoints.at(1)};
  o = run(s, 0);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
}

// Spec, IOS semantics: a user trustpoint whose CA has a predefined CA's subject DN (in another
// spelling) is that CA: requested once, and R1's predefined trustpoint both asks for it and
// validates its certificates (first match, not the V1-7 fallback).
TEST(IosSemantics, AUserTrustpointWithAPredefinedCasDnIsThatCa) {
  Scenario s = v1_base();
  s.cas.push_back({"CR", "CN=Cisco Root CA 2048, O=Cisco Systems", ""});
  s.peers[1].trustpoints.push_back({"CISCOROOT", "CR", Revocation::None});
  s.peers[1].certificates = {{"CISCOROOT", "", false, {}}};
  Observation o = run(s, 0);
  EXPECT_TRUE(traced(o, "Choosing trustpoint CISCOROOT as issuer"));
  EXPECT_FALSE(traced(o, "anyway"));
  EXPECT_TRUE(o.up());
  const auto cr = static_cast<CaIndex>(s.cas.size() - 1);
  auto count = [&](const CertReqList& l) {
    return std::count_if(l.begin(), l.end(), [&](const CertReq& c) { return c.ca == cr; });
  };
  EXPECT_EQ(count(o.certreq_from_responder), 1);  // once, from the user trustpoint
  EXPECT_EQ(o.certreq_from_responder.front().ca, cr);
  EXPECT_EQ(count(o.certreq_from_initiator), 1);   // R1's predefined Cisco-Root-CA-2048
  EXPECT_EQ(o.certreq_from_responder.size(), 7u);  // CR, CA1, CA2 and the 4 other predefined CAs
  EXPECT_FALSE(same_dn("cn=Cisco Root CA 2048,o=Cisco Systems", "cn=Cisco RootCA 2048,o=Cisco Systems"));
}

// strongSwan selects a config by IDi and fails at MM5 without one: the global fallback is IOS's.
TEST(IosSemantics, TheGlobalFallbackIsTheCiscoPersonalitysOnly) {
  Scenario s = v1_base();
  s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}};
  s.peers[1].personality = kStrongswan59;
  const Observation o = run(s, 0);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.reason, Reason::NoMatchingProfile);
}

TEST(V1_9, ValidationUsesTheBoundProfilesList) {
  Scenario s = corpus("s1");
  Observation o = run(s, 1);
  EXPECT_TRUE(traced(o, "Creating CERT validation list: IOSCA1"));
  o = run(s, 0);  // R2 has no `ca trust-point`: all global trustpoints validate
  EXPECT_TRUE(traced(o, "Creating CERT validation list: IOSCA1, IOSCA2, VeriSign-Class3-PCA"));
}

TEST(V1_10, UnknownIssuerFailsAtTheMessageThatCarriedIt) {
  Scenario s = corpus("s1");
  Observation o = run(s, 1);
  EXPECT_EQ(o.failed_at, Message::MM5);
  // The initiator's check of MM6: R1 initiates, R2 chooses IOSCA2 from an unrestricted MM3...
  Scenario t = v1_base();
  t.peers[0].profiles[0].trustpoints = {{"IOSCA1"}};
  t.peers[0].certificates = {{"IOSCA1", "", false, {}}};
  t.peers[1].certificates = {{"IOSCA2", "", false, {}}};  // R2 holds only a CA2 certificate
  o = run(t, 0);
  EXPECT_EQ(o.failed_at, Message::MM6);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_TRUE(traced(o, "Certificate received from 192.168.0.2 is bad"));
}

TEST(V1_11, FqdnSelfIdentityIsSentAsIdType2) {
  Observation o = run(corpus("s1"), 0);
  EXPECT_TRUE(traced(o, "type : 2 FQDN name : R1.cisco.com protocol : 17 port : 500"));
}

TEST(V1_12, SeveralCaTrustPointLinesActAsOneList) {
  Scenario s = corpus("s1");
  s.peers[0].profiles[0].trustpoints = {{"IOSCA1"}, {"IOSCA2"}};
  Observation o = run(s, 0);
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), (V{kCA2, kCA1}));  // store order (V1-4)
  EXPECT_TRUE(o.up());
  EXPECT_TRUE(run(s, 1).up());
  EXPECT_TRUE(traced(run(s, 1), "Creating CERT validation list: IOSCA1, IOSCA2"));
}

TEST(V1_13, CertificateOnlyOneSideCanVerifyBringsTheTunnelUpFromOneEndOnly) {
  Scenario s = v1_base();
  s.peers[0].certificates[1].features = {"x509v1"};  // R1's IOSCA2 certificate is X.509 v1
  s.peers[0].profiles[0].trustpoints = {{"IOSCA2"}};
  s.peers[1].unsupported_features = {"x509v1"};
  Observation o = run(s, 0);  // R1 must sign with IOSCA2: R2 cannot verify it
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_TRUE(traced(o, "does not support"));
  EXPECT_TRUE(run(s, 1).up());  // as responder R1 answers R2's CA1-first request with IOSCA1
  s.peers[0].certificates[1].features.clear();
  EXPECT_TRUE(run(s, 0).up());
}

TEST(V1_14, NoCaTrustPointAnywhereNeverFailsButTheChoiceFollowsEnrollment) {
  Scenario s = v1_base();
  EXPECT_TRUE(run(s, 0).up());
  EXPECT_TRUE(run(s, 1).up());
  std::string before = trustpoint_name(s, 1, run(s, 0).responder_trustpoint);
  std::swap(s.peers[0].certificates[0], s.peers[0].certificates[1]);
  EXPECT_TRUE(run(s, 0).up());
  EXPECT_NE(before, trustpoint_name(s, 1, run(s, 0).responder_trustpoint));
}

TEST(V1_15, RestrictedResponderRejectsACertificateFromItsGlobalListOnly) {
  Scenario s = corpus("s1");  // R1: global list has CA2, profile list does not
  Observation o = run(s, 1);
  EXPECT_EQ(issuers(s, o.certreq_from_responder)[0], kCA2);  // requested from the global list...
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);         // ...yet rejected by the profile list
}

Scenario v2_base() { return corpus("s4"); }

TEST(V2_1, IkeSaInitRequestCarriesNoCertReq) {
  Observation o = run(v2_base(), 0);
  EXPECT_TRUE(traced(o,
                     "IKE_SA_INIT Exchange REQUEST Payload contents: SA KE N VID VID NOTIFY(NAT_DETECTION_SOURCE_IP) "
                     "NOTIFY(NAT_DETECTION_DESTINATION_IP)"));
}

TEST(V2_2, IkeSaInitResponseRequestsEveryTrustpointInStoreOrder) {
  Scenario s = v2_base();
  Observation o = run(s, 1);
  EXPECT_EQ(issuers(s, o.certreq_from_responder), with_predefined({kCA2, kCA1}));
  EXPECT_TRUE(traced(o, "CERTREQ NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED)"));
}

TEST(V2_3, InitiatorPicksFirstMatchAmongItsProfileTrustpoints) {
  Scenario s = v2_base();
  EXPECT_EQ(trustpoint_name(s, 1, run(s, 1).initiator_trustpoint), "TP2");
  s.peers[1].profiles[0].trustpoints = {{"TP1"}};
  Observation o = run(s, 1);
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "TP1");  // CA2 requested first but not in the profile
  EXPECT_TRUE(o.up());
}

TEST(V2_4, PkiTrustpointIsMandatoryForAnRsaSigInitiatorOnly) {
  Scenario s = corpus("s3");
  EXPECT_EQ(run(s, 0).reason, Reason::NoCertificatePayload);
  EXPECT_TRUE(run(s, 1).up());
}

TEST(V2_5, ResponderWithoutPkiTrustpointValidatesWithAllTrustpoints) {
  Scenario s = v2_base();
  s.peers[0].profiles[0].trustpoints.clear();  // R1 responds
  Observation o = run(s, 1);
  EXPECT_TRUE(o.up());
  EXPECT_TRUE(traced(o, "validation list: TP1, TP2, VeriSign-Class3-PCA"));
}

TEST(V2_6, SignAndVerifyTrustpointsAreSeparate) {
  Scenario s = v2_base();
  // R2 signs with TP2 only, verifies with TP1 only; R1 trusts TP1 and TP2 for both.
  s.peers[1].profiles[0].trustpoints = {{"TP2", TrustpointUse::Sign}, {"TP1", TrustpointUse::Verify}};
  s.peers[0].profiles[0].trustpoints = {{"TP1"}, {"TP2"}};
  Observation o = run(s, 1);
  EXPECT_EQ(trustpoint_name(s, 1, o.initiator_trustpoint), "TP2");
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});  // CERTREQ from the verify set (V2-12)
  EXPECT_EQ(trustpoint_name(s, 0, o.responder_trustpoint), "TP1");
  EXPECT_TRUE(o.up());
}

TEST(V2_7, IkeAuthPayloadsFollowTheNote) {
  Observation o = run(v2_base(), 0);
  EXPECT_TRUE(traced(o,
                     "Payload contents: VID IDi CERT CERTREQ NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED) AUTH CFG SA TSi TSr "
                     "NOTIFY(INITIAL_CONTACT) NOTIFY(SET_WINDOW_SIZE) NOTIFY(ESP_TFC_NO_SUPPORT) "
                     "NOTIFY(NON_FIRST_FRAGS)"));
  EXPECT_TRUE(traced(o,
                     "IKE_AUTH Exchange RESPONSE Payload contents: VID IDr CERT AUTH SA TSi TSr "
                     "NOTIFY(SET_WINDOW_SIZE) NOTIFY(ESP_TFC_NO_SUPPORT) NOTIFY(NON_FIRST_FRAGS)"));
}

TEST(V2_8, ValidationFailureSendsAuthenticationFailed) {
  Observation o = run(v2_base(), 1);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_TRUE(traced(o, "Sending authentication failure notify"));
}

TEST(V2_9, ResponderTakesTheLastMatchingProfile) {
  Scenario s = corpus("s2");
  EXPECT_EQ(profile_name(s, 1, run(s, 0).responder_profile), "profile3");
  s.peers[1].profiles[2].match = {{IdKind::Address, "10.9.9.9", "255.255.255.255"}};
  EXPECT_EQ(profile_name(s, 1, run(s, 0).responder_profile), "profile2");
}

TEST(V2_10, WrongProfileAuthenticatesTheIkeSaButNotTheChildSa) {
  Scenario s = corpus("s2");
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  s.peers[1].tunnel_profile = "profile3";
  EXPECT_TRUE(run(s, 0).up());
}

TEST(V2_11, OverlappingIkev1ProfilesFailTheSameWay) {
  Scenario s = v1_base();
  Profile second = s.peers[1].profiles[0];
  second.name = "prof2";
  s.peers[1].profiles.push_back(second);
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(o.child_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::QM1);
  ModelOptions first;
  ASSERT_FALSE(set_model_option(first, "ikev1_profile_match=first"));
  EXPECT_TRUE(run(s, 0, first).up());
}

TEST(V2_12, InitiatorCertReqNamesItsVerifyTrustpoints) {
  Scenario s = v2_base();
  Observation o = run(s, 0);  // R1 initiates with pki trustpoint TP1
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  ModelOptions all;
  ASSERT_FALSE(set_model_option(all, "ikev2_initiator_certreq=all"));
  EXPECT_EQ(issuers(s, run(s, 0, all).certreq_from_initiator), with_predefined({kCA2, kCA1}));
}

TEST(V2_13, ResponderPicksFirstMatchAmongItsBoundProfilesSignTrustpoints) {
  Scenario s = v2_base();
  s.peers[1].profiles[0].trustpoints = {{"TP2", TrustpointUse::Sign}, {"TP1", TrustpointUse::Verify}};
  s.peers[0].profiles[0].trustpoints = {{"TP1"}};
  Observation o = run(s, 0);  // R1 requests CA1 only; R2 may sign with TP2 only
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "TP2");  // no match: its sign trustpoint anyway
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  ModelOptions all;
  ASSERT_FALSE(set_model_option(all, "ikev2_responder_choice=all"));
  o = run(s, 0, all);
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "TP1");
  EXPECT_TRUE(o.up());
}

TEST(Section7, AggressiveModeIsRejectedAsUnsupported) {
  Scenario s = v1_base();
  s.aggressive_mode = true;
  Observation o = run(s, 0);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.failed_at, Message::MM1);
}

TEST(Section7, PreSharedKeysNeedNoCertificates) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = v == IkeVersion::V1 ? v1_base() : v2_base();
    for (Peer& p : s.peers)
      for (Profile& f : p.profiles) f.auth_local = f.auth_remote = AuthMethod::PreShare;
    for (std::uint8_t d : {std::uint8_t{0}, std::uint8_t{1}}) {
      Observation o = run(s, d);
      EXPECT_TRUE(o.up());
      EXPECT_TRUE(o.certreq_from_initiator.empty());
      EXPECT_EQ(o.initiator_trustpoint, kNone);
    }
    s.peers[1].profiles[0].auth_remote = AuthMethod::RsaSig;
    EXPECT_FALSE(run(s, 0).up());
  }
}

TEST(Section7, RevokedCertificateFailsOnlyWithCrlChecking) {
  Scenario s = v1_base();
  for (IdentityCert& c : s.peers[0].certificates) c.revoked = true;
  EXPECT_EQ(run(s, 0).reason, Reason::CertValidationFailed);  // R2's trustpoints check CRLs
  for (Trustpoint& t : s.peers[1].trustpoints) t.revocation_check = Revocation::None;
  EXPECT_TRUE(run(s, 0).up());
}

TEST(Options, UnknownKeysAndValuesAreRejected) {
  ModelOptions o;
  EXPECT_TRUE(set_model_option(o, "nonsense=1"));
  EXPECT_TRUE(set_model_option(o, "fallback_certificate=maybe"));
  EXPECT_TRUE(set_model_option(o, "novalue"));
  EXPECT_FALSE(set_model_option(o, "fallback_certificate=store"));
  EXPECT_EQ(o.fallback_certificate, FallbackCertificate::Store);
}

TEST(Model, IsPureAndDeterministic) {
  Scenario s = corpus("s1");
  Observation a = run(s, 1), b = run(s, 1);
  EXPECT_TRUE(diff(s, a, b).empty());
  EXPECT_EQ(a.trace, b.trace);
  ModelOptions quiet;
  quiet.trace = false;
  Observation c = run(s, 1, quiet);
  EXPECT_TRUE(c.trace.empty());
  EXPECT_TRUE(diff(s, a, c).empty());  // the trace switch changes nothing else
}

TEST(Model, ObservationJsonRoundTrips) {
  Scenario s = corpus("s1");
  for (std::uint8_t d : {std::uint8_t{0}, std::uint8_t{1}}) {
    Observation o = run(s, d);
    auto j = observation_to_json(s, o);
    Observation back = observation_from_json(s, nlohmann::json::parse(j.dump()), "test");
    EXPECT_TRUE(diff(s, o, back).empty());
    EXPECT_EQ(back.trace, o.trace);
  }
}

TEST(Model, KnowsTheCiscoPersonality) {
  EXPECT_NE(find_personality("cisco-ios"), nullptr);
  Scenario s = corpus("s1");
  s.peers[0].personality = "no-such-stack";
  EXPECT_THROW(run(s, 0), std::invalid_argument);
}

TEST(V2_2, PredefinedCasInTheIkev2CertReqAreAnOption) {
  Scenario s = v2_base();
  ModelOptions off;
  ASSERT_FALSE(set_model_option(off, "ikev2_certreq_predefined=off"));
  Observation o = run(s, 1, off);
  EXPECT_EQ(issuers(s, o.certreq_from_responder), (V{kCA2, kCA1}));  // user trustpoints only
  EXPECT_EQ(run(s, 1).certreq_from_responder.size(), 7u);            // default on: as in IKEv1
  // IKEv1 is documented (V1-3): the option does not touch it.
  Scenario v1 = v1_base();
  EXPECT_EQ(run(v1, 0, off).certreq_from_responder, run(v1, 0).certreq_from_responder);
}

TEST(V1_3, EarlyBindingByAddressRestrictsMM4ToThatProfileOnlyWhenOn) {
  Scenario s = v1_base();
  s.peers[1].profiles[0].match.push_back({IdKind::Address, "192.168.0.1", "255.255.255.255"});
  s.peers[1].profiles[0].trustpoints = {{"IOSCA2"}};
  ModelOptions on;
  ASSERT_FALSE(set_model_option(on, "ikev1_early_binding_by_address=on"));
  Observation o = run(s, 0, on);
  EXPECT_EQ(issuers(s, o.certreq_from_responder), (V{kCA2}));
  EXPECT_TRUE(traced(o, "matches profile prof1 by address before MM4"));
  EXPECT_EQ(run(s, 0).certreq_from_responder.size(), 7u);  // default off: every global trustpoint (V1-3)
  // Matched only by FQDN: nothing is known before MM5, whatever the option.
  s.peers[1].profiles[0].match.pop_back();
  EXPECT_EQ(run(s, 0, on).certreq_from_responder.size(), 7u);
}

TEST(V1_7, ExplanationsSayFallbackNotFirstMatch) {
  Scenario s = v1_fallback();
  const ModelOptions opt;
  Observation o = run(s, 0);
  ASSERT_EQ(o.reason, Reason::CertValidationFailed);
  std::string why = decisive_step(s, o, opt);
  EXPECT_NE(why.find("fallback certificate"), std::string::npos) << why;
  EXPECT_NE(why.find("(V1-7)"), std::string::npos) << why;
  EXPECT_EQ(why.find("first match"), std::string::npos) << why;
  bool noted = false;
  for (const LadderStep& st : ladder(s, o, opt))
    for (const std::string& n : st.notes) noted = noted || n.find("R1 chooses IOSCA3 (fallback, V1-7") == 0;
  EXPECT_TRUE(noted);
  // A first match still says so.
  Observation up = run(v1_base(), 0);
  for (const LadderStep& st : ladder(v1_base(), up, opt))
    for (const std::string& n : st.notes) EXPECT_EQ(n.find("fallback"), std::string::npos) << n;
}

}  // namespace
}  // namespace ikeconform::testing
