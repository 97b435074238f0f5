#include "fuzzpeer/fuzz_peer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/process/process.hpp"
#include "fuzzpeer/daemon.hpp"
#include "fuzzpeer/exchange.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::fuzzpeer {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kFindingFormat = "ikeconform.fuzz-finding/1";
constexpr const char* kReportFormat = "ikeconform.fuzz-peer/1";
constexpr std::size_t kMaxTrials = 60;       // minimization runs per finding
constexpr std::size_t kRecent = 16;          // inputs kept for finding the one that killed the daemon
constexpr std::uint64_t kGrowthKib = 65536;  // growth oracle: at least this much more, and doubled
constexpr int kMaxHarnessErrorsInARow = 20;
constexpr std::size_t kHalfOpenBound = 1000;

const std::map<std::string, std::string>& personalities() {
  static const std::map<std::string, std::string> m = {{"strongswan", "strongswan-5.9"},
                                                       {"libreswan", "libreswan-4.10"},
                                                       {"planted", "cisco-ios"}};
  return m;
}

std::string hex(const Bytes& b) {
  std::string s;
  for (std::uint8_t x : b) s += fmt::format("{:02x}", x);
  return s;
}

Bytes unhex(const std::string& s, const std::string& file) {
  if (s.size() % 2) throw InputError(file, 0, "input_hex: odd number of digits");
  Bytes b;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const auto v = std::strtoul(s.substr(i, 2).c_str(), nullptr, 16);
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) || !std::isxdigit(static_cast<unsigned char>(s[i + 1])))
      throw InputError(file, 0, "input_hex: not hexadecimal");
    b.push_back(static_cast<std::uint8_t>(v));
  }
  return b;
}

std::uint32_t fnv1a(const Bytes& b) {
  std::uint32_t h = 2166136261u;
  for (std::uint8_t x : b) h = (h ^ x) * 16777619u;
  return h;
}

// "ikev2:IKE_AUTH" -> "ikev2-IKE_AUTH": a folder name.
std::string point_dir(Point p) {
  std::string s = point_name(p);
  for (char& c : s)
    if (c == ':') c = '-';
  return s;
}

void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

void write_bytes(const fs::path& file, const Bytes& b) { write_atomically(file, std::string(b.begin(), b.end())); }

