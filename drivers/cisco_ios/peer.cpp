// The emulated router as a stack::PeerStack (peer.hpp).
#include "drivers/cisco_ios/peer.hpp"

#include <fmt/format.h>

#include <atomic>
#include <map>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "model/input_error.hpp"
#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/session.hpp"
#include "peer/personality_policy.hpp"
#include "peer/transport.hpp"

namespace ikeconform::cisco_ios {

namespace fs = std::filesystem;
namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;
using namespace std::chrono_literals;
using stack::Progress;
using stack::SideReport;
using stack::Verdict;

namespace {

// One IOS proposal as the engine's algorithms (peer/ implements AES-CBC-128 / 256, SHA-256 /
// 384, groups 14 and 19); nullopt: not implemented. Spellings as drivers/strongswan reads them.
struct Algorithms {
  std::uint16_t key_bits = 128, hash = k1::kHashSha256, integ = k2::kAuthHmacSha256_128, prf = k2::kPrfHmacSha256,
                group = 14;
};
std::optional<Algorithms> algorithms(const Proposal& p) {
  static const std::map<std::string, std::uint16_t> kEncr = {
      {"aes", 128},     {"aes 128", 128}, {"aes-128", 128}, {"aes128", 128},      {"aes-cbc-128", 128},
      {"aes 256", 256}, {"aes-256", 256}, {"aes256", 256},  {"aes-cbc-256", 256},
  };
  const auto e = kEncr.find(p.encryption);
  if (e == kEncr.end() || (p.group != 14 && p.group != 19)) return std::nullopt;
  Algorithms a;
  a.key_bits = e->second;
  a.group = static_cast<std::uint16_t>(p.group);
  if (p.integrity == "sha384" || p.integrity == "sha-384") {
    a.hash = k1::kHashSha384;
    a.integ = k2::kAuthHmacSha384_192;
    a.prf = k2::kPrfHmacSha384;
  } else if (p.integrity != "sha256" && p.integrity != "sha-256") {
    return std::nullopt;
  }
  return a;
}

std::vector<Proposal> proposals(const Peer& p) { return p.proposals.empty() ? std::vector<Proposal>{{}} : p.proposals; }

// The tunnel's networks as drivers/strongswan renders them: 10.<peer+1>.0.0/24.
wire::TrafficSelector tunnel_ts(std::size_t peer) {
  wire::TrafficSelector t;
  t.start_address = {10, static_cast<std::uint8_t>(peer + 1), 0, 0};
  t.end_address = {10, static_cast<std::uint8_t>(peer + 1), 0, 255};
  return t;
}

// The identity the peer presents: its tunnel profile's self-identity (V1-11), as the other
// stacks' renderers expect it. The engine's default: a DN depends on the certificate chosen in
// the exchange, which PersonalityPolicy::local_identity() sends instead.
std::pair<std::uint8_t, wire::Bytes> own_identity(const Peer& p) {
  const Profile* f = find_profile(p, p.tunnel_profile);
  if (f && f->self_identity == IdKind::Fqdn && !p.fqdn.empty())
    return {k2::kIdFqdn, wire::Bytes(p.fqdn.begin(), p.fqdn.end())};
  if (f && f->self_identity == IdKind::Email)
    return {k2::kIdRfc822Addr, wire::Bytes(f->self_identity_value.begin(), f->self_identity_value.end())};
  std::uint32_t a = 0;
  parse_ipv4(p.address, a);
  return {k2::kIdIpv4Addr,
          {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16), static_cast<std::uint8_t>(a >> 8),
           static_cast<std::uint8_t>(a)}};
}

// The IDr an initiator's personality sends, on the wire; nullopt for none or a subnet match,
// which names no single identity.
std::optional<wire::IdV2> wire_idr(const std::optional<IdentityMatch>& m) {
  if (!m) return std::nullopt;
  if (m->domain) return std::nullopt;  // a domain names no single identity
  if (m->kind == IdKind::Fqdn) return wire::IdV2{k2::kIdFqdn, wire::Bytes(m->value.begin(), m->value.end())};
  if (m->kind == IdKind::Email) return wire::IdV2{k2::kIdRfc822Addr, wire::Bytes(m->value.begin(), m->value.end())};
  std::uint32_t a = 0;
  if (m->kind != IdKind::Address || (!m->mask.empty() && m->mask != "255.255.255.255") || !parse_ipv4(m->value, a))
    return std::nullopt;
  return wire::IdV2{k2::kIdIpv4Addr,
                    {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                     static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)}};
}

