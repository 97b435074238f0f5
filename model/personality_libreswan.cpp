// The `libreswan-4.10` personality: spec/real-stacks.md "Libreswan 4.10", upstream pluto's
// connection refinement (`refine_host_connection`), and the connection list of
// model/libreswan.hpp, which is also what drivers/libreswan renders:
//   - one certificate per connection; the initiator starts the connection of its tunnel
//     profile holding its newest certificate, and received CERTREQs never change that;
//   - CERTREQ: one entry for the connection's `rightca`, none without it. IKEv2: the responder's
//     in IKE_SA_INIT, the initiator's in IKE_AUTH. IKEv1: the responder's in MM4, the
//     initiator's in MM5;
//   - the responder starts on the most recently added connection that can take the exchange
//     (pluto searches newest first; IKEv2: RSASIG connections before PSK ones), then refines it once the peer's ID and
//     certificate are known: the first connection, newest first, that matches the peer's ID exactly, names the peer's
//     issuer in `rightca` and (IKEv1 only) holds a certificate from a CA the peer requested; else the best partial
//     match (`rightca` unset, `rightid=%any`); else it stays and fails the peer at authentication ("X509:
//     authentication failed", "no certificate matched"). So an IKEv1 responder switches connection by the requested CA,
//     an IKEv2 responder only by the issuer of the initiator's certificate, which needs `rightca` set (upstream's
//     `rightca=%same` case);
//   - validation: the connection's `rightca`, or every trusted CA (every trustpoint's CA is in
//     the NSS database); `rightid` against the certificate's subjectAltName, or, on a PSK
//     connection, against the ID payload. No predefined trustpoints.
#include <algorithm>
#include <string>
#include <tuple>

#include "model/libreswan.hpp"
#include "model/personality.hpp"

