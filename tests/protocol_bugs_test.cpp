// Protocol bugs of the emulated router (issue 12 item 5; peer/protocol_bugs.hpp,
// model/protocol_bugs.hpp, docs/protocol-bugs.md).
//   - without root: the switch table and the scenario names agree; the CERTREQ / CERT hooks build
//     what each switch says; scenario/1 "bugs" round-trips and an unknown name is file:line, exit 2;
//   - as root (label `real`, skips loudly otherwise): every bug once against strongSwan and
//     Libreswan, IKEv1 and IKEv2 where it exists, the emulated router on peer 0 of the note's S1,
//     both directions, judged by BUG-SA (hard: no SA on an unverified certificate), BUG-LIVENESS
//     (hard: the same scenario without the bug, run after, is answered) and BUG-REACTION (the RFCs'
//     required reaction, where they fix one). Each run prints one table line with the real side's
//     log lines, which docs/protocol-bugs.md records.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/libreswan/peer.hpp"
#include "drivers/libreswan/pluto.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "libreswan_test_util.hpp"
#include "model/input_error.hpp"
#include "model/protocol_bugs.hpp"
#include "model/scenario_json.hpp"
#include "oracles/protocol_bugs.hpp"
#include "peer/protocol_bugs.hpp"
#include "tshark_util.hpp"

namespace ikeconform {
namespace {

using Clock = std::chrono::steady_clock;
using wire::Bytes;

// ---- Without root ---------------------------------------------------------------------------------

TEST(ProtocolBugs, SwitchesAndNamesAgree) {
  for (const ProtocolBugInfo& b : kProtocolBugs) {
    const peer::ProtocolBugs on = peer::protocol_bugs({std::string(b.name)});
    EXPECT_TRUE(on.any()) << b.name;
    EXPECT_EQ(on.names(), std::vector<std::string>{std::string(b.name)});
  }
  EXPECT_FALSE(peer::ProtocolBugs{}.any());
  EXPECT_THROW(peer::protocol_bugs({"no_such_bug"}), std::invalid_argument);
  EXPECT_NE(peer::inexpressible({"certreq_1000_hashes"}, IkeVersion::V1), "");
  EXPECT_EQ(peer::inexpressible({"certreq_1000_hashes"}, IkeVersion::V2), "");
}

TEST(ProtocolBugs, CertreqHooksBuildWhatTheSwitchSays) {
  std::vector<std::string> log;
  const Bytes h1(20, 0x11), h2(20, 0x22);
  const auto plain = peer::certreq_payloads({}, IkeVersion::V2, {h1, h2}, log);
  ASSERT_EQ(plain.size(), 1U);
  EXPECT_EQ(plain[0], (std::vector<Bytes>{h1, h2}));
  EXPECT_TRUE(log.empty());

  const auto unknown = peer::certreq_payloads(peer::protocol_bugs({"certreq_unknown_ca"}), IkeVersion::V2, {h1}, log);
  ASSERT_EQ(unknown.size(), 1U);
  ASSERT_EQ(unknown[0].size(), 1U);
  EXPECT_NE(unknown[0][0], h1);
  EXPECT_EQ(unknown[0][0].size(), 20U);

  const auto empty = peer::certreq_payloads(peer::protocol_bugs({"certreq_empty"}), IkeVersion::V1, {h1, h2}, log);
  ASSERT_EQ(empty.size(), 1U);
  EXPECT_TRUE(empty[0].empty());

  const auto many = peer::certreq_payloads(peer::protocol_bugs({"certreq_64"}), IkeVersion::V1, {h1}, log);
  ASSERT_EQ(many.size(), 64U);
  EXPECT_EQ(many[0], std::vector<Bytes>{h1});  // the genuine request first

  const auto thousand = peer::certreq_payloads(peer::protocol_bugs({"certreq_1000_hashes"}), IkeVersion::V2, {h1}, log);
  ASSERT_EQ(thousand.size(), 1U);
  ASSERT_EQ(thousand[0].size(), 1000U);
  EXPECT_EQ(thousand[0][0], h1);

  const auto cut = peer::certreq_payloads(peer::protocol_bugs({"certreq_truncated"}), IkeVersion::V2, {h1, h2}, log);
  ASSERT_EQ(cut[0].size(), 2U);
  EXPECT_EQ(cut[0][1].size(), 19U);
  const Bytes dn = peer::unknown_ca_entry(IkeVersion::V1, 3);
  const auto cut1 = peer::certreq_payloads(peer::protocol_bugs({"certreq_truncated"}), IkeVersion::V1, {dn}, log);
  EXPECT_EQ(cut1[0][0].size(), dn.size() / 2);
  EXPECT_EQ(log.size(), 6U) << "each bug says what it did";
}

TEST(ProtocolBugs, ScenarioBugsRoundTripAndUnknownNamesAreFileLine) {
  Scenario s = testing::runnable("s1", IkeVersion::V2);
  s.peers[0].bugs = {"cert_twice", "certreq_empty"};
  const std::string text = scenario_to_text(s);
  EXPECT_EQ(scenario_from_json_text(text, "s1.json"), s);
  std::string bad = text;
  const auto at = bad.find("\"cert_twice\"");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 12, "\"cert_thrice\"");
  try {
    scenario_from_json_text(bad, "bad.json");
    ADD_FAILURE() << "an unknown bug name was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.json:"), std::string::npos) << what;
    EXPECT_NE(what.find("unknown protocol bug 'cert_thrice'"), std::string::npos) << what;
  }
}