std::string text(std::optional<std::uint16_t> notify, IkeVersion v) {
  if (!notify) return "";
  const std::string_view n = wire::notify_name(v, *notify);
  return n.empty() ? std::to_string(*notify) : std::string(n);
}

}  // namespace

peer::Credentials credentials(const Scenario& s, std::size_t peer, const pki::Pki& pki) {
  std::vector<std::string> cas;
  for (const Ca& ca : s.cas) {
    const pki::CaMaterial* m = pki.ca(ca.id);
    if (!m) throw std::runtime_error("the PKI holds no certificate of CA " + ca.id);
    cas.push_back(m->cert_pem);
  }
  const std::string& name = s.peers.at(peer).name;
  return peer::credentials_for(s, peer, cas, [&](const std::string& tp) -> std::optional<peer::OwnPem> {
    const pki::IdentityMaterial* m = pki.cert(name, tp);
    if (!m) return std::nullopt;
    return peer::OwnPem{m->cert_pem, m->key_pem, m->key};  // decoded once per process (pki::decoded_key)
  });
}

std::optional<std::string> inexpressible(const Scenario& s, std::size_t peer) {
  if (s.peers.size() != 2) return "a scenario has two peers";
  if (s.aggressive_mode) return "aggressive mode is not covered";
  const Peer& p = s.peers.at(peer);
  if (!find_personality(p.personality)) return "no personality '" + p.personality + "'";
  // Either side's pre-shared key: our engine neither proves nor checks one.
  for (const Peer& q : s.peers)
    for (const Profile& f : q.profiles)
      if (f.auth_local != AuthMethod::RsaSig || f.auth_remote != AuthMethod::RsaSig)
        return q.name + "'s profile " + f.name + " uses a pre-shared key: peer/ authenticates with RSA signatures only";
  for (const IdentityCert& c : p.certificates) {
    if (c.revoked) return p.name + " holds a revoked certificate (" + c.trustpoint + "): the PKI makes no CRL";
    if (!c.features.empty())
      return p.name + "'s certificate " + c.trustpoint + " has feature '" + c.features.front() +
             "': peer/ validates with OpenSSL, which cannot be told to refuse it";
  }
  if (!p.unsupported_features.empty())
    return p.name + " cannot verify '" + p.unsupported_features.front() + "': peer/ has no switch to refuse that";
  const auto props = proposals(p);
  for (const Proposal& prop : props)
    if (!algorithms(prop))
      return fmt::format(
          "{}'s proposal {} {} group {} is not implemented in peer/ (AES-CBC-128/256, SHA-256/384, "
          "groups 14 and 19)",
          p.name, prop.encryption, prop.integrity, prop.group);
  if (s.ike_version == IkeVersion::V1 && props.size() != 1)
    return p.name + " has " + std::to_string(props.size()) + " IKEv1 proposals: peer/ offers one";
  if (std::string why = peer::inexpressible(p.bugs, s.ike_version); !why.empty()) return p.name + ": " + why;
  return std::nullopt;
}

EngineConfig engine_config(const Scenario& s, std::size_t peer, std::chrono::milliseconds rto, int tries) {
  const Peer& self = s.peers.at(peer);
  const auto [id_type, id] = own_identity(self);
  const auto props = proposals(self);
  const Algorithms first = *algorithms(props.front());
  EngineConfig out;
  auto& c1 = out.v1;
  c1.suite = {first.key_bits, first.hash, first.group, 28800};
  c1.local_id = {id_type, 17, 500, id};  // V1-11: protocol 17, port 500
  c1.local_ts = tunnel_ts(peer);
  c1.remote_ts = tunnel_ts(1 - peer);
  c1.retransmit_timeout = rto;
  c1.retransmit_tries = tries;
  c1.bugs = peer::protocol_bugs(self.bugs);  // the scenario's switches, carried out by the engine
  auto& c2 = out.v2;
  c2.ike.clear();
  for (const Proposal& prop : props) {
    const Algorithms a = *algorithms(prop);
    c2.ike.push_back({k2::kEncrAesCbc, a.key_bits, a.integ, a.prf, a.group});
  }
  c2.local_id = {id_type, id};
  c2.auth_method = k2::kAuthRsaSig;      // IOS `authentication local rsa-sig`
  c2.signature_hash_algorithms = false;  // and the peer answers with method 1 too (no RSASSA-PSS)
  c2.local_ts = tunnel_ts(peer);
  c2.remote_ts = tunnel_ts(1 - peer);
  c2.retransmit_timeout = rto;
  c2.retransmit_tries = tries;
  c2.bugs = c1.bugs;
  return out;
}