namespace ikeconform {
namespace {

constexpr std::size_t kNoConn = static_cast<std::size_t>(-1);

using Conns = std::vector<LibreswanConn>;

Conns conns_of(const Negotiation& n, const PeerCtx& self) { return libreswan_conns(*self.peer, n.version); }

bool is_initiator(const Step& at) { return at.in_exchange() && at.role == Role::Initiator; }

const PeerCtx& other(const Negotiation& n, const PeerCtx& self) { return n.cs.peers[1 - self.index]; }

std::string conn_name(const Negotiation& n, const PeerCtx& self, const LibreswanConn& c) {
  std::string s = self.peer->profiles[static_cast<std::size_t>(c.profile)].name;
  if (c.trustpoint != kNone) s += "-" + std::string(n.tp_name(self, c.trustpoint));
  if (c.rightca != kNone) s += " (rightca " + std::string(n.ca_dn(self.ca_of(c.rightca))) + ")";
  return s;
}

// `rightid` (model/libreswan.hpp); nullptr stands for %any.
const IdentityMatch* rightid(const Negotiation& n, const PeerCtx& self, const Profile& f) {
  return libreswan_rightid(*n.cs.scenario, self.index, f);
}

// The method the initiator proposes (IKEv1 MM1 / IKEv2 AUTH): its tunnel profile's.
AuthMethod proposed_auth(const Negotiation& n, const PeerCtx& self) {
  return other(n, self).tunnel_profile().auth_local;
}

// The newest connection (pluto searches newest first) that authenticates the peer with `m`.
std::size_t newest_conn(const PeerCtx& self, const Conns& conns, AuthMethod m) {
  for (std::size_t i = conns.size(); i-- > 0;)
    if (self.peer->profiles[static_cast<std::size_t>(conns[i].profile)].auth_remote == m) return i;
  return kNoConn;
}

// The responder's first pick, before it knows anything but the peer's address: the connection
// added last that takes the exchange. IKEv1: one authorized for the method MM1 proposes. IKEv2:
// IKE_SA_INIT carries no method, so pluto tries its methods in order of preference, RSASIG
// before PSK, each newest first (ikev2_ike_sa_init.c find_v2_host_pair_connection(): "policies[]
// = { POLICY_ECDSA, POLICY_RSASIG, POLICY_PSK, POLICY_AUTH_NULL }"; a connection's policy is
// how it authenticates the peer, `rightauth=`): a newer PSK connection loses to an older
// RSASIG one.
std::size_t initial_conn(const Negotiation& n, const PeerCtx& self, const Step& at, const Conns& conns) {
  if (!at.in_exchange()) return conns.empty() ? kNoConn : conns.size() - 1;
  if (n.version == IkeVersion::V1) return newest_conn(self, conns, proposed_auth(n, self));
  const std::size_t rsa = newest_conn(self, conns, AuthMethod::RsaSig);
  return rsa != kNoConn ? rsa : newest_conn(self, conns, AuthMethod::PreShare);
}

// A refinement candidate's score; lower is better, all zero is an exact match. Upstream also
// counts ID wildcards, but every `rightid` rendered here is exact (%any is the peer's address).
struct Score {
  int peer_path = 0;  // rightca unset while the peer sent a certificate
  int our_path = 0;   // (IKEv1) the peer requested no CA at all
  bool operator<(const Score& o) const { return std::tie(peer_path, our_path) < std::tie(o.peer_path, o.our_path); }
  bool exact() const { return peer_path == 0 && our_path == 0; }
};

// Whether pluto finds a private key for a connection without `leftckaid` through its `leftid`
// (FQDN or address): any certificate of this peer names both in its subjectAltName (the PKI's
// rule), and NSS holds every certificate with its key.
bool key_by_id(const PeerCtx& self) { return !self.peer->certificates.empty(); }

// Whether the peer's identity fits the connection's `rightid`. `rightid=%any` beside a fixed
// `right=` is the peer's address, compared exactly (same_id(); seen for a PSK connection at
// either end of IKEv1: "Peer ID '@R2.cisco.com' mismatched on first found connection", seed 1,
// scenario 1473); a certificate's subjectAltName holds that address too (peer_id_fits_here()); refining
// compares it exactly as well ("rhc: match_id a=@R1.cisco.com b=192.168.0.1 ... skipping because
// peer_id does not match", peer_id.c refine_host_connection_on_responder()).
bool peer_id_fits(const Negotiation& n, const PeerCtx& self, const LibreswanConn& c, const PeerId& peer_id) {
  const IdentityMatch* id = rightid(n, self, self.peer->profiles[static_cast<std::size_t>(c.profile)]);
  if (id) return identity_matches(*id, peer_id);
  return peer_id.kind == IdKind::Address && peer_id.ipv4 == other(n, self).ipv4;
}

// The ID the peer sent, or, before its ID payload, the one its tunnel profile will send.
PeerId sent_id(const Negotiation& n, const Step& at, const PeerCtx& self) {
  const PeerCtx& peer = other(n, self);
  return at.peer_id ? *at.peer_id : peer.identity(peer.tunnel_profile(), kNone);
}

// An X.509 v1 certificate has no extensions, so no subjectAltName to hold an ID.
bool has_x509v1(const IdentityCert& c) {
  return std::find(c.features.begin(), c.features.end(), "x509v1") != c.features.end();
}

// Whether connection `c` can serve the peer, and how well (upstream v4.10 peer_id.c
// refine_host_connection_on_responder(), in its order: IDr, method, our private key, ID, CA).
// `peer_ca`: peer_ca_for_refining(); `keys_loaded`: whether pluto holds a private key by now
// (see below); trying `c` may load one.
bool candidate(const Negotiation& n, const PeerCtx& self, const Step& at, const LibreswanConn& c, CaIndex peer_ca,
               bool& keys_loaded, Score& score) {
  const Profile& f = self.peer->profiles[static_cast<std::size_t>(c.profile)];
  // An IDr must name this candidate: its certificate's subjectAltName (an FQDN) or its leftid
  // ("You Tarzan, me Jane": idr_wildmatch(), peer_id.c; else "skipping because peer IDr payload
  // does not match our expected ID", so pluto stays on its first connection). An X.509 v1
  // certificate has no subjectAltName ("peer certificate contains no subjectAltName extension to
  // match ID_FQDN '@R1.cisco.com'", then "switched to" the connection of another certificate,
  // seed 3, scenario 524).
  if (const IdentityMatch* idr = at.idr_received) {
    const PeerId fqdn{IdKind::Fqdn, self.peer->fqdn, 0};
    const bool in_san = c.cert != kNone && !has_x509v1(self.peer->certificates[static_cast<std::size_t>(c.cert)]) &&
                        idr->kind == IdKind::Fqdn && identity_matches(*idr, fqdn);
    if (!in_san && !identity_matches(*idr, self.identity(f, c.trustpoint))) return false;
  }
  const AuthMethod proposed = proposed_auth(n, self);
  if (f.auth_remote != proposed) return false;
  // A peer that signs needs a candidate with a private key of ours (refine_host_connection():
  // "We must at least be able to find our private key", whatever the candidate's own method):
  // its certificate's, which trying the candidate loads, or, for a connection without
  // `leftckaid`, one found through its `leftid` among the keys pluto has loaded by then (none
  // at the start of an exchange: every load of connections and `whack --rereadsecrets` forget
  // them). Seen: an RSA peer switched onto `leftauth=secret` without `leftckaid` after a
  // candidate with a certificate was tried (seed 1, scenario 56); "connection X's RSA private key
  // not found" for every connection without one tried before any with a certificate (seed 7,
  // scenarios 31 and 106; strongswan,libreswan seed 3, scenario 865; libreswan,strongswan seed 1,
  // scenario 557, where the newer certificate connection failed the IDr first).
  if (proposed == AuthMethod::RsaSig) {
    if (c.cert != kNone) keys_loaded = true;
    else if (!keys_loaded || !key_by_id(self)) return false;
  }
  if (!peer_id_fits(n, self, c, sent_id(n, at, self))) return false;
  if (c.rightca == kNone) {
    score.peer_path = peer_ca == kNone ? 0 : 1;
  } else if (peer_ca != self.ca_of(c.rightca)) {
    return false;  // the test CAs are self-signed roots: no chain between two of them
  }
  if (n.version == IkeVersion::V1 && !at.received().empty()) {
    if (c.cert == kNone) return false;
    const CaIndex mine = self.ca_of(c.trustpoint);
    const auto& r = at.received();
    if (std::none_of(r.begin(), r.end(), [&](const CertReq& q) { return q.ca == mine; })) return false;
  }
  return true;
}

// The peer's CA as refining sees it (upstream v4.10 peer_id.c get_peer_ca()): the issuer of the
// verified certificate whose public key pluto stored under the ID the peer sent. It stores the
// key under the certificate's subject, each subjectAltName entry, and the `rightid` of the
// connection the exchange is on while it verifies (cert_decode_helper.c / ikev1_cert.c: keyid
// = remote host id). An X.509 v1 certificate has no subjectAltName: its CA is known only when
// the peer's ID is that `rightid` (seed 1, scenario 58: `rightid=@R1.cisco.com` on the first
// connection, pluto switched to the `rightca` one; scenario 76: `rightid=%any` there, the
// peer's address, and pluto did not).
CaIndex peer_ca_for_refining(const Negotiation& n, const PeerCtx& self, const Step& at, const LibreswanConn& initial) {
  if (!at.peer_cert || !has_x509v1(*at.peer_cert)) return at.peer_cert_issuer;
  return peer_id_fits(n, self, initial, sent_id(n, at, self)) ? at.peer_cert_issuer : kNone;
}

std::size_t refine(const Negotiation& n, const PeerCtx& self, const Step& at, const Conns& conns) {
  const std::size_t first = initial_conn(n, self, at, conns);
  if (first == kNoConn) return kNoConn;
  const CaIndex peer_ca = peer_ca_for_refining(n, self, at, conns[first]);
  std::size_t best = kNoConn;
  Score best_score;
  bool keys_loaded = false;
  for (std::size_t i = conns.size(); i-- > 0;) {  // newest first
    Score s;
    if (!candidate(n, self, at, conns[i], peer_ca, keys_loaded, s)) continue;
    if (s.exact()) return i;
    if (best == kNoConn || s < best_score) {
      best = i;
      best_score = s;
    }
  }
  return best;
}

// Whether CA `ca` is in the NSS database: every trustpoint's CA is.
bool in_nss(const PeerCtx& self, CaIndex ca) {
  for (TpIndex t = 0; t < self.user_tps; ++t)
    if (self.ca_of(t) == ca) return true;
  return false;
}

// The responder's connection once the peer's ID and certificate are in: the refined one, else
// it stays on the initial one (which then fails the peer: its `rightid` or `rightca` does not fit).
std::size_t bound_conn(const Negotiation& n, const PeerCtx& self, const Step& at, const Conns& conns) {
  if (!at.in_exchange()) return initial_conn(n, self, at, conns);
  // IKEv1 MM5: NSS verifies the peer's certificate against every CA of the database before the ID
  // may switch the connection (ikev1_main.c main_inI3_outR3(): v1_decode_certs(), "X509: CERT
  // payload bogus or revoked", then ikev1_decode_peer_id_main_mode_responder()).
  if (n.version == IkeVersion::V1 && at.peer_cert_issuer != kNone && !in_nss(self, at.peer_cert_issuer))
    return initial_conn(n, self, at, conns);
  const std::size_t r = refine(n, self, at, conns);
  return r != kNoConn ? r : initial_conn(n, self, at, conns);
}

// The connection this peer is on in the current exchange.
std::size_t current_conn(const Negotiation& n, const PeerCtx& self, const Step& at, const Conns& conns) {
  if (is_initiator(at)) return libreswan_initiator_conn(*self.peer, conns);
  return bound_conn(n, self, at, conns);
}

class Libreswan final : public Personality {
 public:
  std::string_view name() const override { return kLibreswan410; }
  // DN / e-mail identities: not in the ipsec.conf mapping (model/libreswan.hpp).
  std::optional<std::string> unsupported(const Scenario& s, std::size_t) const override {
    return libreswan_identity_gap(s);
  }
  Message ikev1_initiator_certreq_message() const override { return Message::MM5; }

