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

void add_unique(CertReqList& out, CaIndex ca, TpIndex tp) {
  for (const CertReq& c : out)
    if (c.ca == ca) return;
  out.push_back({ca, tp});
}

class StrongSwan final : public Personality {
 public:
  std::string_view name() const override { return kStrongswan59; }
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

  std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const Step&, const PeerId& id) const override {
    // The first loaded connection whose remote.id matches.
    const auto& profiles = self.peer->profiles;
    for (std::size_t i = 0; i < profiles.size(); ++i)
      if (std::any_of(profiles[i].match.begin(), profiles[i].match.end(),
                      [&](const IdentityMatch& m) { return identity_matches(m, id); })) {
        n.trace("selected peer config '{}'", profiles[i].name);
        return static_cast<std::int16_t>(i);
      }
    n.trace("no matching peer config found");
    return kNone;
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