SideReport side_report(const Scenario& s, std::size_t peer, Role role, const EngineOutcome& e,
                       const peer::PersonalityPolicy::Record& rec) {
  SideReport r;
  const IkeVersion v = s.ike_version;
  const bool v1 = v == IkeVersion::V1;
  r.ike_established = e.ike;
  r.child_installed = e.ike && e.child;
  r.heard_peer = e.heard;
  r.certreqs_sent = rec.certreqs_sent;
  r.certreq_message = rec.certreq_message;
  r.cert_sent = rec.cert_sent;
  r.bound_profile = role == Role::Responder ? rec.bound_profile : kNone;
  const std::uint16_t no_proposal = v1 ? k1::kNoProposalChosen : k2::kNoProposalChosen;
  const std::uint16_t auth_failed = v1 ? k1::kAuthenticationFailed : k2::kAuthenticationFailed;
  if (e.ike) {
    r.child_ts_unacceptable = rec.no_ipsec_policy ||
                              (e.error && *e.error == (v1 ? k1::kInvalidIdInformation : k2::kTsUnacceptable));
    r.child_no_proposal = e.error && *e.error == no_proposal;
  } else if (rec.no_profile) {
    r.verdict = Verdict::NoProfile;
  } else if (rec.refused_peer) {
    r.verdict = Verdict::RejectedPeer;
  } else if (rec.no_certificate) {
    r.verdict = Verdict::NoPrivateKey;
  } else if (e.error && *e.error == no_proposal) {
    r.verdict = Verdict::NoProposal;
  } else if (e.error && *e.error == auth_failed && role == Role::Initiator && !v1) {
    // IKEv2 only: an IKEv1 responder's Informational AUTHENTICATION_FAILED also comes when it
    // has no key of its own (strongSwan), which its own report says better.
    r.verdict = Verdict::GotAuthFailed;
  } else if (role == Role::Initiator && e.finished && e.heard) {
    r.verdict = Verdict::GaveUp;
  }
  const std::string& name = s.peers.at(peer).name;
  for (const std::string& l : e.trace) r.trace.push_back(name + ": " + l);
  if (!e.ike && !e.failed_at.empty())
    r.trace.push_back(
        fmt::format("{}: failed at {}{}", name, e.failed_at, e.error ? " (" + text(e.error, v) + ")" : std::string()));
  return r;
}

// ---------------------------------------------------------------------------------------------

// One scenario on this side. The worker thread owns the engine; the runner's thread reads the
// snapshot under `mu`.
struct CiscoIosPeer::Run {
  Scenario s;
  std::size_t peer = 0;
  std::shared_ptr<const peer::Credentials> creds;
  std::unique_ptr<peer::PersonalityPolicy> policy;
  peer::ikev1::Config c1;
  peer::ikev2::Config c2;
  std::string remote;

  struct Snapshot : EngineOutcome {
    peer::PersonalityPolicy::Record record;
  };
  std::mutex mu;
  std::condition_variable cv;
  bool initiate = false, stop = false, initiated = false;
  bool answered = true;              // the responder's last handle() sent something
  std::atomic<bool> abandon{false};  // the engine's Config::abandon: the pair reads the report
  Snapshot snap;

  // Called with `mu` held.
  template <class Sa>
  void take(const Sa& sa, bool ike, bool child, bool heard, bool finished) {
    static_cast<EngineOutcome&>(snap) = engine_outcome(sa, ike, child, heard, finished);
    snap.record = policy->record();
    cv.notify_all();
  }
};

CiscoIosPeer::CiscoIosPeer(const netns::NetnsPair& net, std::size_t side, fs::path, stack::StackOptions o)
    : side_(side), address_(net.address(side)), o_(o) {
  transport_ = std::make_unique<peer::UdpTransport>(address_, net.ns(side));
}