Bytes read_bytes(const fs::path& file) {
  std::ifstream f(file, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The seed inputs of every point: no mutation, and each op once with small parameters.
std::vector<Bytes> seeds() {
  std::vector<Bytes> out{{}};
  for (std::uint8_t op = 0; op < static_cast<std::uint8_t>(Op::kCount); ++op) {
    Recipe r;
    Mutation m;
    m.op = static_cast<Op>(op);
    m.a = 1;
    m.b = 1;
    m.c = 8;
    if (m.op == Op::Insert || m.op == Op::Append || m.op == Op::NotifyInsert) m.data = {0, 0, 0, 4};
    r.steps.push_back(m);
    out.push_back(encode_recipe(r));
  }
  return out;
}

// The PKI, the namespaces and the daemon of one IKE version, plus our side.
struct Session {
  Session(const std::string& target, IkeVersion v, const fs::path& self, const fs::path& key_cache,
          const fs::path& temp_dir)
      : scenario(fuzz_scenario(v, personalities().at(target))),
        dir(temp_dir, "fuzz-peer-"),
        keys(key_cache.empty() ? pki::KeyCache::default_dir() : key_cache),
        pki(pki::make_pki(scenario, dir.path() / "pki", keys, pki::PkiOptions{target == "libreswan"})),
        net(scenario.peers[0].address, scenario.peers[1].address),
        daemon(target, net, dir.path(), self, keys.dir()) {
    daemon.prepare(scenario, pki);
    side.scenario = scenario;
    side.peer = 0;
    side.creds = std::make_shared<const peer::Credentials>(cisco_ios::credentials(scenario, 0, pki));
    side.config = cisco_ios::engine_config(scenario, 0, 400ms, 2);
    side.netns = net.ns(0);
    side.local_address = net.address(0);
    side.remote_address = net.address(1);
    for (const auto& ca : side.creds->cas()) {
      side.material.ca_hashes.push_back(ca.spki_sha1);
      side.material.ca_certs.push_back(ca.der);
      side.material.ca_names.push_back(ca.subject_der);
    }
  }
  Scenario scenario;
  process::TempDir dir;
  pki::KeyCache keys;
  pki::Pki pki;
  netns::NetnsPair net;
  DaemonUnderTest daemon;
  OurSide side;
};

enum class Oracle { Died, Unresponsive, Bypass, Growth };
const char* oracle_name(Oracle o) {
  switch (o) {
    case Oracle::Died: return "daemon-died";
    case Oracle::Unresponsive: return "unresponsive";
    case Oracle::Bypass: return "auth-bypass";
    case Oracle::Growth: return "growth";
  }
  return "?";
}

struct Finding {
  std::string id, oracle, point, summary, dir;
};

class Fuzzer {
 public:
  Fuzzer(const FuzzOptions& o) : o_(o) {}
  int run();
  bool replay_once(Session& s, Exchanger& repro, Oracle oracle, Point p, const Bytes& input) {
    return reproduces(s, repro, oracle, p, input);
  }

 private:
  void phase(IkeVersion v, double seconds);
  void job(unsigned j, Session& s, Exchanger& ex, Exchanger& repro, Clock::time_point deadline);
  bool done(Clock::time_point deadline) const {
    return Clock::now() >= deadline || (o_.stop && o_.stop()) || fatal_.load();
  }
  // Under the exclusive gate.
  bool probe(Session& s, Exchanger& repro);
  bool reproduces(Session& s, Exchanger& repro, Oracle oracle, Point p, const Bytes& input);
  void found(Session& s, Exchanger& repro, Oracle oracle, Point p, const Bytes& input, const std::string& summary);
  void add_to_corpus(Point p, const Bytes& input);
  json report_json() const;
  void print(const std::string& s) const {
    if (o_.print) o_.print(s);
  }

  const FuzzOptions& o_;
  fs::path corpus_dir_;
  std::shared_mutex gate_;  // jobs share it during an exchange; probes and findings take it whole
  std::mutex mu_;           // everything below
  std::map<Point, std::vector<Bytes>> corpus_;
  std::set<std::string> responses_, states_;
  std::map<Point, std::uint64_t> point_execs_;
  std::deque<std::pair<Point, Bytes>> recent_;
  std::vector<Finding> findings_;
  std::set<std::string> finding_ids_;
  std::atomic<std::uint64_t> executions_{0};
  // How long a mutated message's answer is awaited: eight times the 90th percentile of the last
  // 256 answers' latencies, between 30 ms and FuzzOptions::answer. A daemon that drops a message
  // silently (most malformed IKEv1 ones) then costs tens of milliseconds instead of the maximum.
  std::vector<std::int64_t> latencies_us_;
  std::size_t latency_next_ = 0, answers_seen_ = 0;
  std::atomic<std::int64_t> mutated_wait_ms_{0};
  std::uint64_t probes_ = 0, restarts_ = 0, harness_errors_ = 0;
  std::atomic<bool> fatal_{false};
  std::string fatal_why_;
  Clock::time_point last_probe_{};
  json phases_ = json::array();
  std::string daemon_version_;
  double seconds_ = 0;
};

void Fuzzer::add_to_corpus(Point p, const Bytes& input) {
  corpus_[p].push_back(input);
  const fs::path d = corpus_dir_ / point_dir(p);
  fs::create_directories(d);
  write_bytes(d / fmt::format("{:08x}-{}", fnv1a(input), input.size()), input);
}

bool Fuzzer::probe(Session& s, Exchanger& repro) {
  ++probes_;
  last_probe_ = Clock::now();
  const Point p = s.scenario.ike_version == IkeVersion::V2 ? Point::V2IkeAuth : Point::V1Mm5;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt) std::this_thread::sleep_for(500ms);
    try {
      if (repro.run(p, Recipe{}, 2000ms).established) return true;
    } catch (const std::exception&) {
    }
  }
  return false;
}

