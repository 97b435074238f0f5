// Real strongSwan campaigns through the `ikeconform` binary (IKECONFORM_BIN), label `real`:
// a 50-scenario campaign over IKEv1 and IKEv2 with the universal oracles and DIFF-MODEL; the same
// campaign through ikeconform-adapter-strongswan (exec:) gives the same per-scenario results;
// SIGINT and a charon killed mid-run leave no namespace, daemon or folder; --pcap writes captures
// tshark reads; `replay --target strongswan`. Needs root and charon-systemd: skips loudly without.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_process.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

using ikeconform::testing::slurp;
using ikeconform::testing::wait_exit;

fs::path scratch(const std::string& name) { return ikeconform::testing::scratch_path("ikc-sscamp", name); }
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  return ikeconform::testing::spawn_logged(IKECONFORM_BIN, args, log);
}

const fs::path kSource = IKECONFORM_SOURCE_DIR;
const std::string kBin = IKECONFORM_BIN;
const std::string kAdapter = IKECONFORM_ADAPTER_STRONGSWAN;
constexpr const char* kSeed = "20261202";

bool on_path(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"})
    if (::access((fs::path(dir) / name).c_str(), X_OK) == 0) return true;
  return false;
}

#define REQUIRE_REAL_STACK()                                                                                   \
  do {                                                                                                         \
    if (::geteuid() != 0)                                                                                      \
      GTEST_SKIP() << "SKIPPED LOUDLY: needs root (network namespaces, charon); run as root in CI";            \
    if (!on_path("charon-systemd") || !on_path("ip"))                                                          \
      GTEST_SKIP() << "SKIPPED LOUDLY: charon-systemd or ip not installed (apt-get install strongswan-charon " \
                      "iproute2)";                                                                             \
  } while (0)

struct CliRun {
  int code;
  std::string output;
  double seconds;
  pid_t pid = -1;
};

CliRun run(const std::vector<std::string>& args, std::chrono::seconds limit = std::chrono::seconds(240)) {
  static int n = 0;
  const fs::path log = scratch("log" + std::to_string(++n));
  const auto t0 = Clock::now();
  const pid_t pid = spawn(args, log);
  const int code = wait_exit(pid, limit);
  CliRun r{code, slurp(log), std::chrono::duration<double>(Clock::now() - t0).count(), pid};
  fs::remove(log);
  return r;
}

// Every complete line of the journal parses (a last line without newline is allowed only when
// `allow_torn`); returns them.
std::vector<json> journal(const fs::path& dir, bool allow_torn = false) {
  const std::string text = slurp(dir / "journal.jsonl");
  std::vector<json> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      EXPECT_TRUE(allow_torn) << "journal ends without a newline: " << text.substr(at, 200);
      break;
    }
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    try {
      out.push_back(json::parse(line));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "journal line does not parse: " << e.what() << ": " << line.substr(0, 200);
    }
  }
  return out;
}

std::vector<json> of_type(const std::vector<json>& lines, const std::string& type) {
  std::vector<json> out;
  for (const json& j : lines)
    if (j.value("type", "") == type) out.push_back(j);
  return out;
}

std::size_t scenario_lines(const fs::path& dir) {
  std::ifstream in(dir / "journal.jsonl");
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find(R"("type":"scenario")") != std::string::npos) ++n;
  return n;
}

// Namespaces of the run whose ikeconform (or adapter) had pid `pid` (run prefix ikc<pid>x...).
std::vector<std::string> namespaces_with_prefix(const std::string& prefix);
std::vector<std::string> namespaces_of(pid_t pid) { return namespaces_with_prefix("ikc" + std::to_string(pid) + "x"); }

std::vector<std::string> namespaces_with_prefix(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path().filename().string());
  return out;
}

// Processes (charon, tcpdump, adapters) whose command line or environment names `dir`: the
// daemons a run started below its --temp-dir (charon gets STRONGSWAN_CONF=DIR/.../strongswan.conf).
std::vector<pid_t> processes_using(const fs::path& dir) {
  std::vector<pid_t> out;
  const std::string needle = dir.string();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::string state = slurp(e.path() / "stat");
    if (const auto rp = state.rfind(')'); rp != std::string::npos && rp + 2 < state.size() && state[rp + 2] == 'Z')
      continue;
    const std::string text = slurp(e.path() / "cmdline") + slurp(e.path() / "environ");
    if (text.find(needle) != std::string::npos) out.push_back(pid);
  }
  return out;
}

