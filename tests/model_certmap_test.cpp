// `match certificate MAP` (issue 10): `crypto pki certificate map` evaluated against the
// certificate the peer sent, and the profile binding that uses it (V1-8, V2-9).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/personality.hpp"
#include "model/scenario_json.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

CertificateMap map1(CertField f, CertMatchOp op, std::string value) {
  return CertificateMap{"M", {{10, {{f, op, std::move(value)}}}}};
}

const std::string kSubject = "cn=R1,ou=IT,o=cisco,o=com";

TEST(CertificateMap, ComparesCaseInsensitivelyIgnoringBlanksAroundSeparators) {
  EXPECT_EQ(certificate_map_text("CN = R1, OU = Branch Office ,O=x"), "cn=r1,ou=branch office,o=x");
  using enum CertMatchOp;
  EXPECT_EQ(certificate_map_matches(map1(CertField::SubjectName, Eq, "CN = R1, ou = it, o = cisco, o = com"), kSubject,
                                    kCA1),
            CertMapResult::Match);
  EXPECT_EQ(certificate_map_matches(map1(CertField::SubjectName, Eq, "cn=R1"), kSubject, kCA1),
            CertMapResult::NoMatch);  // eq is the whole DN
  EXPECT_EQ(certificate_map_matches(map1(CertField::SubjectName, Co, "ou = it"), kSubject, kCA1), CertMapResult::Match);
  EXPECT_EQ(certificate_map_matches(map1(CertField::SubjectName, Nc, "ou=it"), kSubject, kCA1), CertMapResult::NoMatch);
  EXPECT_EQ(certificate_map_matches(map1(CertField::IssuerName, Ne, kCA2), kSubject, kCA1), CertMapResult::Match);
  EXPECT_EQ(certificate_map_matches(map1(CertField::IssuerName, Eq, kCA2), kSubject, kCA1), CertMapResult::NoMatch);
}

TEST(CertificateMap, LinesOfASequenceAreAndedSequencesAreOred) {
  using enum CertMatchOp;
  CertificateMap m{"M",
                   {{10, {{CertField::SubjectName, Co, "ou=it"}, {CertField::IssuerName, Eq, kCA2}}},
                    {20, {{CertField::SubjectName, Co, "cn=r9"}}}}};
  EXPECT_EQ(certificate_map_matches(m, kSubject, kCA1), CertMapResult::NoMatch);
  EXPECT_EQ(certificate_map_matches(m, kSubject, kCA2), CertMapResult::Match);
  EXPECT_EQ(certificate_map_matches(m, "cn=R9", kCA1), CertMapResult::Match);
}

TEST(CertificateMap, AnUnknownSubjectIsUndecidedUnlessAnotherLineDecides) {
  using enum CertMatchOp;
  CertificateMap m{"M", {{10, {{CertField::SubjectName, Co, "ou=it"}, {CertField::IssuerName, Eq, kCA2}}}}};
  EXPECT_EQ(certificate_map_matches(m, "", kCA2), CertMapResult::Unknown);
  EXPECT_EQ(certificate_map_matches(m, "", kCA1), CertMapResult::NoMatch);  // the issuer line fails anyway
  m.entries.push_back({20, {{CertField::IssuerName, Eq, kCA2}}});
  EXPECT_EQ(certificate_map_matches(m, "", kCA2), CertMapResult::Match);  // sequence 20 needs no subject
}

// Generators over a small alphabet so that eq / co hit often.
rc::Gen<std::string> dn_text() {
  return rc::gen::container<std::string>(rc::gen::element(' ', '=', ',', 'a', 'B', 'c', 'o', 'u'));
}
rc::Gen<CertMapRule> rule() {
  return rc::gen::build<CertMapRule>(rc::gen::set(&CertMapRule::field,
                                                  rc::gen::element(CertField::SubjectName, CertField::IssuerName)),
                                     rc::gen::set(&CertMapRule::op, rc::gen::element(CertMatchOp::Eq, CertMatchOp::Ne,
                                                                                     CertMatchOp::Co, CertMatchOp::Nc)),
                                     rc::gen::set(&CertMapRule::value, rc::gen::nonEmpty(dn_text())));
}

RC_GTEST_PROP(CertificateMap, NeAndNcAreTheNegationsOfEqAndCoAndEqImpliesCo, ()) {
  const std::string subject = *rc::gen::nonEmpty(dn_text()), value = *rc::gen::nonEmpty(dn_text());
  auto on = [&](CertMatchOp op) {
    return certificate_map_matches(map1(CertField::SubjectName, op, value), subject, kCA1) == CertMapResult::Match;
  };
  RC_ASSERT(on(CertMatchOp::Ne) == !on(CertMatchOp::Eq));
  RC_ASSERT(on(CertMatchOp::Nc) == !on(CertMatchOp::Co));
  RC_ASSERT(!on(CertMatchOp::Eq) || on(CertMatchOp::Co));
}