bool Fuzzer::reproduces(Session& s, Exchanger& repro, Oracle oracle, Point p, const Bytes& input) {
  if (!s.daemon.alive() || !probe(s, repro)) {
    s.daemon.restart();
    ++restarts_;
  }
  const Result r = repro.run(p, decode_recipe(input), o_.answer);
  switch (oracle) {
    case Oracle::Died:
      for (int i = 0; i < 10 && s.daemon.alive(); ++i) std::this_thread::sleep_for(20ms);
      return !s.daemon.alive();
    case Oracle::Bypass: return r.established && r.auth_broken;
    case Oracle::Unresponsive: return s.daemon.alive() && !probe(s, repro);
    case Oracle::Growth: return false;
  }
  return false;
}

// Minimizes `input` (fewer steps, then smaller parameters), saves the finding with its
// reproducer, and leaves a working daemon behind.
void Fuzzer::found(Session& s, Exchanger& repro, Oracle oracle, Point p, const Bytes& input,
                   const std::string& summary) {
  const std::string log_tail = s.daemon.describe();
  Recipe best = decode_recipe(input);
  std::size_t trials = 0;
  auto still = [&](const Recipe& r) {
    return ++trials <= kMaxTrials && reproduces(s, repro, oracle, p, encode_recipe(r));
  };
  if (oracle != Oracle::Growth) {
    for (std::size_t i = best.steps.size(); i-- > 0;) {
      Recipe t = best;
      t.steps.erase(t.steps.begin() + static_cast<std::ptrdiff_t>(i));
      if (still(t)) best = t;
    }
    for (std::size_t i = 0; i < best.steps.size(); ++i) {
      // Selectors to their first value, counts into their first period (CertreqList reads c % 256).
      for (auto field : {&Mutation::a, &Mutation::b}) {
        if (best.steps[i].*field == 0) continue;
        Recipe t = best;
        t.steps[i].*field = 0;
        if (still(t)) best = t;
      }
      if (best.steps[i].c >= 256) {
        Recipe t = best;
        t.steps[i].c = static_cast<std::uint16_t>(t.steps[i].c % 256);
        if (still(t)) best = t;
      }
      for (int k = 0; k < 8 && best.steps[i].c > 0; ++k) {
        Recipe t = best;
        t.steps[i].c = static_cast<std::uint16_t>(t.steps[i].c / 2);
        if (!still(t)) break;
        best = t;
      }
      if (!best.steps[i].data.empty()) {
        Recipe t = best;
        t.steps[i].data.clear();
        if (still(t)) best = t;
      }
    }
  }
  const Bytes minimized = encode_recipe(best);
  // One finding per oracle, point and sequence of operations: the same defect reached with other
  // parameters is the same finding.
  std::string ops;
  for (const Mutation& m : best.steps) ops += describe(m).substr(0, describe(m).find('('));
  const std::string id = fmt::format("{}-{}-{:08x}", oracle_name(oracle), point_dir(p),
                                     fnv1a(Bytes(ops.begin(), ops.end())));
  {
    std::lock_guard lock(mu_);
    if (!finding_ids_.insert(id).second) {
      print(fmt::format("finding {} again", id));
      return;
    }
  }
  const fs::path dir = o_.out / "findings" / id;
  fs::create_directories(dir);
  // The reproducer's capture: the minimized input once more on the standard ports.
  std::vector<wire::IkePacket> packets;
  if (oracle != Oracle::Growth) {
    if (!s.daemon.alive()) s.daemon.restart();
    repro.set_tap(
        [&](bool sent, const std::string& peer, std::uint16_t peer_port, std::uint16_t local_port, const Bytes& data) {
          wire::IkePacket pk;
          pk.timestamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::system_clock::now().time_since_epoch());
          const wire::Endpoint us{wire::Ipv4::parse(s.side.local_address), local_port};
          const wire::Endpoint them{wire::Ipv4::parse(peer), peer_port};
          pk.src = sent ? us : them;
          pk.dst = sent ? them : us;
          pk.datagram = data;
          packets.push_back(std::move(pk));
        });
    const bool again = reproduces(s, repro, oracle, p, minimized);
    repro.set_tap(nullptr);
    wire::write_pcap(dir / "exchange.pcap", packets);
    if (!again) print("note: the minimized input did not reproduce once more (flaky finding)");
  }
  json j;
  j["format"] = kFindingFormat;
  j["id"] = id;
  j["target"] = o_.target;
  j["daemon"] = daemon_version_;
  j["oracle"] = oracle_name(oracle);
  j["point"] = point_name(p);
  j["summary"] = summary;
  j["seed"] = o_.seed;
  j["input_hex"] = hex(minimized);
  j["original_input_hex"] = hex(input);
  j["recipe"] = recipe_json(best);
  j["minimization_trials"] = std::min(trials, kMaxTrials);
  j["scenario"] = scenario_to_json(s.scenario);
  j["daemon_log_tail"] = log_tail;
  j["reproduce"] = fmt::format("ikeconform replay {}", (dir / "finding.json").string());
  write_atomically(dir / "finding.json", j.dump(2) + "\n");
  write_atomically(dir / "daemon.log", log_tail + "\n");
  std::lock_guard lock(mu_);
  findings_.push_back({id, oracle_name(oracle), point_name(p), summary, fs::relative(dir, o_.out).string()});
  print(fmt::format("FINDING {}: {} (recipe {})", id, summary, recipe_json(best).dump()));
}

