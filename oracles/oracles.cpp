// P-1..P-9 (spec/cisco-ios-behavior.md section 5). Each oracle states its precondition as a
// skip, so it can run on every scenario of every class; `classes()` says where it never skips.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "oracles/facts.hpp"
#include "oracles/oracle.hpp"
#include "oracles/protocol_bugs.hpp"
#include "oracles/universal.hpp"

namespace ikeconform {
namespace {

using facts::Use;

OracleResult pass(std::string m = {}) { return {Verdict::Pass, std::move(m), -1, -1, Message::None}; }
OracleResult fail(std::string m, int direction = -1, Message at = Message::None, int related = -1) {
  return {Verdict::Fail, std::move(m), direction, related, at};
}
OracleResult skip(std::string m) { return {Verdict::Skip, std::move(m), -1, -1, Message::None}; }

// The fixed descriptive part of every oracle.
class Claim : public Oracle {
 public:
  Claim(std::string_view id, std::string_view statement, std::vector<std::string_view> rules,
        std::vector<std::string_view> classes)
      : id_(id), statement_(statement), rules_(std::move(rules)), classes_(std::move(classes)) {}
  std::string_view id() const override { return id_; }
  std::string_view statement() const override { return statement_; }
  std::vector<std::string_view> rules() const override { return rules_; }
  std::vector<std::string_view> classes() const override { return classes_; }

