// `ikeconform emulate` (emulate.hpp).
#include "drivers/cisco_ios/emulate.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "drivers/cisco_ios/peer.hpp"
#include "drivers/pki/p12.hpp"
#include "model/input_error.hpp"
#include "peer/transport.hpp"
#include "wire/ike.hpp"

namespace ikeconform::cisco_ios {

namespace k1 = wire::ikev1;
namespace k2 = wire::ikev2;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::int16_t trustpoint_index(const Peer& p, const std::string& name) {
  return index_of(p.trustpoints, name, &Trustpoint::name);
}
std::int16_t ca_index(const Scenario& s, const std::string& id) { return index_of(s.cas, id, &Ca::id); }

// The address the kernel sends from toward `peer` (a connected UDP socket sends nothing);
// nullopt: no route.
std::optional<std::string> route_source(const std::string& peer) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(500);
  if (inet_pton(AF_INET, peer.c_str(), &to.sin_addr) != 1)
    throw InputError("--peer", 0, "not an IPv4 address: " + peer);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) throw peer::TransportError("socket: cannot open a UDP socket");
  sockaddr_in me{};
  socklen_t len = sizeof me;
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len) == 0;
  close(fd);
  if (!ok) return std::nullopt;
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &me.sin_addr, buf, sizeof buf);
  return buf;
}

std::string notify_text(const std::optional<std::uint16_t>& n, IkeVersion v) {
  if (!n) return {};
  const std::string_view name = wire::notify_name(v, *n);
  return name.empty() ? std::to_string(*n) : std::string(name);
}

// The real peer's side report as its messages tell it: what it requested and sent, and the
// refusal its notify stands for. Its trustpoint is the one of its model that the CA issuing its
// certificate anchors (kNone when its model has none).
stack::SideReport peer_report(const Scenario& s, std::size_t self, bool we_initiate, const EngineOutcome& e,
                              const stack::SideReport& ours, const peer::PersonalityPolicy::Record& rec) {
  stack::SideReport r;
  const bool v1 = s.ike_version == IkeVersion::V1;
  r.ike_established = ours.ike_established;
  r.child_installed = ours.child_installed;
  r.heard_peer = e.heard;
  r.certreqs_sent = rec.certreqs_received;
  r.certreq_message = rec.certreq_received_message;
  const Peer& them = s.peers.at(1 - self);
  if (rec.peer_cert_issuer != kNone)
    for (const IdentityCert& c : them.certificates)
      if (const auto i = trustpoint_index(them, c.trustpoint);
          i != kNone && ca_index(s, them.trustpoints[static_cast<std::size_t>(i)].ca) == rec.peer_cert_issuer) {
        r.cert_sent = i;
        break;
      }
  const std::uint16_t auth_failed = v1 ? k1::kAuthenticationFailed : k2::kAuthenticationFailed;
  const bool refused = e.error && (*e.error == auth_failed || (v1 && (*e.error == k1::kInvalidIdInformation ||
                                                                      *e.error == k1::kInvalidCertificate)));
  // Our responder's answer went out and its initiator said AUTHENTICATION_FAILED; IKEv1: any
  // initiator-side refusal notify (our own report names IKEv2's).
  if (!ours.ike_established && refused && ours.verdict == stack::Verdict::None && (!we_initiate || v1))
    r.verdict = stack::Verdict::RejectedPeer;
  return r;
}

}  // namespace

P12Spec parse_credentials_spec(const std::string& spec, const std::string& default_password) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw InputError("--credentials", 0, fmt::format("'{}': expected TRUSTPOINT=FILE.p12[:PASSWORD]", spec));
  P12Spec p{spec.substr(0, eq), spec.substr(eq + 1), default_password};
  // FILE:PASSWORD, unless the whole rest names an existing file (a path with a colon).
  std::error_code ec;
  if (const auto colon = p.file.rfind(':'); colon != std::string::npos && !std::filesystem::exists(p.file, ec)) {
    p.password = p.file.substr(colon + 1);
    p.file.resize(colon);
  }
  return p;
}

P12Contents read_p12(const P12Spec& spec) {
  pki::P12Contents p = pki::read_p12(spec.file, spec.password);
  const std::string dn = wire::ios_dn_from_der(p.ca_subject_der);
  return P12Contents{spec.trustpoint, spec.file, std::move(p.cert_pem), std::move(p.key_pem), std::move(p.ca_pem), dn};
}