std::string comm_of(pid_t pid) {
  std::string c = slurp(fs::path("/proc") / std::to_string(pid) / "comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

bool empty_dir(const fs::path& p) { return fs::is_directory(p) && fs::is_empty(p); }

std::string listing(const fs::path& p) {
  std::string s;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(p, ec)) s += e.path().string() + "\n";
  return s;
}

// Nothing of the run is left: no namespace with its prefix, no process naming its temp folder,
// the temp folder empty.
void expect_clean(pid_t pid, const fs::path& temp) {
  // Namespaces are removed before the process exits; daemons may take a moment to be reaped.
  EXPECT_TRUE(namespaces_of(pid).empty()) << "namespaces left: " << namespaces_of(pid).size();
  auto procs = processes_using(temp);
  const auto until = Clock::now() + std::chrono::seconds(3);
  while (!procs.empty() && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    procs = processes_using(temp);
  }
  for (pid_t p : procs) ADD_FAILURE() << "process " << p << " (" << comm_of(p) << ") of the run is still alive";
  EXPECT_TRUE(empty_dir(temp)) << "temp folder not empty:\n" << listing(temp);
}

std::string tshark_isakmp(const fs::path& pcap) {
  const fs::path log = scratch("tshark.log");
  const std::string cmd = "timeout 60 tshark -n -r '" + pcap.string() + "' -Y isakmp > '" + log.string() + "' 2>&1";
  const int code = std::system(cmd.c_str());
  std::string out = slurp(log);
  fs::remove(log);
  return code == 0 ? out : "tshark failed: " + out;
}

// index -> what a journal line says about a scenario, without timings.
std::map<std::uint64_t, std::string> results_by_index(const std::vector<json>& lines) {
  std::map<std::uint64_t, std::string> out;
  for (const json& j : of_type(lines, "scenario")) {
    json k = j;
    k.erase("t");
    k.erase("error_file");
    if (k.contains("infrastructure_error")) k["infrastructure_error"] = true;  // the text names folders and pids
    if (k.contains("unsupported")) {  // same reason, said by the in-process target or the adapter
      std::string why = k["unsupported"].get<std::string>();
      for (const std::string p : {"strongSwan target: ", "adapter: unsupported: "})
        if (const auto at = why.find(p); at != std::string::npos) why.erase(at, p.size());
      k["unsupported"] = why;
    }
    out[j["index"].get<std::uint64_t>()] = k.dump();
  }
  return out;
}

std::vector<std::string> campaign_args(const std::string& target, const fs::path& out, const fs::path& temp, int runs) {
  return {"campaign", "--target",       target,       "--runs",     std::to_string(runs), "--seed",
          kSeed,      "--out",          out.string(), "--temp-dir", temp.string(),        "--max-counterexamples",
          "1",        "--shrink-steps", "12"};
}

// ---- (a) + (e) a 50-scenario campaign: both IKE versions, several CAs, every oracle checked ------

TEST(StrongswanCampaign, FiftyScenariosBothVersionsEveryOracleChecked) {
  REQUIRE_REAL_STACK();
  const fs::path out = scratch("a-out"), temp = scratch("a-temp");
  fs::create_directories(temp);
  std::vector<std::string> args = campaign_args("strongswan", out, temp, 50);
  args.push_back("--pcap");
  // Known results (tests/data/strongswan-5.9.8.baseline.json, docs/drivers.md "What the campaigns
  // found"): P-1 / P-6 fail as the strongswan-5.9 personality predicts, DIFF-MODEL finds genuine
  // model gaps. Exit 0 means every oracle has exactly its recorded status.
  args.push_back("--baseline");
  args.push_back((kSource / "tests/data/strongswan-5.9.8.baseline.json").string());
  const CliRun r = run(args);
  std::cout << r.output << "in-process strongSwan: 50 scenarios in " << r.seconds << " s (" << 50 / r.seconds
            << " scenarios/s)\n";
  ASSERT_EQ(r.code, 0) << "an oracle's status changed from the baseline:\n" << r.output;

  const json summary = json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["schema"], "ikeconform.summary/1");
  EXPECT_EQ(summary["target"], "strongswan");
  ASSERT_TRUE(summary["target_version"].is_string());
  EXPECT_NE(summary["target_version"].get<std::string>().find("5.9"), std::string::npos) << summary["target_version"];
  EXPECT_EQ(summary["scenarios"], 50);
  EXPECT_EQ(summary["complete"], true);
  EXPECT_GT(summary["scenarios_per_s"].get<double>(), 0);
  EXPECT_EQ(summary["baseline_matches"], true);
  std::map<std::string, json> oracles;
  for (const json& o : summary["oracles"]) oracles[o["id"].get<std::string>()] = o;
  for (const char* id : {"P-1", "CERTREQ-ANCHORS", "DIFF-MODEL"}) {
    ASSERT_TRUE(oracles.count(id)) << id << " missing from " << summary["oracles"].dump();
    EXPECT_GT(oracles[id]["checked"].get<std::uint64_t>(), 0U) << id;
    EXPECT_EQ(oracles[id]["target"], "strongswan") << id;
  }
  EXPECT_TRUE(oracles.count("P-6")) << "P-6 applies to every target";
  for (const auto& [id, o] : oracles) {
    EXPECT_EQ(o["checked"].get<std::uint64_t>() + o["skipped"].get<std::uint64_t>(), 50U) << id;
    std::cout << "  " << id << ": " << o["status"] << " checked " << o["checked"] << " failed " << o["failed"] << "\n";
  }
  // Only oracles that apply to a real target ran (the IOS claims P-2.. are about cisco-ios).
  EXPECT_FALSE(oracles.count("P-4"));

  // The generated scenarios really cover both IKE versions and several CA counts.
  const auto lines = journal(out);
  const auto scenarios = of_type(lines, "scenario");
  ASSERT_EQ(scenarios.size(), 50U);
  std::set<int> versions, cas;
  std::set<std::string> classes;
  std::size_t up = 0, errors = 0, refused = 0;
  for (const json& s : scenarios) {
    versions.insert(s["ike_version"].get<int>());
    cas.insert(s["cas"].get<int>());
    classes.insert(s["class"].get<std::string>());
    up += (s["up"][0].get<bool>() ? 1U : 0U) + (s["up"][1].get<bool>() ? 1U : 0U);
    if (!s.contains("infrastructure_error")) continue;
    // charon refusing a rendering ("configuration uses unsupported authentication") means the
    // campaign generated what strongSwan cannot express (Target::expressible, model/expressible.hpp);
    // every other infrastructure error is a broken harness. Both are counted apart.
    const bool rendering = s["infrastructure_error"].get<std::string>().find("refused the configuration we rendered") !=
                           std::string::npos;
    ++(rendering ? refused : errors);
  }
  EXPECT_EQ(refused, 0U) << "charon refused a rendering the generator should not have produced: see " << out / "errors";
  EXPECT_EQ(versions, (std::set<int>{1, 2}));
  EXPECT_GE(cas.size(), 3U) << "CA counts seen: " << cas.size();
  EXPECT_GE(classes.size(), 2U);
  EXPECT_GT(up, 0U) << "no direction came up: the stack is not working";
  EXPECT_EQ(errors, 0U) << "scenarios ended in an infrastructure error: see " << out / "errors";
  std::cout << "directions up: " << up << "/100, classes " << classes.size() << ", CA counts " << cas.size() << "\n";

  // Reports name the stack and its version.
  ASSERT_TRUE(fs::exists(out / "report.html"));
  ASSERT_TRUE(fs::exists(out / "junit.xml"));
  EXPECT_NE(slurp(out / "report.html").find("5.9"), std::string::npos);
  EXPECT_NE(slurp(out / "junit.xml").find("DIFF-MODEL"), std::string::npos);

  // --pcap: every saved counterexample has a capture tshark reads as ISAKMP.
  for (const json& c : of_type(lines, "counterexample")) {
    std::cout << "counterexample " << c["oracle"] << ": " << c["message"] << "\n";
    ASSERT_TRUE(c.contains("pcap")) << c.dump();
    const fs::path pcap = out / c["pcap"].get<std::string>();
    EXPECT_TRUE(fs::exists(pcap)) << pcap;
    if (!on_path("tshark")) {
      std::cout << "tshark not installed: pcap contents not checked\n";
      continue;
    }
    const std::string decoded = tshark_isakmp(pcap);
    EXPECT_NE(decoded.find("ISAKMP"), std::string::npos) << pcap << ":\n" << decoded.substr(0, 2000);
  }
  expect_clean(r.pid, temp);
  fs::remove_all(out);
  fs::remove_all(temp);
}

