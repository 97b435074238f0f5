// The `strongswan-5.9` personality: spec/real-stacks.md "strongSwan's certificate behavior"
// (upstream credential_manager.c, ike_cert_pre.c, isakmp_cert_pre.c), over the scenario mapped
// to swanctl.conf by model/strongswan.hpp -- the mapping drivers/strongswan renders:
//   - every trustpoint's CA is loaded as a trusted CA, in trustpoint order (strongswan_ca_load_order);
//   - identity certificates are loaded in enrollment order, and `local.certs` lists them newest
//     first (strongswan_local_certs), so "most recently loaded" and "first of local.certs" agree;
//   - `remote.cacerts` = the CAs of the profile's restriction (strongswan_remote_cacerts).
// strongSwan has no predefined trustpoints.
#include <algorithm>

#include "model/personality.hpp"
#include "model/strongswan.hpp"

namespace ikeconform {
namespace {

// remote.cacerts of the profile's connection, as rendered.
TpList restriction(const Negotiation& n, const PeerCtx& self, const Profile* p) {
  TpList out;
  if (!p) return out;
  for (TpIndex t : strongswan_remote_cacerts(*n.cs.scenario, *self.peer, *p)) out.push_back(t);
  return out;
}

// Whether a certificate from CA `issuer` chains to a CA this peer loaded (kNone: none was sent).
bool trusts_issuer(const PeerCtx& self, CaIndex issuer) {
  if (issuer == kNone) return false;
  for (TpIndex t = 0; t < self.user_tps; ++t)
    if (self.ca_of(t) == issuer) return true;
  return false;
}

// The identity this peer presents under profile `f` (local.id, as rendered).
PeerId local_id(const PeerCtx& self, const Profile& f) {
  if (f.self_identity == IdKind::Fqdn && !self.peer->fqdn.empty()) return {IdKind::Fqdn, self.peer->fqdn, 0};
  return {IdKind::Address, self.peer->address, self.ipv4};
}

void add_unique(CertReqList& out, CaIndex ca, TpIndex tp) {
  for (const CertReq& c : out)
    if (c.ca == ca) return;
  out.push_back({ca, tp});
}

class StrongSwan final : public Personality {
 public:
  std::string_view name() const override { return kStrongswan59; }
  // DN / e-mail identities: not in the swanctl mapping (model/strongswan.hpp).
  std::optional<std::string> unsupported(const Scenario& s, std::size_t) const override {
    return strongswan_identity_gap(s);
  }
  Message ikev1_initiator_certreq_message() const override { return Message::MM5; }
  // `send_cert = ifasked` (the default the renderer keeps): no CERTREQ payload, no CERT. Seen
  // against Libreswan, whose IKEv1 responder without `rightca` sends no CERT_REQ in MM4.
  bool sends_certificate(const Negotiation&, const PeerCtx&, const Step&, bool asked) const override { return asked; }

  bool certreq(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile* profile,
               CertReqList& out) const override {
    // IKEv1: the initiator's CERT_REQs go in MM5 (isakmp_cert_pre.c), not MM3.
    if (at.role == Role::Initiator && n.version == IkeVersion::V1 && at.message != Message::MM5) return false;
    const std::size_t before = out.size();
    // Initiator: the CAs of remote.cacerts when set; responder: every trusted CA (no peer config yet).
    TpList r = at.role == Role::Initiator ? restriction(n, self, profile) : TpList{};
    if (!r.empty()) {
      for (TpIndex t : r) add_unique(out, self.ca_of(t), t);
    } else {
      // Reverse load order: the CA loaded last is requested first.
      const StrongswanTps loaded = strongswan_ca_load_order(*n.cs.scenario, *self.peer);
      for (auto t = loaded.rbegin(); t != loaded.rend(); ++t) add_unique(out, self.ca_of(*t), *t);
    }
    if (n.trace.on())
      for (std::size_t i = before; i < out.size(); ++i) n.trace("sending cert request for \"{}\"", n.ca_dn(out[i].ca));
    return out.size() > before;
  }

  TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile*) const override {
    // IKEv1 responder: decided when building MM6, with the peer config known (not at MM3).
    if (at.message == Message::MM3) return kDeferred;
    // IKEv1 initiator before MM1: the signature method comes from the private key's type
    // (ikev1/phase1.c get_auth_method(), get_pubkey_method()); without one charon logs "no private
    // key found" and "configuration uses unsupported authentication" and sends nothing. The
    // certificate itself is chosen at MM4, with the CERTREQs.
    if (at.message == Message::MM1) return self.peer->certificates.empty() ? kNone : kDeferred;
    const CertReqList& received = at.received();
    // First certificate of local.certs (newest first) whose issuer any CERTREQ names, else the first.
    TpList local_certs;
    for (std::size_t k : strongswan_local_certs(*self.peer))
      for (TpIndex t = 0; t < self.user_tps; ++t)
        if (self.cert[static_cast<std::size_t>(t)] == static_cast<std::int16_t>(k)) local_certs.push_back(t);
    for (TpIndex t : local_certs) {
      bool hinted = std::any_of(received.begin(), received.end(),
                                [&](const CertReq& c) { return c.ca == self.ca_of(t); });
      if (hinted) {
        n.trace("sending end entity cert for trustpoint {}", n.tp_name(self, t));
        return t;
      }
    }
    if (local_certs.empty()) return kNone;
    n.trace("no CERTREQ hint matches; sending end entity cert for trustpoint {}", n.tp_name(self, local_certs.front()));
    return local_certs.front();
  }

