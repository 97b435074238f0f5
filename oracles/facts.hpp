// What the spec says a cisco-ios peer must do, re-derived from the scenario for the oracles.
// Deliberately written without the model's engine or personality code: an oracle that called
// the model's own functions would only check that the model agrees with itself.
#pragma once

#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::facts {

CaIndex ca_index(const Scenario& s, const std::string& ca_id);                   // -1 when unknown
CaIndex trustpoint_ca(const Scenario& s, const Peer& p, const std::string& tp);  // user trustpoints only
bool holds_certificate(const Peer& p, const std::string& tp);
// The CA of a trustpoint index as observations use it (user trustpoints, then predefined).
CaIndex observed_tp_ca(const Scenario& s, std::size_t peer, TpIndex tp, const ModelOptions& o);

// V1-4 / V2-2: issuers in `show crypto pki certificates` order (last enrolled first), then the
// CA-only trustpoints (by `ca_only_order`), then the predefined ones; each CA once.
std::vector<CaIndex> global_certreq_order(const Scenario& s, std::size_t peer, const ModelOptions& o);

enum class Use : std::uint8_t { Any, Sign, Verify };
// Trustpoint names of a profile's `ca trust-point` / `pki trustpoint` lines that serve `use`, in line order.
std::vector<std::string> profile_trustpoints(const Profile& f, Use use);
std::vector<CaIndex> cas_of(const Scenario& s, const Peer& p, const std::vector<std::string>& tps);

// The trust anchors a peer holds: its trustpoints' CAs (configuration order), then, for a
// cisco-ios peer with predefined trustpoints on, IOS's predefined CAs (section 1).
std::vector<CaIndex> trust_anchors(const Scenario& s, std::size_t peer, const ModelOptions& o);
// The CAs a profile accepts the peer's certificate from (IKEv1 `ca trust-point`, IKEv2 `pki
// trustpoint` lines that verify, V1-9 / V2-6), each once; empty: no restriction.
std::vector<CaIndex> verify_restriction(const Scenario& s, const Peer& p, const Profile& f);

struct Identity {
  IdKind kind = IdKind::Fqdn;
  std::string value;
};
Identity identity_sent(const Peer& p, const Profile& f);  // V1-11
bool identity_matches(const IdentityMatch& m, const Identity& id);
// The profiles whose `match identity` lines match `id`; `match certificate` maps are not looked
// at: a claim resting on it skips a responder that has some (uses_certificate_maps()).
std::vector<std::size_t> matching_profiles(const Peer& responder, const Identity& id);
bool uses_certificate_maps(const Peer& p);
// V1-8 / V2-9: the profile the responder binds (last match in IKEv2; IKEv1 by option), or -1.
int bound_profile(const Scenario& s, std::size_t responder, const Identity& id, const ModelOptions& o);
bool proposals_agree(const Peer& a, const Peer& b);

// P-1's precondition: same CA set enrolled and trusted on both ends, every profile names the same
// CA subset (or none; IKEv2: not none), rsa-sig, each end's tunnel profile binds at the other end,
// nothing revoked or unsupported. `why` gets the first reason it is not symmetric.
bool is_symmetric(const Scenario& s, const ModelOptions& o, std::string* why = nullptr);
// P-2's precondition: IKEv1, no `ca trust-point` anywhere, a CA both ends trust and hold a
// certificate from, rsa-sig, the tunnel profiles bind, nothing revoked or unsupported.
bool is_unrestricted_shared(const Scenario& s, const ModelOptions& o, std::string* why = nullptr);
// While alive, is_symmetric / is_unrestricted_shared of (s, o) are computed once and remembered
// on this thread: several oracles ask the same precondition of one scenario (evaluate_all).
class PreconditionCache {
 public:
  PreconditionCache(const Scenario& s, const ModelOptions& o);
  ~PreconditionCache();
  PreconditionCache(const PreconditionCache&) = delete;
  PreconditionCache& operator=(const PreconditionCache&) = delete;
};

// The claims are about cisco-ios peers.
bool cisco_pair(const Scenario& s);
// P-1 / P-6 beyond a cisco-ios pair: every certificate either end holds is one the other end's
// tunnel profile accepts, so whichever one a conformant stack sends validates. A stack other than
// IOS picks its certificate from the CERTREQ hints alone (RFC 4945 §3.2.7.1 leaves the choice
// to it), and an IOS responder asks for every CA in MM4 before its profile is bound (V1-3), so
// with a certificate the profile refuses the note's "symmetric trust succeeds" is not a
// requirement on it. `why` gets the first certificate that is not accepted.
bool every_certificate_accepted(const Scenario& s, std::string* why = nullptr);

// Texts for oracle messages.
std::string direction_text(const Scenario& s,
                           const Observation& o);  // "R1 -> R2: DOWN at MM5 (CERT_VALIDATION_FAILED)"
std::string ca_list_text(const Scenario& s, const std::vector<CaIndex>& l);  // "[CA1, CA2, +5 predefined]"
std::vector<CaIndex> cas_in(const CertReqList& l);

}  // namespace ikeconform::facts