void Fuzzer::job(unsigned j, Session& s, Exchanger& ex, Exchanger& repro, Clock::time_point deadline) {
  ByteMutator mut(o_.seed * 1000003u + j * 7919u + (s.scenario.ike_version == IkeVersion::V2 ? 1u : 2u));
  const std::vector<Point> pts = points(s.scenario.ike_version);
  int errors_in_a_row = 0;
  while (!done(deadline)) {
    const Point p = pts[mut.rng()() % pts.size()];
    Bytes base, other;
    {
      std::lock_guard lock(mu_);
      const auto& c = corpus_[p];
      base = c[mut.rng()() % c.size()];
      other = c[mut.rng()() % c.size()];
    }
    const Bytes input = o_.no_mutation ? Bytes{} : mut.mutate(base, other);
    Result res;
    {
      std::shared_lock lock(gate_);
      if (done(deadline)) break;
      try {
        const std::int64_t wait = mutated_wait_ms_.load();
        res = ex.run(p, decode_recipe(input), o_.answer, wait > 0 ? milliseconds(wait) : o_.answer);
        errors_in_a_row = 0;
      } catch (const std::exception& e) {
        std::lock_guard l(mu_);
        ++harness_errors_;
        print(fmt::format("harness error: {}", e.what()));
        if (++errors_in_a_row >= kMaxHarnessErrorsInARow) {
          fatal_why_ = e.what();
          fatal_ = true;
        }
        continue;
      }
    }
    const std::uint64_t n = ++executions_;
    bool probe_due = n % o_.probe_every == 0;
    {
      std::lock_guard lock(mu_);
      ++point_execs_[p];
      recent_.emplace_back(p, input);
      if (recent_.size() > kRecent) recent_.pop_front();
      if (res.reached && res.answered) {
        if (latencies_us_.size() < 256) latencies_us_.push_back(res.latency.count());
        else latencies_us_[latency_next_++ % 256] = res.latency.count();
        if (++answers_seen_ % 64 == 0 && latencies_us_.size() >= 64) {
          std::vector<std::int64_t> l = latencies_us_;
          std::nth_element(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(l.size() * 9 / 10), l.end());
          const std::int64_t p90_ms = l[l.size() * 9 / 10] / 1000 + 1;
          mutated_wait_ms_ = std::clamp<std::int64_t>(8 * p90_ms, 30, o_.answer.count());
        }
      }
      if (res.reached) {
        states_.insert(point_name(p) + ":" + res.state);
        if (responses_.insert(point_name(p) + " " + res.response).second) add_to_corpus(p, input);
      }
      if ((!res.answered || !res.reached) && Clock::now() - last_probe_ > 1s) probe_due = true;
    }
    const bool bypass = res.established && res.auth_broken;
    if (s.daemon.alive() && !bypass && !probe_due) continue;
    std::unique_lock lock(gate_);  // the other jobs finish their exchange and wait
    try {
      std::deque<std::pair<Point, Bytes>> recent;
      {
        std::lock_guard l(mu_);
        recent.swap(recent_);
      }
      if (!s.daemon.alive()) {
        // Which input of the last few (any job's) kills it: each alone on a fresh daemon.
        const std::string why = s.daemon.describe();
        std::optional<std::pair<Point, Bytes>> culprit;
        for (auto it = recent.rbegin(); it != recent.rend() && !culprit; ++it)
          if (reproduces(s, repro, Oracle::Died, it->first, it->second)) culprit = *it;
        if (culprit)
          found(s, repro, Oracle::Died, culprit->first, culprit->second,
                fmt::format("the daemon died after a mutated {} message", point_name(culprit->first)));
        else
          print(fmt::format("the daemon died and none of the last {} inputs kills it again: {}", recent.size(), why));
        if (!s.daemon.alive()) s.daemon.restart();
        ++restarts_;
      } else if (bypass) {
        if (reproduces(s, repro, Oracle::Bypass, p, input) && reproduces(s, repro, Oracle::Bypass, p, input))
          found(s, repro, Oracle::Bypass, p, input,
                fmt::format("the daemon established the SA although the mutated {} message no longer authenticates us",
                            point_name(p)));
      } else if (!probe(s, repro)) {
        std::optional<std::pair<Point, Bytes>> culprit;
        const std::string why = s.daemon.describe();
        for (auto it = recent.rbegin(); it != recent.rend() && !culprit; ++it)
          if (reproduces(s, repro, Oracle::Unresponsive, it->first, it->second)) culprit = *it;
        if (culprit)
          found(s, repro, Oracle::Unresponsive, culprit->first, culprit->second,
                fmt::format("the daemon stopped completing valid handshakes after a mutated {} message",
                            point_name(culprit->first)));
        else print("the liveness probe failed twice, but no recent input makes it fail again: " + why);
        s.daemon.restart();
        ++restarts_;
      }
    } catch (const std::exception& e) {
      std::lock_guard l(mu_);
      ++harness_errors_;
      fatal_why_ = std::string("restarting the daemon: ") + e.what();
      fatal_ = true;
    }
  }
}