 private:
  std::string_view id_, statement_;
  std::vector<std::string_view> rules_, classes_;
};

const Profile& tunnel_of(const Peer& p) { return *find_profile(p, p.tunnel_profile); }

std::string chosen_text(const Scenario& s, const Observation& o) {
  return fmt::format("{} sent {}, {} sent {}", s.peers[o.initiator].name,
                     o.initiator_trustpoint == kNone ? "no certificate"
                                                     : trustpoint_name(s, o.initiator, o.initiator_trustpoint),
                     s.peers[o.responder()].name,
                     o.responder_trustpoint == kNone ? "no certificate"
                                                     : trustpoint_name(s, o.responder(), o.responder_trustpoint));
}

// Enrollment-order relations shared by P-2 and P-9 (same names, so evaluate_all runs each once).
Scenario with_certificates(const Scenario& s, std::size_t peer, std::vector<IdentityCert> certs) {
  Scenario r = s;
  r.peers[peer].certificates = std::move(certs);
  return r;
}

void add_order_relations(const Scenario& s, std::size_t peer, std::vector<std::pair<std::string, Scenario>>& out) {
  const auto& certs = s.peers[peer].certificates;
  if (certs.size() < 2) return;
  std::vector<IdentityCert> rev(certs.rbegin(), certs.rend());
  out.emplace_back("reverse enrollment order of " + s.peers[peer].name, with_certificates(s, peer, std::move(rev)));
  if (certs.size() < 3) return;  // with two certificates a rotation is the reversal
  std::vector<IdentityCert> rot(certs.begin() + 1, certs.end());
  rot.push_back(certs.front());
  out.emplace_back("rotate enrollment order of " + s.peers[peer].name, with_certificates(s, peer, std::move(rot)));
}

// "Comes up": IKE SA and CHILD SA established; on a target that cannot observe CHILD SAs
// (Target::observes_child_sa(), Libreswan here) the IKE SA is all there is to see.
bool up(const CheckInput& in, const Observation& o) {
  return in.observes_child_sa ? o.up() : o.ike_sa == SaResult::Established;
}

std::optional<OracleResult> related_failure(const CheckInput& in) {
  for (std::size_t k = 0; k < in.related.size(); ++k) {
    const RelatedRun& r = *in.related[k];
    for (const Observation& o : r.obs)
      if (!up(in, o))
        return fail("after \"" + r.relation + "\": " + facts::direction_text(r.scenario, o) + "; " +
                        chosen_text(r.scenario, o),
                    o.initiator, Message::None, static_cast<int>(k));
  }
  return std::nullopt;
}

// ---- P-1 ------------------------------------------------------------------------------------

class P1 final : public Claim {
 public:
  P1()
      : Claim("P-1",
              "Symmetric trustpoints always succeed: same CA set enrolled and trusted on both ends and profiles naming "
              "the "
              "same trustpoint set (or none) come up from either end, whatever the enrollment order",
              {"V1-2", "V1-3", "V1-5", "V1-6", "V1-9", "V2-2", "V2-3", "V2-4", "V2-5", "V2-13", "RFC 4945 §3.2.7.1",
               "RFC 7296 §3.7"},
              {"symmetric"}) {}
  // Universal: symmetric trust is the configuration every conformant stack must bring up.
  std::vector<std::string_view> targets() const override { return {"any"}; }
  OracleResult check(const CheckInput& in) const override {
    std::string why;
    if (!facts::is_symmetric(in.scenario, in.options, &why)) return skip("not symmetric: " + why);
    if (!facts::cisco_pair(in.scenario) && !facts::every_certificate_accepted(in.scenario, &why))
      return skip("not a cisco-ios pair and a certificate a stack may pick is refused: " + why);
    for (const Observation& o : in.obs)
      if (!up(in, o))
        return fail(facts::direction_text(in.scenario, o) + " although the trust configuration is symmetric; " +
                        chosen_text(in.scenario, o),
                    o.initiator);
    return pass();
  }
};

// ---- P-2 ------------------------------------------------------------------------------------

class P2 final : public Claim {
 public:
  P2()
      : Claim("P-2",
              "With no ca trust-point anywhere and a CA shared by both ends, IKEv1 succeeds both ways; only the chosen "
              "certificate depends on the enrollment order",
              {"V1-2", "V1-3", "V1-4", "V1-5", "V1-9", "V1-14"}, {"unrestricted_v1"}) {}
  bool metamorphic() const override { return true; }
  std::vector<std::pair<std::string, Scenario>> relations(const Scenario& s, const ModelOptions& o) const override {
    std::vector<std::pair<std::string, Scenario>> out;
    if (!facts::is_unrestricted_shared(s, o)) return out;
    for (std::size_t p = 0; p < 2; ++p) add_order_relations(s, p, out);
    return out;
  }
  OracleResult check(const CheckInput& in) const override {
    std::string why;
    if (!facts::is_unrestricted_shared(in.scenario, in.options, &why)) return skip("precondition: " + why);
    for (const Observation& o : in.obs)
      if (!up(in, o))
        return fail(facts::direction_text(in.scenario, o) + " with no ca trust-point and a shared CA; " +
                        chosen_text(in.scenario, o),
                    o.initiator);
    if (auto f = related_failure(in)) return *f;
    return pass();
  }
};

// ---- P-3 / P-4 shared: what a CERT_REQ list should contain ------------------------------------

// The CAs the initiator requests (V1-2, V2-12) or, for the responder, every global trustpoint (V1-3, V2-2).
std::vector<CaIndex> expected_certreq_set(const Scenario& s, std::size_t sender, bool initiator,
                                          const ModelOptions& opt) {
  const Peer& p = s.peers[sender];
  if (initiator) {
    const Profile& f = tunnel_of(p);
    if (s.ike_version == IkeVersion::V1) {
      if (!f.trustpoints.empty()) return facts::cas_of(s, p, facts::profile_trustpoints(f, Use::Any));
    } else if (opt.ikev2_initiator_certreq == CertReqScope::Profile) {
      auto v = facts::profile_trustpoints(f, Use::Verify);
      if (!v.empty()) return facts::cas_of(s, p, v);
    }
  }
  return facts::global_certreq_order(s, sender, opt);
}

// Whether the message carrying a CERT_REQ list was sent, read from how far the direction got.
bool initiator_list_sent(const Scenario& s, const Observation& o) {
  const Profile& f = tunnel_of(s.peers[o.initiator]);
  if (s.ike_version == IkeVersion::V1)  // MM3, only with rsa-sig (section 7: pre-shared keys send none)
    return f.auth_local == AuthMethod::RsaSig && o.failed_at != Message::MM1 && o.failed_at != Message::MM2;
  // IKE_AUTH request: built after the initiator found its certificate (V2-4).
  const bool initiator_stuck = o.reason == Reason::NoCertificatePayload && o.responder_profile == kNone;
  return f.auth_remote == AuthMethod::RsaSig && o.failed_at != Message::IKE_SA_INIT && !initiator_stuck;
}

bool responder_list_sent(const Scenario& s, const Observation& o) {
  if (s.ike_version == IkeVersion::V1)
    return tunnel_of(s.peers[o.initiator]).auth_local == AuthMethod::RsaSig && o.failed_at != Message::MM1 &&
           o.failed_at != Message::MM2;
  return o.failed_at != Message::IKE_SA_INIT;
}

// The message that carries a CERT_REQ list (V1-2 / V1-3, V2-2 / V2-7).
Message list_message(const Scenario& s, bool initiator) {
  if (s.ike_version == IkeVersion::V1) return initiator ? Message::MM3 : Message::MM4;
  return initiator ? Message::IKE_AUTH : Message::IKE_SA_INIT;
}

std::string list_name(const Scenario& s, const Observation& o, bool initiator) {
  const std::string who = s.peers[initiator ? o.initiator : o.responder()].name;
  if (s.ike_version == IkeVersion::V1) return who + (initiator ? "'s MM3 CERT_REQs" : "'s MM4 CERT_REQs");
  return who + (initiator ? "'s IKE_AUTH CERTREQ" : "'s IKE_SA_INIT CERTREQ");
}

class P3 final : public Claim {
 public:
  P3()
      : Claim("P-3",
              "The initiator's CERT_REQ set is exactly its profile's ca trust-point CAs when configured, else all "
              "global "
              "trustpoints; a responder's is always all global trustpoints",
              {"V1-2", "V1-3", "V1-12", "V2-2", "V2-12", "RFC 4945 §3.2.7.1", "RFC 7296 §3.7"},
              {"any", "symmetric", "unrestricted_v1"}) {}
  OracleResult check(const CheckInput& in) const override {
    if (!facts::cisco_pair(in.scenario)) return skip("not a cisco-ios pair");
    int compared = 0;
    for (const Observation& o : in.obs)
      for (bool initiator : {true, false}) {
        const CertReqList& got = initiator ? o.certreq_from_initiator : o.certreq_from_responder;
        const bool sent = initiator ? initiator_list_sent(in.scenario, o) : responder_list_sent(in.scenario, o);
        if (!sent && got.empty()) continue;
        const std::size_t sender = initiator ? o.initiator : o.responder();
        const auto want = expected_certreq_set(in.scenario, sender, initiator, in.options);
        const auto have = facts::cas_in(got);
        ++compared;
        if (std::set<CaIndex>(want.begin(), want.end()) != std::set<CaIndex>(have.begin(), have.end()) || !sent)
          return fail(fmt::format("{} name {}, expected {}", list_name(in.scenario, o, initiator),
                                  facts::ca_list_text(in.scenario, have),
                                  sent ? facts::ca_list_text(in.scenario, want) : "no CERT_REQ (message not sent)"),
                      o.initiator, list_message(in.scenario, initiator));
      }
    return compared ? pass() : skip("no CERT_REQ list was sent");
  }
};

class P4 final : public Claim {
 public:
  P4()
      : Claim("P-4",
              "CERT_REQ order is the certificate store order (reverse enrollment), then the predefined trustpoints",
              {"V1-4", "V2-2", "RFC 4945 §3.2.7.1"}, {"any", "symmetric", "unrestricted_v1"}) {}
  OracleResult check(const CheckInput& in) const override {
    if (!facts::cisco_pair(in.scenario)) return skip("not a cisco-ios pair");
    int compared = 0;
    for (const Observation& o : in.obs)
      for (bool initiator : {true, false}) {
        const CertReqList& got = initiator ? o.certreq_from_initiator : o.certreq_from_responder;
        if (got.empty()) continue;
        const std::size_t sender = initiator ? o.initiator : o.responder();
        // Order only (P-3 judges the set): the list must follow the global order, each CA once.
        const auto have = facts::cas_in(got);
        std::vector<CaIndex> want;
        for (CaIndex ca : facts::global_certreq_order(in.scenario, sender, in.options))
          if (std::find(have.begin(), have.end(), ca) != have.end()) want.push_back(ca);
        ++compared;
        if (have != want)
          return fail(fmt::format("{} are in the order {}, the store order gives {}",
                                  list_name(in.scenario, o, initiator), facts::ca_list_text(in.scenario, have),
                                  facts::ca_list_text(in.scenario, want)),
                      o.initiator, list_message(in.scenario, initiator));
      }
    return compared ? pass() : skip("no CERT_REQ list was sent");
  }
};

// ---- P-5 ------------------------------------------------------------------------------------

// The certificate a cisco-ios peer must send for the CERT_REQs it received (V1-5..V1-7, V2-3, V2-13).
CaIndex expected_choice(const Scenario& s, std::size_t peer, bool initiator, const Profile* profile,
                        const CertReqList& received, const ModelOptions& opt) {
  const Peer& p = s.peers[peer];
  std::vector<std::string> store;  // `show crypto pki certificates` order
  for (auto it = p.certificates.rbegin(); it != p.certificates.rend(); ++it) store.push_back(it->trustpoint);
  std::vector<std::string> candidates = store;
  bool restricted = false;
  auto restrict_to = [&](std::vector<std::string> lines) {
    candidates.clear();
    for (const std::string& t : lines)
      if (facts::holds_certificate(p, t)) candidates.push_back(t);
    restricted = true;
  };
  if (s.ike_version == IkeVersion::V1) {
    if (initiator && opt.initiator_choice_restricted_to_profile) {  // V1-6; the responder chooses before binding (V1-3)
      auto lines = facts::profile_trustpoints(*profile, Use::Any);
      if (!lines.empty()) restrict_to(lines);
    }
  } else if (initiator) {
    auto lines = facts::profile_trustpoints(*profile, Use::Sign);
    if (lines.empty()) return kNone;  // V2-4
    restrict_to(lines);               // V2-3
  } else if (profile && opt.ikev2_responder_choice == CertReqScope::Profile) {
    auto lines = facts::profile_trustpoints(*profile, Use::Sign);
    if (!lines.empty()) restrict_to(lines);  // V2-13
  }
  for (const CertReq& r : received)  // V1-5: the first CERT_REQ naming a usable CA decides
    for (const std::string& t : candidates)
      if (facts::trustpoint_ca(s, p, t) == r.ca) return r.ca;
  // V1-7: nothing matched.
  switch (opt.fallback_certificate) {
    case FallbackCertificate::None: return kNone;
    case FallbackCertificate::ProfileThenStore:
      if (restricted) return candidates.empty() ? kNone : facts::trustpoint_ca(s, p, candidates.front());
      [[fallthrough]];
    case FallbackCertificate::Store:
      for (const std::string& t : store)
        if (std::find(candidates.begin(), candidates.end(), t) != candidates.end())
          return facts::trustpoint_ca(s, p, t);
      return kNone;
  }
  return kNone;
}

class P5 final : public Claim {
 public:
  P5()
      : Claim("P-5", "The certificate a peer sends is the first usable match in the CERT_REQ order it received",
              {"V1-5", "V1-6", "V1-7", "V2-3", "V2-13", "RFC 4945 §3.2.7.1"}, {"any", "symmetric", "unrestricted_v1"}) {
  }
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (!facts::cisco_pair(s)) return skip("not a cisco-ios pair");
    int compared = 0;
    for (const Observation& o : in.obs) {
      // The initiator answers the responder's list with its tunnel profile known.
      if (o.initiator_trustpoint != kNone) {
        ++compared;
        const CaIndex want = expected_choice(s, o.initiator, true, &tunnel_of(s.peers[o.initiator]),
                                             o.certreq_from_responder, in.options);
        if (auto f = mismatch(s, o, o.initiator, o.initiator_trustpoint, want, o.certreq_from_responder, in.options))
          return fail(*f, o.initiator, s.ike_version == IkeVersion::V1 ? Message::MM5 : Message::IKE_AUTH);
      }
      // The responder answers the initiator's list: IKEv1 before binding (V1-3), IKEv2 with the bound profile.
      if (o.responder_trustpoint != kNone) {
        ++compared;
        const Profile* bound = s.ike_version == IkeVersion::V2 && o.responder_profile != kNone
                                   ? &s.peers[o.responder()].profiles[static_cast<std::size_t>(o.responder_profile)]
                                   : nullptr;
        if (s.ike_version == IkeVersion::V2 && !bound)
          return fail("IKEv2 responder chose a certificate without a bound profile", o.initiator, Message::IKE_AUTH);
        const CaIndex want = expected_choice(s, o.responder(), false, bound, o.certreq_from_initiator, in.options);
        if (auto f = mismatch(s, o, o.responder(), o.responder_trustpoint, want, o.certreq_from_initiator, in.options))
          return fail(*f, o.initiator, s.ike_version == IkeVersion::V1 ? Message::MM6 : Message::IKE_AUTH);
      }
    }
    return compared ? pass() : skip("no certificate was sent");
  }