CiscoIosPeer::~CiscoIosPeer() { stop_worker(); }

// Tells the last run's worker to stop, ends its poll at once and waits for it.
void CiscoIosPeer::stop_worker() {
  if (!run_) return;
  {
    std::lock_guard lock(run_->mu);
    run_->stop = true;
  }
  transport_->wake();
  if (worker_.joinable()) worker_.join();
}

void CiscoIosPeer::prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string&) {
  // The last run's engine served until now (the other side's Delete still got its answer).
  stop_worker();
  run_.reset();
  while (transport_->receive(0ms)) {
  }
  if (auto why = inexpressible(s, peer)) throw InputError(s.name, 0, *why);
  auto run = std::make_unique<Run>();
  run->s = s;
  run->peer = peer;
  // Parsing keys is most of a run's CPU: both directions of a scenario, and the campaign's
  // related scenarios, reuse the credentials while the PKI material stays the same.
  std::string key = s.peers[peer].name;
  for (const Ca& ca : s.cas)
    if (const pki::CaMaterial* m = pki.ca(ca.id)) key += m->cert_pem;
  for (const IdentityCert& c : s.peers[peer].certificates)
    if (const pki::IdentityMaterial* m = pki.cert(s.peers[peer].name, c.trustpoint)) key += c.trustpoint + m->cert_pem;
  if (!creds_ || key != creds_key_) {
    creds_.reset();
    creds_ = std::make_shared<const peer::Credentials>(credentials(s, peer, pki));
    creds_key_ = std::move(key);
  }
  run->creds = creds_;
  try {
    run->policy = std::make_unique<peer::PersonalityPolicy>(s, peer, *run->creds);
  } catch (const std::invalid_argument& e) {
    throw InputError(s.name, 0, e.what());
  }
  run->remote = s.peers[1 - peer].address;
  // Retransmissions inside the pair's exchange timeout: 400 + 800 + 1600 ms, then give up.
  EngineConfig c = engine_config(s, peer, 400ms, 2);
  run->c1 = std::move(c.v1);
  run->c2 = std::move(c.v2);
  run->c2.idr = wire_idr(run->policy->idr());  // IOS: none
  run->c1.abandon = run->c2.abandon = &run->abandon;
  run_ = std::move(run);
  worker_ = std::thread([this, r = run_.get()] { work(*r); });
}

