// One charon as a stack::PeerStack.
#include <fmt/format.h>

#include <fstream>

#include "drivers/mixed/mixed.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/target.hpp"

namespace ikeconform::mixed {

namespace fs = std::filesystem;
using stack::Progress;
using stack::SideReport;
using stack::Verdict;

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

bool has(const std::vector<strongswan::LogLine>& lines, std::string_view needle) {
  for (const strongswan::LogLine& l : lines)
    if (l.msg.find(needle) != std::string::npos) return true;
  return false;
}


// This side's verdict, read from strongswan::observe() run on this side's evidence alone.
Verdict verdict_of(const Observation& o, Role role, const std::vector<strongswan::LogLine>& lines) {
  if (o.ike_sa != SaResult::Failed) return Verdict::None;
  switch (o.reason) {
    case Reason::NoProposalChosen: return Verdict::NoProposal;
    case Reason::NoMatchingProfile: return Verdict::NoProfile;
    case Reason::CertValidationFailed:
      if (role == Role::Responder) return Verdict::RejectedPeer;
      return has(lines, "received AUTHENTICATION_FAILED") ? Verdict::GotAuthFailed : Verdict::RejectedPeer;
    case Reason::NoCertificatePayload: return Verdict::NoPrivateKey;
    default: return Verdict::None;
  }
}

}  // namespace

StrongswanPeer::StrongswanPeer(const netns::NetnsPair& net, std::size_t side, fs::path dir, StrongswanOptions o)
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
  strongswan::DaemonOptions d;
  d.dir = dir_;
  write_file(dir_ / "strongswan.conf", strongswan::render_strongswan_conf(d));
  process::DaemonSpec spec;
  spec.name = fmt::format("charon {} ({})", side_, net_.ns(side_));
  spec.argv = net_.exec_argv(side_, {"charon-systemd"});
  spec.env = {{"STRONGSWAN_CONF", (dir_ / "strongswan.conf").string()}};
  spec.log_file = dir_ / "charon.out";
  spec.more_logs = {strongswan::log_path(dir_)};
  spec.stop_grace = Millis{1000};
  daemon_ = std::make_unique<process::Daemon>(std::move(spec));
  // Ready when VICI answers a command: the socket file appears before charon is really up.
  daemon_->wait_ready(
      [&] {
        try {
          vici::Client c = vici::Client::connect(strongswan::vici_uri(dir_), Millis{200});
          c.set_timeout(o_.vici_timeout);
          c.stats();
          control_.emplace(std::move(c));
          ini_.emplace(vici::Client::connect(strongswan::vici_uri(dir_), o_.vici_timeout));
          return true;
        } catch (const vici::Error&) {
          return false;
        }
      },
      o_.start_timeout, Millis{10});
}

void StrongswanPeer::ensure_tunnel_address(std::size_t peer) {
  // kernel-libipsec routes need a local address inside the local traffic selector.
  const std::string cidr = strongswan::tunnel_address(peer);
  if (std::find(tunnel_addresses_.begin(), tunnel_addresses_.end(), cidr) != tunnel_addresses_.end()) return;
  const process::Argv argv{"ip", "addr", "add", cidr, "dev", "lo"};
  const process::RunResult r = net_.exec(side_, argv, {}, Millis{5000});
  if (!r.ok() && r.err.find("File exists") == std::string::npos) throw std::runtime_error(r.describe(argv));
  tunnel_addresses_.push_back(cidr);
}