  // One CERTREQ for `rightca`. Besides, the IKEv1 initiator's MM5 always carries a CERT_REQ (an
  // empty DN without `rightca`), and the IKEv2 responder's IKE_SA_INIT always carries a CERTREQ
  // payload (no hash without `rightca`) when its first connection verifies signatures. Seen on
  // the wire; strongSwan answers both.
  bool certreq(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile*,
               CertReqList& out) const override {
    const Role role = at.role;
    if (role == Role::Initiator && n.version == IkeVersion::V1 && at.message != Message::MM5) return false;
    const Conns conns = conns_of(n, self);
    const std::size_t c = role == Role::Initiator ? libreswan_initiator_conn(*self.peer, conns)
                                                  : initial_conn(n, self, at, conns);
    const bool empty_payload = n.version == IkeVersion::V1
                                   ? role == Role::Initiator
                                   : role == Role::Responder && c != kNoConn &&
                                         self.peer->profiles[static_cast<std::size_t>(conns[c].profile)].auth_remote ==
                                             AuthMethod::RsaSig;
    if (c == kNoConn) return empty_payload;
    if (role == Role::Responder)
      n.trace("libreswan: responding on connection {} (added last)", conn_name(n, self, conns[c]));
    const TpIndex ca = conns[c].rightca;
    if (ca == kNone) return empty_payload;  // IKEv1 sends an empty CERT_REQ (any CA), IKEv2 an empty CERTREQ
    out.push_back({self.ca_of(ca), ca});
    n.trace("libreswan: certificate request for rightca \"{}\"", n.ca_dn(self.ca_of(ca)));
    return true;
  }