 private:
  static std::optional<std::string> mismatch(const Scenario& s, const Observation& o, std::size_t peer, TpIndex got,
                                             CaIndex want, const CertReqList& received, const ModelOptions& opt) {
    const CaIndex have = facts::observed_tp_ca(s, peer, got, opt);
    if (have == want) return std::nullopt;
    return fmt::format("{}: {} sent the certificate of {} ({}) for CERT_REQs {}, expected {}",
                       facts::direction_text(s, o), s.peers[peer].name, trustpoint_name(s, peer, got),
                       facts::ca_list_text(s, {have}), facts::ca_list_text(s, facts::cas_in(received)),
                       want == kNone ? "none" : facts::ca_list_text(s, {want}));
  }
};

// ---- P-6 ------------------------------------------------------------------------------------

class P6 final : public Claim {
 public:
  P6()
      : Claim("P-6",
              "A tunnel that comes up from one end only has an asymmetric trust configuration (contrapositive of P-1)",
              {"V1-10", "V1-13", "V1-15", "V2-8"}, {"any"}) {}
  std::vector<std::string_view> targets() const override { return {"any"}; }  // universal, like P-1
  OracleResult check(const CheckInput& in) const override {
    if (up(in, in.obs[0]) == up(in, in.obs[1])) return skip("not one-way");
    std::string why;
    if (!facts::cisco_pair(in.scenario) && !facts::every_certificate_accepted(in.scenario, &why))
      return skip("not a cisco-ios pair and a certificate a stack may pick is refused: " + why);
    if (facts::is_symmetric(in.scenario, in.options))
      return fail(facts::direction_text(in.scenario, in.obs[0]) + " but " +
                      facts::direction_text(in.scenario, in.obs[1]) + " with a symmetric trust configuration",
                  up(in, in.obs[0]) ? 1 : 0);
    return pass();
  }
};

// ---- P-7 ------------------------------------------------------------------------------------

class P7 final : public Claim {
 public:
  P7()
      : Claim("P-7", "IKEv2: an rsa-sig initiator without pki trustpoint never builds a certificate payload",
              {"V2-3", "V2-4", "RFC 7296 §3.6"}, {"any"}) {}
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (s.ike_version != IkeVersion::V2) return skip("not IKEv2");
    if (!facts::cisco_pair(s)) return skip("not a cisco-ios pair");
    int compared = 0;
    for (const Observation& o : in.obs) {
      const Profile& f = tunnel_of(s.peers[o.initiator]);
      // "without pki trustpoint": no line it may sign with (a `verify`-only line does not count, V2-6).
      if (f.auth_local != AuthMethod::RsaSig || !facts::profile_trustpoints(f, Use::Sign).empty()) continue;
      if (o.failed_at == Message::IKE_SA_INIT) continue;  // IKE_AUTH never started
      ++compared;
      if (o.initiator_trustpoint != kNone || o.ike_sa != SaResult::Failed || o.reason != Reason::NoCertificatePayload)
        return fail(fmt::format("{}: {} has no pki trustpoint in {} yet {}", facts::direction_text(s, o),
                                s.peers[o.initiator].name, f.name,
                                o.initiator_trustpoint != kNone
                                    ? "sent the certificate of " +
                                          trustpoint_name(s, o.initiator, o.initiator_trustpoint)
                                    : std::string("did not fail with NO_CERTIFICATE_PAYLOAD")),
                    o.initiator, Message::IKE_AUTH);
    }
    return compared ? pass() : skip("no rsa-sig initiator without pki trustpoint");
  }
};