void Fuzzer::phase(IkeVersion v, double seconds) {
  const auto deadline = Clock::now() +
                        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Session s(o_.target, v, o_.self, o_.key_cache, o_.temp_dir);
  daemon_version_ = s.daemon.version();
  for (Point p : points(v)) {
    std::vector<Bytes>& c = corpus_[p];
    c = seeds();
    const fs::path d = corpus_dir_ / point_dir(p);
    if (fs::is_directory(d))
      for (const auto& e : fs::directory_iterator(d))
        if (e.is_regular_file() && e.path().extension() != ".tmp") c.push_back(read_bytes(e.path()));
  }
  Exchanger repro(s.side, 500, 4500);
  if (!probe(s, repro))
    throw std::runtime_error(fmt::format("{} does not complete a valid {} handshake before any mutation: {}", o_.target,
                                         v == IkeVersion::V2 ? "IKEv2" : "IKEv1", s.daemon.describe()));
  const auto rss_start = s.daemon.rss_kib();
  std::vector<std::unique_ptr<Exchanger>> exs;
  for (unsigned j = 0; j < o_.jobs; ++j)
    exs.push_back(std::make_unique<Exchanger>(s.side, static_cast<std::uint16_t>(20000 + 2 * j),
                                              static_cast<std::uint16_t>(20001 + 2 * j)));
  const std::uint64_t before = executions_;
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < o_.jobs; ++j) threads.emplace_back([&, j] { job(j, s, *exs[j], repro, deadline); });
  auto next_print = Clock::now() + 10s;
  std::vector<std::pair<double, std::size_t>> half_open;  // (seconds into the phase, count)
  std::vector<std::pair<double, std::uint64_t>> rss;      // (seconds into the phase, KiB)
  while (!done(deadline)) {
    std::this_thread::sleep_for(50ms);
    if (Clock::now() < next_print) continue;
    next_print += 10s;
    const double at = std::chrono::duration<double>(Clock::now() - started).count();
    if (auto n = s.daemon.half_open_sas()) half_open.emplace_back(at, *n);
    if (auto kib = s.daemon.rss_kib()) rss.emplace_back(at, *kib);
    std::lock_guard lock(mu_);
    const double t = std::chrono::duration<double>(Clock::now() - started).count();
    print(fmt::format("#{} {} {:.0f} exec/s, responses {}, states {}, probes {}, findings {}", executions_.load(),
                      v == IkeVersion::V2 ? "ikev2" : "ikev1", static_cast<double>(executions_ - before) / t,
                      responses_.size(), states_.size(), probes_, findings_.size()));
  }
  for (auto& t : threads) t.join();
  const double took = std::chrono::duration<double>(Clock::now() - started).count();
  seconds_ += took;
  // Growth: resident memory over the phase (a last probe first, so that the daemon is idle).
  std::unique_lock lock(gate_);
  const bool alive_at_end = s.daemon.alive() && probe(s, repro);
  const auto rss_end = s.daemon.rss_kib();
  // Still growing at the end: more than 10 % over the last third of the phase (a daemon whose
  // caches fill up and level off is not flagged).
  const bool still_growing = rss.size() < 3 || static_cast<double>(rss_end.value_or(0)) >
                                                   1.1 * static_cast<double>(rss[rss.size() * 2 / 3].second);
  if (rss_start && rss_end && *rss_end > 2 * *rss_start && *rss_end - *rss_start > kGrowthKib && still_growing)
    found(s, repro, Oracle::Growth, v == IkeVersion::V2 ? Point::V2IkeAuth : Point::V1Mm5, {},
          fmt::format("resident memory grew from {} KiB to {} KiB over {:.0f} s", *rss_start, *rss_end, took));
  // Half-open SAs without bound: over 1000 at the end and more than twice what they were a third
  // of the way in (the daemon's own timeout keeps a healthy count level).
  if (half_open.size() >= 3) {
    const std::size_t early = half_open[half_open.size() / 3].second, last = half_open.back().second;
    if (last > kHalfOpenBound && last > 2 * early)
      found(s, repro, Oracle::Growth, v == IkeVersion::V2 ? Point::V2IkeSaInit : Point::V1Mm1, {},
            fmt::format("half-open SAs grew from {} to {} over {:.0f} s", early, last, took));
  }
  json ph;
  ph["ike_version"] = v == IkeVersion::V2 ? 2 : 1;
  json ho = json::array();
  for (const auto& [t, n] : half_open) ho.push_back({t, n});
  ph["half_open_sas"] = ho;
  json rs = json::array();
  for (const auto& [t, kib] : rss) rs.push_back({t, kib});
  ph["rss_kib"] = rs;
  ph["seconds"] = took;
  ph["executions"] = executions_ - before;
  ph["rss_kib_start"] = rss_start ? json(*rss_start) : json(nullptr);
  ph["rss_kib_end"] = rss_end ? json(*rss_end) : json(nullptr);
  ph["alive_at_end"] = alive_at_end;
  std::lock_guard l(mu_);
  phases_.push_back(ph);
}

