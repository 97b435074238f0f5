// `ikeconform fuzz-peer` against the planted target and the real daemons (label `real`, root;
// skips loudly otherwise): the planted defect found, minimized and replayed; 30 s against
// strongSwan and Libreswan with no harness error and every exchange point reached; Ctrl-C;
// nothing left behind (namespaces, processes, run folders).
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "cli_process.hpp"
#include "drivers/libreswan/pluto.hpp"
#include "drivers/process/process.hpp"
#include "drivers_test_util.hpp"
#include "leftovers.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- The command (root) ------------------------------------------------------------------------------

class FuzzPeerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::is_root()) GTEST_SKIP() << "\n\n*** SKIPPED: fuzz-peer needs root (network namespaces) ***\n";
    // Short: charon's VICI socket lives in the run folder, and a unix socket path has 108 octets.
    static int n = 0;
    out_ = testing::scratch_path("fp", std::to_string(++n));
    temp_ = out_.string() + "t";
    fs::remove_all(temp_);
    fs::create_directories(temp_);
  }
  void TearDown() override {
    fs::remove_all(out_);
    fs::remove_all(temp_);
  }
  // Runs fuzz-peer with `args`; returns the exit code; `pid_` is the process.
  int run(std::vector<std::string> args, std::chrono::seconds limit = std::chrono::seconds(300)) {
    args.insert(args.begin(), "fuzz-peer");
    for (const std::string& a : {std::string("--out"), out_.string(), std::string("--temp-dir"), temp_.string(),
                                 std::string("--key-cache"), testing::test_key_cache().string()})
      args.push_back(a);
    pid_ = testing::spawn_logged(IKECONFORM_BIN, args, out_.string() + ".log");
    const int rc = testing::wait_exit(pid_, limit);
    log_ = testing::slurp(out_.string() + ".log");
    fs::remove(out_.string() + ".log");
    return rc;
  }
  json report() const {
    const json r = json::parse(testing::slurp(out_ / "fuzz-peer.json"), nullptr, false);
    EXPECT_TRUE(r.is_object()) << "no fuzz-peer.json; the run said:\n" << log_;
    return r.is_object() ? r : json::object({{"harness_errors", -1}, {"executions", 0}, {"findings", json::array()}});
  }
  void expect_nothing_left() const {
    const auto l = testing::settle("ikc" + std::to_string(pid_) + "x");
    EXPECT_TRUE(l.none()) << l.describe();
    EXPECT_TRUE(fs::is_empty(temp_)) << "the run folder is still in " << temp_;
  }
  fs::path out_, temp_;
  pid_t pid_ = 0;
  std::string log_;
};

TEST_F(FuzzPeerRun, FindsThePlantedDefectMinimizesAndReplaysIt) {
  ASSERT_EQ(run({"--target", "planted", "--ike", "2", "--max-total-time", "45", "--jobs", "2"}), 1) << log_;
  const json r = report();
  ASSERT_FALSE(r["findings"].empty()) << r.dump(2);
  const json& f = r["findings"][0];
  EXPECT_EQ(f["oracle"], "daemon-died");
  EXPECT_EQ(f["point"], "ikev2:IKE_AUTH");
  const fs::path dir = out_ / f["dir"].get<std::string>();
  const json finding = json::parse(testing::slurp(dir / "finding.json"));
  ASSERT_EQ(finding["recipe"].size(), 1u) << finding.dump(2);  // minimized to the one step that matters
  EXPECT_EQ(finding["recipe"][0].get<std::string>().rfind("CertreqList(", 0), 0u) << finding.dump(2);
  EXPECT_GT(fs::file_size(dir / "exchange.pcap"), 24u);
  EXPECT_NE(testing::slurp(dir / "daemon.log").find("planted responder"), std::string::npos);
  EXPECT_EQ(r["harness_errors"], 0);
  expect_nothing_left();
  // `ikeconform replay` runs it again: reproduced is exit 1.
  const pid_t p = testing::spawn_logged(IKECONFORM_BIN, {"replay", (dir / "finding.json").string()},
                                        out_.string() + ".replay.log");
  EXPECT_EQ(testing::wait_exit(p, std::chrono::seconds(120)), 1) << testing::slurp(out_.string() + ".replay.log");
  fs::remove(out_.string() + ".replay.log");
}

void expect_clean_run(const json& r, std::size_t points) {
  EXPECT_EQ(r["harness_errors"], 0) << r.dump(2);
  EXPECT_FALSE(r.contains("harness_failure")) << r.dump(2);
  EXPECT_GT(r["executions"].get<int>(), 0);
  EXPECT_EQ(r["executions_per_point"].size(), points) << r.dump(2);  // every exchange point reached
  EXPECT_GT(r["distinct_responses"].get<int>(), 3);
  for (const json& ph : r["phases"]) EXPECT_TRUE(ph["alive_at_end"].get<bool>()) << r.dump(2);
}

TEST_F(FuzzPeerRun, StrongswanThirtySecondsWithoutHarnessError) {
  if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
    GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
  const int rc = run({"--target", "strongswan", "--max-total-time", "30", "--jobs", "4"});
  EXPECT_TRUE(rc == 0 || rc == 1) << log_;  // a finding is news, not a test failure
  expect_clean_run(report(), 7);
  expect_nothing_left();
}

TEST_F(FuzzPeerRun, LibreswanThirtySecondsWithoutHarnessError) {
  if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
    GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  const int rc = run({"--target", "libreswan", "--max-total-time", "30", "--jobs", "4"});
  EXPECT_TRUE(rc == 0 || rc == 1) << log_;
  expect_clean_run(report(), 7);
  expect_nothing_left();
}

TEST_F(FuzzPeerRun, CtrlCStopsWritesTheReportAndLeavesNothing) {
  if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
    GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
  std::vector<std::string> args{"fuzz-peer",
                                "--target",
                                "strongswan",
                                "--max-total-time",
                                "300",
                                "--out",
                                out_.string(),
                                "--temp-dir",
                                temp_.string(),
                                "--key-cache",
                                testing::test_key_cache().string()};
  pid_ = testing::spawn_logged(IKECONFORM_BIN, args, out_.string() + ".log");
  std::this_thread::sleep_for(std::chrono::seconds(8));
  ::kill(pid_, SIGINT);
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = testing::wait_exit(pid_, std::chrono::seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15));
  EXPECT_TRUE(rc == 0 || rc == 1) << testing::slurp(out_.string() + ".log");
  fs::remove(out_.string() + ".log");
  EXPECT_GT(report()["executions"].get<int>(), 0);
  expect_nothing_left();
}

}  // namespace
}  // namespace ikeconform