peer::Credentials emulation_credentials(Scenario& s, std::size_t self, const std::vector<P12Contents>& files) {
  const Peer& me = s.peers.at(self);
  for (const P12Contents& f : files)
    if (trustpoint_index(me, f.trustpoint) == kNone)
      throw InputError("--credentials", 0, fmt::format("{}: {} has no trustpoint '{}'", f.file, me.name, f.trustpoint));
  std::map<std::string, std::string> pem_of;  // CA id -> the real CA certificate
  for (const Trustpoint& tp : me.trustpoints) {
    const P12Contents* f = nullptr;
    for (const P12Contents& g : files)
      if (g.trustpoint == tp.name) f = &g;
    if (!f)
      throw InputError("--credentials", 0,
                       fmt::format("trustpoint {} of {} has no --credentials {}=FILE.p12 (a file with its CA "
                                   "certificate, and its identity certificate and key if enrolled)",
                                   tp.name, me.name, tp.name));
    auto& pem = pem_of[tp.ca];
    if (!pem.empty() && pem != f->ca_pem)
      throw InputError(f->file, 0,
                       fmt::format("its CA certificate ({}) differs from the one of another trustpoint of CA {}",
                                   f->ca_dn, tp.ca));
    pem = f->ca_pem;
    s.cas.at(static_cast<std::size_t>(ca_index(s, tp.ca))).dn = f->ca_dn;  // the real CA's DN: CERT_REQs map back by it
  }
  // A CA the import kept apart (by trustpoint name, or an annotation) that the files show to be
  // the same certificate authority (same DN) becomes one: the DN is what goes on the wire.
  for (std::size_t i = 0; i < s.cas.size(); ++i)
    for (std::size_t j = i + 1; j < s.cas.size();) {
      if (s.cas[j].dn != s.cas[i].dn) {
        ++j;
        continue;
      }
      const std::string from = s.cas[j].id, to = s.cas[i].id;
      for (Peer& p : s.peers)
        for (Trustpoint& tp : p.trustpoints)
          if (tp.ca == from) tp.ca = to;
      if (auto it = pem_of.find(from); it != pem_of.end()) {
        if (pem_of[to].empty()) pem_of[to] = it->second;
        pem_of.erase(from);
      }
      s.cas.erase(s.cas.begin() + static_cast<std::ptrdiff_t>(j));
    }
  std::vector<std::string> ca_pem;
  for (const Ca& ca : s.cas) ca_pem.push_back(pem_of.count(ca.id) ? pem_of[ca.id] : std::string());
  for (std::size_t i = 0; i < s.cas.size(); ++i)
    if (ca_pem[i].empty()) ca_pem[i] = pki::self_signed_ca_pem(wire::dn_der_from_ios(s.cas[i].dn));
  try {
    return peer::credentials_for(s, self, ca_pem, [&](const std::string& tp) -> std::optional<peer::OwnPem> {
      for (const P12Contents& g : files)
        if (g.trustpoint == tp && !g.cert_pem.empty()) return peer::OwnPem{g.cert_pem, g.key_pem, {}};
      return std::nullopt;
    });
  } catch (const std::invalid_argument& e) {
    throw InputError("--credentials", 0, e.what());
  }
}