  // The connection's one certificate; an IKEv1 responder knows its connection only once the
  // peer's ID is in (MM5), so it decides when building MM6.
  TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile*) const override {
    if (at.message == Message::MM1 || at.message == Message::MM3) return kDeferred;
    const Role role = at.role;
    const Conns conns = conns_of(n, self);
    const std::size_t c = role == Role::Initiator ? libreswan_initiator_conn(*self.peer, conns)
                                                  : bound_conn(n, self, at, conns);
    if (c == kNoConn || conns[c].cert == kNone) return kNone;
    n.trace("libreswan: connection {} sends its certificate (CERTREQ contents do not choose it)",
            conn_name(n, self, conns[c]));
    return conns[c].trustpoint;
  }

  std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const Step& at,
                            const PeerId& id) const override {
    // The initiator stays on its connection; `rightid` is checked with the certificate
    // (validation_list), or, IKEv1 with a PSK, against the ID payload alone at MM6 ("Peer ID
    // '@R2.cisco.com' mismatched on first found connection and no better connection found", then
    // INVALID_ID_INFORMATION; seed 1, scenario 85). IKEv2: refuses_before_method().
    if (is_initiator(at)) {
      // MM1 proposed the initiator's own method (one for both directions in IKEv1).
      if (n.version == IkeVersion::V1 && self.tunnel_profile().auth_remote == AuthMethod::PreShare) {
        const Conns conns = conns_of(n, self);
        const std::size_t c = libreswan_initiator_conn(*self.peer, conns);
        if (c != kNoConn && !peer_id_fits(n, self, conns[c], id)) {
          n.trace("libreswan: peer ID '{}' mismatched on connection {}", id.value, conn_name(n, self, conns[c]));
          return kNone;
        }
      }
      return self.tunnel;
    }
    // MM1: pluto answers main mode only on a connection authorized for the proposed method
    // ("initial Main Mode message received but no connection has been authorized with
    // authby=RSASIG", ikev1_host_pair.c), else drops it.
    if (at.message == Message::MM1) {
      const Conns conns = conns_of(n, self);
      const std::size_t c = initial_conn(n, self, at, conns);
      return c == kNoConn ? kNone : conns[c].profile;
    }
    if (at.message == Message::MM3) return 0;  // ipsec.secrets holds the key for every ID
    const Conns conns = conns_of(n, self);
    const std::size_t initial = initial_conn(n, self, at, conns);
    const std::size_t c = bound_conn(n, self, at, conns);
    if (c == kNoConn) {
      n.trace("libreswan: no connection for this peer");
      return kNone;
    }
    if (c != initial) n.trace("libreswan: switched to connection {}", conn_name(n, self, conns[c]));
    // A peer authenticating with a PSK has nothing but its ID payload to hold against `rightid`,
    // checked before the method (ikev1_peer_id.c / ikev2_peer_id.c: "Peer ID '…' mismatched on
    // first found connection and no better connection found"): no profile.
    if (proposed_auth(n, self) == AuthMethod::PreShare && !peer_id_fits(n, self, conns[c], id)) {
      n.trace("libreswan: peer ID '{}' mismatched on connection {}", id.value, conn_name(n, self, conns[c]));
      return kNone;
    }
    return conns[c].profile;
  }