// ---- P-8 ------------------------------------------------------------------------------------

class P8 final : public Claim {
 public:
  P8()
      : Claim("P-8",
              "IKEv2: with several matching profiles the responder binds the last one; the CHILD SA fails when that is "
              "not the "
              "tunnel's profile",
              {"V2-9", "V2-10"}, {"any"}) {}
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (s.ike_version != IkeVersion::V2) return skip("not IKEv2");
    if (!facts::cisco_pair(s)) return skip("not a cisco-ios pair");
    int compared = 0;
    for (const Observation& o : in.obs) {
      const Peer& responder = s.peers[o.responder()];
      if (facts::uses_certificate_maps(responder)) continue;  // a map may bind a later profile
      const auto id = facts::identity_sent(s.peers[o.initiator], tunnel_of(s.peers[o.initiator]));
      const auto matches = facts::matching_profiles(responder, id);
      if (matches.size() < 2) continue;
      if (o.responder_profile == kNone) {
        if (o.reason == Reason::NoMatchingProfile)
          return fail(facts::direction_text(s, o) + " although several profiles match " + id.value, o.initiator,
                      Message::IKE_AUTH);
        continue;  // binding never happened (IKE_SA_INIT failed, or the initiator had no certificate)
      }
      ++compared;
      const auto last = static_cast<std::int16_t>(matches.back());
      if (o.responder_profile != last)
        return fail(fmt::format("{}: {} bound {}, but the last matching profile is {}", facts::direction_text(s, o),
                                responder.name, profile_name(s, o.responder(), o.responder_profile),
                                profile_name(s, o.responder(), last)),
                    o.initiator, Message::IKE_AUTH);
      const bool other = responder.profiles[matches.back()].name != responder.tunnel_profile;
      if (o.ike_sa == SaResult::Established && other &&
          (o.child_sa != SaResult::Failed || o.reason != Reason::TsUnacceptable))
        return fail(fmt::format("{}: {} bound {}, not the tunnel's profile {}, yet the CHILD SA did not fail with "
                                "TS_UNACCEPTABLE",
                                facts::direction_text(s, o), responder.name, responder.profiles[matches.back()].name,
                                responder.tunnel_profile),
                    o.initiator, Message::IKE_AUTH);
    }
    return compared ? pass() : skip("no direction with several matching profiles reached binding");
  }
};

