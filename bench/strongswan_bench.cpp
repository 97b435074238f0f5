// Throughput of the strongSwan target (root): scenarios per second (both directions, a fresh
// configuration loaded under new names every run, observation built from VICI and the log)
// beside the bare handshake rate of the same charon pair through VICI (one connection loaded
// once, then initiate + terminate only), which bounds it. Run through scripts/bench-strongswan.
// Plain timing loops rather than Google Benchmark: one iteration is a real exchange of tens of
// milliseconds, and the interesting numbers are rates and ratios.
//
//   strongswan_bench [--runs N] [--bare]   (--bare: only "bare R", R the IKEv2 bare handshakes/s)
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers/targets/targets.hpp"
#include "generators/generators.hpp"
#include "model/scenario_json.hpp"

namespace ikc = ikeconform;
namespace ss = ikeconform::strongswan;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

ikc::Scenario s1(ikc::IkeVersion v) {
  ikc::Scenario s = ikc::load_scenario_file(fs::path(IKECONFORM_SOURCE_DIR) / "corpus/scenarios/s1.json");
  s.ike_version = v;
  s.name = fmt::format("S1-v{}", v == ikc::IkeVersion::V1 ? 1 : 2);
  return s;
}

// The ceiling: R1's tunnel connection and both peers' credentials loaded once; each iteration is
// initiate (blocking until charon reports the IKE and CHILD SA) + forced terminate, on the
// charons of the target's pair (started, with their tunnel addresses, by one run first).
double bare_rate(ikc::stack::PairTarget& t, const ikc::Scenario& s, const ikc::pki::Pki& pki, int runs) {
  t.run(s, pki, 0);
  const ss::Material m = ss::material_from(pki, s);
  ss::RenderOptions ro;
  ro.prefix = "bare-";
  ss::PeerConfig pc[2] = {ss::render_peer(s, 0, m, ro), ss::render_peer(s, 1, m, ro)};
  ss::StrongswanPeer* side[2];
  for (std::size_t i = 0; i < 2; ++i) {
    side[i] = dynamic_cast<ss::StrongswanPeer*>(t.runner().stack(i));
    std::string reload;  // the same credentials the stack holds: its own record stays true
    ss::load_peer(side[i]->control(), reload, pc[i]);
  }
  ikc::vici::Client& ini = side[0]->control();
  ikc::vici::InitiateArgs a;
  a.child = pc[0].tunnel_connection().child;
  a.ike = pc[0].tunnel_connection().name;
  a.timeout = std::chrono::milliseconds(4000);
  int up = 0;
  const auto begin = Clock::now();
  for (int r = 0; r < runs; ++r) {
    up += ini.initiate(a).success;
    for (const auto& event : ini.list_sas())
      for (const auto& ike : event.entries()) {
        if (ike.kind != ikc::vici::Message::Kind::Section) continue;
        ikc::vici::TerminateArgs term;
        term.ike_id = static_cast<std::uint32_t>(std::stoul(ike.section.get("uniqueid", "0")));
        term.force = true;
        ini.terminate(term);
      }
  }
  const double rate = runs / seconds_since(begin);
  for (std::size_t i = 0; i < 2; ++i)
    for (const auto& c : pc[i].connections) side[i]->control().unload_conn(c.name);
  if (up != runs) fmt::print("  (bare: only {} of {} handshakes came up)\n", up, runs);
  return rate;
}

