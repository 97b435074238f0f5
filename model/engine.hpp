// The negotiation engine: one function per IKE version, message by message, written once.
// What differs between vendors sits behind `Personality` (personality.hpp).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

class Personality;
enum class Role : std::uint8_t { Initiator, Responder };

// The IKE identity a peer sends (IDi / IDr; RFC 7296 §3.5, RFC 2407 §4.6.2.1).
struct PeerId {
  IdKind kind = IdKind::Fqdn;
  std::string_view value;  // points into the scenario (a DN: into PeerCtx::subjects); "" when not known
  std::uint32_t ipv4 = 0;  // when kind == Address and value parses
};

using TpList = boost::container::small_vector<TpIndex, 12>;

// One peer resolved to indices once, so the engine itself does no string work.
struct PeerCtx {
  const Peer* peer = nullptr;
  const Personality* personality = nullptr;
  std::size_t index = 0;
  std::int16_t user_tps = 0;                             // trustpoints.size()
  std::int16_t all_tps = 0;                              // user + predefined (when on)
  boost::container::small_vector<CaIndex, 12> tp_ca;     // per TpIndex: its CA
  boost::container::small_vector<std::int16_t, 8> cert;  // per user TpIndex: index into certificates, or kNone
  boost::container::small_vector<TpIndex, 8> store;      // enrolled trustpoints, most recent first (spec section 1)
  CertReqList global_certreq;                            // V1-4 order over every global trustpoint
  std::uint32_t ipv4 = 0;
  std::int16_t tunnel = kNone;  // index of the tunnel's profile
  // Per certificate, the subject it carries (certificate_subjects(), model/dn.hpp); filled only
  // when a profile of this peer sends a DN identity (the only reader).
  std::vector<std::string> subjects;

  bool enrolled(TpIndex tp) const { return tp >= 0 && tp < user_tps && cert[static_cast<std::size_t>(tp)] != kNone; }
  CaIndex ca_of(TpIndex tp) const { return tp_ca[static_cast<std::size_t>(tp)]; }
  const Profile& tunnel_profile() const { return peer->profiles[static_cast<std::size_t>(tunnel)]; }
  const IdentityCert& certificate(TpIndex tp) const {
    return peer->certificates[static_cast<std::size_t>(cert[static_cast<std::size_t>(tp)])];
  }
  // V1-11: the ID this peer sends under profile `p` when `sent` is the trustpoint of the
  // certificate it chose (kNone: none). A DN identity is that certificate's subject; without a
  // certificate its value is empty (the engine refuses to decide that case, sends_dn_without_cert()).
  PeerId identity(const Profile& p, TpIndex sent) const;
  // A tunnel profile without any match statement stands for IOS's global configuration (an
  // ISAKMP profile without `match identity` is never bound): the configuration of an IKEv1
  // responder whose peer matches no profile (ios/import.cpp builds it for a tunnel that names none).
  bool tunnel_is_global() const {
    const Profile& p = tunnel_profile();
    return p.match.empty() && p.match_certificate.empty();
  }
  // No profile bound: the global configuration's identity (`crypto isakmp identity`), by default
  // the address.
  PeerId global_identity(TpIndex sent) const {
    return tunnel_is_global() ? identity(tunnel_profile(), sent) : PeerId{IdKind::Address, peer->address, ipv4};
  }
};

struct CompiledScenario {
  const Scenario* scenario = nullptr;
  PeerCtx peers[2];
  std::int16_t ca_count = 0;  // scenario CAs + predefined
};

// Collects IOS-vocabulary trace lines only when the option is on (throughput runs skip the formatting).
class Trace {
 public:
  explicit Trace(std::vector<std::string>* out) : out_(out) {}
  bool on() const { return out_ != nullptr; }
  template <typename... A>
  void operator()(fmt::format_string<A...> f, A&&... a) {
    if (out_) out_->push_back(fmt::format(f, std::forward<A>(a)...));
  }

 private:
  std::vector<std::string>* out_;
};

// Everything a personality may look at while deciding (what this peer has received so far is
// in its `Step`, personality.hpp).
struct Negotiation {
  const CompiledScenario& cs;
  const ModelOptions& options;
  Trace& trace;
  IkeVersion version;
  std::string_view ca_dn(CaIndex ca) const;
  std::string_view tp_name(const PeerCtx& p, TpIndex tp) const;
};

// Resolves names to indices and the CERT_REQ order; throws std::invalid_argument for a scenario
// that `validate()` rejects or that names an unknown personality.
CompiledScenario compile(const Scenario& s, const ModelOptions& o);

// Runs one direction: peers[initiator] initiates towards the other. Pure and deterministic.
Observation run_direction(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o);
Observation run_ikev1(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o);  // ikev1.cpp
Observation run_ikev2(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o);  // ikev2.cpp

// Convenience: compile + run.
Observation run_direction(const Scenario& s, std::uint8_t initiator, const ModelOptions& o);

// Helpers shared by the engines and personalities.
bool identity_matches(const IdentityMatch& m, const PeerId& id);
bool parse_ipv4(std::string_view s, std::uint32_t& out);
// The ID peer `peer` presents from its tunnel profile (V1-11): its FQDN with `self-identity
// fqdn`, its configured e-mail address with `email`, else its address; a DN identity with an empty
// value (the subject depends on the certificate chosen in the exchange). What a stack rendered for
// the other peer matches its lines against.
PeerId tunnel_identity(const Scenario& s, std::size_t peer);
// The IOS debug name of an ID type: "FQDN", "IPv4 address", "DER ASN1 DN", "RFC822 address".
std::string_view id_type_text(IdKind k);
// `match certificate MAP` against the certificate the peer sent (its subject and issuer DN;
// empty: not known). Unknown when a sequence could match and a line of it needs a DN not known.
enum class CertMapResult : std::uint8_t { Match, NoMatch, Unknown };
CertMapResult certificate_map_matches(const CertificateMap& m, std::string_view subject, std::string_view issuer);
std::string certificate_map_text(std::string_view s);                     // the form certificate maps compare
bool has_feature_gap(const PeerCtx& verifier, const IdentityCert& cert);  // V1-13
bool proposals_agree(const Peer& a, const Peer& b);                       // V1-1, IKE_SA_INIT

// V1-9 / V1-10 / V2-5 / V2-8: does a trustpoint of `list` validate the certificate `sender` sent?
enum class CertCheck : std::uint8_t { Ok, NoSuitableTrustpoint, UnsupportedFeature, Revoked };
CertCheck check_certificate(const PeerCtx& verifier, const TpList& list, const PeerCtx& sender, TpIndex sent);
std::string join_tp_names(const Negotiation& n, const PeerCtx& p, const TpList& list);

// After the IKE SA is up, the CHILD SA (quick mode QM1 in IKEv1, the child of IKE_AUTH in IKEv2):
// V2-10 / V2-11, a responder bound to a profile other than the tunnel's finds no IPsec policy
// for the traffic selectors. Sets obs.child_sa (and the failure point and reason when it fails).
void conclude_child_sa(Observation& obs, const PeerCtx& responder, Trace& trace, IkeVersion v);

}  // namespace ikeconform
