// DN and e-mail identities (issue 10): `identity local dn|email` / `self-identity dn|user-fqdn`
// send ID types 9 and 3 (V1-11, section 7 "the IKE identity sent is the configured one"), the
// `match identity ... email` and `... domain` lines bind them (V1-8, V2-9), a DN sender is bound
// by `match certificate` only, and the DN is the subject of the certificate the exchange sends.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "model/dn.hpp"
#include "model/input_error.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

// IKEv2, both ends signing with TP1 (note S3 with `pki trustpoint TP1` on R1 too), every subject
// distinct: up both ways as long as the identities match.
Scenario v2_pair() {
  Scenario s = corpus("s3");
  for (Peer& p : s.peers) {
    p.profiles[0].trustpoints = {{"TP1", TrustpointUse::Both}};
    for (IdentityCert& c : p.certificates) c.subject = "cn=" + p.name + ",ou=" + c.trustpoint + ",o=cisco,o=com";
  }
  return s;
}

Profile& tunnel(Scenario& s, std::size_t peer) { return s.peers[peer].profiles[0]; }

IdentityMatch email(std::string v, bool domain = false) { return {IdKind::Email, std::move(v), "", domain}; }
IdentityMatch fqdn(std::string v, bool domain = false) { return {IdKind::Fqdn, std::move(v), "", domain}; }

TEST(V2_9, TheBasePairIsUpBothWays) {
  Scenario s = v2_pair();
  EXPECT_TRUE(run(s, 0).up());
  EXPECT_TRUE(run(s, 1).up());
}

TEST(V2_9, ADnSenderMatchesNoFqdnOrAddressLine) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Dn;
  tunnel(s, 0).match = {fqdn("R2.cisco.com"), {IdKind::Address, "192.168.0.2", "255.255.255.255"}};
  ModelOptions o;
  o.trace = true;
  Observation r = run(s, 1, o);  // R2 initiates with its DN
  EXPECT_EQ(r.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(r.reason, Reason::NoMatchingProfile);
  // The DN is the subject of the certificate R2 signs with (its only `pki trustpoint`, TP1).
  EXPECT_TRUE(traced(r,
                     "Searching policy based on peer's identity 'cn=R2,ou=TP1,o=cisco,o=com' of type 'DER ASN1 "
                     "DN'"));
}

TEST(V2_9, ADnSenderBindsByCertificateMap) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Dn;
  tunnel(s, 0).match = {fqdn("R2.cisco.com")};
  tunnel(s, 0).match_certificate = {{"M", {{10, {{CertField::SubjectName, CertMatchOp::Co, "cn=r2"}}}}}};
  EXPECT_TRUE(run(s, 1).up());
  EXPECT_TRUE(run(s, 0).up());  // R1 sends its FQDN, which R2's line matches
}

TEST(V2_9, AnEmailLineMatchesTheAddressAndItsDomainThePartAfterTheAt) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Email;
  tunnel(s, 1).self_identity_value = "r2@Cisco.com";
  for (const IdentityMatch& m : {email("R2@cisco.com"), email("cisco.com", true), email("CISCO.COM", true)}) {
    tunnel(s, 0).match = {m};
    EXPECT_TRUE(run(s, 1).up()) << m.value;
  }
  // The wrong domain, a subdomain, and an FQDN line (even one naming the same domain) do not match.
  for (const IdentityMatch& m : {email("example.com", true), email("com", true), fqdn("cisco.com", true),
                                 fqdn("r2@cisco.com"), email("r3@cisco.com")}) {
    tunnel(s, 0).match = {m};
    Observation o = run(s, 1);
    EXPECT_EQ(o.reason, Reason::NoMatchingProfile) << m.value;
  }
}

TEST(V2_9, AnFqdnDomainLineMatchesTheDomainAndNamesBelowIt) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Fqdn;  // R2.cisco.com
  for (const char* d : {"cisco.com", "CISCO.com", "com", "R2.cisco.com"}) {
    tunnel(s, 0).match = {fqdn(d, true)};
    EXPECT_TRUE(run(s, 1).up()) << d;
  }
  for (const char* d : {"isco.com", "example.com", "2.cisco.com"}) {  // whole labels only
    tunnel(s, 0).match = {fqdn(d, true)};
    EXPECT_EQ(run(s, 1).reason, Reason::NoMatchingProfile) << d;
  }
}