// Soundness of "undecided": when the map decides without the subject, every subject gives the
// same answer; with the subject known it always decides.
RC_GTEST_PROP(CertificateMap, ADecisionWithoutTheSubjectHoldsForEverySubject, ()) {
  CertificateMap m;
  m.name = "M";
  const auto entries = *rc::gen::inRange<std::size_t>(1, 4);
  for (std::size_t i = 0; i < entries; ++i)
    m.entries.push_back({static_cast<int>(10 * (i + 1)),
                         *rc::gen::container<std::vector<CertMapRule>>(*rc::gen::inRange<std::size_t>(1, 4), rule())});
  const std::string issuer = *rc::gen::nonEmpty(dn_text()), subject = *rc::gen::nonEmpty(dn_text());
  const CertMapResult without = certificate_map_matches(m, "", issuer);
  const CertMapResult with = certificate_map_matches(m, subject, issuer);
  RC_ASSERT(with != CertMapResult::Unknown);
  if (without != CertMapResult::Unknown) RC_ASSERT(with == without);
}

// ---- the binding (V1-8, V2-9): `match identity` OR `match certificate` ----

Scenario v2_maps() {
  Scenario s = corpus("s2");  // R2 has profile1..3 all matching R1's address; the tunnel uses profile1
  for (Profile& f : s.peers[1].profiles) f.match.clear();
  return s;
}

TEST(V2_9, ACertificateMapBindsTheProfileAndTheLastMatchStillWins) {
  using enum CertMatchOp;
  Scenario s = v2_maps();
  auto& p = s.peers[1].profiles;
  p[0].match_certificate = {map1(CertField::SubjectName, Co, "cn=R1")};
  p[1].match_certificate = {map1(CertField::SubjectName, Co, "OU = it")};
  p[2].match_certificate = {map1(CertField::SubjectName, Co, "cn=R9")};
  Observation o = run(s, 0);
  EXPECT_EQ(o.responder_profile, 1);  // profile3 does not match; profile2 is the last that does
  EXPECT_EQ(o.reason, Reason::TsUnacceptable);
  EXPECT_TRUE(traced(o, "Certificate map 'M' matches the peer's certificate"));
  p[1].match_certificate.clear();
  o = run(s, 0);
  EXPECT_EQ(o.responder_profile, 0);
  EXPECT_TRUE(o.up());
  p[0].match_certificate = {map1(CertField::IssuerName, Eq, kCA2)};  // R1's certificate is from CA1
  o = run(s, 0);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::NoMatchingProfile);
}

TEST(V2_9, ABindingThatDependsOnAnUnknownSubjectIsUnsupportedNeverGuessed) {
  Scenario s = v2_maps();
  s.peers[0].certificates[0].subject.clear();
  auto& p = s.peers[1].profiles;
  p[0].match_certificate = {map1(CertField::SubjectName, CertMatchOp::Co, "cn=R1")};
  Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Failed);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.responder_profile, kNone);
  // A later profile that surely matches decides first (the last match wins): no question left.
  p[2].match = {{IdKind::Address, "192.168.0.1", ""}};
  o = run(s, 0);
  EXPECT_EQ(o.responder_profile, 2);
  EXPECT_EQ(o.reason, Reason::TsUnacceptable);
}

TEST(V1_8, ACertificateMapBindsTheIsakmpProfileAtMM5) {
  Scenario s = corpus("s1");
  s.peers[0].profiles[0].trustpoints.clear();
  s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}};
  s.peers[1].profiles[0].match_certificate = {map1(CertField::IssuerName, CertMatchOp::Co, "o=cisco,o=com")};
  Observation o = run(s, 0);
  EXPECT_TRUE(o.up());
  EXPECT_TRUE(traced(o, "ISAKMP:(0): certificate map M matches the peer's certificate"));
  s.peers[1].profiles[0].match_certificate = {map1(CertField::IssuerName, CertMatchOp::Nc, "o=cisco")};
  o = run(s, 0);
  // No profile matches: the global configuration authenticates R1 (IOS semantics), and quick
  // mode finds no crypto map entry for the SA without prof1.
  EXPECT_EQ(o.responder_profile, kNone);
  EXPECT_EQ(o.failed_at, Message::QM1);
  EXPECT_EQ(o.reason, Reason::InvalidIdInformation);
  // IKEv1 first-match (option): an earlier undecided profile leaves the question open.
  s.peers[1].profiles[0].match_certificate = {map1(CertField::SubjectName, CertMatchOp::Co, "cn=R1")};
  for (auto& c : s.peers[0].certificates) c.subject.clear();
  ModelOptions first;
  first.ikev1_profile_match = ProfileMatch::First;
  o = run(s, 0, first);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.failed_at, Message::MM5);
}

TEST(ScenarioJson, CertificateMapsRoundTripAndAreCheckedStrictly) {
  Scenario s = corpus("s2");
  s.peers[1].profiles[0].match_certificate = {CertificateMap{
      "BR",
      {{10, {{CertField::SubjectName, CertMatchOp::Co, "ou=it"}, {CertField::IssuerName, CertMatchOp::Ne, kCA2}}},
       {20, {}}}}};
  EXPECT_EQ(scenario_from_json_text(scenario_to_text(s), "s.json"), s);
  std::string text = scenario_to_text(s);
  std::string bad = text;
  bad.replace(bad.find("\"co\""), 4, "\"lt\"");
  try {
    scenario_from_json_text(bad, "s.json");
    ADD_FAILURE() << "an unknown operator was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("unknown value 'lt'"), std::string::npos) << e.what();
  }
  // A scenario without maps writes no key (files written before stay byte-identical).
  EXPECT_EQ(scenario_to_text(corpus("s2")).find("match_certificate"), std::string::npos);
}

}  // namespace
}  // namespace ikeconform::testing
