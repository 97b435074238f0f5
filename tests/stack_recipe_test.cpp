// docs/CONTRIBUTING.md "Add an implementation", followed: a new implementation is one PeerStack, one
// StackKind (its registry entry) and one registry line -- here a test-only stack, `echo`, that
// compiles against the same interfaces a real one uses. Also the one not_attempted() shape every
// real target returns, and what the pair runner refuses before it makes a PKI or a namespace
// (label `unit`: no root, no daemon).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers/targets/targets.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

// Step 1 of the recipe: the per-peer stack. A real one starts its daemon in the constructor,
// renders and loads in prepare(), and reads its own logs in progress() / report().
class EchoPeer final : public stack::PeerStack {
 public:
  std::string_view personality() const override { return "echo-1.0"; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki&, const std::string&) override {
    scenario_ = &s;
    peer_ = peer;
  }
  void initiate() override {}
  stack::Progress progress(Role, bool) override { return stack::Progress::Up; }
  stack::SideReport report(Role) override {
    stack::SideReport r;
    r.ike_established = true;
    r.child_installed = true;
    r.heard_peer = true;
    r.trace.push_back(scenario_->peers[peer_].name + ": echo");
    return r;
  }
  void teardown() override { scenario_ = nullptr; }
  bool healthy() override { return true; }
  std::string describe() override { return "echo"; }

 private:
  const Scenario* scenario_ = nullptr;
  std::size_t peer_ = 0;
};

// Step 3: its registry entry.
stack::StackKind echo_kind() {
  stack::StackKind k;
  k.name = "echo";
  k.title = "Echo";
  k.personality = "echo-1.0";
  k.observes_child_sa = false;
  k.make = [](const netns::NetnsPair&, std::size_t, const std::filesystem::path&,
              const stack::StackOptions&) -> std::unique_ptr<stack::PeerStack> { return std::make_unique<EchoPeer>(); };
  k.version = [] { return std::optional<std::string>("Echo 1.0"); };
  k.inexpressible = [](const Scenario& s, std::size_t) -> std::optional<std::string> {
    if (s.aggressive_mode) return "aggressive mode is not echoed";
    return std::nullopt;
  };
  k.render = [](const Scenario& s, std::size_t peer, const stack::RenderContext&) {
    return std::vector<RenderedFile>{
        {stack::rendering_name(s, peer, "echo.conf"), "echo " + s.peers[peer].name + "\n"}};
  };
  return k;
}

TEST(StackRecipe, OneStackKindMakesATargetAloneAndInPairs) {
  const stack::StackKind echo = echo_kind(), swan = strongswan::stack_kind();
  stack::PairTarget alone(echo, echo);
  EXPECT_EQ(alone.name(), "echo");
  EXPECT_EQ(alone.personality(), "echo-1.0");
  EXPECT_FALSE(alone.observes_child_sa());
  EXPECT_TRUE(alone.slow());
  EXPECT_EQ(alone.version(), "Echo 1.0");

  stack::PairTarget mixed(swan, echo);  // strongSwan on peer 0, echo on peer 1
  EXPECT_EQ(mixed.name(), "strongswan,echo");
  EXPECT_EQ(mixed.personality(), "strongswan-5.9+echo-1.0");
  EXPECT_FALSE(mixed.observes_child_sa());  // one side cannot: the pair reports the IKE SA only
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  const Scenario p = mixed.personalities(s);
  EXPECT_EQ(p.peers[0].personality, kStrongswan59);
  EXPECT_EQ(p.peers[1].personality, "echo-1.0");
  const std::vector<RenderedFile> files = mixed.render(s);  // each peer in its own stack's language
  ASSERT_EQ(files.size(), 2U);
  EXPECT_EQ(files[0].suffix, "R1.swanctl.conf");
  EXPECT_EQ(files[1].suffix, "R2.echo.conf");
  EXPECT_EQ(files[1].text, "echo R2\n");
}

