// Generators, oracles P-1..P-9 and shrinking. Every oracle runs as an RC_GTEST_PROP on the model
// with default options; mutation tests show each derived oracle notices a model that follows
// other options than the ones it was told (so the oracles check something independent).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "generators/generators.hpp"
#include "model/engine.hpp"
#include "model/personality_names.hpp"
#include "model/scenario_json.hpp"
#include "oracles/facts.hpp"
#include "oracles/oracle.hpp"
#include "oracles/shrink.hpp"
#include "oracles/universal.hpp"

namespace ikeconform {
namespace {

Scenario corpus(const std::string& name) {
  return load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/" + name + ".json");
}

OracleResult judge(const Oracle& o, const Scenario& s, const ModelOptions& target_opt = {},
                   const ModelOptions& oracle_opt = {}) {
  ModelTarget t(target_opt);
  Observation obs[2];
  t.run_both(s, obs);
  return evaluate(o, s, obs, t, oracle_opt).result;
}

const Oracle& oracle(std::string_view id) {
  const Oracle* o = find_oracle(id);
  if (!o) throw std::runtime_error("no oracle " + std::string(id));
  return *o;
}

// ---- generators -----------------------------------------------------------------------------

RC_GTEST_PROP(Generators, AnyScenarioIsValidAndRuns, ()) {
  const Scenario s = *gen::any_scenario();
  RC_ASSERT(validate(s).empty());
  RC_ASSERT(s.cas.size() >= 1u && s.cas.size() <= 6u);
  Observation obs[2];
  ModelTarget().run_both(s, obs);  // compile() throws on anything validate() missed
  RC_TAG(s.ike_version == IkeVersion::V1 ? "IKEv1" : "IKEv2");
}

RC_GTEST_PROP(Generators, SymmetricClassMeetsP1Precondition, ()) {
  const Scenario s = *gen::symmetric_scenario();
  RC_ASSERT(validate(s).empty());
  std::string why;
  RC_ASSERT(facts::is_symmetric(s, ModelOptions{}, &why));
  RC_ASSERT(s.peers[0].profiles.size() == 1u);
}

RC_GTEST_PROP(Generators, UnrestrictedClassMeetsP2Precondition, ()) {
  const Scenario s = *gen::unrestricted_v1_scenario();
  RC_ASSERT(validate(s).empty());
  RC_ASSERT(facts::is_unrestricted_shared(s, ModelOptions{}));
}

// Generate for the target (model/expressible.hpp): what a target cannot express never comes out.
RC_GTEST_PROP(Generators, NothingTheTargetCannotExpress, ()) {
  Expressible e;
  e.pre_shared_keys = false;
  e.revoked_certificates = false;
  e.certificate_features = false;
  const Scenario s = *gen::mixed_scenario(e);
  RC_ASSERT(validate(s).empty());
  for (const Peer& p : s.peers) {
    for (const Profile& f : p.profiles)
      RC_ASSERT(f.auth_local == AuthMethod::RsaSig && f.auth_remote == AuthMethod::RsaSig);
    for (const IdentityCert& c : p.certificates) RC_ASSERT(!c.revoked && c.features.empty());
    RC_ASSERT(p.unsupported_features.empty());
  }
}

// Spec, IOS semantics: a cisco-ios IKEv1 responder never ends main mode at MM5 for want of a
// matching profile (it goes on with its global configuration); and a quick mode failure speaks
// IKEv1 (INVALID-ID-INFORMATION, RFC 2408 §3.14.1), an IKEv2 CHILD SA failure IKEv2 (TS_UNACCEPTABLE).
RC_GTEST_PROP(IosSemantics, Ikev1ResponderOnGlobalConfigurationAndReasonsInTheirVersionsVocabulary, ()) {
  const Scenario s = *gen::any_scenario();
  Observation obs[2];
  ModelTarget().run_both(s, obs);
  for (const Observation& o : obs) {
    const bool v1 = s.ike_version == IkeVersion::V1;
    if (v1 && s.peers[o.responder()].personality == kCiscoIos)
      RC_ASSERT(!(o.failed_at == Message::MM5 && o.reason == Reason::NoMatchingProfile));
    RC_ASSERT(o.reason != (v1 ? Reason::TsUnacceptable : Reason::InvalidIdInformation));
    const Peer& r = s.peers[o.responder()];
    const auto tunnel = std::find_if(r.profiles.begin(), r.profiles.end(),
                                     [&](const Profile& p) { return p.name == r.tunnel_profile; });
    const bool tunnel_global = tunnel->match.empty() && tunnel->match_certificate.empty();
    if (v1 && o.ike_sa == SaResult::Established && o.responder_profile == kNone && !tunnel_global) {
      RC_TAG("global configuration");
      RC_ASSERT(o.child_sa == SaResult::Failed);
      RC_ASSERT(o.reason == Reason::InvalidIdInformation);
    }
  }
}

TEST(Generators, CampaignScenarioDependsOnlyOnSeedAndIndex) {
  const auto g = gen::mixed_scenario();
  for (std::uint64_t i = 0; i < 50; ++i) EXPECT_EQ(gen::generate(g, 7, i).value(), gen::generate(g, 7, i).value());
  std::set<std::string> distinct;
  for (std::uint64_t i = 0; i < 50; ++i) distinct.insert(scenario_to_text(gen::generate(g, 7, i).value()));
  EXPECT_GT(distinct.size(), 45u);
  EXPECT_NE(gen::generate(g, 7, 3).value(), gen::generate(g, 8, 3).value());
}

TEST(Generators, AnyClassCoversTheInterestingCases) {
  const auto g = gen::any_scenario();
  int v2 = 0, psk = 0, revoked = 0, ca_only = 0, split = 0, overlap = 0, restricted = 0;
  std::set<std::size_t> ca_counts;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const Scenario s = gen::generate(g, 1, i).value();
    ca_counts.insert(s.cas.size());
    v2 += s.ike_version == IkeVersion::V2;
    for (std::size_t p = 0; p < 2; ++p) {
      const Peer& peer = s.peers[p];
      for (const auto& c : peer.certificates) revoked += c.revoked;
      ca_only += peer.trustpoints.size() > peer.certificates.size();
      for (const auto& f : peer.profiles) {
        psk += f.auth_local == AuthMethod::PreShare;
        restricted += !f.trustpoints.empty();
        for (const auto& l : f.trustpoints) split += l.use != TrustpointUse::Both;
      }
      const auto& me = s.peers[1 - p];
      overlap += facts::matching_profiles(peer, facts::identity_sent(me, *find_profile(me, me.tunnel_profile))).size() >
                 1;
    }
  }
  EXPECT_EQ(ca_counts.size(), 6u);
  for (int n : {v2, psk, revoked, ca_only, split, overlap, restricted}) EXPECT_GT(n, 10);
}

// RapidCheck's own shrink tree removes CAs: a property failing from 3 CAs shrinks to exactly 3.
TEST(Shrinking, TreeShrinksCaCountToTheBoundary) {
  const auto g = gen::any_scenario();
  for (std::uint64_t i = 0; i < 200; ++i) {
    const auto tree = gen::generate(g, 3, i);
    const Scenario s = tree.value();
    if (s.cas.size() < 5) continue;
    const Judge at_least_three = [](const Scenario& c) {
      return c.cas.size() >= 3 ? OracleResult{Verdict::Fail, "big"} : OracleResult{Verdict::Pass, ""};
    };
    const ShrinkResult r = shrink(&tree, s, {Verdict::Fail, "big"}, at_least_three, 5000);
    EXPECT_EQ(r.scenario.cas.size(), 3u);
    EXPECT_TRUE(validate(r.scenario).empty());
    EXPECT_LE(r.steps, 5000u);
    return;
  }
  FAIL() << "no scenario with 5+ CAs";
}

TEST(Shrinking, StructuralCandidatesAreValid) {
  const auto g = gen::any_scenario();
  for (std::uint64_t i = 0; i < 100; ++i)
    for (const Scenario& c : structural_shrinks(gen::generate(g, 5, i).value()))
      ASSERT_TRUE(validate(c).empty()) << validate(c).front();
}

TEST(Shrinking, StepBudgetIsHonoured) {
  const auto tree = gen::generate(gen::any_scenario(), 9, 1);
  std::size_t calls = 0;
  const Judge always = [&](const Scenario&) {
    ++calls;
    return OracleResult{Verdict::Fail, "x"};
  };
  const ShrinkResult r = shrink(&tree, tree.value(), {Verdict::Fail, "x"}, always, 17);
  EXPECT_EQ(calls, 17u);
  EXPECT_EQ(r.steps, 17u);
}

// ---- every oracle holds on the model (default options) --------------------------------------

void holds(std::string_view id, const rc::Gen<Scenario>& g) {
  const Scenario s = *g;
  const OracleResult r = judge(oracle(id), s);
  RC_TAG(std::string(verdict_text(r.verdict)));
  if (r.verdict == Verdict::Fail) RC_FAIL(std::string(id) + ": " + r.message + "\n" + scenario_to_text(s));
}

RC_GTEST_PROP(Oracles, P1_SymmetricAlwaysSucceeds, ()) { holds("P-1", gen::symmetric_scenario()); }
RC_GTEST_PROP(Oracles, P2_UnrestrictedSharedSucceeds, ()) { holds("P-2", gen::unrestricted_v1_scenario()); }
RC_GTEST_PROP(Oracles, P3_CertReqSet, ()) { holds("P-3", gen::mixed_scenario()); }
RC_GTEST_PROP(Oracles, P4_CertReqOrder, ()) { holds("P-4", gen::mixed_scenario()); }
RC_GTEST_PROP(Oracles, P5_FirstUsableMatch, ()) { holds("P-5", gen::mixed_scenario()); }
RC_GTEST_PROP(Oracles, P6_OneWayMeansAsymmetric, ()) { holds("P-6", gen::any_scenario()); }
RC_GTEST_PROP(Oracles, P7_NoPkiTrustpointNoCert, ()) { holds("P-7", gen::any_scenario()); }
RC_GTEST_PROP(Oracles, P8_LastMatchingProfile, ()) { holds("P-8", gen::any_scenario()); }
RC_GTEST_PROP(Oracles, P9_EnrollmentOrderNeverBreaksSymmetric, ()) { holds("P-9", gen::mixed_scenario()); }

// Each oracle is non-vacuous on its classes: it is checked (not skipped) on many scenarios.
TEST(Oracles, EachIsCheckedOnItsClasses) {
  for (const Oracle* o : all_oracles()) {
    gen::ScenarioClass cls = gen::ScenarioClass::Any;
    ASSERT_TRUE(gen::parse_class(o->classes().front(), cls));
    const auto g = gen::scenario_of(cls);
    int checked = 0;
    for (std::uint64_t i = 0; i < 200; ++i)
      checked += judge(*o, gen::generate(g, 11, i).value()).verdict != Verdict::Skip;
    EXPECT_GT(checked, 10) << o->id();
  }
}

TEST(Oracles, RegistryDescribesEveryClaim) {
  ASSERT_EQ(all_oracles().size(), 9u);
  for (int k = 1; k <= 9; ++k) {
    const Oracle* o = find_oracle("P-" + std::to_string(k));
    ASSERT_NE(o, nullptr);
    EXPECT_FALSE(o->statement().empty());
    EXPECT_FALSE(o->rules().empty());
    EXPECT_FALSE(o->classes().empty());
  }
  EXPECT_TRUE(find_oracle("P-2")->metamorphic());
  EXPECT_TRUE(find_oracle("P-9")->metamorphic());
  EXPECT_EQ(find_oracle("P-10"), nullptr);
}

// ---- the note's scenarios -------------------------------------------------------------------

TEST(Oracles, NoteScenariosPassOrSkip) {
  for (const char* name : {"s1", "s2", "s3", "s4"}) {
    const Scenario s = corpus(name);
    for (const Oracle* o : all_oracles())
      EXPECT_NE(judge(*o, s).verdict, Verdict::Fail) << name << " " << o->id() << ": " << judge(*o, s).message;
  }
  EXPECT_EQ(judge(oracle("P-6"), corpus("s1")).verdict, Verdict::Pass);  // one-way, asymmetric
  EXPECT_EQ(judge(oracle("P-8"), corpus("s2")).verdict, Verdict::Pass);  // profile3 bound, TS unacceptable
  EXPECT_EQ(judge(oracle("P-7"), corpus("s3")).verdict, Verdict::Pass);  // no pki trustpoint
  EXPECT_EQ(judge(oracle("P-1"), corpus("s1")).verdict, Verdict::Skip);
}

// ---- the oracles are independent of the model: a model that follows other options is caught ----

// The first scenario of `g` on which `id` fails when the model runs with `model_opt` but the
// oracle expects the defaults.
std::optional<std::string> find_failure(std::string_view id, const rc::Gen<Scenario>& g,
                                        const ModelOptions& model_opt) {
  for (std::uint64_t i = 0; i < 3000; ++i) {
    const Scenario s = gen::generate(g, 21, i).value();
    const OracleResult r = judge(oracle(id), s, model_opt, ModelOptions{});
    if (r.verdict == Verdict::Fail) return r.message;
  }
  return std::nullopt;
}

// cisco-ios,strongswan campaign (seed 3): both ends hold CA1 and CA2 certificates, every profile
// accepts CA1 only. IOS asks for CA2 first in MM4 before its profile is bound (V1-3); charon
// picks its CA2 certificate from that hint (RFC 4945 §3.2.7.1 leaves the choice to it); IOS
// refuses it. Symmetric, yet one way down, and no stack wrong: P-1 and P-6 do not judge it, but
// do on the same configuration between two IOS routers.
TEST(OracleScope, P1AndP6JudgeOtherStacksOnlyWhereEveryCertificateIsAccepted) {
  Scenario s = load_scenario_file(std::filesystem::path(IKECONFORM_SOURCE_DIR) /
                                  "tests/data/oracles/p1-mixed-restricted.json");
  ASSERT_EQ(s.peers[1].personality, kStrongswan59);
  std::string why;
  EXPECT_TRUE(facts::is_symmetric(s, ModelOptions{}, &why)) << why;
  EXPECT_FALSE(facts::every_certificate_accepted(s, &why));

  for (const char* id : {"P-1", "P-6"}) {
    const OracleResult r = judge(oracle(id), s);
    EXPECT_EQ(r.verdict, Verdict::Skip) << id << ": " << r.message;
  }
  s.peers[1].personality = std::string(kCiscoIos);
  EXPECT_EQ(judge(oracle("P-1"), s).verdict, Verdict::Pass);
  // Without CA2 on either end, whatever a stack picks validates: the claim holds for strongSwan too.
  s.peers[1].personality = std::string(kStrongswan59);
  for (Peer& p : s.peers) {
    std::erase_if(p.certificates, [](const IdentityCert& c) { return c.trustpoint.back() == '2'; });
    std::erase_if(p.trustpoints, [](const Trustpoint& t) { return t.name.back() == '2'; });
  }
  EXPECT_TRUE(facts::every_certificate_accepted(s, &why)) << why;
  EXPECT_EQ(judge(oracle("P-1"), s).verdict, Verdict::Pass) << judge(oracle("P-1"), s).message << "\n"
                                                            << scenario_to_text(s);
}

// cisco-ios,libreswan campaign (seed 3): pluto, IKEv1 responder, has picked its connection by
// address at MM1 and asks in MM4 for that connection's `rightca` (CA3) only, not for every CA it
// holds (CA1, CA3): its local policy for the exchange, which RFC 4945 §3.2.7.1 asks it to name.
TEST(OracleScope, CertReqAnchorsAcceptsTheBoundConfigurationOfAResponderOtherThanIos) {
  Scenario s = load_scenario_file(std::filesystem::path(IKECONFORM_SOURCE_DIR) /
                                  "tests/data/oracles/certreq-libreswan-rightca.json");
  ASSERT_EQ(s.peers[1].personality, kLibreswan410);
  const OracleResult r = judge(oracle("CERTREQ-ANCHORS"), s);
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.message;
  // A profile restricted to two CAs is two connections, one `rightca` each: pluto asks for one.
  const Scenario two = load_scenario_file(std::filesystem::path(IKECONFORM_SOURCE_DIR) /
                                          "tests/data/oracles/certreq-libreswan-one-rightca.json");
  EXPECT_EQ(judge(oracle("CERTREQ-ANCHORS"), two).verdict, Verdict::Pass)
      << judge(oracle("CERTREQ-ANCHORS"), two).message;
  // The same list from an IOS responder, which binds no profile before MM4 (V1-3), is a failure.
  Observation o[2];
  ModelTarget().run_both(s, o);
  s.peers[1].personality = std::string(kCiscoIos);
  const ModelOptions opt;
  const std::vector<const RelatedRun*> none;
  const CheckInput in{s, o, opt, none};
  EXPECT_EQ(oracle("CERTREQ-ANCHORS").check(in).verdict, Verdict::Fail);
}

// A Libreswan initiator whose tunnel profile trusts CA3 and CA5 validates with its connection's
// rightca (CA3) and asks for that one (cisco-ios,libreswan seed 3, index 1).
TEST(OracleScope, CertReqAnchorsAcceptsTheRightcaOfAnInitiatorOtherThanIos) {
  Scenario s = load_scenario_file(std::filesystem::path(IKECONFORM_SOURCE_DIR) /
                                  "tests/data/oracles/certreq-libreswan-initiator-rightca.json");
  ASSERT_EQ(s.peers[1].personality, kLibreswan410);
  Observation o[2];
  ModelTarget().run_both(s, o);
  const Observation& from_r2 = o[0].initiator == 1 ? o[0] : o[1];
  ASSERT_EQ(facts::cas_in(from_r2.certreq_from_initiator).size(), 1U);  // CA3 only
  const ModelOptions opt;
  const std::vector<const RelatedRun*> none;
  EXPECT_EQ(oracle("CERTREQ-ANCHORS").check(CheckInput{s, o, opt, none}).verdict, Verdict::Pass);
  // The same list from an IOS initiator, whose CERT_REQ lists its profile's trustpoints (V1-2), fails.
  s.peers[1].personality = std::string(kCiscoIos);
  EXPECT_EQ(oracle("CERTREQ-ANCHORS").check(CheckInput{s, o, opt, none}).verdict, Verdict::Fail);
}

// A strongSwan initiator whose tunnel profile expects a pre-shared key still asks for every CA
// it holds (soak, seed 1): no certificate policy is at stake, so the list is not judged.
TEST(OracleScope, CertReqAnchorsDoesNotJudgeAnInitiatorExpectingAPreSharedKey) {
  const Scenario s = load_scenario_file(std::filesystem::path(IKECONFORM_SOURCE_DIR) /
                                        "tests/data/oracles/certreq-strongswan-psk-initiator.json");
  ASSERT_EQ(s.peers[0].profiles[0].auth_remote, AuthMethod::PreShare);
  Observation o[2];
  ModelTarget().run_both(s, o);
  const Observation& from_r1 = o[0].initiator == 0 ? o[0] : o[1];
  ASSERT_EQ(facts::cas_in(from_r1.certreq_from_initiator).size(), 2U);  // CA1 and CA2, as charon does
  const ModelOptions opt;
  const std::vector<const RelatedRun*> none;
  const OracleResult r = oracle("CERTREQ-ANCHORS").check(CheckInput{s, o, opt, none});
  EXPECT_NE(r.verdict, Verdict::Fail) << r.message;
}

TEST(Mutations, P1CatchesUnrestrictedInitiatorChoice) {
  ModelOptions m;
  m.initiator_choice_restricted_to_profile = false;
  EXPECT_TRUE(find_failure("P-1", gen::symmetric_scenario(), m));
}

TEST(Mutations, P3CatchesAnotherIkev2InitiatorCertReq) {
  ModelOptions m;
  m.ikev2_initiator_certreq = CertReqScope::All;
  EXPECT_TRUE(find_failure("P-3", gen::any_scenario(), m));
}

TEST(Mutations, P4CatchesAnotherCaOnlyOrder) {
  ModelOptions m;
  m.ca_only_order = CaOnlyOrder::Authenticate;
  EXPECT_TRUE(find_failure("P-4", gen::any_scenario(), m));
}

TEST(Mutations, P5CatchesAnotherFallbackAndResponderChoice) {
  ModelOptions m;
  m.fallback_certificate = FallbackCertificate::Store;
  EXPECT_TRUE(find_failure("P-5", gen::any_scenario(), m));
  ModelOptions r;
  r.ikev2_responder_choice = CertReqScope::All;
  EXPECT_TRUE(find_failure("P-5", gen::any_scenario(), r));
}

TEST(Mutations, P4CatchesMissingPredefinedTrustpoints) {
  ModelOptions m;
  m.predefined_trustpoints = false;
  EXPECT_TRUE(find_failure("P-3", gen::any_scenario(), m));
}

// ---- DIFF-STACKS (cross-target) -----------------------------------------------------------------

// A companion whose every run fails the IKE SA at MM5 / IKE_AUTH (a stack that disagrees).
class AlwaysDown final : public Target {
 public:
  std::string name() const override { return "always-down"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override {
    ++runs;
    Observation o;
    o.initiator = initiator;
    o.ike_version = s.ike_version;
    o.ike_sa = SaResult::Failed;
    o.failed_at = s.ike_version == IkeVersion::V2 ? Message::IKE_AUTH : Message::MM5;
    o.reason = Reason::CertValidationFailed;
    return o;
  }
  int runs = 0;
};

// The model under another name: a second target that agrees by construction.
class ModelTwin final : public Target {
 public:
  std::string name() const override { return "twin"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override { return model.run(s, initiator); }
  ModelTarget model;
};

TEST(DiffStacks, ComparesOutcomeOnly) {
  Observation up, down, child_down;
  up.ike_sa = up.child_sa = SaResult::Established;
  child_down = up;
  child_down.child_sa = SaResult::Failed;
  down.ike_sa = SaResult::Failed;
  down.failed_at = Message::MM5;
  EXPECT_EQ(outcome_difference(up, down, true)->field, "ike_sa");
  EXPECT_EQ(outcome_difference(up, child_down, true)->field, "child_sa");
  EXPECT_FALSE(outcome_difference(up, child_down, false)) << "an unobservable CHILD SA is not compared";
  Observation down_auth = down;
  down_auth.failed_at = Message::MM6;
  down_auth.reason = Reason::NoMatchingProfile;
  down_auth.certreq_from_responder.push_back({0, 0});
  EXPECT_FALSE(outcome_difference(down, down_auth, true)) << "same phase: reason and CERTREQs are not compared";
  Observation down_nego = down;
  down_nego.failed_at = Message::MM2;
  EXPECT_EQ(outcome_difference(down, down_nego, true)->field, "failure_phase");
}

TEST(DiffStacks, RunsTheCompanionsAndNamesTheDisagreement) {
  const Oracle& d = oracle("DIFF-STACKS");
  EXPECT_TRUE(d.cross_target());
  EXPECT_FALSE(d.applies_to(TargetTraits{})) << "only multi-target campaigns run it";
  const Scenario s = corpus("s1");  // one-way: R1 -> R2 comes up on the model
  ModelTarget main;
  Observation obs[2];
  main.run_both(s, obs);
  EXPECT_EQ(evaluate(d, s, obs, main, {}).result.verdict, Verdict::Skip) << "no companion: nothing to compare";
  ModelTwin twin;
  EXPECT_EQ(evaluate(d, s, obs, main, {}, {&twin}).result.verdict, Verdict::Pass);
  AlwaysDown down;
  const Evaluation e = evaluate(d, s, obs, main, {}, {&twin, &down});
  ASSERT_TRUE(obs[0].ike_sa == SaResult::Established || obs[1].ike_sa == SaResult::Established);
  EXPECT_EQ(e.result.verdict, Verdict::Fail);
  EXPECT_EQ(e.result.kind, "always-down:ike_sa");
  EXPECT_NE(e.result.message.find("always-down"), std::string::npos) << e.result.message;
  EXPECT_EQ(down.runs, 2) << "both directions, once";
  ASSERT_EQ(e.related.size(), 2u);
  EXPECT_EQ(e.related[1]->target, "always-down");
}

TEST(DiffStacks, ModelCompanionOnlyForSymmetricScenarios) {
  const Oracle& d = oracle("DIFF-STACKS");
  AlwaysDown main;
  ModelTarget model;
  const Scenario s1 = corpus("s1");  // one-way: asymmetric
  Observation obs[2];
  main.run_both(s1, obs);
  const OracleResult r = evaluate(d, s1, obs, main, {}, {&model}).result;
  EXPECT_EQ(r.verdict, Verdict::Skip);
  EXPECT_NE(r.message.find("P-1"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace ikeconform