// ---- (b) the same campaign through the adapter gives the same per-scenario results ------------

TEST(StrongswanCampaign, AdapterGivesTheInProcessResults) {
  REQUIRE_REAL_STACK();
  constexpr int kRuns = 30;
  const fs::path in_out = scratch("b-in"), ex_out = scratch("b-ex"), temp = scratch("b-temp");
  fs::create_directories(temp);
  const CliRun in = run(campaign_args("strongswan", in_out, temp, kRuns));
  ASSERT_TRUE(in.code == 0 || in.code == 1) << in.output;
  std::vector<std::string> args = campaign_args("exec:" + kAdapter, ex_out, temp, kRuns);
  for (const char* a : {"--adapter-arg", "--temp-dir", "--adapter-arg"}) args.push_back(a);
  args.push_back(temp.string());
  const CliRun ex = run(args);
  ASSERT_TRUE(ex.code == 0 || ex.code == 1) << ex.output;
  std::cout << "in-process: " << kRuns / in.seconds << " scenarios/s; through the adapter: " << kRuns / ex.seconds
            << " scenarios/s (" << in.seconds << " s vs " << ex.seconds << " s)\n";
  EXPECT_EQ(in.code, ex.code) << in.output << "\n---\n" << ex.output;

  const auto a = results_by_index(journal(in_out)), b = results_by_index(journal(ex_out));
  ASSERT_EQ(a.size(), static_cast<std::size_t>(kRuns));
  ASSERT_EQ(b.size(), static_cast<std::size_t>(kRuns));
  std::size_t differ = 0;
  for (const auto& [i, line] : a)
    if (b.at(i) != line) {
      ++differ;
      ADD_FAILURE() << "scenario " << i << " differs:\n  strongswan: " << line << "\n  exec:       " << b.at(i);
    }
  const json sa = json::parse(slurp(in_out / "summary.json")), sb = json::parse(slurp(ex_out / "summary.json"));
  EXPECT_EQ(sb["target"], "exec:" + kAdapter);
  EXPECT_EQ(sa["target_version"], sb["target_version"]);
  ASSERT_EQ(sa["oracles"].size(), sb["oracles"].size());
  for (std::size_t k = 0; k < sa["oracles"].size(); ++k)
    for (const char* f : {"id", "status", "checked", "failed", "skipped"})
      EXPECT_EQ(sa["oracles"][k][f], sb["oracles"][k][f]) << sa["oracles"][k]["id"] << " " << f;
  expect_clean(in.pid, temp);
  expect_clean(ex.pid, temp);
  fs::remove_all(in_out);
  fs::remove_all(ex_out);
  fs::remove_all(temp);
}

