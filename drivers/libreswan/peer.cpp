#include "drivers/libreswan/peer.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "drivers/libreswan/nss.hpp"
#include "drivers/libreswan/render.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform::libreswan {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

LibreswanPeer::LibreswanPeer(const netns::NetnsPair& net, std::size_t side, fs::path dir, const stack::StackOptions& o,
                             fs::path prefix)
    : dir_(dir), pluto_(net, side, dir / "pluto", o, std::move(prefix)) {}

void LibreswanPeer::prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) {
  RenderOptions ro;
  ro.prefix = prefix;
  PeerConfig config = render_peer(s, peer, pki, ro);  // InputError before anything changes
  // Trust anchors are cached inside pluto: a different database needs a fresh pluto.
  const NssContent nss = nss_content(s, peer, pki);
  if (!pluto_.alive() || nss.fingerprint != nss_fingerprint_) {
    pluto_.stop();
    nss_fingerprint_.clear();
    loaded_key_.clear();
    to_delete_.clear();  // a fresh pluto starts with none
    if (!templates_)
      templates_ = std::make_unique<process::TempDir>(process::scratch_base(), process::run_prefix() + "-nss-");
    install_nss_db(templates_->path(), pluto_.nss_dir(), nss);
    pluto_.start();
    nss_fingerprint_ = nss.fingerprint;
    ++restarts_;
  }
  // The same connections as the last run (the other direction of one scenario, a retry): they
  // stay, under their names; teardown() terminated their states. Adding a connection costs
  // pluto ~140 NSS database queries (its certificate, key and CA): half of its CPU in a campaign.
  ro.prefix = "";
  const PeerConfig canonical = render_peer(s, peer, pki, ro);
  std::string key = nss.fingerprint + "\n" + canonical.ipsec_conf + "\n" + canonical.secrets;
  if (!loaded_key_.empty() && key == loaded_key_) {
    config = std::move(loaded_);
    // As after a load (addconn --autoall ends with it): pluto forgets the private keys it loaded
    // since, which it reloads lazily, and whether a connection without `leftckaid` finds one
    // through its `leftid` depends on what is loaded (model/personality_libreswan.cpp).
    const process::RunResult r = pluto_.whack({"--rereadsecrets"});
    if (r.timed_out) throw std::runtime_error("whack --rereadsecrets timed out: " + r.describe({"whack"}));
    ++reuses_;
  } else {
    pluto_.replace_connections(to_delete_, config.ipsec_conf, config.secrets);
    loaded_key_ = std::move(key);
  }
  to_delete_.clear();
  config_ = std::move(config);
  scenario_ = &s;
  peer_ = peer;
  offset_ = pluto_.log_size();
  lines_.clear();
  whack_output_.clear();
}

void LibreswanPeer::initiate() {
  initiated_ = true;
  const RenderedConn& c = config_.conns.at(config_.initiator_conn);
  // Asynchronous: an IKEv1 --initiate blocks on the (failing) quick mode; the log tells the rest.
  const process::RunResult r = pluto_.whack({"--initiate", "--name", c.name, "--asynchronous"});
  whack_output_ = split_lines(r.out + r.err);
  if (r.timed_out) whack_output_.push_back("(whack timed out)");
}

void LibreswanPeer::read_new_lines() {
  for (const std::string& l : pluto_.read_log(offset_))
    if (auto p = parse_pluto_line(l)) lines_.push_back(std::move(*p));
}

SideInput LibreswanPeer::input(Role role) {
  SideInput in;
  in.scenario = scenario_;
  in.peer = peer_;
  in.role = role;
  in.config = &config_;
  in.lines = lines_;
  in.whack_output = whack_output_;
  return in;
}

// `child` changes nothing: a Libreswan side never observes a CHILD SA here (no ESP).
stack::Progress LibreswanPeer::progress(Role role, bool /*child*/) {
  read_new_lines();
  return libreswan::progress(input(role));
}

stack::SideReport LibreswanPeer::report(Role role) {
  read_new_lines();
  SideInput in = input(role);
  in.alive = pluto_.alive();
  // The initiator's state decides whether the IKE SA is up; the responder's log says the rest.
  if (role == Role::Initiator) in.states = parse_showstates(pluto_.whack({"--showstates"}).out);
  return side_report(in);
}