TEST(V1_11, TheDnSentIsTheSubjectOfTheCertificateChosenInThisExchange) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Dn;
  const CompiledScenario cs = compile(s, {});
  const PeerCtx& r2 = cs.peers[1];
  const Profile& f = r2.tunnel_profile();
  // Trustpoint 0 is TP1, 1 is TP2 (R2 enrolled TP2 first: note S3).
  EXPECT_EQ(r2.identity(f, 0).value, "cn=R2,ou=TP1,o=cisco,o=com");
  EXPECT_EQ(r2.identity(f, 1).value, "cn=R2,ou=TP2,o=cisco,o=com");
  EXPECT_EQ(r2.identity(f, kNone).value, "");  // no certificate, no DN
  EXPECT_EQ(r2.identity(f, 0).kind, IdKind::Dn);
}

TEST(V1_11, ACertificateWithoutSubjectSendsTheSubjectTheHarnessPkiGivesIt) {
  Scenario s = v2_pair();
  tunnel(s, 1).self_identity = IdKind::Dn;
  for (IdentityCert& c : s.peers[1].certificates) c.subject.clear();
  const CompiledScenario cs = compile(s, {});
  // model/dn.hpp: cn=<name>,ou=IT-<CA id> plus the CA's O parts (S3: TP1 is CA1's trustpoint).
  EXPECT_EQ(cs.peers[1].identity(cs.peers[1].tunnel_profile(), 0).value, certificate_subjects(s, s.peers[1])[1]);
  EXPECT_EQ(certificate_subjects(s, s.peers[1]),
            (std::vector<std::string>{"cn=R2,ou=IT-CA2,o=cisco,o=com", "cn=R2,ou=IT-CA1,o=cisco,o=com"}));
}

TEST(CertificateSubjects, ARepeatedSubjectGetsItsUnitInFront) {
  Scenario s = corpus("s3");  // R1's two certificates carry the same subject
  const std::vector<std::string> subjects = certificate_subjects(s, s.peers[0]);
  ASSERT_EQ(subjects.size(), 2u);
  EXPECT_EQ(subjects[0], s.peers[0].certificates[0].subject);
  EXPECT_EQ(subjects[1], "ou=IT-CA2," + s.peers[0].certificates[1].subject);
}

TEST(V1_8, AnIkev1DnSenderMatchesNoHostLineAndTheResponderFallsBackToItsGlobalConfiguration) {
  Scenario s = corpus("s1");  // prof1 on both ends matches the other's FQDN
  s.peers[0].profiles[0].self_identity = IdKind::Dn;
  ModelOptions o;
  o.trace = true;
  Observation r = run(s, 0, o);
  EXPECT_TRUE(traced(r, "ISAKMP (0): ID payload next-payload : 6 type : 9 Dist. name : "));
  EXPECT_TRUE(traced(r, "peer matches *none* of the profiles"));
  EXPECT_EQ(r.ike_sa, SaResult::Established);  // the global configuration authenticates it
  EXPECT_EQ(r.child_sa, SaResult::Failed);     // but has no IPsec policy for the tunnel
  EXPECT_EQ(r.reason, Reason::InvalidIdInformation);
  // `match identity user-fqdn` for an e-mail sender binds the tunnel's profile again.
  s.peers[0].profiles[0].self_identity = IdKind::Email;
  s.peers[0].profiles[0].self_identity_value = "r1@cisco.com";
  s.peers[1].profiles[0].match.push_back(email("cisco.com", true));
  r = run(s, 0, o);
  EXPECT_TRUE(traced(r, "type : 3 USER FQDN : r1@cisco.com"));
  EXPECT_TRUE(r.up());
}

TEST(Section7, ADnIdentityWithoutACertificateIsUnsupported) {
  Scenario s = corpus("s1");
  for (Peer& p : s.peers)
    for (Profile& f : p.profiles) f.auth_local = f.auth_remote = AuthMethod::PreShare;
  s.peers[0].profiles[0].self_identity = IdKind::Dn;
  Observation r = run(s, 0);
  EXPECT_EQ(r.reason, Reason::Unsupported);
  EXPECT_EQ(r.failed_at, Message::MM5);
}

