// Throughput of the real-stack targets (root): scenarios per second for the Libreswan pair and
// the mixed strongSwan + Libreswan pair, beside the bare Libreswan handshake rate (replace the
// connections + up + down on two plutos, nothing else) that bounds them. Run through
// scripts/bench-libreswan. Plain timing loops rather than Google Benchmark: one iteration is a
// real exchange of tens of milliseconds, and the interesting numbers are rates and ratios.
//
//   libreswan_bench [--runs N] [--version 1|2]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <thread>

#include "drivers/libreswan/nss.hpp"
#include "drivers/libreswan/peer.hpp"
#include "drivers/libreswan/pluto.hpp"
#include "drivers/libreswan/render.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"
#include "drivers/targets/targets.hpp"
#include "model/scenario_json.hpp"

namespace ikc = ikeconform;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int runs = 40;
  ikc::IkeVersion version = ikc::IkeVersion::V2;
};

ikc::Scenario s1(ikc::IkeVersion v) {
  ikc::Scenario s = ikc::load_scenario_file(fs::path(IKECONFORM_SOURCE_DIR) / "corpus/scenarios/s1.json");
  s.ike_version = v;
  for (ikc::Peer& p : s.peers) {
    for (ikc::IdentityCert& c : p.certificates) c.subject.clear();  // the PKI makes single-valued RDNs only
    p.proposals.clear();                                            // 3des-md5-modp1024 is not in Libreswan 4.10
  }
  return s;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Bare handshakes on two plutos, orchestrated like the runner (both sides replaced in
// parallel, the responder's deletes folded into its next replace) but observing nothing: new
// connection names, replace + initiate + wait for the initiator's "established" line + delete.
// No PKI work, no capture, no showstates, no report, no model.
double bare_rate(const ikc::Scenario& s, const ikc::pki::Pki& pki, const fs::path& dir, int runs) {
  ikc::netns::NetnsPair net(s.peers[0].address, s.peers[1].address);
  std::vector<std::unique_ptr<ikc::libreswan::Pluto>> p;
  for (std::size_t i = 0; i < 2; ++i) {
    p.push_back(std::make_unique<ikc::libreswan::Pluto>(net, i, dir / fmt::format("bare{}", i)));
    ikc::libreswan::install_nss_db(dir / "templates", p[i]->nss_dir(), ikc::libreswan::nss_content(s, i, pki));
    p[i]->start();
  }
  std::vector<std::string> old[2];
  int up = 0;
  const auto begin = Clock::now();
  for (int r = 0; r < runs; ++r) {
    ikc::libreswan::RenderOptions o;
    o.prefix = fmt::format("b{}-", r);
    const ikc::libreswan::PeerConfig c[2] = {ikc::libreswan::render_peer(s, 0, pki, o),
                                             ikc::libreswan::render_peer(s, 1, pki, o)};
    auto replace = [&](std::size_t i) {
      p[i]->replace_connections(old[i], c[i].ipsec_conf, c[i].secrets);
      old[i].clear();
      for (const auto& conn : c[i].conns) old[i].push_back(conn.name);
    };
    auto other = std::async(std::launch::async, replace, std::size_t{1});
    replace(0);
    other.get();
    std::uintmax_t offset = p[0]->log_size();
    p[0]->whack({"--initiate", "--name", c[0].conns[c[0].initiator_conn].name, "--asynchronous"});
    for (const auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
      bool done = false;
      for (const std::string& l : p[0]->read_log(offset))
        done |= l.find("established") != std::string::npos || l.find("authentication failed") != std::string::npos;
      if (done) {
        ++up;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    p[0]->delete_connections(old[0]);  // down
    old[0].clear();
  }
  const double rate = runs / seconds_since(begin);
  if (up != runs) fmt::print("  (bare: only {} of {} handshakes finished)\n", up, runs);
  return rate;
}

template <typename Target>
double scenario_rate(Target& t, const std::vector<ikc::Scenario>& scenarios, const ikc::pki::Pki* pki, int runs,
                     int* failures) {
  // One warm-up run per scenario: pair start, NSS templates and credential loads are paid once.
  for (const ikc::Scenario& s : scenarios) pki ? t.run(s, *pki, 0) : t.run(s, 0);
  const auto begin = Clock::now();
  for (int r = 0; r < runs; ++r) {
    const ikc::Scenario& s = scenarios[static_cast<std::size_t>(r) % scenarios.size()];
    const auto i = static_cast<std::uint8_t>(r % 2);
    const ikc::Observation o = pki ? t.run(s, *pki, i) : t.run(s, i);
    if (o.reason == ikc::Reason::InternalError) ++*failures;
  }
  return runs / seconds_since(begin);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) a.runs = std::max(2, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--version") == 0 && std::strcmp(argv[i + 1], "1") == 0) a.version = ikc::IkeVersion::V1;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    fmt::print(stderr, "libreswan_bench: needs root (network namespaces, pluto)\n");
    return 2;
  }
  if (const std::string why = ikc::libreswan::libreswan_unavailable(); !why.empty()) {
    fmt::print(stderr, "libreswan_bench: {}\n", why);
    return 2;
  }
  ikc::cleanup::install_cleanup_handlers();
  const Args a = parse(argc, argv);
  ikc::process::TempDir dir(fs::temp_directory_path(), ikc::process::run_prefix() + "-bench-");
  ikc::pki::KeyCache keys(ikc::pki::KeyCache::default_dir());
  const ikc::Scenario s = s1(a.version);
  const ikc::pki::Pki pki = ikc::pki::make_pki(s, dir.path() / "pki", keys);
  // A second trust set: R1 trusts CA1 only, so its database (and pluto) must change between runs.
  ikc::Scenario narrow = s;
  narrow.name = "S1-R1-trusts-CA1";
  narrow.peers[0].trustpoints.pop_back();
  narrow.peers[0].certificates.pop_back();
  const ikc::pki::Pki narrow_pki = ikc::pki::make_pki(narrow, dir.path() / "pki-narrow", keys);

  // A run is one direction (one handshake); a scenario is both directions, two runs.
  fmt::print("ikeconform real-stack throughput, S1 IKEv{}, {} runs each, both directions alternating\n",
             a.version == ikc::IkeVersion::V1 ? 1 : 2, a.runs);
  const double bare = bare_rate(s, pki, dir.path(), a.runs);
  fmt::print("  bare Libreswan handshakes (replace + up + down)      {:6.1f} /s\n", bare);

  int failures = 0;
  const ikc::stack::StackKind ls = ikc::targets::stack_named("libreswan"), ss = ikc::targets::stack_named("strongswan");
  ikc::stack::PairOptions po;
  po.base = dir.path();
  {
    ikc::stack::PairTarget t(ls, ls, po);
    const double rate = scenario_rate(t, {s}, &pki, a.runs, &failures);
    fmt::print(
        "  Libreswan pair, runs (capture + report)              {:6.1f} /s   {:4.0f} % of bare, {:5.1f} scenarios/s\n",
        rate, 100 * rate / bare, rate / 2);
  }
  {
    ikc::stack::PairOptions nocap = po;
    nocap.capture = false;
    ikc::stack::PairTarget t(ls, ls, nocap);
    const double rate = scenario_rate(t, {s}, &pki, a.runs, &failures);
    fmt::print(
        "  Libreswan pair, without the wire capture             {:6.1f} /s   {:4.0f} % of bare, {:5.1f} scenarios/s\n",
        rate, 100 * rate / bare, rate / 2);
  }
  {
    ikc::stack::PairTarget t(ls, ls, po);
    const double rate = scenario_rate(t, {s, narrow}, nullptr, a.runs, &failures);
    fmt::print("  Libreswan pair, trust anchors change every run       {:6.1f} /s   (pluto restart + NSS swap)\n",
               rate);
  }
  for (std::size_t side : {0U, 1U}) {
    ikc::stack::PairTarget t(side == 0 ? ss : ls, side == 0 ? ls : ss, po);
    const double rate = scenario_rate(t, {s}, &pki, a.runs, &failures);
    fmt::print("  mixed pair {:<36}      {:6.1f} /s   {:4.0f} % of bare, {:5.1f} scenarios/s\n", t.personality(), rate,
               100 * rate / bare, rate / 2);
  }
  if (failures) fmt::print("  ({} runs ended in INTERNAL_ERROR)\n", failures);
  return failures ? 1 : 0;
}