  std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const Step& at,
                            const PeerId& id) const override {
    const Scenario& s = *n.cs.scenario;
    if (at.role == Role::Initiator && at.in_exchange()) {
      // IDr against remote.id: IKEv1 before the signature (ikev1/tasks/main_mode.c, "IDir '...'
      // does not match to '...'"); IKEv2 after the peer's key was found through a trusted CA,
      // with the other constraints (auth_cfg.c complies(): "constraint check failed: identity
      // '...' required"), so an untrusted certificate is refused first.
      if (n.version == IkeVersion::V2 && self.tunnel_profile().auth_remote == AuthMethod::RsaSig &&
          !trusts_issuer(self, at.peer_cert_issuer))
        return self.tunnel;
      const auto want = strongswan_remote_id(s, self.index, self.tunnel_profile());
      if (!want || identity_matches(*want, id)) return self.tunnel;
      n.trace("IDr '{}' does not match remote.id '{}'", id.value, want->value);
      return kNone;
    }
    // MM1: charon answers main mode by address; the method counts at MM5 (select_config()).
    if (at.message == Message::MM1) return 0;
    // MM3 with a pre-shared key: "no shared key found for ..." unless one is loaded (phase1.c
    // derive_keys() looks it up by IDs before any config is selected).
    if (at.message == Message::MM3) {
      if (strongswan_loads_psk(*self.peer)) return 0;
      n.trace("no shared key found");
      return kNone;
    }
    // Responder: the connection whose remote.id matches IDi best (an exact identity before a
    // subnet before %any; backend_manager.c sorts candidates by match), in load order. IKEv1
    // also requires the method proposed in MM1 (ikev1/phase1.c select_config, check_auth_method:
    // "found 1 matching config, but none allows ... authentication").
    // An IDr the initiator sent must name this side's local.id (backend_manager.c get_peer_match()).
    const PeerCtx& peer = n.cs.peers[1 - self.index];
    const AuthMethod proposed = peer.tunnel_profile().auth_local;
    const IdentityMatch* idr_received = at.idr_received;
    const auto& profiles = self.peer->profiles;
    // Candidates best first (rank, then load order). The first whose remote.cacerts accept the
    // peer's certificate keeps it: charon checks the constraints once the signature verifies
    // and moves on to the next candidate ("constraint check failed: peer not authenticated by
    // CA ...", "switching to peer config ..."; ikev1/phase1.c select_config(), ikev2/tasks/
    // ike_auth.c update_cfg_candidates()); none accepting: the last tried ("no alternative config
    // found").
    std::vector<std::pair<int, std::int16_t>> candidates;  // (-rank, index)
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      if (n.version == IkeVersion::V1 && profiles[i].auth_remote != proposed) continue;
      if (idr_received && !identity_matches(*idr_received, local_id(self, profiles[i]))) continue;
      const auto want = strongswan_remote_id(s, self.index, profiles[i]);
      const int rank = !want ? 1 : !identity_matches(*want, id) ? 0 : want->mask.empty() ? 3 : 2;
      if (rank > 0) candidates.emplace_back(-rank, static_cast<std::int16_t>(i));
    }
    if (candidates.empty()) {
      n.trace("no matching peer config found");
      return kNone;
    }

    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // The peer's AUTH verifies by its own method first (a trusted key, or the one pre-shared
    // key); only then are the constraints (method class, remote.cacerts) checked per candidate
    // ("constraint requires pre-shared key authentication, but public key was used").
    // IKEv1 tries every candidate when the signature does not verify ("no trusted RSA public key
    // found", "switching to peer config ...", "no alternative config found"): the last is bound.
    std::int16_t best = n.version == IkeVersion::V1 ? candidates.back().second : candidates.front().second;
    const bool verified = proposed == AuthMethod::RsaSig ? trusts_issuer(self, at.peer_cert_issuer)
                                                         : strongswan_loads_psk(*self.peer);
    bool accepted = false;
    if (verified) {
      best = candidates.back().second;
      for (const auto& [rank, i] : candidates) {
        const Profile& f = profiles[static_cast<std::size_t>(i)];
        if (f.auth_remote != proposed) continue;
        const TpList r = restriction(n, self, &f);
        if (r.empty() ||
            std::any_of(r.begin(), r.end(), [&](TpIndex t) { return self.ca_of(t) == at.peer_cert_issuer; })) {
          best = i;
          accepted = true;
          break;
        }
      }
    }
    // The peer accepted, charon answers only an IDr that its local.id matches as an identity, not
    // as a range: a subnet IDr (a remote.id of `match identity address A M`) names no one
    // (ikev2/tasks/ike_auth.c build_r(): "received IDr %Y, but require %Y", AUTHENTICATION_FAILED).
    if (std::uint32_t mask = 0; accepted && idr_received && idr_received->kind == IdKind::Address &&
                                !idr_received->mask.empty() && parse_ipv4(idr_received->mask, mask) &&
                                mask != 0xffffffffu) {
      n.trace("received IDr {}/{}, but require our own identity", idr_received->value, idr_received->mask);
      return kNone;
    }
    n.trace("selected peer config '{}'", profiles[static_cast<std::size_t>(best)].name);
    return best;
  }

  // IDr: remote.id unless %any (ikev2/tasks/ike_auth.c build_i(), "add (optional) IDr").
  std::optional<IdentityMatch> idr(const Negotiation& n, const PeerCtx& self) const override {
    return strongswan_remote_id(*n.cs.scenario, self.index, self.tunnel_profile());
  }

  void validation_list(const Negotiation& n, const PeerCtx& self, const Step&, const Profile* profile,
                       TpList& out) const override {
    out = restriction(n, self, profile);  // remote.cacerts constrains the trust chain
    if (!out.empty()) {
      n.trace("remote.cacerts constrains the peer to {}", join_tp_names(n, self, out));
      return;
    }
    for (TpIndex t = 0; t < self.user_tps; ++t) out.push_back(t);  // every loaded CA
  }
};

const StrongSwan kInstance;

}  // namespace

const Personality& strongswan_personality() { return kInstance; }

}  // namespace ikeconform