json Fuzzer::report_json() const {
  json j;
  j["format"] = kReportFormat;
  j["target"] = o_.target;
  j["daemon"] = daemon_version_;
  j["seed"] = o_.seed;
  j["jobs"] = o_.jobs;
  if (o_.no_mutation) j["no_mutation"] = true;
  j["seconds"] = seconds_;
  j["executions"] = executions_.load();
  j["exec_per_s"] = seconds_ > 0 ? static_cast<double>(executions_) / seconds_ : 0.0;
  j["distinct_responses"] = responses_.size();
  j["states_reached"] = states_;
  j["probes"] = probes_;
  j["restarts"] = restarts_;
  j["mutated_answer_wait_ms"] = mutated_wait_ms_ > 0 ? mutated_wait_ms_.load() : o_.answer.count();
  j["harness_errors"] = harness_errors_;
  if (fatal_) j["harness_failure"] = fatal_why_;
  json per = json::object();
  for (const auto& [p, n] : point_execs_) per[point_name(p)] = n;
  j["executions_per_point"] = per;
  j["phases"] = phases_;
  j["corpus"] = corpus_dir_.string();
  json f = json::array();
  for (const Finding& x : findings_)
    f.push_back({{"id", x.id}, {"oracle", x.oracle}, {"point", x.point}, {"summary", x.summary}, {"dir", x.dir}});
  j["findings"] = f;
  return j;
}

