// The `cisco-ios` personality: spec/cisco-ios-behavior.md, every inferred rule behind an option.
#include <algorithm>

#include "model/personality.hpp"

namespace ikeconform {
namespace {

bool signs(TrustpointUse u) { return u != TrustpointUse::Verify; }
bool verifies(TrustpointUse u) { return u != TrustpointUse::Sign; }

// The profile's trustpoints usable for `use` (V2-6: a plain line serves both).
TpList profile_tps(const PeerCtx& self, const Profile& p, bool (*use)(TrustpointUse)) {
  TpList out;
  for (const ProfileTrustpoint& pt : p.trustpoints) {
    if (!use(pt.use)) continue;
    for (TpIndex t = 0; t < self.user_tps; ++t)
      if (self.peer->trustpoints[static_cast<std::size_t>(t)].name == pt.trustpoint) {
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        break;
      }
  }
  return out;
}

// The global list restricted to the CAs of `tps`, each entry named after the profile's trustpoint.
void restrict_certreq(const PeerCtx& self, const TpList& tps, CertReqList& out) {
  for (const CertReq& c : self.global_certreq)
    for (TpIndex t : tps)
      if (self.ca_of(t) == c.ca) {
        out.push_back({c.ca, t});
        break;
      }
}

class CiscoIos final : public Personality {
 public:
  std::string_view name() const override { return kCiscoIos; }

  bool certreq(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile* profile,
               CertReqList& out) const override {
    if (at.role == Role::Initiator && n.version == IkeVersion::V1 && at.message != Message::MM3)
      return false;  // V1-2: MM3
    // An IKEv2 initiator expecting a pre-shared key has no certificate to ask for (IKEv1 goes by
    // the one method of the SA: the engine asks only when it signs).
    if (at.role == Role::Initiator && n.version == IkeVersion::V2 && profile &&
        profile->auth_remote != AuthMethod::RsaSig)
      return false;
    if (at.role == Role::Initiator && profile) {
      if (n.version == IkeVersion::V1 && !profile->trustpoints.empty()) {
        // V1-2 / V1-12: an initiator with `ca trust-point` requests exactly those CAs.
        restrict_certreq(self, profile_tps(self, *profile, verifies), out);
        return !out.empty();
      }
      if (n.version == IkeVersion::V2 && n.options.ikev2_initiator_certreq == CertReqScope::Profile) {
        // V2-12 (inferred): the IKE_AUTH CERTREQ names the profile's verify trustpoints.
        TpList v = profile_tps(self, *profile, verifies);
        if (!v.empty()) {
          restrict_certreq(self, v, out);
          return !out.empty();
        }
      }
    }
    if (at.role == Role::Responder && n.version == IkeVersion::V1 && n.options.ikev1_early_binding_by_address) {
      // V1-3 (inferred, option): a profile matched by the peer's source address is known before
      // MM4; with `ca trust-point` lines, MM4 requests only those CAs (as an initiator's MM3, V1-2).
      const Profile* early = early_profile(n, self);
      if (early && !early->trustpoints.empty()) {
        n.trace("ISAKMP:(0): peer {} matches profile {} by address before MM4",
                n.cs.peers[1 - self.index].peer->address, early->name);
        restrict_certreq(self, profile_tps(self, *early, verifies), out);
        return !out.empty();
      }
    }
    // V1-2 (no restriction), V1-3, V2-2: every global trustpoint in store order (V1-4); the
    // predefined ones in IKEv2 only with ikev2_certreq_predefined (inferred, V2-2).
    for (const CertReq& c : self.global_certreq)
      if (n.version == IkeVersion::V1 || n.options.ikev2_certreq_predefined || c.trustpoint < self.user_tps)
        out.push_back(c);
    return !out.empty();
  }

  TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, const Step& at,
                             const Profile* profile) const override {
    // V1-5: IOS chooses as soon as the CERT_REQs arrive (an IKEv1 responder at MM3, before any
    // profile is bound); before MM1 it has received none yet.
    if (at.message == Message::MM1) return kDeferred;
    const Role role = at.role;
    const CertReqList& received = at.received();
    TpList candidates;
    bool restricted = false;
    if (n.version == IkeVersion::V1) {
      // V1-6 (inferred): an initiator with `ca trust-point` only considers that list.
      if (role == Role::Initiator && profile && !profile->trustpoints.empty() &&
          n.options.initiator_choice_restricted_to_profile) {
        candidates = profile_tps(self, *profile, signs);
        restricted = true;
      }
    } else if (profile) {
      TpList s = profile_tps(self, *profile, signs);
      if (role == Role::Initiator) {
        // V2-3 / V2-4: the initiator only signs with its profile's `pki trustpoint`s; none: no CERT.
        candidates = s;
        restricted = true;
        if (s.empty()) {
          trace_retrieved(n, self, received);
          return kNone;
        }
      } else if (n.options.ikev2_responder_choice == CertReqScope::Profile && !s.empty()) {
        candidates = s;  // V2-13 (inferred)
        restricted = true;
      }
    }
    if (!restricted)
      for (TpIndex t : self.store) candidates.push_back(t);
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(), [&](TpIndex t) { return !self.enrolled(t); }),
                     candidates.end());