// Every state of this run goes now (`whack --terminate`), the initiator's first: an IKEv1
// initiator whose quick mode is pending starts a new main mode when the peer deletes the ISAKMP
// SA ("reschedule pending IPsec SA"), which would reach into the next run (seen against
// strongSwan, whose teardown deletes its IKE_SAs); and an IKE SA left up would carry the next
// run (the other direction) as a CREATE_CHILD_SA. The runner tears the initiator down first.
// The connections stay loaded: the next prepare() keeps them when it needs the same ones and
// deletes them otherwise, in the same shell that loads the new ones.
void LibreswanPeer::teardown() {
  if (!config_.alias.empty()) to_delete_.push_back(config_.alias);  // one whack for all of them
  else
    for (const RenderedConn& c : config_.conns) to_delete_.push_back(c.name);
  if (pluto_.alive() && !config_.conns.empty()) {
    try {
      pluto_.terminate_connections(to_delete_);
      loaded_ = std::move(config_);
    } catch (const std::exception&) {
      loaded_key_.clear();  // states may be left: the next prepare() deletes and reloads
      throw;
    }
  } else {
    loaded_key_.clear();
  }
  initiated_ = false;
  config_ = PeerConfig{};
  scenario_ = nullptr;
}

bool LibreswanPeer::healthy() { return pluto_.alive(); }

// Asked of a responder that refused. Only a refusal of the first message is known to be silent;
// a later one may still be answered (an IKE_AUTH response after "private key not found" and
// "reloaded private key"), and the initiator must get its moment to read it.
bool LibreswanPeer::refused_silently() {
  read_new_lines();
  return dropped_first_message(input(Role::Responder));
}

bool LibreswanPeer::unreadable_answer() {
  read_new_lines();
  return libreswan::unreadable_answer(input(Role::Initiator));
}

std::string LibreswanPeer::describe() { return pluto_.report(); }

std::optional<std::size_t> LibreswanPeer::half_open_sas() {
  if (!pluto_.alive()) return std::nullopt;
  const process::RunResult r = pluto_.whack({"--globalstatus"});
  constexpr std::string_view kKey = "current.states.iketype.halfopen=";
  const std::size_t at = r.out.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  return static_cast<std::size_t>(std::strtoull(r.out.c_str() + at + kKey.size(), nullptr, 10));
}

std::optional<std::string> installed_version() {
  return process::version_from({(libreswan_prefix() / "usr/libexec/ipsec/pluto").string(), "--version"}, "Libreswan");
}

std::vector<RenderedFile> ipsec_conf_rendering(const Scenario& s, std::size_t peer, const stack::RenderContext& c) {
  try {
    // The certificates' nicknames and CKAIDs come from a PKI: a scratch one (keys from the cache).
    pki::KeyCache keys(c.key_cache.empty() ? pki::KeyCache::default_dir() : c.key_cache);
    process::TempDir dir(c.temp_dir, process::run_prefix() + "-render-");
    const pki::Pki pki = pki::make_pki(s, dir.path(), keys);
    RenderOptions ro;
    ro.prefix = "";
    const PeerConfig config = render_peer(s, peer, pki, ro);
    return {{stack::rendering_name(s, peer, "ipsec.conf"), render_config_setup() + "\n" + config.ipsec_conf}};
  } catch (const std::exception&) {  // inexpressible on Libreswan (or no PKI for it): nothing to show
    return {};
  }
}

stack::StackKind stack_kind() {
  stack::StackKind k;
  k.name = kName;
  k.title = "Libreswan";
  k.personality = kPersonality;
  k.observes_child_sa = false;  // no ESP in this kernel: the IKE SA only
  k.needs_p12 = true;           // NSS imports PKCS#12
  k.expressible = expressible();
  k.inexpressible = [](const Scenario& s, std::size_t peer) { return inexpressible(s, peer); };
  k.make = stack::make_stack<LibreswanPeer>;
  k.version = installed_version;
  k.render = ipsec_conf_rendering;
  return k;
}

}  // namespace ikeconform::libreswan