// ---- (c) SIGINT: nothing left behind, the journal intact, --resume completes --------------------

TEST(StrongswanCampaign, SigintLeavesNothingAndResumeCompletes) {
  REQUIRE_REAL_STACK();
  const fs::path out = scratch("c-out"), temp = scratch("c-temp"), log = scratch("c-log");
  fs::create_directories(temp);
  std::vector<std::string> args = campaign_args("strongswan", out, temp, 1000);
  const pid_t pid = spawn(args, log);
  const auto until = Clock::now() + std::chrono::seconds(90);
  while (scenario_lines(out) < 3 && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GE(scenario_lines(out), 3U) << "no progress in 90 s:\n" << slurp(log);
  EXPECT_FALSE(namespaces_of(pid).empty()) << "the run should have namespaces while it runs";
  EXPECT_FALSE(processes_using(temp).empty()) << "the run should have daemons while it runs";
  ::kill(pid, SIGINT);
  const int code = wait_exit(pid, std::chrono::seconds(60));
  const std::string output = slurp(log);
  EXPECT_TRUE(code == 0 || code == 1) << "exit " << code << "\n" << output;
  EXPECT_NE(output.find("interrupted"), std::string::npos) << output;
  expect_clean(pid, temp);

  const auto lines = journal(out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front()["type"], "header");
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(lines.back()["interrupted"], true);
  const auto scenarios = of_type(lines, "scenario");
  const json summary = json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["scenarios"].get<std::size_t>(), scenarios.size());
  EXPECT_EQ(summary["complete"], false);
  EXPECT_LT(scenarios.size(), 1000U);

  // --resume with a small --runs finishes the campaign.
  const std::size_t done = scenarios.size();
  const std::size_t runs = done + 3;
  args = campaign_args("strongswan", out, temp, static_cast<int>(runs));
  args.push_back("--resume");
  const CliRun again = run(args);
  EXPECT_TRUE(again.code == 0 || again.code == 1) << again.output;
  const json s2 = json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(s2["scenarios"].get<std::size_t>(), runs);
  EXPECT_EQ(s2["complete"], true);
  std::set<std::uint64_t> indices;
  for (const json& s : of_type(journal(out), "scenario"))
    EXPECT_TRUE(indices.insert(s["index"].get<std::uint64_t>()).second) << "index twice";
  EXPECT_EQ(indices.size(), runs);
  EXPECT_EQ(*indices.rbegin(), runs - 1);
  EXPECT_TRUE(empty_dir(temp)) << listing(temp);
  fs::remove_all(out);
  fs::remove_all(temp);
  fs::remove(log);
}