// ---- P-9 ------------------------------------------------------------------------------------

// A router whose CERT_REQs are never restricted: every list it sends is the global one (V1-2, V2-12).
bool never_restricted(const Scenario& s, std::size_t peer, const ModelOptions& o) {
  const Profile& f = tunnel_of(s.peers[peer]);
  if (s.ike_version == IkeVersion::V1) return f.trustpoints.empty();
  return o.ikev2_initiator_certreq == CertReqScope::All || facts::profile_trustpoints(f, Use::Verify).empty();
}

class P9 final : public Claim {
 public:
  P9()
      : Claim("P-9",
              "Changing only the enrollment order of a router whose CERT_REQs are never restricted can change the "
              "chosen "
              "certificates but never turns a symmetric configuration into a failure",
              {"V1-4", "V1-5", "V1-14", "V2-2", "V2-3"}, {"symmetric", "unrestricted_v1"}) {}
  bool metamorphic() const override { return true; }
  std::vector<std::pair<std::string, Scenario>> relations(const Scenario& s, const ModelOptions& o) const override {
    std::vector<std::pair<std::string, Scenario>> out;
    if (!applies(s, o)) return out;
    for (std::size_t p = 0; p < 2; ++p)
      if (never_restricted(s, p, o)) add_order_relations(s, p, out);
    return out;
  }
  OracleResult check(const CheckInput& in) const override {
    if (!applies(in.scenario, in.options)) return skip("neither symmetric nor unrestricted with a shared CA");
    if (in.related.empty()) return skip("no unrestricted router with two or more certificates");
    if (!up(in, in.obs[0]) || !up(in, in.obs[1]))
      return skip("the original configuration does not come up (P-1 / P-2 judge that)");
    if (auto f = related_failure(in)) return *f;
    return pass();
  }