void StrongswanPeer::prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) {
  material_ = strongswan::material_from(pki, s);
  ro_ = strongswan::RenderOptions{};
  ro_.prefix = prefix;
  config_ = strongswan::render_peer(s, peer, material_, ro_);
  ensure_tunnel_address(peer);
  vici::Client& v = *control_;
  strongswan::load_peer(v, loaded_credentials_, config_);
  scenario_ = &s;
  peer_ = peer;
  offset_ = file_size_or_zero(strongswan::log_path(dir_));
  lines_.clear();
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

void StrongswanPeer::read_new_lines() {
  std::ifstream f(strongswan::log_path(dir_), std::ios::binary);
  if (!f) return;
  f.seekg(static_cast<std::streamoff>(offset_));
  std::string line;
  while (std::getline(f, line)) {
    if (f.eof()) break;  // flush_line = yes: a line without newline is still being written
    offset_ += line.size() + 1;
    if (auto l = strongswan::parse_filelog_line(line)) lines_.push_back(std::move(*l));
  }
}

strongswan::RunEvidence StrongswanPeer::evidence(Role role, bool with_sas) {
  strongswan::RunEvidence e;
  e.initiator = static_cast<std::uint8_t>(role == Role::Initiator ? peer_ : 1 - peer_);
  strongswan::SideEvidence& side = e.sides[peer_];
  side.log = lines_;
  side.daemon_alive = daemon_ && daemon_->alive();
  if (with_sas) strongswan::read_list_sas(control_->list_sas(), ro_.prefix, side);
  if (role == Role::Initiator && result_) {
    e.initiate_success = result_->success;
    e.initiate_errmsg = result_->errmsg;
  }
  return e;
}

Progress StrongswanPeer::progress(Role role) {
  read_new_lines();
  if (role == Role::Initiator) {
    if (pending_.valid() && pending_.wait_for(Millis{0}) == std::future_status::ready) result_ = pending_.get();
    for (const strongswan::LogLine& l : lines_)
      if (l.msg.rfind("IKE_SA ", 0) == 0 && l.msg.find(" established between ") != std::string::npos) return Progress::Up;
    if (result_) return result_->success ? Progress::Up : Progress::Failed;
  }
  const Observation o = strongswan::observe(*scenario_, material_, ro_, evidence(role, false));
  return verdict_of(o, role, lines_) == Verdict::None ? Progress::Pending : Progress::Failed;
}

SideReport StrongswanPeer::report(Role role) {
  read_new_lines();
  if (role == Role::Initiator && pending_.valid() && pending_.wait_for(Millis{0}) == std::future_status::ready)
    result_ = pending_.get();
  const strongswan::RunEvidence e = evidence(role, true);
  const strongswan::SideEvidence& side = e.sides[peer_];
  const Observation o = strongswan::observe(*scenario_, material_, ro_, e);
  const bool v2 = scenario_->ike_version == IkeVersion::V2;
  SideReport r;
  r.alive = side.daemon_alive;
  r.ike_established = side.ike_established || (role == Role::Initiator && e.initiate_success);
  r.child_installed = side.child_installed || (role == Role::Initiator && e.initiate_success);
  r.child_ts_unacceptable = has(lines_, "TS_UNACCEPTABLE") || has(lines_, "no acceptable traffic selectors");
  r.verdict = verdict_of(o, role, lines_);
  r.heard_peer = role == Role::Responder ? !lines_.empty() : (r.ike_established || o.reason != Reason::PeerUnreachable);
  if (role == Role::Initiator) {
    r.certreqs_sent = o.certreq_from_initiator;
    r.certreq_message = v2 ? Message::IKE_AUTH : Message::MM5;  // spec/real-stacks.md: IKEv1 in MM5
    r.cert_sent = o.initiator_trustpoint;
  } else {
    r.certreqs_sent = o.certreq_from_responder;
    r.certreq_message = v2 ? Message::IKE_SA_INIT : Message::MM4;
    r.cert_sent = o.responder_trustpoint;
    r.bound_profile = o.responder_profile;
  }
  r.trace = o.trace;
  return r;
}

void StrongswanPeer::teardown() {
  if (!control_) return;
  vici::Client& v = *control_;
  // Every IKE_SA goes, ours or left over: initiating one that still exists hangs (real-stacks.md).
  for (const vici::Message& event : v.list_sas())
    for (const vici::Message::Entry& ike : event.entries()) {
      if (ike.kind != vici::Message::Kind::Section) continue;
      vici::TerminateArgs t;
      t.ike_id = static_cast<std::uint32_t>(std::stoul(ike.section.get("uniqueid", "0")));
      t.force = true;
      t.timeout = o_.terminate_timeout;
      v.terminate(t);
    }
  if (pending_.valid()) {
    // The initiate returns once its IKE_SA is gone; bounded by charon's own timeout.
    if (pending_.wait_for(o_.initiate_timeout + Millis{1000}) != std::future_status::ready)
      throw std::runtime_error("charon's initiate did not return after terminate");
    pending_.get();
  }
  for (const strongswan::Connection& c : config_.connections) v.unload_conn(c.name);
  config_ = strongswan::PeerConfig{};
  scenario_ = nullptr;
}

bool StrongswanPeer::healthy() { return daemon_ && daemon_->alive() && control_ && ini_; }

std::string StrongswanPeer::describe() { return daemon_ ? daemon_->report() : "charon is not running"; }

}  // namespace ikeconform::mixed