Emulation emulate(const Scenario& s, std::size_t self, const peer::Credentials& creds, const EmulateOptions& o) {
  if (auto why = inexpressible(s, self)) throw InputError(s.name, 0, *why);
  Emulation out;
  const std::string remote = s.peers.at(1 - self).address;
  std::vector<std::string> harness;  // trace lines of our own
  out.local_address = o.local_address;
  if (out.local_address.empty()) {
    const auto source = route_source(remote);
    // No route: nothing can reach the device, which ends as PEER_UNREACHABLE, not as bad input.
    if (!source) harness.push_back("harness: no route to " + remote);
    out.local_address = source.value_or("0.0.0.0");
  }
  std::unique_ptr<peer::PersonalityPolicy> policy;
  try {
    policy = std::make_unique<peer::PersonalityPolicy>(s, self, creds);
  } catch (const std::invalid_argument& e) {
    throw InputError(s.name, 0, e.what());
  }
  // Retransmissions within --timeout: rto + 2 rto + 4 rto.
  const auto rto = std::max(std::chrono::milliseconds(100), o.timeout / 7);
  EngineConfig c = engine_config(s, self, rto, 2);
  peer::UdpTransport t(out.local_address);
  if (o.capture)
    t.set_tap([&out](bool sent, const std::string& peer, std::uint16_t peer_port, std::uint16_t local_port,
                     const wire::Bytes& data) {
      const wire::Endpoint us{wire::Ipv4::parse(out.local_address), local_port};
      const wire::Endpoint them{wire::Ipv4::parse(peer), peer_port};
      wire::IkePacket p;
      p.timestamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      p.src = sent ? us : them;
      p.dst = sent ? them : us;
      p.datagram = data;
      if (auto m = wire::decode(data)) p.message = std::move(m).value();
      out.packets.push_back(std::move(p));
    });
  const bool v1 = s.ike_version == IkeVersion::V1;
  const auto deadline = Clock::now() + o.timeout;
  auto stopped = [&] { return o.stop && o.stop->load(); };
  EngineOutcome e;
  const Role role = o.initiate ? Role::Initiator : Role::Responder;
  try {
    if (o.initiate && v1) {
      peer::ikev1::Initiator ini(c.v1, creds, *policy, t, remote);
      const auto& sa = ini.establish();
      e = engine_outcome(sa, sa.outcome.isakmp_sa, sa.outcome.ipsec_sa, sa.cky_r != wire::Spi{}, true);
      if (sa.outcome.isakmp_sa) ini.delete_isakmp_sa();  // leave the device no SA of ours
    } else if (o.initiate) {
      peer::ikev2::Initiator ini(c.v2, creds, *policy, t, peer::ikev2::Endpoints{out.local_address, remote, 500, 500});
      const auto& sa = ini.establish();
      e = engine_outcome(sa, sa.outcome.ike_sa, sa.outcome.child_sa, sa.spi_r != wire::Spi{}, true);
      if (sa.outcome.ike_sa) ini.delete_ike_sa();
    } else {
      // Answer the device until its exchange ends (up, or refused either way), then a little
      // longer: an IKEv2 initiator that refuses our AUTH says so in an INFORMATIONAL after it.
      std::optional<peer::ikev1::Responder> r1;
      std::optional<peer::ikev2::Responder> r2;
      if (v1) r1.emplace(c.v1, creds, *policy, t);
      else r2.emplace(c.v2, creds, *policy, t);
      std::optional<Clock::time_point> linger;
      while (Clock::now() < deadline && !(linger && Clock::now() >= *linger)) {
        if (stopped()) {
          out.stopped = true;
          break;
        }
        auto d = t.receive(50ms);
        if (!d || d->from_address != remote) continue;
        bool finished = false;
        if (v1) {
          r1->handle(*d);
          if (r1->sas().empty()) continue;
          const auto& sa = r1->sas().back();
          finished = sa.outcome.ipsec_sa || !sa.outcome.failed_at.empty();
          e = engine_outcome(sa, sa.outcome.isakmp_sa, sa.outcome.ipsec_sa, true, finished);
        } else {
          r2->handle(*d);
          if (r2->sas().empty()) continue;
          const auto& sa = r2->sas().back();
          finished = (sa.outcome.ike_sa && sa.outcome.child_sa) || !sa.outcome.failed_at.empty();
          e = engine_outcome(sa, sa.outcome.ike_sa, sa.outcome.child_sa, true, finished);
        }
        if (finished && !linger) linger = Clock::now() + std::min<Clock::duration>(500ms, deadline - Clock::now());
      }
      e.finished = true;
    }
  } catch (const peer::TransportError& err) {  // sendto: network or host unreachable
    e.finished = true;
    harness.push_back(std::string("harness: ") + err.what());
  }
  e.trace.insert(e.trace.end(), harness.begin(), harness.end());
  out.record = policy->record();
  out.notify = notify_text(e.error, s.ike_version);
  out.self = side_report(s, self, role, e, out.record);
  out.peer = peer_report(s, self, o.initiate, e, out.self, out.record);
  const auto initiator = static_cast<std::uint8_t>(o.initiate ? self : 1 - self);
  out.observed = o.initiate ? stack::combine(s, initiator, out.self, out.peer, "")
                            : stack::combine(s, initiator, out.peer, out.self, "");
  out.trace = out.self.trace;
  return out;
}

}  // namespace ikeconform::cisco_ios