 private:
  // "A symmetric configuration": P-1's, or P-2's working unrestricted one.
  static bool applies(const Scenario& s, const ModelOptions& o) {
    return facts::cisco_pair(s) && (facts::is_symmetric(s, o) || facts::is_unrestricted_shared(s, o));
  }
};

}  // namespace

std::string_view verdict_text(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "fail";
    case Verdict::Skip: return "skip";
  }
  return "?";
}

const std::vector<const Oracle*>& all_oracles() {
  static const P1 p1;
  static const P2 p2;
  static const P3 p3;
  static const P4 p4;
  static const P5 p5;
  static const P6 p6;
  static const P7 p7;
  static const P8 p8;
  static const P9 p9;
  static const std::vector<const Oracle*> all{&p1, &p2, &p3, &p4, &p5, &p6, &p7, &p8, &p9};
  return all;
}

const std::vector<const Oracle*>& every_oracle() {
  static const std::vector<const Oracle*> every = [] {
    std::vector<const Oracle*> v = all_oracles();
    v.push_back(&certreq_anchors_oracle());
    v.push_back(&diff_model_oracle());
    v.push_back(&diff_stacks_oracle());
    v.push_back(&bug_sa_oracle());
    v.push_back(&bug_reaction_oracle());
    v.push_back(&bug_liveness_oracle());
    return v;
  }();
  return every;
}