    // V1-5 / V2-3: the first CERT_REQ, in received order, that names a usable CA decides.
    TpIndex chosen = kNone;
    for (const CertReq& req : received) {
      if (n.trace.on() && n.version == IkeVersion::V1) {
        n.trace("ISAKMP:(0): processing CERT_REQ payload. message ID = 0");
        n.trace("ISAKMP:(0): peer wants a CT_X509_SIGNATURE cert");
        n.trace("ISAKMP:(0): peer wants cert issued by {}", n.ca_dn(req.ca));
      }
      if (chosen != kNone) continue;  // later matches are ignored (V1-5)
      TpIndex hit = kNone;
      for (TpIndex t : candidates)
        if (self.ca_of(t) == req.ca) {
          hit = t;
          break;
        }
      if (hit == kNone) continue;
      chosen = hit;
      if (n.version == IkeVersion::V1) {
        if (restricted) {
          n.trace("ISAKMP: Examining profile list for trustpoint {}", n.tp_name(self, hit));
          n.trace("ISAKMP: Found matching profile for {}", n.tp_name(self, hit));
        }
        n.trace("Choosing trustpoint {} as issuer", n.tp_name(self, hit));
        if (!n.trace.on()) break;
      } else {
        n.trace("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Retrieving trustpoint(s) from received certificate hash(es)");
        n.trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Retrieved trustpoint(s): '{}'", n.tp_name(self, hit));
        n.trace("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Getting cert chain for the trustpoint {}", n.tp_name(self, hit));
        n.trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Getting of cert chain for the trustpoint PASSED");
        break;
      }
    }
    if (chosen != kNone) return chosen;
    return fallback(n, self, profile, candidates, restricted);
  }

  std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const Step& at,
                            const PeerId& id) const override {
    if (at.role == Role::Initiator && at.in_exchange()) return self.tunnel;  // the tunnel chose it
    if (at.message == Message::MM3) return self.tunnel;                      // the pre-shared key is the model's given
    if (at.message == Message::MM1) {  // V1-1: the method is part of the ISAKMP policy
      const AuthMethod proposed = n.cs.peers[1 - self.index].tunnel_profile().auth_local;
      const auto& profiles = self.peer->profiles;
      for (std::size_t i = 0; i < profiles.size(); ++i)
        if (profiles[i].auth_remote == proposed) return static_cast<std::int16_t>(i);
      return kNone;
    }
    if (n.version == IkeVersion::V2)
      n.trace("IKEv2:(SA ID = 1):Searching policy based on peer's identity '{}' of type '{}'", id.value,
              id_type_text(id.kind));
    // V1-8 / V2-9: `show crypto ... profile` order; IKEv2 keeps the last match (and IKEv1 by option).
    // So the profiles are tried from the end for "last": the first that surely matches is bound;
    // one that may match (a certificate map on data not known) before it leaves the choice open.
    const bool last = n.version == IkeVersion::V2 || n.options.ikev1_profile_match == ProfileMatch::Last;
    std::int16_t bound = kNone;
    const auto& profiles = self.peer->profiles;
    const std::size_t count = profiles.size();
    for (std::size_t k = 0; k < count && bound == kNone; ++k) {
      const std::size_t i = last ? count - 1 - k : k;
      switch (profile_matches(n, profiles[i], id, at)) {
        case CertMapResult::Match: bound = static_cast<std::int16_t>(i); break;
        case CertMapResult::NoMatch: break;
        case CertMapResult::Unknown:
          n.trace(
              "ikeconform: profile {} selects peers by certificate map, and the subject of the certificate "
              "received is not known: the binding cannot be decided",
              profiles[i].name);
          return kUndecided;
      }
    }
    if (bound == kNone) {
      if (n.version == IkeVersion::V1) n.trace("ISAKMP:(0):: peer matches *none* of the profiles");
      else n.trace("IKEv2:(SA ID = 1):Failed to locate an item in the database");
      return kNone;
    }
    const std::string& name = profiles[static_cast<std::size_t>(bound)].name;
    if (n.version == IkeVersion::V1) n.trace("ISAKMP:(0):: peer matches {} profile", name);
    else n.trace("IKEv2:found matching IKEv2 profile '{}'", name);
    return bound;
  }

  // Spec, IOS semantics: "peer matches *none* of the profiles" does not end main mode.
  bool ikev1_unmatched_uses_global() const override { return true; }

  void validation_list(const Negotiation& n, const PeerCtx& self, const Step&, const Profile* profile,
                       TpList& out) const override {
    if (profile) {
      // V1-9: `ca trust-point` lines; V2-5 / V2-6: the verify trustpoints.
      out = n.version == IkeVersion::V1 ? profile_tps(self, *profile, [](TrustpointUse) { return true; })
                                        : profile_tps(self, *profile, verifies);
      if (!out.empty()) return;
    }
    for (TpIndex t = 0; t < self.all_tps; ++t) out.push_back(t);  // all global trustpoints
  }

 private:
  // V1-3 with ikev1_early_binding_by_address: the profile whose `match identity address` holds
  // the peer's source address (V1-8 order: the last match unless ikev1_profile_match=first).
  static const Profile* early_profile(const Negotiation& n, const PeerCtx& self) {
    const PeerCtx& other = n.cs.peers[1 - self.index];
    const PeerId source{IdKind::Address, other.peer->address, other.ipv4};
    const Profile* found = nullptr;
    for (const Profile& p : self.peer->profiles) {
      if (std::none_of(p.match.begin(), p.match.end(),
                       [&](const IdentityMatch& m) { return identity_matches(m, source); }))
        continue;
      found = &p;
      if (n.options.ikev1_profile_match == ProfileMatch::First) break;
    }
    return found;
  }

  // `match identity` lines and `match certificate` maps are ORed (IOS: one kind of match
  // statement). A map sees the certificate the peer sent with this message; none: no match.
  static CertMapResult profile_matches(const Negotiation& n, const Profile& p, const PeerId& id, const Step& at) {
    if (std::any_of(p.match.begin(), p.match.end(), [&](const IdentityMatch& m) { return identity_matches(m, id); }))
      return CertMapResult::Match;
    if (p.match_certificate.empty() || !at.peer_cert || at.peer_cert_issuer == kNone) return CertMapResult::NoMatch;
    CertMapResult result = CertMapResult::NoMatch;
    for (const CertificateMap& m : p.match_certificate) {
      const CertMapResult r = certificate_map_matches(m, at.peer_cert->subject, n.ca_dn(at.peer_cert_issuer));
      if (r == CertMapResult::Match) {
        if (n.version == IkeVersion::V1)
          n.trace("ISAKMP:(0): certificate map {} matches the peer's certificate", m.name);
        else n.trace("IKEv2:(SA ID = 1):Certificate map '{}' matches the peer's certificate", m.name);
        return r;
      }
      if (r == CertMapResult::Unknown) result = r;
    }
    return result;
  }

  static void trace_retrieved(const Negotiation& n, const PeerCtx& self, const CertReqList& received) {
    if (!n.trace.on()) return;
    for (const CertReq& req : received)
      for (TpIndex t = 0; t < self.user_tps; ++t)
        if (self.ca_of(t) == req.ca) {
          n.trace("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Retrieving trustpoint(s) from received certificate hash(es)");
          n.trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Retrieved trustpoint(s): '{}'", n.tp_name(self, t));
          break;
        }
  }

  // V1-7 (inferred): nothing matched; send a certificate anyway so authentication can still work.
  static TpIndex fallback(const Negotiation& n, const PeerCtx& self, const Profile* profile, const TpList& candidates,
                          bool restricted) {
    TpIndex pick = kNone;
    switch (n.options.fallback_certificate) {
      case FallbackCertificate::None: break;
      case FallbackCertificate::ProfileThenStore:
        if (restricted && profile) {
          // candidates keep the profile's order: its first usable trustpoint.
          if (!candidates.empty()) pick = candidates.front();
          break;
        }
        [[fallthrough]];
      case FallbackCertificate::Store:
        for (TpIndex t : self.store)
          if (std::find(candidates.begin(), candidates.end(), t) != candidates.end()) {
            pick = t;
            break;
          }
        break;
    }
    if (pick != kNone)
      n.trace("ISAKMP: no CERT_REQ matched a trustpoint; sending the certificate of {} anyway", n.tp_name(self, pick));
    return pick;
  }
};

const CiscoIos kInstance;

}  // namespace

const Personality& cisco_ios_personality() { return kInstance; }

}  // namespace ikeconform