int Fuzzer::run() {
  if (!personalities().count(o_.target))
    throw InputError("--target", 0, "fuzz-peer knows strongswan, libreswan and planted, not '" + o_.target + "'");
  if (::geteuid() != 0)
    throw std::runtime_error("fuzz-peer needs root: the daemon runs in a network namespace of its own");
  corpus_dir_ = o_.corpus.empty() ? o_.out / "corpus" / o_.target : o_.corpus;
  fs::create_directories(o_.out);
  fs::create_directories(corpus_dir_);
  const double share = o_.max_total_time / static_cast<double>(o_.versions.size());
  int status = 0;
  for (IkeVersion v : o_.versions) {
    if (o_.stop && o_.stop()) break;
    try {
      phase(v, share);
    } catch (const std::exception& e) {
      fatal_why_ = e.what();
      fatal_ = true;
    }
    if (fatal_) break;
  }
  write_atomically(o_.out / "fuzz-peer.json", report_json().dump(2) + "\n");
  print(
      fmt::format("fuzz-peer {}: {} executions in {:.1f} s ({:.1f}/s), {} distinct responses, {} states, {} "
                  "finding(s){}",
                  o_.target, executions_.load(), seconds_,
                  seconds_ > 0 ? static_cast<double>(executions_) / seconds_ : 0.0, responses_.size(), states_.size(),
                  findings_.size(), fatal_ ? "; harness failure: " + fatal_why_ : std::string()));
  if (fatal_) status = kExitHarness;
  else if (!findings_.empty()) status = 1;
  return status;
}

}  // namespace

std::vector<std::string> fuzz_targets() {
  std::vector<std::string> out;
  for (const auto& [t, p] : personalities()) out.push_back(t);
  return out;
}

