// Infrastructure is never a finding (label `real`, root; skips loudly otherwise): a failure
// injected into a strongSwan pair right before the first packet -- the responder's veth taken
// down, the responder's charon killed -- is retried once in a fresh pair; when it persists the run
// ends as an infrastructure error (INTERNAL_ERROR, which unjudgeable() keeps from every oracle)
// with its evidence (the cause, both attempts, the daemons' command lines and log tails), never
// as PEER_UNREACHABLE or another verdict. A failure of the first attempt only is healed by the
// retry. Afterwards nothing is left: no namespace, no daemon, no folder.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <sstream>

#include "drivers/netns/netns.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "leftovers.hpp"
#include "libreswan_test_util.hpp"  // dump
#include "oracles/oracle.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

using namespace std::chrono_literals;
using testing::dump;

bool any_line(const Observation& o, std::string_view needle) {
  for (const std::string& l : o.trace)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

class InfrastructureReal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::is_root())
      GTEST_SKIP() << "\n\n*** SKIPPED: the infrastructure-error test needs root (network namespaces, "
                      "charon-systemd). Run the `real` label as root. ***\n";
  }
  void TearDown() override {
    if (!testing::is_root()) return;
    const testing::Leftovers l = testing::settle(process::run_prefix());
    EXPECT_TRUE(l.none()) << "left behind:\n" << l.describe();
  }
};

// The pair's responder (peer 1) goes silent: its veth down.
void link_down(stack::PairRunner& r) {
  const netns::NetnsPair& net = *r.net();
  ASSERT_TRUE(net.exec(1, {"ip", "link", "set", net.interface(1), "down"}).ok());
}

// The responder's charon dies (SIGKILL to the processes of its namespace, by pid).
void kill_responder(stack::PairRunner& r) {
  const process::RunResult pids = process::run({"ip", "netns", "pids", r.net()->ns(1)});
  ASSERT_TRUE(pids.ok()) << pids.err;
  std::istringstream in(pids.out);
  int killed = 0;
  for (int pid = 0; in >> pid;) killed += ::kill(pid, SIGKILL) == 0;
  ASSERT_GT(killed, 0) << "no process in the responder's namespace";
}

stack::PairTarget pair(std::function<void(stack::PairRunner&, int)> inject) {
  stack::PairOptions o;
  o.key_cache = testing::test_key_cache();
  o.before_initiate = std::move(inject);
  return stack::PairTarget(strongswan::stack_kind(), strongswan::stack_kind(), o);
}

void expect_infrastructure_error(const Scenario& s, const Observation& o, std::string_view cause) {
  EXPECT_TRUE(is_infrastructure_error(o)) << dump(o);
  EXPECT_NE(o.reason, Reason::PeerUnreachable) << "not a verdict";
  ASSERT_FALSE(o.trace.empty());
  EXPECT_EQ(o.trace[0].rfind("real-stack target: infrastructure error: ", 0), 0U) << dump(o);
  EXPECT_NE(o.trace[0].find(cause), std::string::npos) << dump(o);
  EXPECT_NE(o.trace[0].find("again after one retry in a fresh pair; first attempt: "), std::string::npos) << dump(o);
  EXPECT_TRUE(any_line(o, "evidence: --- command: ")) << "the daemons' command lines" << dump(o);
  EXPECT_TRUE(any_line(o, "evidence: --- last lines of ")) << "the daemons' log tails" << dump(o);
  const Observation both[2] = {o, o};
  EXPECT_FALSE(unjudgeable(s, both).empty()) << "an oracle never judges it";
}

TEST_F(InfrastructureReal, LinkDownOnEveryAttemptIsAnInfrastructureErrorNotUnreachable) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  std::vector<int> attempts;
  {
    stack::PairTarget t = pair([&](stack::PairRunner& r, int attempt) {
      attempts.push_back(attempt);
      link_down(r);
    });
    const auto begin = std::chrono::steady_clock::now();
    const Observation o = t.run(s, 0);
    const auto took = std::chrono::steady_clock::now() - begin;
    std::cout << "[ timing ] persistent link failure: infrastructure error after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
    expect_infrastructure_error(s, o, "R1 logged no answer from R2, and neither logged a refusal");
    EXPECT_EQ(attempts, (std::vector<int>{0, 1})) << "retried exactly once";
    EXPECT_FALSE(t.runner().last().first_attempt_error.empty());
    EXPECT_EQ(t.runner().net(), nullptr) << "the broken pair was thrown away";
    EXPECT_LT(took, 20s);
  }
}

TEST_F(InfrastructureReal, AFailureOfTheFirstAttemptOnlyIsHealedByTheRetry) {
  const Scenario s = testing::s1_scenario(IkeVersion::V1);
  int calls = 0;
  std::vector<int> attempts;
  stack::PairTarget t = pair([&](stack::PairRunner& r, int attempt) {
    attempts.push_back(attempt);
    if (++calls == 1) link_down(r);  // the first run's first attempt only
  });
  const Observation o = t.run(s, 0);
  EXPECT_TRUE(o.up()) << dump(o);
  EXPECT_TRUE(
      any_line(o, "harness: retried once in a fresh pair after an infrastructure error: R1 logged no answer from R2"))
      << dump(o);
  EXPECT_EQ(attempts, (std::vector<int>{0, 1}));
  const Observation again = t.run(s, 1);  // the fresh pair serves the next run as usual
  EXPECT_TRUE(again.up()) << dump(again);
  EXPECT_EQ(attempts, (std::vector<int>{0, 1, 0}));
}

TEST_F(InfrastructureReal, KilledResponderDaemonIsAnInfrastructureErrorAndLeavesNothing) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  {
    stack::PairTarget t = pair([](stack::PairRunner& r, int) { kill_responder(r); });
    const Observation o = t.run(s, 0);
    expect_infrastructure_error(s, o, "");  // the cause: the dead daemon or the control call it broke
    EXPECT_TRUE(any_line(o, "killed by signal KILL")) << "the dead daemon's status" << dump(o);
  }
  // TearDown: no namespace, charon or folder of this process is left after the killed daemon.
}

}  // namespace
}  // namespace ikeconform