std::vector<const Oracle*> oracles_for(const TargetTraits& t) {
  std::vector<const Oracle*> out;
  for (const Oracle* o : every_oracle())
    if (o->applies_to(t)) out.push_back(o);
  return out;
}

const Oracle* find_oracle(std::string_view id) {
  for (const Oracle* o : every_oracle())
    if (o->id() == id) return o;
  return nullptr;
}

bool Oracle::applies_to(const TargetTraits& t) const {
  for (std::string_view tag : targets())
    if (tag == "any" || (tag == "real" && !t.model) || tag == t.name || tag == t.personality) return true;
  return false;
}

TargetTraits traits_of(const Target& t) {
  TargetTraits out;
  out.name = t.name();
  out.model = t.is_model();
  const std::string p = t.personality();
  out.personality = p.empty() ? std::string(kCiscoIos) : p;  // the model runs the generators' cisco-ios peers
  return out;
}

std::string unjudgeable(const Scenario& s, const Observation (&obs)[2]) {
  for (const Observation& o : obs)
    if (o.reason == Reason::Unsupported || is_infrastructure_error(o)) {  // explicitly never judged
      std::string why = facts::direction_text(s, o);
      for (const std::string& line : o.trace)  // the target's own words on why
        if (line.find("target") != std::string::npos || line.rfind("harness", 0) == 0 ||
            line.rfind("adapter", 0) == 0) {
          why += ": " + line;
          break;
        }
      return why;
    }
  return {};
}

Scenario companion_scenario(const Target& companion, const Scenario& s) {
  Scenario out = for_target(companion, s);
  if (companion.is_model())
    for (Peer& p : out.peers) p.personality = kCiscoIos;
  return out;
}

std::vector<Evaluation> evaluate_all(const std::vector<const Oracle*>& oracles, const Scenario& s,
                                     const Observation (&obs)[2], Target& target, const ModelOptions& opt,
                                     const std::vector<Target*>& companions) {
  const facts::PreconditionCache cache(s, opt);                   // P-1, P-2, P-6, P-9 ask the same preconditions
  std::map<std::string, std::shared_ptr<const RelatedRun>> runs;  // by name: P-2 and P-9 share enrollment-order runs
  std::vector<Evaluation> out;
  out.reserve(oracles.size());
  std::vector<const RelatedRun*> view;
  const std::string bugs = protocol_bugs_of(s);
  for (const Oracle* o : oracles) {
    Evaluation e;
    view.clear();
    if (!bugs.empty() && !is_protocol_bug_oracle(*o)) {  // the emulated side misbehaves on purpose
      e.result = {Verdict::Skip, "protocol bugs on " + bugs + ": only the BUG-* oracles judge this run", -1, -1,
                  Message::None};
      out.push_back(std::move(e));
      continue;
    }
    if (o->cross_target())
      for (Target* other : companions) {
        const std::string name = "target " + other->name();
        auto it = runs.find(name);
        if (it == runs.end()) {
          auto r = std::make_shared<RelatedRun>(
              RelatedRun{name, companion_scenario(*other, s), {}, other->name(), other->observes_child_sa()});
          other->run_both(r->scenario, r->obs);
          it = runs.emplace(name, std::move(r)).first;
        }
        e.related.push_back(it->second);
        view.push_back(it->second.get());
      }
    for (auto& [name, scenario] : o->relations(s, opt)) {
      auto it = runs.find(name);
      if (it == runs.end()) {
        auto r = std::make_shared<RelatedRun>(RelatedRun{name, std::move(scenario), {}});
        target.run_both(r->scenario, r->obs);
        it = runs.emplace(name, std::move(r)).first;
      }
      e.related.push_back(it->second);
      view.push_back(it->second.get());
    }
    e.result = o->check(CheckInput{s, obs, opt, view, target.observes_child_sa(), target.name()});
    out.push_back(std::move(e));
  }
  return out;
}

Evaluation evaluate(const Oracle& o, const Scenario& s, const Observation (&obs)[2], Target& target,
                    const ModelOptions& opt, const std::vector<Target*>& companions) {
  return std::move(evaluate_all({&o}, s, obs, target, opt, companions).front());
}

}  // namespace ikeconform