Scenario fuzz_scenario(IkeVersion v, const std::string& personality) {
  // One CA; both peers enrolled, FQDN identities, one profile each that matches the other by
  // FQDN: every implementation completes it in both versions, so each point is reachable.
  const std::string text = fmt::format(R"({{
  "schema": "ikeconform.scenario/1", "name": "fuzz-peer-v{v}", "ike_version": {v},
  "cas": [{{"id": "CA1", "dn": "cn=FuzzCA,o=ikeconform"}}],
  "peers": [
    {{"name": "R1", "fqdn": "r1.fuzz.example", "address": "192.0.2.1", "personality": "cisco-ios",
      "proposals": [{{"encryption": "aes", "integrity": "sha256", "group": 19}}],
      "trustpoints": [{{"name": "TP1", "ca": "CA1"}}],
      "certificates": [{{"trustpoint": "TP1", "subject": "cn=r1.fuzz.example,o=ikeconform"}}],
      "profiles": [{{"name": "p1", "match": [{{"fqdn": "r2.fuzz.example"}}], "self_identity": "fqdn",
                     "trustpoints": ["TP1"], "auth_local": "rsa-sig", "auth_remote": "rsa-sig"}}],
      "tunnel_profile": "p1"}},
    {{"name": "R2", "fqdn": "r2.fuzz.example", "address": "192.0.2.2", "personality": "{personality}",
      "proposals": [{{"encryption": "aes", "integrity": "sha256", "group": 19}}],
      "trustpoints": [{{"name": "TP1", "ca": "CA1"}}],
      "certificates": [{{"trustpoint": "TP1", "subject": "cn=r2.fuzz.example,o=ikeconform"}}],
      "profiles": [{{"name": "p1", "match": [{{"fqdn": "r1.fuzz.example"}}], "self_identity": "fqdn",
                     "trustpoints": ["TP1"], "auth_local": "rsa-sig", "auth_remote": "rsa-sig"}}],
      "tunnel_profile": "p1"}}
  ]
}})",
                                       fmt::arg("v", v == IkeVersion::V2 ? 2 : 1),
                                       fmt::arg("personality", personality));
  return scenario_from_json_text(text, "fuzz-peer scenario");
}

int fuzz_peer(const FuzzOptions& o) {
  Fuzzer f(o);
  return f.run();
}

bool is_finding_file(const fs::path& file) {
  std::ifstream f(file);
  if (!f) return false;
  const json j = json::parse(f, nullptr, false);
  return j.is_object() && j.value("format", "") == kFindingFormat;
}

int replay_finding(const ReplayOptions& o) {
  std::ifstream f(o.finding);
  const json j = json::parse(f, nullptr, false);
  const std::string file = o.finding.string();
  if (!j.is_object() || j.value("format", "") != kFindingFormat) throw InputError(file, 0, "not a fuzz-peer finding");
  const std::string target = j.value("target", "");
  if (!personalities().count(target)) throw InputError(file, 0, "unknown target '" + target + "'");
  const auto p = point_named(j.value("point", ""));
  if (!p) throw InputError(file, 0, "unknown point '" + j.value("point", "") + "'");
  const std::string oracle_text = j.value("oracle", "");
  Oracle oracle = Oracle::Died;
  if (oracle_text == "auth-bypass") oracle = Oracle::Bypass;
  else if (oracle_text == "unresponsive") oracle = Oracle::Unresponsive;
  else if (oracle_text == "growth")
    throw InputError(file, 0, "a growth finding has no single input: rerun fuzz-peer with its seed");
  else if (oracle_text != "daemon-died") throw InputError(file, 0, "unknown oracle '" + oracle_text + "'");
  const Bytes input = unhex(j.value("input_hex", ""), file);
  if (::geteuid() != 0) throw std::runtime_error("replaying a fuzz-peer finding needs root (network namespaces)");
  FuzzOptions fo;
  fo.target = target;
  fo.out = o.finding.parent_path();
  fo.self = o.self;
  fo.key_cache = o.key_cache;
  fo.temp_dir = o.temp_dir;
  Fuzzer fz(fo);
  Session s(target, point_version(*p), o.self, o.key_cache, o.temp_dir);
  Exchanger repro(s.side, 500, 4500);
  int hits = 0;
  for (int i = 0; i < 3; ++i) {
    const bool hit = fz.replay_once(s, repro, oracle, *p, input);
    if (o.print) o.print(fmt::format("replay {}: {}", i + 1, hit ? "reproduced" : "not reproduced"));
    hits += hit;
  }
  if (o.print)
    o.print(fmt::format("{} {} on {}: reproduced {} of 3 times", j.value("id", ""), oracle_text, target, hits));
  return hits > 0 ? 1 : 0;
}

}  // namespace ikeconform::fuzzpeer
