// The `strongswan-5.9` personality: spec/real-stacks.md "strongSwan's certificate behavior"
// (upstream credential_manager.c, ike_cert_pre.c, isakmp_cert_pre.c), with the scenario mapped
// to swanctl.conf the way drivers/strongswan renders it:
//   - every trustpoint's CA is loaded as a trusted CA, in trustpoint order;
//   - identity certificates are loaded in enrollment order, and `local.certs` lists them newest
//     first (the IOS store order), so "most recently loaded" and "first of local.certs" agree;
//   - `remote.cacerts` = the CAs of the profile's restriction (IKEv2: its verify trustpoints).
// strongSwan has no predefined trustpoints.
#include <algorithm>

#include "model/personality.hpp"

namespace ikeconform {
namespace {

bool verifies(TrustpointUse u) { return u != TrustpointUse::Sign; }

TpList restriction(const PeerCtx& self, const Profile* p) {
  TpList out;
  if (!p) return out;
  for (const ProfileTrustpoint& pt : p->trustpoints) {
    if (!verifies(pt.use)) continue;
    for (TpIndex t = 0; t < self.user_tps; ++t)
      if (self.peer->trustpoints[static_cast<std::size_t>(t)].name == pt.trustpoint &&
          std::find(out.begin(), out.end(), t) == out.end())
        out.push_back(t);
  }
  return out;
}

void add_unique(CertReqList& out, CaIndex ca, TpIndex tp) {
  for (const CertReq& c : out)
    if (c.ca == ca) return;
  out.push_back({ca, tp});
}

class StrongSwan final : public Personality {
 public:
  std::string_view name() const override { return "strongswan-5.9"; }
  Message ikev1_initiator_certreq_message() const override { return Message::MM5; }
  bool ikev1_responder_chooses_after_binding() const override { return true; }
  // `send_cert = ifasked` (the default the renderer keeps): no CERTREQ payload, no CERT. Seen
  // against Libreswan, whose IKEv1 responder without `rightca` sends no CERT_REQ in MM4.
  bool sends_certificate(const Negotiation&, const PeerCtx&, Role, bool asked) const override { return asked; }

  void build_certreq(const Negotiation& n, const PeerCtx& self, Role role, const Profile* profile,
                     CertReqList& out) const override {
    // Initiator: the CAs of remote.cacerts when set; responder: every trusted CA (no peer config yet).
    TpList r = role == Role::Initiator ? restriction(self, profile) : TpList{};
    if (!r.empty()) {
      for (TpIndex t : r) add_unique(out, self.ca_of(t), t);
    } else {
      // Reverse load order: the CA loaded last is requested first.
      for (TpIndex t = static_cast<TpIndex>(self.user_tps - 1); t >= 0; --t) add_unique(out, self.ca_of(t), t);
    }
    if (n.trace.on())
      for (const CertReq& c : out) n.trace("sending cert request for \"{}\"", n.ca_dn(c.ca));
  }

  TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, Role, const Profile*,
                             const CertReqList& received) const override {
    // First certificate of local.certs (newest first) whose issuer any CERTREQ names, else the first.
    for (TpIndex t : self.store) {
      bool hinted = std::any_of(received.begin(), received.end(), [&](const CertReq& c) { return c.ca == self.ca_of(t); });
      if (hinted) {
        n.trace("sending end entity cert for trustpoint {}", n.tp_name(self, t));
        return t;
      }
    }
    if (self.store.empty()) return kNone;
    n.trace("no CERTREQ hint matches; sending end entity cert for trustpoint {}", n.tp_name(self, self.store.front()));
    return self.store.front();
  }

  std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const PeerId& id) const override {
    // The first loaded connection whose remote.id matches.
    const auto& profiles = self.peer->profiles;
    for (std::size_t i = 0; i < profiles.size(); ++i)
      if (std::any_of(profiles[i].match.begin(), profiles[i].match.end(), [&](const IdentityMatch& m) { return identity_matches(m, id); })) {
        n.trace("selected peer config '{}'", profiles[i].name);
        return static_cast<std::int16_t>(i);
      }
    n.trace("no matching peer config found");
    return kNone;
  }

  void validation_list(const Negotiation& n, const PeerCtx& self, const Profile* profile, TpList& out) const override {
    out = restriction(self, profile);  // remote.cacerts constrains the trust chain
    if (!out.empty()) {
      n.trace("remote.cacerts constrains the peer to {}", join_tp_names(n, self, out));
      return;
    }
    for (TpIndex t = 0; t < self.user_tps; ++t) out.push_back(t);
  }
};

const StrongSwan kStrongSwan;

}  // namespace

const Personality& strongswan_personality() { return kStrongSwan; }

}  // namespace ikeconform