TEST(StackRecipe, RegisteredNamesAreTheStacksAndTheirOrderedPairs) {
  targets::register_real_targets();
  const std::string known = known_targets();
  EXPECT_EQ(known,
            "model, strongswan, libreswan, cisco-ios, strongswan,libreswan, strongswan,cisco-ios, "
            "libreswan,strongswan, "
            "libreswan,cisco-ios, cisco-ios,strongswan, cisco-ios,libreswan, strongswan,strongswan, "
            "libreswan,libreswan, cisco-ios,cisco-ios, exec:PATH");
  for (const char* name : {"strongswan", "libreswan", "strongswan,libreswan", "libreswan,strongswan", "cisco-ios",
                           "cisco-ios,strongswan", "libreswan,cisco-ios"}) {
    const std::unique_ptr<Target> t = make_target(name, TargetConfig{});  // no daemon starts here
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->name(), name);
    EXPECT_TRUE(t->slow());
  }
  EXPECT_TRUE(make_target("strongswan", TargetConfig{})->observes_child_sa());
  EXPECT_FALSE(make_target("strongswan,libreswan", TargetConfig{})->observes_child_sa());
  EXPECT_EQ(make_target("libreswan,strongswan", TargetConfig{})->personality(), "libreswan-4.10+strongswan-5.9");
  EXPECT_EQ(make_target("cisco-ios,strongswan", TargetConfig{})->personality(), "cisco-ios+strongswan-5.9");
  EXPECT_EQ(make_target("cisco-ios,cisco-ios", TargetConfig{})->name(), "cisco-ios");  // the pair spelled out
  EXPECT_THROW(targets::stack_named("nope"), std::invalid_argument);
}

// The one shape of a run that produced no exchange (model/observation.hpp).
// Issue 10 item 2: a CHILD SA refused for its selectors is TS_UNACCEPTABLE in IKEv2 and
// INVALID_ID_INFORMATION in IKEv1 quick mode, the codes the model gives (model/engine.cpp).
TEST(Combine, SelectorRefusalSpeaksTheIkeVersionsVocabulary) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario s = testing::s1_scenario(v);
    stack::SideReport ini, res;
    ini.ike_established = res.ike_established = true;
    ini.heard_peer = res.heard_peer = true;
    res.child_ts_unacceptable = true;
    const Observation o = stack::combine(s, 0, ini, res, "");
    EXPECT_EQ(o.ike_sa, SaResult::Established);
    EXPECT_EQ(o.child_sa, SaResult::Failed);
    EXPECT_EQ(o.reason, v == IkeVersion::V1 ? Reason::InvalidIdInformation : Reason::TsUnacceptable);
    EXPECT_EQ(o.failed_at, v == IkeVersion::V1 ? Message::QM1 : Message::IKE_AUTH);
  }
}

TEST(NotAttempted, UnsupportedAttemptsNothingAndInternalErrorFailsTheIkeSa) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  const Observation u = not_attempted(s, 1, Reason::Unsupported, "echo: aggressive mode");
  EXPECT_EQ(u.initiator, 1);
  EXPECT_EQ(u.ike_version, IkeVersion::V2);
  EXPECT_EQ(u.ike_sa, SaResult::NotAttempted);
  EXPECT_EQ(u.child_sa, SaResult::NotAttempted);
  EXPECT_EQ(u.failed_at, Message::None);
  EXPECT_EQ(u.reason, Reason::Unsupported);
  EXPECT_EQ(u.trace, std::vector<std::string>{"echo: aggressive mode"});
  const Observation e = not_attempted(s, 0, Reason::InternalError, "adapter: gone");
  EXPECT_EQ(e.ike_sa, SaResult::Failed);
  EXPECT_EQ(e.child_sa, SaResult::NotAttempted);
  EXPECT_EQ(e.failed_at, Message::None);
  EXPECT_EQ(e.reason, Reason::InternalError);
}

// The runner refuses before any PKI, namespace or daemon: no root needed to see it.
TEST(NotAttempted, PairRunnerRefusesWhatNoStackCanRun) {
  stack::PairRunner runner({echo_kind()});
  Scenario s = testing::s1_scenario(IkeVersion::V2);
  for (Peer& p : s.peers) p.personality = "echo-1.0";
  s.aggressive_mode = true;
  Observation o = runner.run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::NotAttempted);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.trace, std::vector<std::string>{"Echo target: aggressive mode is not echoed"});
  s.aggressive_mode = false;
  s.peers[1].personality = kCiscoIos;
  o = runner.run(s, 1);
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.trace, std::vector<std::string>{"real-stack target: no real stack for personality 'cisco-ios'"});
  EXPECT_EQ(runner.net(), nullptr);  // nothing was started
}

}  // namespace
}  // namespace ikeconform