// The worker: the responder answers whatever arrives; once initiate() asks, the initiator runs
// its exchange, then answers the peer's requests (its Delete) until the next prepare().
void CiscoIosPeer::work(Run& run) {
  peer::UdpTransport& t = *transport_;
  const bool v1 = run.s.ike_version == IkeVersion::V1;
  std::optional<peer::ikev1::Responder> r1;
  std::optional<peer::ikev2::Responder> r2;
  std::optional<peer::ikev2::Initiator> i2;
  if (v1) r1.emplace(run.c1, *run.creds, *run.policy, t);
  else r2.emplace(run.c2, *run.creds, *run.policy, t);
  try {
    for (;;) {
      bool go = false;
      {
        std::lock_guard lock(run.mu);
        if (run.stop) return;
        go = run.initiate && !run.initiated;
        run.initiated = run.initiated || go;
      }
      if (go && v1) {
        peer::ikev1::Initiator ini(run.c1, *run.creds, *run.policy, t, run.remote);
        const auto& sa = ini.establish();
        std::lock_guard lock(run.mu);
        run.take(sa, sa.outcome.isakmp_sa, sa.outcome.ipsec_sa, sa.cky_r != wire::Spi{}, true);
        continue;  // IKEv1 Deletes need no answer
      }
      if (go) {
        i2.emplace(run.c2, *run.creds, *run.policy, t, peer::ikev2::Endpoints{address_, run.remote, 500, 500});
        const auto& sa = i2->establish();
        std::lock_guard lock(run.mu);
        run.take(sa, sa.outcome.ike_sa, sa.outcome.child_sa, sa.spi_r != wire::Spi{}, true);
        continue;
      }
      if (i2) {
        i2->serve(5ms);  // the responder's Delete at its teardown
        continue;
      }
      if (run.initiated) {  // IKEv1 initiator done: drain
        t.receive(5ms);
        continue;
      }
      auto d = t.receive(5ms);
      if (!d || d->from_address != run.remote) continue;
      // Held while answering: whoever saw our answer reads a report that includes it.
      std::lock_guard lock(run.mu);
      const std::uint64_t sent = t.datagrams_sent();
      if (v1) {
        r1->handle(*d);
        if (!r1->sas().empty()) {
          const auto& sa = r1->sas().back();
          run.take(sa, sa.outcome.isakmp_sa, sa.outcome.ipsec_sa, true, !sa.outcome.failed_at.empty());
        }
      } else {
        r2->handle(*d);
        if (!r2->sas().empty()) {
          const auto& sa = r2->sas().back();
          run.take(sa, sa.outcome.ike_sa, sa.outcome.child_sa, true, !sa.outcome.failed_at.empty());
        }
      }
      run.answered = t.datagrams_sent() != sent;
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(run.mu);
    run.snap.finished = true;
    run.snap.trace.push_back(std::string("harness: the engine failed: ") + e.what());
    run.cv.notify_all();
  }
}

void CiscoIosPeer::initiate() {
  if (!run_) throw std::logic_error("initiate() before prepare()");
  std::lock_guard lock(run_->mu);
  run_->initiate = true;
}

Progress CiscoIosPeer::progress(Role role, bool child) {
  if (!run_) return Progress::Failed;
  std::lock_guard lock(run_->mu);
  const auto& s = run_->snap;
  if (role == Role::Initiator) {
    if (!s.finished) return Progress::Pending;
    return s.ike && (!child || s.child) ? Progress::Up : Progress::Failed;
  }
  if (s.ike) return Progress::Up;
  return s.finished ? Progress::Failed : Progress::Pending;
}

bool CiscoIosPeer::refused_silently() {
  if (!run_) return false;
  std::lock_guard lock(run_->mu);
  return !run_->initiated && run_->snap.finished && !run_->snap.ike && !run_->answered;
}

void CiscoIosPeer::wait(std::chrono::microseconds d) {
  if (!run_) return;
  std::unique_lock lock(run_->mu);
  run_->cv.wait_for(lock, d, [&] { return run_->snap.finished; });
}

SideReport CiscoIosPeer::report(Role role) {
  if (!run_) return {};
  std::unique_lock lock(run_->mu);
  // The pair may stop waiting on the other side's word (a responder that concluded): nothing
  // more will come, so our initiator gives up now (within 10 ms of silence) rather than after its
  // retransmissions, and is reported whole, as it would be then.
  if (role == Role::Initiator && run_->initiated) {
    run_->abandon = true;
    run_->cv.wait_for(lock, o_.initiate_timeout, [&] { return run_->snap.finished; });
  }
  return side_report(run_->s, run_->peer, role, run_->snap, run_->snap.record);
}

void CiscoIosPeer::teardown() {
  // Nothing to unload: the next prepare() replaces the engine, its policy and its credentials.
  // Until then the engine answers the other side's Deletes, so that its teardown is quick.
}

std::string CiscoIosPeer::describe() { return fmt::format("emulated router (peer/) on {} side {}", address_, side_); }

stack::StackKind stack_kind() {
  stack::StackKind k;
  k.name = kName;
  k.title = "emulated Cisco IOS";
  k.personality = kPersonality;
  k.observes_child_sa = true;  // the CHILD SA's negotiation is ours (no ESP data plane needed)
  k.needs_p12 = false;
  k.protocol_bugs = true;  // peer/protocol_bugs.hpp
  k.make = stack::make_stack<CiscoIosPeer>;
  k.version = [] { return std::optional<std::string>("ikeconform peer/ (emulated Cisco IOS)"); };
  k.inexpressible = inexpressible;
  // What inexpressible() refuses, not generated for this target: peer/ proves and checks RSA
  // signatures only, and OpenSSL cannot be told to refuse a certificate feature; the PKI makes no CRL.
  k.expressible.pre_shared_keys = false;
  k.expressible.revoked_certificates = false;
  k.expressible.certificate_features = false;
  k.render = [](const Scenario&, std::size_t, const stack::RenderContext&) { return std::vector<RenderedFile>{}; };
  return k;
}

}  // namespace ikeconform::cisco_ios
