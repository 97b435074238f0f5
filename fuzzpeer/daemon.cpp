#include "fuzzpeer/daemon.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/targets/targets.hpp"
#include "model/scenario_json.hpp"
#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/session.hpp"
#include "peer/personality_policy.hpp"
#include "peer/transport.hpp"

namespace ikeconform::fuzzpeer {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

stack::StackOptions fuzz_options() {
  stack::StackOptions o;
  o.fuzzed = true;
  return o;
}

}  // namespace

DaemonUnderTest::DaemonUnderTest(std::string target, const netns::NetnsPair& net, fs::path dir, fs::path self,
                                 fs::path key_cache)
    : target_(std::move(target)),
      net_(net),
      dir_(std::move(dir)),
      self_(std::move(self)),
      key_cache_(std::move(key_cache)) {}

DaemonUnderTest::~DaemonUnderTest() {
  stack_.reset();
  planted_.reset();
}

void DaemonUnderTest::prepare(const Scenario& s, const pki::Pki& pki) {
  scenario_ = s;
  pki_ = &pki;
  ++generation_;
  if (target_ != "planted") {
    if (!stack_) {
      const fs::path d = dir_ / fmt::format("{}-{}", target_, generation_);
      fs::create_directories(d);
      stack_ = targets::stack_named(target_).make(net_, 1, d, fuzz_options());
    }
    stack_->prepare(s, 1, pki, fmt::format("f{}-", generation_));
    return;
  }
  planted_.reset();
  const fs::path d = dir_ / fmt::format("planted-{}", generation_);
  fs::create_directories(d);
  {
    std::ofstream f(d / "scenario.json");
    f << scenario_to_json(s).dump(2) << "\n";
  }
  process::DaemonSpec spec;
  spec.name = "planted responder";
  spec.argv = net_.exec_argv(1, {self_.string(), "fuzz-peer-planted", (d / "scenario.json").string(), "--key-cache",
                                 key_cache_.string(), "--dir", (d / "pki").string()});
  spec.log_file = d / "planted.log";
  spec.stop_grace = 1000ms;
  planted_ = std::make_unique<process::Daemon>(std::move(spec));
  // Ready when it logged that it serves (it makes its PKI first).
  planted_->wait_ready(
      [&] {
        std::ifstream f(d / "planted.log");
        std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        return all.find("serving") != std::string::npos;
      },
      10000ms, 20ms);
}

bool DaemonUnderTest::alive() {
  if (stack_) return stack_->healthy();
  return planted_ && planted_->alive();
}

void DaemonUnderTest::restart() {
  if (!scenario_ || !pki_) throw std::logic_error("restart() before prepare()");
  stack_.reset();
  planted_.reset();
  prepare(*scenario_, *pki_);
}

std::string DaemonUnderTest::describe() {
  if (stack_) return stack_->describe();
  return planted_ ? planted_->report() : "planted responder not running";
}

std::optional<std::uint64_t> DaemonUnderTest::rss_kib() {
  std::optional<int> pid;
  if (stack_) pid = stack_->daemon_pid();
  else if (planted_ && planted_->alive()) pid = planted_->pid();
  if (!pid) return std::nullopt;
  std::ifstream f(fmt::format("/proc/{}/status", *pid));
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return std::nullopt;
}

std::optional<std::size_t> DaemonUnderTest::half_open_sas() { return stack_ ? stack_->half_open_sas() : std::nullopt; }

std::string DaemonUnderTest::version() const {
  if (target_ == "planted") return "ikeconform peer/ responder with the planted defect";
  const auto v = targets::stack_named(target_).version();
  return v ? *v : target_;
}

// ---- The planted responder ---------------------------------------------------------------------------

namespace {
volatile std::sig_atomic_t g_term = 0;
extern "C" void on_term(int) { g_term = 1; }
}  // namespace

int planted_responder_main(const fs::path& scenario_file, const fs::path& key_cache, const fs::path& dir) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // its abort is the point; a core file is not
  std::signal(SIGTERM, on_term);
  std::ifstream f(scenario_file);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const Scenario s = scenario_from_json_text(text, scenario_file.string());
  pki::KeyCache keys(key_cache);
  const pki::Pki pki = pki::make_pki(s, dir, keys, pki::PkiOptions{false});
  const peer::Credentials creds = cisco_ios::credentials(s, 1, pki);
  cisco_ios::EngineConfig c = cisco_ios::engine_config(s, 1, 400ms, 2);
  c.v2.planted_abort_certreq_hashes = kPlantedCertreqHashes;
  peer::UdpTransport t(s.peers[1].address);
  // One policy per IKE version; a fresh one when it has served many SAs (its record grows).
  auto p1 = std::make_unique<peer::PersonalityPolicy>(s, 1, creds);
  auto p2 = std::make_unique<peer::PersonalityPolicy>(s, 1, creds);
  auto r1 = std::make_unique<peer::ikev1::Responder>(c.v1, creds, *p1, t);
  auto r2 = std::make_unique<peer::ikev2::Responder>(c.v2, creds, *p2, t);
  std::size_t served = 0;
  fmt::print("planted responder for {} on {}: serving\n", s.peers[1].name, s.peers[1].address);
  std::fflush(stdout);
  while (!g_term) {
    auto d = t.receive(50ms);
    if (!d || d->data.size() < wire::kHeaderSize) continue;
    if (d->data[17] >> 4 == 2) r2->handle(*d);  // the header's major version
    else r1->handle(*d);
    if (++served % 2000 == 0) {  // the responders keep every SA: start afresh now and then
      r1 = std::make_unique<peer::ikev1::Responder>(c.v1, creds, *p1, t);
      r2 = std::make_unique<peer::ikev2::Responder>(c.v2, creds, *p2, t);
    }
  }
  return 0;
}

}  // namespace ikeconform::fuzzpeer