TEST(Personalities, StrongswanAndLibreswanAnswerUnsupportedForDnAndEmailIdentities) {
  for (std::string_view personality : {kStrongswan59, kLibreswan410}) {
    Scenario s = v2_pair();
    for (Peer& p : s.peers) p.personality = std::string(personality);
    ASSERT_NE(run(s, 1).reason, Reason::Unsupported) << personality;
    tunnel(s, 1).self_identity = IdKind::Dn;
    ModelOptions o;
    o.trace = true;
    Observation r = run(s, 0, o);  // either peer's DN: its peer would have to match it
    EXPECT_EQ(r.reason, Reason::Unsupported) << personality;
    EXPECT_EQ(r.failed_at, Message::IKE_SA_INIT);
    EXPECT_TRUE(traced(r, "renders FQDN and address identities only")) << personality;
    tunnel(s, 1).self_identity = IdKind::Fqdn;
    tunnel(s, 0).match = {fqdn("cisco.com", true)};
    EXPECT_EQ(run(s, 0).reason, Reason::Unsupported) << personality;
  }
}

TEST(ScenarioJson, DnAndEmailIdentitiesAndDomainLinesRoundTrip) {
  Scenario s = v2_pair();
  tunnel(s, 0).self_identity = IdKind::Dn;
  tunnel(s, 1).self_identity = IdKind::Email;
  tunnel(s, 1).self_identity_value = "r2@cisco.com";
  tunnel(s, 0).match = {email("r2@cisco.com"), email("cisco.com", true), fqdn("cisco.com", true)};
  ASSERT_TRUE(validate(s).empty());
  const std::string text = scenario_to_text(s);
  EXPECT_NE(text.find(R"("self_identity": "dn")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("self_identity_value": "r2@cisco.com")"), std::string::npos);
  EXPECT_NE(text.find(R"("email": "cisco.com",)"), std::string::npos);
  EXPECT_NE(text.find(R"("domain": true)"), std::string::npos);
  EXPECT_EQ(scenario_from_json_text(text, "x.json"), s);
  // Old files load unchanged: no new key is written for FQDN / address identities.
  const Scenario s1 = corpus("s1");
  EXPECT_EQ(scenario_to_text(s1).find("domain"), std::string::npos);
  EXPECT_EQ(scenario_to_text(s1).find("self_identity_value"), std::string::npos);
}

TEST(ScenarioJson, BadIdentityFieldsNameTheirPlace) {
  std::ifstream in(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/s1.json");
  const std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto error_of = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
    try {
      scenario_from_json_text(t, "x.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of(R"("self_identity": "fqdn")", R"("self_identity": "email")").find("self_identity_value"),
            std::string::npos);
  EXPECT_NE(error_of(R"("self_identity": "fqdn")", R"("self_identity": "fqdn", "self_identity_value": "a@b")")
                .find("only an email identity"),
            std::string::npos);
  EXPECT_NE(error_of(R"("fqdn": "R2.cisco.com")", R"("address": "1.2.3.4", "domain": true)").find("no domain"),
            std::string::npos);
  EXPECT_NE(error_of(R"("fqdn": "R2.cisco.com")", R"("fqdn": "x", "email": "a@b")").find("exactly one of"),
            std::string::npos);
  EXPECT_NE(error_of(R"("fqdn": "R2.cisco.com")", R"("email": "a@b", "domain": 1)").find("true or false"),
            std::string::npos);
  EXPECT_NE(error_of(R"("self_identity": "fqdn")", R"("self_identity": "x509")").find("dn, email"), std::string::npos);
}

TEST(ScenarioValidate, NoDnMatchLineNoAddressDomainNoEmailWithoutAddress) {
  Scenario s = v2_pair();
  tunnel(s, 0).match = {{IdKind::Dn, "cn=R2", ""}};
  EXPECT_FALSE(validate(s).empty());
  tunnel(s, 0).match = {{IdKind::Address, "1.2.3.4", "", true}};
  EXPECT_FALSE(validate(s).empty());
  tunnel(s, 0).match = {fqdn("R2.cisco.com")};
  tunnel(s, 0).self_identity = IdKind::Email;
  EXPECT_FALSE(validate(s).empty());
  tunnel(s, 0).self_identity_value = "r1@cisco.com";
  EXPECT_TRUE(validate(s).empty());
}

}  // namespace
}  // namespace ikeconform::testing