// ---- (d) a charon killed with SIGKILL mid-run --------------------------------------------------

TEST(StrongswanCampaign, KilledCharonIsRecoveredOrReported) {
  REQUIRE_REAL_STACK();
  constexpr int kRuns = 14;
  const fs::path out = scratch("d-out"), temp = scratch("d-temp"), log = scratch("d-log");
  fs::create_directories(temp);
  const pid_t pid = spawn(campaign_args("strongswan", out, temp, kRuns), log);
  const auto until = Clock::now() + std::chrono::seconds(90);
  pid_t victim = -1;
  while (Clock::now() < until && victim < 0) {
    if (scenario_lines(out) >= 2)
      for (pid_t p : processes_using(temp))
        if (comm_of(p) == "charon-systemd") {
          victim = p;
          break;
        }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(victim, 0) << "no charon of the run found:\n" << slurp(log);
  const std::size_t before = scenario_lines(out);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  const int code = wait_exit(pid, std::chrono::seconds(180));
  const std::string output = slurp(log);
  std::cout << "charon " << victim << " killed after " << before << " scenarios; campaign exit " << code << "\n"
            << output;
  expect_clean(pid, temp);
  const auto lines = journal(out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["type"], "end");
  const auto scenarios = of_type(lines, "scenario");
  const json summary = json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["scenarios"].get<std::size_t>(), scenarios.size());
  if (code == 2) {
    EXPECT_NE(output.find("error"), std::string::npos) << output;
  } else {
    ASSERT_TRUE(code == 0 || code == 1) << output;
    // Recovered: every scenario journaled; the one that met the dead daemon was retried in a fresh
    // pair (an infrastructure error with its evidence if that failed too), the ones after it ran
    // on a fresh pair.
    EXPECT_EQ(scenarios.size(), static_cast<std::size_t>(kRuns));
    std::size_t errors = 0, after_ok = 0;
    for (const json& s : scenarios) {
      if (s.contains("infrastructure_error")) {
        ++errors;
        EXPECT_TRUE(fs::exists(out / s["error_file"].get<std::string>()));
      } else if (s["index"].get<std::size_t>() > before + 1) {
        ++after_ok;
      }
    }
    EXPECT_LE(errors, 2U) << "more than the scenario in flight failed";
    EXPECT_GT(after_ok, 0U) << "no scenario ran after the kill";
  }
  fs::remove_all(out);
  fs::remove_all(temp);
  fs::remove(log);
}