// ---- Against the real stacks ---------------------------------------------------------------------

stack::PairOptions options() {
  stack::PairOptions o;
  o.key_cache = testing::test_key_cache();
  o.keep_dirs = std::getenv("IKECONFORM_KEEP_DIRS") != nullptr;
  return o;
}

// The real side's own log lines that say how it reacted (the last few that name a certificate
// decision, a refusal, a notify or the outcome).
std::string evidence(const Observation& o, const std::string& real_peer) {
  static const char* kWords[] = {"invalid",     "failed",        "FAILED",
                                 "exceed",      "too ",          "more than",
                                 "error",       "not respond",   "discard",
                                 "ignor",       "received cert", "received end entity",
                                 "no trusted",  "no matching",   "authentication of",
                                 "established", "ESTABLISHED",   "constraint",
                                 "unsupported", "cannot",        "rejected",
                                 "NOTIFY",      "notify",        "Peer ID",
                                 "certificate"};
  std::vector<std::string> picked;
  for (const std::string& line : o.trace) {
    if (line.rfind(real_peer + ":", 0) != 0) continue;
    bool relevant = false;
    for (const char* w : kWords) relevant = relevant || line.find(w) != std::string::npos;
    if (relevant) picked.push_back(line);
  }
  std::string out;
  for (std::size_t i = picked.size() > 6 ? picked.size() - 6 : 0; i < picked.size(); ++i)
    out += "      " + picked[i] + "\n";
  return out;
}

// IKECONFORM_BUG_TRACES=FILE: every run's whole trace appended there (docs/protocol-bugs.md's evidence).
void keep_trace(const Scenario& s, const Observation& o) {
  const char* file = std::getenv("IKECONFORM_BUG_TRACES");
  if (!file) return;
  std::ofstream out(file, std::ios::app);
  out << "==== " << s.name << " " << s.peers[o.initiator].name << " initiates\n";
  for (const std::string& line : o.trace) out << line << "\n";
}

// Findings: a real stack doing what the RFCs forbid, with the evidence in docs/protocol-bugs.md
// ("Findings"). The oracles are not bent: they fail on these runs, and the test fails when the set
// of failing (stack, version, bug, oracle) changes either way -- a new finding, or one that is gone.
const std::set<std::string> kKnownFindings = {
    // Libreswan 4.10 establishes the IKE SA on an ID_FQDN that neither the certificate's
    // subjectAltName nor the connection's rightid carries (RFC 4945 §3.1, §3.1.2).
    "Libreswan IKEv1 id_not_in_cert BUG-SA",
    "Libreswan IKEv1 id_not_in_cert BUG-REACTION",
    "Libreswan IKEv2 id_not_in_cert BUG-SA",
    "Libreswan IKEv2 id_not_in_cert BUG-REACTION",
};

struct Findings {
  std::set<std::string> failing;  // "Libreswan IKEv1 id_not_in_cert BUG-SA"
  std::string messages;
};

std::string unexpected(const std::string& stack, const Findings& f) {
  std::string out;
  for (const std::string& k : f.failing)
    if (!kKnownFindings.count(k)) out += "new finding: " + k + "\n";
  for (const std::string& k : kKnownFindings)
    if (k.rfind(stack + " ", 0) == 0 && !f.failing.count(k)) out += "known finding no longer seen: " + k + "\n";
  return out.empty() ? out : out + f.messages;
}