// Scenario runs as a campaign does them: both directions, alternating, fresh names each run.
double scenario_rate(ikc::stack::PairTarget& t, const std::vector<ikc::Scenario>& scenarios, int runs, int* errors) {
  for (const ikc::Scenario& s : scenarios) t.run(s, 0);  // warm-up: PKI made, pair started once
  const auto begin = Clock::now();
  for (int r = 0; r < runs; ++r) {
    const ikc::Scenario& s = scenarios[static_cast<std::size_t>(r / 2) % scenarios.size()];
    const ikc::Observation o = t.run(s, static_cast<std::uint8_t>(r % 2));
    if (o.reason == ikc::Reason::InternalError) ++*errors;
  }
  return runs / 2.0 / seconds_since(begin);  // scenarios = two directions
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    fmt::print(stderr, "strongswan_bench: needs root (network namespaces, charon)\n");
    return 2;
  }
  int runs = 60;
  bool bare_only = false;  // --bare: one line, the physical ceiling the bench scripts divide by
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(2, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--bare") == 0) bare_only = true;
  ikc::cleanup::install_cleanup_handlers();
  ikc::process::TempDir dir(fs::temp_directory_path(), ikc::process::run_prefix() + "-ssbench-");
  ikc::pki::KeyCache keys(ikc::pki::KeyCache::default_dir());

  ikc::stack::PairOptions o;
  o.base = dir.path();
  const ikc::stack::StackKind strongswan = ikc::targets::stack_named(ss::kName);
  ikc::stack::PairTarget t(strongswan, strongswan, o);
  if (bare_only) {
    const ikc::Scenario s = s1(ikc::IkeVersion::V2);
    const ikc::pki::Pki pki = ikc::pki::make_pki(s, dir.path() / "pki-bare", keys);
    fmt::print("bare {:.1f}\n", bare_rate(t, s, pki, runs));  // IKEv2 handshakes/s, one pair
    return 0;
  }
  fmt::print("ikeconform strongSwan throughput ({}), {} runs per line\n", t.version().value_or("strongSwan ?"), runs);
  int errors = 0;
  for (const ikc::IkeVersion v : {ikc::IkeVersion::V1, ikc::IkeVersion::V2}) {
    const ikc::Scenario s = s1(v);
    const ikc::pki::Pki pki = ikc::pki::make_pki(s, dir.path() / fmt::format("pki{}", static_cast<int>(v)), keys);
    const double bare = bare_rate(t, s, pki, runs);
    const double rate = scenario_rate(t, {s}, 2 * runs, &errors);
    fmt::print("  IKEv{}  bare VICI handshakes (initiate + terminate)    {:6.1f} /s\n",
               v == ikc::IkeVersion::V1 ? 1 : 2, bare);
    // A scenario is two handshakes (one per direction): the ratio compares handshakes with handshakes.
    fmt::print(
        "  IKEv{}  S1 scenarios (both directions, fresh config)   {:6.1f} /s   = {:5.1f} handshakes/s, {:3.0f} % of "
        "bare\n",
        v == ikc::IkeVersion::V1 ? 1 : 2, rate, 2 * rate, 100 * 2 * rate / bare);
    // The wire cross-check's share: the same runs without the capture socket.
    t.runner().options().capture = false;
    const double nocap = scenario_rate(t, {s}, 2 * runs, &errors);
    t.runner().options().capture = true;
    fmt::print(
        "  IKEv{}  S1 scenarios without the wire capture          {:6.1f} /s   = {:5.1f} handshakes/s, {:3.0f} % of "
        "bare\n",
        v == ikc::IkeVersion::V1 ? 1 : 2, nocap, 2 * nocap, 100 * 2 * nocap / bare);
  }
  // Generated scenarios, as a campaign draws them: a new PKI per scenario (keys from the cache).
  std::vector<ikc::Scenario> generated;
  for (std::uint64_t i = 0; generated.size() < 12 && i < 500; ++i) {
    ikc::Scenario s = ikc::gen::generate(ikc::gen::mixed_scenario(), 1, i).value();
    if (!ss::inexpressible(s)) generated.push_back(std::move(s));
  }
  const auto begin = Clock::now();
  std::chrono::microseconds prep{0}, exch{0}, down{0};
  for (const ikc::Scenario& s : generated)
    for (const std::uint8_t i : {std::uint8_t{0}, std::uint8_t{1}}) {
      t.run(s, i);
      prep += t.runner().last().prepare_time;
      exch += t.runner().last().exchange_time;
      down += t.runner().last().teardown_time;
    }
  const double total = seconds_since(begin);
  const auto share = [&](std::chrono::microseconds d) {
    return 100 * std::chrono::duration<double>(d).count() / total;
  };
  fmt::print("  generated scenarios, new PKI each (key cache warm)  {:6.1f} /s   ({} scenarios)\n",
             static_cast<double>(generated.size()) / total, generated.size());
  fmt::print("    time: prepare {:.0f} %, exchange {:.0f} %, teardown {:.0f} %, the rest (PKI, combine) {:.0f} %\n",
             share(prep), share(exch), share(down), 100 - share(prep) - share(exch) - share(down));
  if (errors) fmt::print("  ({} runs ended in INTERNAL_ERROR)\n", errors);
  return errors ? 1 : 0;
}