// ---- (e) + (f) replay of a failing scenario with --pcap ------------------------------------------

// S1 changed so that no tunnel can come up: R1 accepts only CA1 (ca trust-point IOSCA1), R2 holds
// only a CA2 certificate. Subjects are left to the PKI (S1's multi-valued RDNs are not supported).
fs::path failing_scenario(const fs::path& dir) {
  json s = json::parse(slurp(kSource / "corpus/scenarios/s1.json"));
  s["name"] = "s1-no-common-ca";
  for (json& p : s["peers"])
    for (json& c : p["certificates"]) c.erase("subject");
  json& r2 = s["peers"][1];
  json kept = json::array();
  for (const json& c : r2["certificates"])
    if (c["trustpoint"] == "IOSCA2") kept.push_back(c);
  r2["certificates"] = kept;
  fs::create_directories(dir);
  const fs::path file = dir / "s1-no-common-ca.json";
  std::ofstream(file) << s.dump(2) << "\n";
  return file;
}

TEST(StrongswanReplay, FailingScenarioWithPcap) {
  REQUIRE_REAL_STACK();
  const fs::path dir = scratch("e");
  const fs::path file = failing_scenario(dir);
  const fs::path pcap = dir / "replay.pcap";
  const CliRun r = run({"replay", file.string(), "--target", "strongswan", "--pcap", pcap.string()},
                       std::chrono::seconds(120));
  std::cout << r.output;
  EXPECT_TRUE(r.code == 0 || r.code == 1) << r.output;  // docs: 1 while an oracle fails, 0 when all hold or skip
  EXPECT_NE(r.output.find("on strongswan (strongSwan 5.9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DIFF-MODEL"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("INTERNAL_ERROR"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not judged"), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(pcap));
  EXPECT_GT(fs::file_size(pcap), 24U) << "only a pcap header";
  if (!on_path("tshark")) GTEST_SKIP() << "SKIPPED LOUDLY: tshark not installed; pcap written but not decoded";
  const std::string decoded = tshark_isakmp(pcap);
  EXPECT_NE(decoded.find("ISAKMP"), std::string::npos) << decoded.substr(0, 2000);
  // Both directions were captured: packets from each address start an exchange.
  EXPECT_NE(decoded.find("192.168.0.1 → 192.168.0.2"), std::string::npos) << decoded.substr(0, 2000);
  EXPECT_NE(decoded.find("192.168.0.2 → 192.168.0.1"), std::string::npos) << decoded.substr(0, 2000);
  fs::remove_all(dir);
}

// A campaign counterexample replays on strongSwan with the recorded oracle; exit per docs/campaign.md.
TEST(StrongswanReplay, CampaignCounterexampleReplays) {
  REQUIRE_REAL_STACK();
  const fs::path dir = scratch("f"), out = dir / "out", temp = dir / "temp";
  fs::create_directories(temp);
  const fs::path file = failing_scenario(dir);
  // The failing scenario as a one-scenario "campaign" is not possible (scenarios are generated), so
  // look for a counterexample in a short campaign, and fall back to replaying the scenario file.
  const CliRun c = run(campaign_args("strongswan", out, temp, 12));
  ASSERT_TRUE(c.code == 0 || c.code == 1) << c.output;
  fs::path target = file;
  std::string oracle;
  for (const json& j : of_type(journal(out), "counterexample")) {
    target = out / j["scenario"].get<std::string>();
    oracle = j["oracle"].get<std::string>();
    break;
  }
  const CliRun r = run({"replay", target.string(), "--target", "strongswan"}, std::chrono::seconds(120));
  std::cout << "replay " << target << ":\n" << r.output;
  EXPECT_TRUE(r.code == 0 || r.code == 1) << r.output;
  EXPECT_NE(r.output.find("strongSwan 5.9"), std::string::npos) << r.output;
  if (!oracle.empty()) {
    EXPECT_NE(r.output.find(oracle), std::string::npos) << "the recorded oracle is re-checked";
  }
  // Bad input is exit 2.
  EXPECT_EQ(run({"replay", (dir / "missing.json").string(), "--target", "strongswan"}).code, 2);
  expect_clean(c.pid, temp);
  fs::remove_all(dir);
}

}  // namespace