  // IDr: the tunnel connection's `rightid` unless %any (seen: "SK{IDi,IDr,AUTH,...}").
  // Not the peer's own address: that is `rightid`'s default (seen: "SK{IDi,CERT,AUTH,SA,TSi,TSr}"
  // from an initiator with rightid=192.168.0.2).
  std::optional<IdentityMatch> idr(const Negotiation& n, const PeerCtx& self) const override {
    const IdentityMatch* m = rightid(n, self, self.tunnel_profile());
    if (m && m->kind == IdKind::Address && m->value == other(n, self).peer->address) return std::nullopt;
    if (m) return *m;
    return std::nullopt;
  }

  // pluto's IKEv2 parser knows no ID_IPV4_ADDR_SUBNET (4), which strongSwan sends for a
  // remote.id that is an address range: "malformed payload in packet ... ID type of IKEv2
  // Identification - Responder - Payload has an unknown value: 4", then "responding to IKE_AUTH
  // message ... with encrypted notification INVALID_SYNTAX" and the state is deleted (seen with
  // a strongSwan initiator whose `match identity address A M` named no identity of the peer).
  bool parses_idr(const IdentityMatch& idr) const override {
    std::uint32_t mask = 0;
    return !(idr.kind == IdKind::Address && !idr.mask.empty() && parse_ipv4(idr.mask, mask) && mask != 0xffffffffu);
  }