// Every bug of the version on `t` (emulated router on peer 0), both directions.
void run_all_bugs(stack::PairTarget& t, const std::string& stack_title, Findings& f, int& runs) {
  const std::vector<const Oracle*> oracles = {&bug_sa_oracle(), &bug_reaction_oracle(), &bug_liveness_oracle()};
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario base = t.personalities(testing::runnable("s1", v));
    for (const ProtocolBugInfo& b : kProtocolBugs) {
      if ((v == IkeVersion::V1 ? b.v1 : b.v2) == BugReaction::None) continue;
      Scenario s = base;
      s.name = fmt::format("s1-v{}-{}", static_cast<int>(v), b.name);
      s.peers[0].bugs = {std::string(b.name)};
      const auto begin = Clock::now();
      Observation obs[2];
      t.run_both(s, obs);
      const auto evals = evaluate_all(oracles, s, obs, t, ModelOptions{});
      const long ms = static_cast<long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count());
      for (std::uint8_t d = 0; d < 2; ++d) {
        ++runs;
        const Observation& o = obs[d];
        keep_trace(s, o);
        std::cout << fmt::format("| {} | IKEv{} | {} | {} initiates | {} / {} | {} {} |\n", stack_title,
                                 static_cast<int>(v), b.name, s.peers[d].name, sa_result_text(o.ike_sa),
                                 sa_result_text(o.child_sa), message_name(o.failed_at), reason_code(o.reason))
                  << evidence(o, s.peers[1].name);
      }
      std::string verdicts;
      for (std::size_t i = 0; i < oracles.size(); ++i) {
        const OracleResult& r = evals[i].result;
        verdicts += fmt::format(" {}={}", oracles[i]->id(), verdict_text(r.verdict));
        if (r.verdict != Verdict::Fail) continue;
        f.failing.insert(fmt::format("{} IKEv{} {} {}", stack_title, static_cast<int>(v), b.name, oracles[i]->id()));
        f.messages += fmt::format("{} IKEv{} {}: {}: {}\n", stack_title, static_cast<int>(v), b.name, oracles[i]->id(),
                                  r.message);
      }
      std::cout << "    oracles:" << verdicts << " (" << ms << " ms with the run without the bug)\n";
    }
  }
}

class ProtocolBugsWire : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::is_root())
      GTEST_SKIP() << "\n\n*** SKIPPED: protocol bugs against real stacks need root (network namespaces) ***\n";
  }
};

TEST_F(ProtocolBugsWire, EveryBugAgainstStrongswan) {
  if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
    GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
  stack::PairTarget t(cisco_ios::stack_kind(), strongswan::stack_kind(), options());
  Findings f;
  int runs = 0;
  run_all_bugs(t, "strongSwan", f, runs);
  EXPECT_EQ(runs, 2 * (10 + 9));
  EXPECT_EQ(unexpected("strongSwan", f), "");
}

TEST_F(ProtocolBugsWire, EveryBugAgainstLibreswan) {
  if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
    GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  stack::PairTarget t(cisco_ios::stack_kind(), libreswan::stack_kind(), options());
  Findings f;
  int runs = 0;
  run_all_bugs(t, "Libreswan", f, runs);
  EXPECT_EQ(runs, 2 * (10 + 9));
  EXPECT_EQ(unexpected("Libreswan", f), "");
}

// tshark's output without its "Running as user root" warning.
std::string without_banner(const std::string& out) {
  std::istringstream in(out);
  std::string kept;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Running as user", 0) != 0) kept += line + "\n";
  return kept;
}

// The emulated side's messages stay decodable in tshark with every bug but the one whose point is
// the malformation (IKEv1 certreq_truncated: half a DER Name in a CERT_REQ); there every
// malformed frame is the emulated peer's.
TEST_F(ProtocolBugsWire, CapturesDecodeInTsharkExceptTheMalformation) {
  if (!testing::have_tshark()) GTEST_SKIP() << "\n\n*** SKIPPED: tshark is not installed ***\n";
  if (process::run({"sh", "-c", "command -v charon-systemd"}).exit_code != 0)
    GTEST_SKIP() << "\n\n*** SKIPPED: charon-systemd (strongSwan) is not installed ***\n";
  const auto dir = std::make_unique<process::TempDir>(std::filesystem::temp_directory_path(),
                                                      process::run_prefix() + "-bugs-pcap-");
  stack::PairTarget t(cisco_ios::stack_kind(), strongswan::stack_kind(), options());
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario base = t.personalities(testing::runnable("s1", v));
    for (const ProtocolBugInfo& b : kProtocolBugs) {
      if ((v == IkeVersion::V1 ? b.v1 : b.v2) == BugReaction::None) continue;
      Scenario s = base;
      s.peers[0].bugs = {std::string(b.name)};
      const auto pcap = dir->path() / fmt::format("v{}-{}.pcap", static_cast<int>(v), b.name);
      ASSERT_TRUE(t.set_capture(pcap));
      Observation obs[2];
      t.run_both(s, obs);
      t.set_capture(std::nullopt);
      const std::string frames = without_banner(testing::tshark(pcap, "-T fields -e frame.number", false));
      const std::string bad = without_banner(testing::tshark(pcap,
                                                             "-Y '_ws.malformed || _ws.expert.severity >= error' -T "
                                                             "fields -e ip.src -e _ws.expert.message",
                                                             false));  // the veth capture's checksums are offloaded
      const std::string what = fmt::format("IKEv{} {}", static_cast<int>(v), b.name);
      EXPECT_FALSE(frames.empty()) << what;
      if (v == IkeVersion::V1 && b.name == "certreq_truncated") {
        EXPECT_FALSE(bad.empty()) << what << ": the truncated DER Name is the malformation";
        std::istringstream lines(bad);
        for (std::string line; std::getline(lines, line);)
          EXPECT_EQ(line.rfind(s.peers[0].address + "\t", 0), 0U) << what << ": " << line;
      } else {
        EXPECT_EQ(bad, "") << what;
      }
    }
  }
}

}  // namespace
}  // namespace ikeconform
