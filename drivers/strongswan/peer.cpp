// One charon as a stack::PeerStack.
#include "drivers/strongswan/peer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"

namespace ikeconform::strongswan {

namespace fs = std::filesystem;
using Millis = std::chrono::milliseconds;
using stack::Progress;

namespace {

// The credentials as one string: equal strings, equal loads.
std::string credentials_fingerprint(const PeerConfig& pc) {
  std::string f;
  for (const auto* list : {&pc.certs, &pc.keys, &pc.shared})
    for (const vici::Message& m : *list) f += vici::encode_message(m) + '\0';
  return f;
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

bool established_line(const LogLine& l) {
  return l.msg.rfind("IKE_SA ", 0) == 0 && l.msg.find(" established between ") != std::string::npos;
}

}  // namespace

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

StrongswanPeer::StrongswanPeer(const netns::NetnsPair& net, std::size_t side, fs::path dir, stack::StackOptions o)
    : net_(net), side_(side), dir_(std::move(dir)), o_(o) {
  fs::create_directories(dir_);
  start();
}

StrongswanPeer::~StrongswanPeer() {
  control_.reset();
  ini_.reset();  // a running initiate sees EOF and returns
  if (pending_.valid()) pending_.wait();
  daemon_.reset();
}

void StrongswanPeer::start() {
  DaemonOptions d;
  d.dir = dir_;
  d.fuzzed = o_.fuzzed;
  process::write_file(dir_ / "strongswan.conf", render_strongswan_conf(d));
  process::DaemonSpec spec;
  spec.name = fmt::format("charon {} ({})", side_, net_.ns(side_));
  spec.argv = net_.exec_argv(side_, {"charon-systemd"});
  spec.env = {{"STRONGSWAN_CONF", (dir_ / "strongswan.conf").string()}};
  spec.log_file = dir_ / "charon.out";
  spec.more_logs = {log_path(dir_)};
  spec.stop_grace = o_.stop_grace;
  daemon_ = std::make_unique<process::Daemon>(std::move(spec));
  // Ready when VICI answers a command: the socket file appears before charon is really up.
  daemon_->wait_ready(
      [&] {
        try {
          vici::Client c = vici::Client::connect(vici_uri(dir_), Millis{200});
          c.set_timeout(o_.control_timeout);
          c.stats();
          control_.emplace(std::move(c));
          ini_.emplace(vici::Client::connect(vici_uri(dir_), o_.control_timeout));
          return true;
        } catch (const vici::Error&) {
          return false;
        }
      },
      o_.start_timeout, Millis{10});
}

std::string StrongswanPeer::daemon_version() { return "strongSwan " + control_->version().get("version", "?"); }

void StrongswanPeer::ensure_tunnel_address(std::size_t peer) {
  // kernel-libipsec routes need a local address inside the local traffic selector.
  const std::string cidr = tunnel_address(peer);
  if (std::find(tunnel_addresses_.begin(), tunnel_addresses_.end(), cidr) != tunnel_addresses_.end()) return;
  const process::Argv argv{"ip", "addr", "add", cidr, "dev", "lo"};
  const process::RunResult r = net_.exec(side_, argv, {}, Millis{5000});
  if (!r.ok() && r.err.find("File exists") == std::string::npos) throw std::runtime_error(r.describe(argv));
  tunnel_addresses_.push_back(cidr);
}

void StrongswanPeer::prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) {
  material_ = material_from(pki, s);
  ro_ = RenderOptions{};
  ro_.prefix = prefix;
  config_ = render_peer(s, peer, material_, ro_);  // InputError before anything changes
  ensure_tunnel_address(peer);
  load_peer(*control_, loaded_credentials_, config_);
  scenario_ = &s;
  peer_ = peer;
  offset_ = process::file_size_or_zero(log_path(dir_));
  side_evidence_ = SideEvidence{};
  result_.reset();
}

// On a thread of its own: VICI's initiate returns only when charon is done (for IKEv1 that is
// after quick mode, which a Libreswan peer cannot complete here). The log says sooner.
void StrongswanPeer::initiate() {
  vici::InitiateArgs a;
  a.child = config_.tunnel_connection().child;
  a.ike = config_.tunnel_connection().name;
  a.timeout = o_.initiate_timeout;
  a.loglevel = 1;
  vici::Client* c = &*ini_;
  pending_ = std::async(std::launch::async, [c, a] { return c->initiate(a); });
}

// flush_line = yes in strongswan.conf: every line charon logged before it sent its last message
// is on disk when the peer has read it.
void StrongswanPeer::read_new_lines() {
  for (const std::string& line : process::read_new_lines(log_path(dir_), offset_))
    if (auto l = parse_filelog_line(line)) side_evidence_.log.push_back(std::move(*l));
}

void StrongswanPeer::collect_initiate() {
  if (pending_.valid() && pending_.wait_for(Millis{0}) == std::future_status::ready) result_ = pending_.get();
}

Progress StrongswanPeer::progress(Role role, bool child) {
  if (role == Role::Initiator && child) {
    // The CHILD SA awaited: `initiate` answers for the whole exchange, failures included (a
    // refusal is notified; silence ends with charon's retransmission limit). No log reading
    // while it runs: under CPU contention the poll would take time from the daemons.
    collect_initiate();
    if (!result_) return Progress::Pending;
    return result_->success ? Progress::Up : Progress::Failed;
  }
  read_new_lines();
  if (role == Role::Initiator) {
    collect_initiate();
    // Without the CHILD SA to wait for, the IKE SA's line is enough (an IKEv1 initiate against a
    // stack without ESP returns only when its quick mode times out).
    if (!child && std::any_of(side_evidence_.log.begin(), side_evidence_.log.end(), established_line))
      return Progress::Up;
    if (result_) return result_->success ? Progress::Up : Progress::Failed;
  }
  return side_verdict(side_evidence_, role) == stack::Verdict::None ? Progress::Pending : Progress::Failed;
}

// charon's IKEv1 initiator cannot decrypt pluto's notification sent before MM6 ("invalid
// HASH_V1 payload length, decryption failed?", then this line); it retransmits MM5 after 4 s.
bool StrongswanPeer::unreadable_answer() {
  read_new_lines();
  return std::any_of(side_evidence_.log.begin(), side_evidence_.log.end(), [](const LogLine& l) {
    return l.msg.find("ignore malformed INFORMATIONAL request") != std::string::npos;
  });
}

void StrongswanPeer::wait(std::chrono::microseconds d) {
  if (pending_.valid()) pending_.wait_for(d);
  else stack::PeerStack::wait(d);
}

stack::SideReport StrongswanPeer::report(Role role) {
  read_new_lines();
  if (role == Role::Initiator) collect_initiate();
  side_evidence_.daemon_alive = daemon_ && daemon_->alive();
  read_list_sas(control_->list_sas(), ro_.prefix, side_evidence_);
  const bool ok = role == Role::Initiator && result_ && result_->success;
  const std::string errmsg = role == Role::Initiator && result_ ? result_->errmsg : std::string();
  return side_report(*scenario_, material_, ro_, peer_, role, side_evidence_, ok, errmsg);
}

void StrongswanPeer::teardown() {
  if (!control_) return;
  vici::Client& v = *control_;
  terminate_all(v, o_.terminate_timeout);
  if (pending_.valid()) {
    // The initiate returns once its IKE_SA is gone; bounded by charon's own timeout.
    if (pending_.wait_for(o_.initiate_timeout + Millis{1000}) != std::future_status::ready)
      throw std::runtime_error("charon's initiate did not return after terminate");
    pending_.get();
  }
  for (const Connection& c : config_.connections) v.unload_conn(c.name);
  config_ = PeerConfig{};
  scenario_ = nullptr;
}

bool StrongswanPeer::healthy() {
  return daemon_ && daemon_->alive() && control_ && control_->connected() && ini_ && ini_->connected();
}

std::optional<int> StrongswanPeer::daemon_pid() {
  return daemon_ && daemon_->alive() ? std::optional<int>(daemon_->pid()) : std::nullopt;
}

std::optional<std::size_t> StrongswanPeer::half_open_sas() {
  if (!control_ || !control_->connected()) return std::nullopt;
  try {
    const vici::Message m = control_->stats();
    const vici::Message* ike = m.section("ikesas");
    if (!ike || !ike->value("half-open")) return std::nullopt;
    return static_cast<std::size_t>(std::stoull(*ike->value("half-open")));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string StrongswanPeer::describe() { return daemon_ ? daemon_->report() : "charon is not running"; }

std::optional<std::string> installed_version() {
  const auto v = process::version_from({"dpkg-query", "-W", "-f=strongSwan ${Version}\n", "charon-systemd"},
                                       "strongSwan");
  if (!v) return std::nullopt;
  return v->substr(0, v->find('-'));  // "strongSwan 5.9.8" without the Debian revision
}

std::vector<RenderedFile> swanctl_rendering(const Scenario& s, std::size_t peer) {
  if (inexpressible(s)) return {};
  RenderOptions ro;
  ro.prefix = "";  // the per-run prefix only keeps charon's reloads apart
  try {
    return {{stack::rendering_name(s, peer, "swanctl.conf"), render_swanctl_conf(s, peer, named_material(s), ro)}};
  } catch (const InputError&) {  // bad references: nothing to show for this peer
    return {};
  }
}

stack::StackKind stack_kind() {
  stack::StackKind k;
  k.name = kName;
  k.title = "strongSwan";
  k.personality = kPersonality;
  k.observes_child_sa = true;  // kernel-libipsec: userspace ESP
  k.needs_p12 = false;         // charon reads PEM
  k.make = stack::make_stack<StrongswanPeer>;
  k.version = installed_version;
  k.expressible = expressible();
  k.inexpressible = [](const Scenario& s, std::size_t) { return inexpressible(s); };
  k.render = [](const Scenario& s, std::size_t peer, const stack::RenderContext&) {
    return swanctl_rendering(s, peer);
  };
  return k;
}

}  // namespace ikeconform::strongswan
