// Running a scenario on two charons through VICI.
#include "drivers/strongswan/target.hpp"

#include <fmt/format.h>

#include <fstream>
#include <future>
#include <sstream>
#include <utility>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"

namespace ikeconform::strongswan {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::uintmax_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

// The log lines appended since `offset`. flush_line = yes in strongswan.conf: every line the
// daemon logged before it sent its last message is on disk when the peer has read it.
std::vector<LogLine> read_log_since(const fs::path& p, std::uintmax_t offset) {
  std::ifstream f(p);
  f.seekg(static_cast<std::streamoff>(offset));
  std::vector<LogLine> out;
  std::string line;
  while (std::getline(f, line))
    if (auto l = parse_filelog_line(line)) out.push_back(std::move(*l));
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CharonPair

bool Charon::alive() const { return !daemon || daemon->alive(); }

CharonPair::CharonPair(const std::string& address_a, const std::string& address_b, PairOptions o)
    : opts_(std::move(o)) {
  const auto begin = Clock::now();
  dir_ = std::make_unique<process::TempDir>(opts_.base, process::run_prefix() + "-strongswan-");
  if (opts_.keep_dirs) dir_->keep();
  net_ = std::make_unique<netns::NetnsPair>(address_a, address_b);
  for (std::size_t i = 0; i < 2; ++i) start(i);
  start_time_ = std::chrono::duration_cast<Millis>(Clock::now() - begin);
}

CharonPair::~CharonPair() {
  for (Charon& c : charons_) {
    c.vici.reset();
    c.daemon.reset();  // SIGTERM, grace, SIGKILL: before the namespaces go
  }
  net_.reset();
}

const std::string& CharonPair::address(std::size_t i) const { return net_->address(i); }

void CharonPair::start(std::size_t i) {
  Charon& c = charons_.at(i);
  c.dir = dir_->path() / fmt::format("peer{}", i);
  fs::create_directories(c.dir);
  DaemonOptions d;
  d.dir = c.dir;
  write_file(c.dir / "strongswan.conf", render_strongswan_conf(d));
  process::DaemonSpec spec;
  spec.name = fmt::format("charon {} ({})", i, net_->ns(i));
  spec.argv = net_->exec_argv(i, {"charon-systemd"});
  spec.env = {{"STRONGSWAN_CONF", (c.dir / "strongswan.conf").string()}};
  spec.log_file = c.dir / "charon.out";
  spec.more_logs = {log_path(c.dir)};
  spec.stop_grace = Millis{1000};
  c.daemon = std::make_unique<process::Daemon>(std::move(spec));
  // Ready when VICI answers a command: the socket file appears before charon is really up.
  const Millis vici_timeout = opts_.vici_timeout;
  c.daemon->wait_ready(
      [&c, vici_timeout] {
        try {
          vici::Client client = vici::Client::connect(vici_uri(c.dir), Millis{200});
          client.set_timeout(vici_timeout);
          client.stats();
          c.vici.emplace(std::move(client));
          return true;
        } catch (const vici::Error&) {
          return false;
        }
      },
      opts_.start_timeout, Millis{10});
}

void CharonPair::ensure_address(std::size_t i, const std::string& cidr) {
  auto& added = addresses_added_.at(i);
  if (std::find(added.begin(), added.end(), cidr) != added.end()) return;
  const process::Argv argv{"ip", "addr", "add", cidr, "dev", "lo"};
  const process::RunResult r = net_->exec(i, argv, {}, Millis{5000});
  if (!r.ok() && r.err.find("File exists") == std::string::npos) throw std::runtime_error(r.describe(argv));
  added.push_back(cidr);
}

bool CharonPair::healthy() {
  for (Charon& c : charons_)
    if (!c.alive() || !c.vici || !c.vici->connected()) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Target

namespace {

// A run that never reached the daemons: what the scenario asks is out of scope (UNSUPPORTED),
// or the harness itself failed before the handshake (INTERNAL_ERROR).
Observation not_attempted(const Scenario& s, std::uint8_t initiator, Reason why, const std::string& what) {
  Observation o;
  o.initiator = initiator;
  o.ike_version = s.ike_version;
  o.reason = why;
  o.trace.push_back("strongSwan target: " + what);
  return o;
}

}  // namespace

Target::Target(TargetOptions o) : opts_(std::move(o)) {}
Target::~Target() = default;

CharonPair& Target::pair_for(const Scenario& s) {
  const std::string& a = s.peers.at(0).address;
  const std::string& b = s.peers.at(1).address;
  if (pair_ && (pair_->address(0) != a || pair_->address(1) != b || !pair_->healthy())) {
    capture_.reset();  // tcpdump runs inside the pair's namespace: it goes first
    pair_.reset();
  }
  if (!pair_) pair_ = std::make_unique<CharonPair>(a, b, opts_.pair);
  return *pair_;
}

std::string Target::daemon_version() {
  if (!version_.empty()) return version_;
  if (!pair_ || !pair_->healthy()) {
    Scenario probe;  // the generators' addresses: the pair the next run will want anyway
    probe.peers.resize(2);
    probe.peers[0].address = "192.168.0.1";
    probe.peers[1].address = "192.168.0.2";
    pair_for(probe);
  }
  const vici::Message v = pair_->side(0).vici->version();
  version_ = "strongSwan " + v.get("version", "?");
  return version_;
}

void Target::start_capture(const fs::path& file) {
  stop_capture();
  capture_file_ = file;
}

void Target::stop_capture() {
  capture_.reset();  // SIGTERM: tcpdump writes what it buffered and exits
  captured_pair_ = nullptr;
  capture_file_.reset();
}

// tcpdump on side 0's end of the veth: every IKE packet between the two charons crosses it.
void Target::ensure_capture(CharonPair& pair) {
  if (!capture_file_ || (capture_ && captured_pair_ == &pair && capture_->alive())) return;
  capture_.reset();
  const fs::path log = capture_file_->parent_path() / (capture_file_->filename().string() + ".tcpdump.log");
  process::DaemonSpec spec;
  spec.name = "tcpdump (" + pair.net().ns(0) + ")";
  // -Z root: Debian's tcpdump would drop to user tcpdump before opening the file; -U: every
  // packet is written as soon as tcpdump has it; --immediate-mode: libpcap's TPACKET_V3 ring
  // otherwise holds packets for up to its 1 s block timeout, and a SIGTERM right after a run
  // (tens of ms) threw them all away, leaving a pcap with only its header.
  spec.argv = pair.net().exec_argv(0, {"tcpdump", "-n", "-i", pair.net().interface(0), "-U", "--immediate-mode", "-Z", "root", "-w",
                                       capture_file_->string(), "udp", "port", "500", "or", "udp", "port", "4500"});
  spec.log_file = log;
  spec.stop_grace = Millis{1000};
  capture_ = std::make_unique<process::Daemon>(std::move(spec));
  capture_->wait_ready([&log] { return process::tail_lines(log, 5).find("listening on") != std::string::npos; }, Millis{5000},
                       Millis{5});
  captured_pair_ = &pair;
  std::error_code ec;
  fs::remove(log, ec);  // only wanted while starting
}

namespace {

void load_peer(Charon& c, const PeerConfig& pc) { strongswan::load_peer(*c.vici, c.loaded_credentials, pc); }

// Runs f(side) for both sides at once: each side has its own VICI connection and daemon.
template <class F>
void both_sides(F f) {
  auto other = std::async(std::launch::async, [&f] { f(std::size_t{1}); });
  f(std::size_t{0});
  other.get();
}

// Every IKE_SA goes, ours or left over: initiating one that still exists hangs (real-stacks.md).
void terminate_all(vici::Client& v, Millis timeout) {
  for (const vici::Message& event : v.list_sas())
    for (const vici::Message::Entry& ike : event.entries()) {
      if (ike.kind != vici::Message::Kind::Section) continue;
      vici::TerminateArgs t;
      t.ike_id = static_cast<std::uint32_t>(std::stoul(ike.section.get("uniqueid", "0")));
      t.force = true;
      t.timeout = timeout;
      v.terminate(t);  // "no matching SAs" when it went away meanwhile: fine
    }
}

void unload_peer(vici::Client& v, const PeerConfig& pc) {
  for (const Connection& c : pc.connections) v.unload_conn(c.name);
}

}  // namespace

// The credentials as one string: equal strings, equal loads.
std::string credentials_fingerprint(const PeerConfig& pc) {
  std::string f;
  for (const auto* list : {&pc.certs, &pc.keys, &pc.shared})
    for (const vici::Message& m : *list) f += vici::encode_message(m) + '\0';
  return f;
}

// Credentials unless the same ones are loaded already (a scenario run both ways, a campaign
// replaying one PKI: clear-creds + reload costs ~10 ms a side), then the connections.
void load_peer(vici::Client& v, std::string& loaded_credentials, const PeerConfig& pc) {
  std::string f = credentials_fingerprint(pc);
  if (f != loaded_credentials) {
    loaded_credentials.clear();
    vici::Client::check(v.clear_creds(), "clear-creds");
    for (const vici::Message& cert : pc.certs)
      vici::Client::check(v.load_cert(cert.get("type"), cert.get("flag"), cert.get("data")), "load-cert");
    for (const vici::Message& k : pc.keys) vici::Client::check(v.load_key(k.get("type"), k.get("data")), "load-key");
    for (const vici::Message& sh : pc.shared) {
      const auto* owners = sh.list("owners");
      vici::Client::check(v.load_shared(sh.get("type"), sh.get("data"), owners ? *owners : std::vector<std::string>{}),
                          "load-shared");
    }
    loaded_credentials = std::move(f);
  }
  for (const Connection& conn : pc.connections)
    vici::Client::check(v.load_conn(conn.name, conn.conf), "load-conn " + conn.name);
}

void Target::execute(const Scenario& s, const Material& m, std::uint8_t initiator, const RenderOptions& ro,
                     RunEvidence& e) {
  const std::size_t responder = 1U - initiator;
  auto lap = [mark = Clock::now()]() mutable {
    const auto now = Clock::now();
    return std::chrono::duration_cast<std::chrono::microseconds>(now - std::exchange(mark, now));
  };
  std::array<PeerConfig, 2> pc{render_peer(s, 0, m, ro), render_peer(s, 1, m, ro)};  // InputError: before any daemon
  CharonPair& pair = pair_for(s);
  ensure_capture(pair);
  for (std::size_t i = 0; i < 2; ++i) pair.ensure_address(i, tunnel_address(i));
  both_sides([&](std::size_t i) { load_peer(pair.side(i), pc[i]); });
  Charon& ini = pair.side(initiator);
  Charon& res = pair.side(responder);
  e.load_time = lap();
  const std::uintmax_t res_log_offset = file_size_or_zero(log_path(res.dir));

  try {
    vici::InitiateArgs a;
    a.child = pc[initiator].tunnel_connection().child;
    a.ike = pc[initiator].tunnel_connection().name;
    a.timeout = opts_.initiate_timeout;
    a.loglevel = 1;
    auto& ini_log = e.sides[initiator].log;
    const vici::CommandResult r =
        ini.vici->initiate(a, [&](const vici::Message& ev) { ini_log.push_back(from_log_event(ev)); });
    e.initiate_success = r.success;
    e.initiate_errmsg = r.errmsg;
    for (std::size_t i = 0; i < 2; ++i) read_list_sas(pair.side(i).vici->list_sas(), ro.prefix, e.sides[i]);
  } catch (...) {
    e.sides[responder].log = read_log_since(log_path(res.dir), res_log_offset);
    throw;
  }
  e.sides[responder].log = read_log_since(log_path(res.dir), res_log_offset);
  e.handshake_time = lap();
  for (std::size_t i = 0; i < 2; ++i) e.sides[i].daemon_alive = pair.side(i).alive();
  both_sides([&](std::size_t i) {
    terminate_all(*pair.side(i).vici, opts_.terminate_timeout);
    unload_peer(*pair.side(i).vici, pc[i]);
  });
  e.teardown_time = lap();
}

Observation Target::run(const Scenario& s, const Material& m, std::uint8_t initiator) {
  RenderOptions ro;
  ro.prefix = fmt::format("s{}-", ++seq_);  // fresh names: a reload that only reorders certs is ignored
  RunEvidence e;
  e.initiator = initiator;
  try {
    execute(s, m, initiator, ro, e);
    for (std::size_t i = 0; i < 2; ++i)  // died after its part of the exchange: say how, with its log
      if (!e.sides[i].daemon_alive && pair_->side(i).daemon) e.harness_error += pair_->side(i).daemon->report();
  } catch (const InputError& err) {
    return not_attempted(s, initiator, Reason::Unsupported, err.what());
  } catch (const std::exception& err) {
    e.harness_error = err.what();
    if (pair_) {
      e.sides[0].daemon_alive = pair_->side(0).alive();
      e.sides[1].daemon_alive = pair_->side(1).alive();
      for (std::size_t i = 0; i < 2; ++i)
        if (!e.sides[i].daemon_alive && pair_->side(i).daemon) e.harness_error += "; " + pair_->side(i).daemon->report();
      capture_.reset();
      pair_.reset();  // state unknown: start over next time
    }
  }
  last_ = e;
  return observe(s, m, ro, e);
}

Observation Target::run(const Scenario& s, std::uint8_t initiator) {
  if (auto why = inexpressible(s)) return not_attempted(s, initiator, Reason::Unsupported, *why);  // no PKI for nothing
  try {
    Scenario key = pki::pki_part(s);
    if (!pki_dir_ || !(key == pki_scenario_)) {  // both directions of one scenario share a PKI
      if (!keys_)
        keys_ = std::make_unique<pki::KeyCache>(opts_.key_cache.empty() ? pki::KeyCache::default_dir() : opts_.key_cache);
      pki_dir_.reset();  // the previous scenario's certificates go first
      pki_dir_ = std::make_unique<process::TempDir>(opts_.pair.base, process::run_prefix() + "-pki-");
      pki::PkiOptions po;
      po.p12 = false;  // charon reads PEM; PKCS#12 is for NSS (Libreswan)
      material_ = material_from(pki::make_pki(s, pki_dir_->path(), *keys_, po), s);
      pki_scenario_ = std::move(key);
    }
  } catch (const InputError& err) {
    pki_dir_.reset();
    return not_attempted(s, initiator, Reason::Unsupported, std::string("PKI: ") + err.what());
  } catch (const std::exception& err) {
    pki_dir_.reset();
    return not_attempted(s, initiator, Reason::InternalError, std::string("PKI: ") + err.what());
  }
  return run(s, material_, initiator);
}

}  // namespace ikeconform::strongswan