  // IKEv2: pluto decodes the peer's certificates (NSS verifies them against every CA of the
  // database), then holds the peer's ID against `rightid`, and only then the method
  // (ikev2_ike_auth.c: the certificates and ikev2_peer_id.c before verify_v2AUTH_and_log(), whose
  // "peer attempted authentication through Digital Signature but we want secret" comes last).
  // Seen (libreswan and strongswan,libreswan seed 3, scenarios 132, 151, 188, 193):
  //  - an ID that misses `rightid` with no certificate: "Peer ID '@R1.cisco.com' mismatched on
  //    first found connection and no better connection found", where the methods differ too;
  //  - a certificate NSS cannot verify (no CA for it, "SEC_ERROR_UNKNOWN_ISSUER") cannot vouch for
  //    an ID that misses `rightid`: the refused certificate; an initiator stops at the certificate
  //    itself ("X509: certificate payload rejected for this connection", fatal).
  // What the observer reads (drivers/libreswan/observe.cpp kIdMismatch, kCertDiscarded): without a
  // certificate the ID alone was checked, no profile, unless an initiator's connection verifies
  // signatures (then no certificate vouches for the ID: the refused certificate).
  std::optional<Reason> refuses_before_method(const Negotiation& n, const PeerCtx& self, const Step& at,
                                              const PeerId& id) const override {
    const Conns conns = conns_of(n, self);
    const std::size_t c = current_conn(n, self, at, conns);
    if (c == kNoConn) return std::nullopt;
    const bool initiator = is_initiator(at);
    const bool verified = at.peer_cert && at.peer_cert_issuer != kNone && in_nss(self, at.peer_cert_issuer);
    if (initiator && at.peer_cert && !verified) {
      n.trace("libreswan: X509: certificate payload rejected for this connection (no CA for it in NSS)");
      return Reason::CertValidationFailed;
    }
    // Either end checks its `rightid` against the peer's verified certificate before AUTH's
    // method (v4.10 peer_id.c update_peer_id(): match_end_cert_id()): an X.509 v1 certificate
    // holds no ID ("X509: authentication failed; peer certificate contains no subjectAltName
    // extension to match ID_IPV4_ADDR '192.168.0.2'" on a `rightauth=secret` connection: the
    // initiator, seed 3, scenario 876; the responder, seed 7, scenario 261).
    if (verified && at.peer_id && has_x509v1(*at.peer_cert)) {
      n.trace("libreswan: X509: authentication failed; peer certificate contains no subjectAltName extension");
      return Reason::CertValidationFailed;
    }
    // The ID alone: `rightid=%any` with a fixed `right=` is the peer's address, not a wildcard
    // (same_id(); seen: "Peer ID '@R1.cisco.com' mismatched" on rightid=%any, seed 1, scenario 27).
    if (peer_id_fits(n, self, conns[c], id)) return std::nullopt;
    if (verified && peer_id_fits_here(n, self, at, conns[c])) return std::nullopt;  // its certificate vouches
    n.trace("libreswan: Peer ID '{}' mismatched on first found connection and no better connection found", id.value);
    if (at.peer_cert) return Reason::CertValidationFailed;
    const Profile& f = self.peer->profiles[static_cast<std::size_t>(conns[c].profile)];
    return initiator && f.auth_remote == AuthMethod::RsaSig ? Reason::CertValidationFailed : Reason::NoMatchingProfile;
  }

  void validation_list(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile*,
                       TpList& out) const override {
    const Conns conns = conns_of(n, self);
    const std::size_t c = current_conn(n, self, at, conns);
    if (c == kNoConn || !peer_id_fits_here(n, self, at, conns[c])) return;
    if (conns[c].rightca != kNone) {
      out.push_back(conns[c].rightca);
      return;
    }
    for (TpIndex t = 0; t < self.user_tps; ++t) out.push_back(t);
  }

 private:
  // Both ends check the peer's ID against `rightid`; with a certificate, against the certificate.
  // A responder that found no better connection stays on its own when the peer's certificate
  // vouches for the ID the peer sent (ikev1_peer_id.c / ikev2_peer_id.c: "st_peer_alt_id" /
  // remote_cert_matches_id, then "continuing with existing connection"), and either end then
  // accepts the peer when the certificate's subjectAltName, which holds both the peer's FQDN and
  // address, holds `rightid`: `rightid=192.168.0.1` takes a peer that sent ID_FQDN
  // '@R1.cisco.com' (seen both ways, IKEv1 and IKEv2: "authenticated peer … using peer
  // certificate '192.168.0.1'"); `rightid=@R9.cisco.com` does not.
  static bool peer_id_fits_here(const Negotiation& n, const PeerCtx& self, const Step& at, const LibreswanConn& c) {
    if (!at.peer_id) return true;
    // An X.509 v1 certificate has no extensions: the ID the peer sent cannot be in its
    // subjectAltName ("X509: authentication failed; peer certificate contains no subjectAltName
    // extension to match ID_FQDN '@R1.cisco.com'", libreswan seed 3).
    if (at.peer_cert && has_x509v1(*at.peer_cert)) {
      n.trace("libreswan: X509: authentication failed; peer certificate contains no subjectAltName extension");
      return false;
    }
    if (peer_id_fits(n, self, c, *at.peer_id)) return true;
    if (at.peer_cert_issuer != kNone) {
      const PeerCtx& peer = other(n, self);
      const PeerId fqdn{IdKind::Fqdn, peer.peer->fqdn, 0};
      const PeerId address{IdKind::Address, peer.peer->address, peer.ipv4};
      if (peer_id_fits(n, self, c, fqdn) || peer_id_fits(n, self, c, address)) {
        n.trace("libreswan: the peer's certificate holds rightid of connection {} in its subjectAltName",
                conn_name(n, self, c));
        return true;
      }
    }
    n.trace("libreswan: X509: authentication failed; peer certificate does not match rightid of connection {}",
            conn_name(n, self, c));
    return false;
  }
};

const Libreswan kInstance;

}  // namespace

const Personality& libreswan_personality() { return kInstance; }

}  // namespace ikeconform
