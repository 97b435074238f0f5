#include "model/observation_json.hpp"

#include <fmt/format.h>

#include "model/input_error.hpp"
#include "model/predefined.hpp"

namespace ikeconform {

using ojson = nlohmann::ordered_json;

namespace {

ojson certreqs(const Scenario& s, std::size_t sender, const CertReqList& l) {
  ojson a = ojson::array();
  for (const CertReq& c : l)
    a.push_back({{"issuer", ca_dn(s, c.ca)}, {"trustpoint", trustpoint_name(s, sender, c.trustpoint)}});
  return a;
}

ojson name_or_null(const std::string& n) { return n.empty() ? ojson(nullptr) : ojson(n); }

}  // namespace

ojson observation_to_json(const Scenario& s, const Observation& o) {
  const std::size_t ini = o.initiator, resp = o.responder();
  ojson j;
  j["initiator"] = s.peers.at(ini).name;
  j["responder"] = s.peers.at(resp).name;
  j["ike_version"] = static_cast<int>(o.ike_version);
  j["ike_sa"] = sa_result_text(o.ike_sa);
  j["child_sa"] = sa_result_text(o.child_sa);
  j["failed_at"] = name_or_null(std::string(message_name(o.failed_at)));
  j["reason"] = name_or_null(std::string(reason_code(o.reason)));
  j["initiator_trustpoint"] = name_or_null(trustpoint_name(s, ini, o.initiator_trustpoint));
  j["responder_trustpoint"] = name_or_null(trustpoint_name(s, resp, o.responder_trustpoint));
  j["responder_profile"] = name_or_null(profile_name(s, resp, o.responder_profile));
  j["certreq_from_initiator"] = certreqs(s, ini, o.certreq_from_initiator);
  j["certreq_from_responder"] = certreqs(s, resp, o.certreq_from_responder);
  j["trace"] = o.trace;
  return j;
}

namespace {

struct Resolver {
  const Scenario& s;
  const std::string& file;

  [[noreturn]] void fail(const std::string& m) const { throw InputError(file, 0, "observation: " + m); }

  std::string str(const nlohmann::json& j, const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    if (!it->is_string()) fail(fmt::format("'{}' must be a string or null", key));
    return it->get<std::string>();
  }

  std::uint8_t peer(const std::string& name) const {
    for (std::size_t i = 0; i < s.peers.size(); ++i)
      if (s.peers[i].name == name) return static_cast<std::uint8_t>(i);
    fail(fmt::format("unknown peer '{}'", name));
  }

  TpIndex tp(std::size_t p, const std::string& name) const {
    if (name.empty()) return kNone;
    const Peer& peer = s.peers[p];
    for (std::size_t i = 0; i < peer.trustpoints.size(); ++i)
      if (peer.trustpoints[i].name == name) return static_cast<TpIndex>(i);
    for (std::size_t k = 0; k < kPredefinedTrustpoints.size(); ++k)
      if (kPredefinedTrustpoints[k].name == name) return static_cast<TpIndex>(peer.trustpoints.size() + k);
    fail(fmt::format("peer '{}' has no trustpoint '{}'", peer.name, name));
  }

  CaIndex ca(const std::string& dn) const {
    if (dn.empty()) return kNone;  // a CERTREQ a real stack sent for a CA the scenario does not name
    for (std::size_t i = 0; i < s.cas.size(); ++i)
      if (s.cas[i].dn == dn) return static_cast<CaIndex>(i);
    for (std::size_t k = 0; k < kPredefinedTrustpoints.size(); ++k)
      if (kPredefinedTrustpoints[k].dn == dn) return static_cast<CaIndex>(s.cas.size() + k);
    fail(fmt::format("unknown issuer '{}'", dn));
  }

  SaResult result(const std::string& r) const {
    if (r == "established") return SaResult::Established;
    if (r == "failed") return SaResult::Failed;
    if (r == "not_attempted" || r.empty()) return SaResult::NotAttempted;
    fail(fmt::format("unknown SA result '{}'", r));
  }

  CertReqList certreqs(const nlohmann::json& j, const char* key, std::size_t sender) const {
    CertReqList out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) fail(fmt::format("'{}' must be a list", key));
    for (const auto& e : *it) {
      if (!e.is_object()) fail(fmt::format("'{}' entries must be objects", key));
      out.push_back({ca(str(e, "issuer")), tp(sender, str(e, "trustpoint"))});
    }
    return out;
  }
};

}  // namespace

Observation observation_from_json(const Scenario& s, const nlohmann::json& j, const std::string& file) {
  Resolver r{s, file};
  if (!j.is_object()) r.fail("expected an object");
  Observation o;
  o.initiator = r.peer(r.str(j, "initiator"));
  const std::size_t resp = o.responder();
  auto v = j.find("ike_version");
  if (v != j.end() && v->is_number_integer()) o.ike_version = v->get<int>() == 2 ? IkeVersion::V2 : IkeVersion::V1;
  else o.ike_version = s.ike_version;
  o.ike_sa = r.result(r.str(j, "ike_sa"));
  o.child_sa = r.result(r.str(j, "child_sa"));
  if (std::string m = r.str(j, "failed_at"); !m.empty() && !parse_message_name(m, o.failed_at))
    r.fail("unknown message '" + m + "'");
  if (std::string c = r.str(j, "reason"); !c.empty() && !parse_reason_code(c, o.reason))
    r.fail("unknown reason '" + c + "'");
  o.initiator_trustpoint = r.tp(o.initiator, r.str(j, "initiator_trustpoint"));
  o.responder_trustpoint = r.tp(resp, r.str(j, "responder_trustpoint"));
  if (std::string p = r.str(j, "responder_profile"); !p.empty()) {
    const auto& profiles = s.peers[resp].profiles;
    o.responder_profile = kNone;
    for (std::size_t i = 0; i < profiles.size(); ++i)
      if (profiles[i].name == p) o.responder_profile = static_cast<std::int16_t>(i);
    if (o.responder_profile == kNone) r.fail("unknown profile '" + p + "'");
  }
  o.certreq_from_initiator = r.certreqs(j, "certreq_from_initiator", o.initiator);
  o.certreq_from_responder = r.certreqs(j, "certreq_from_responder", resp);
  if (auto t = j.find("trace"); t != j.end() && t->is_array())
    for (const auto& line : *t)
      if (line.is_string()) o.trace.push_back(line.get<std::string>());
  return o;
}

}  // namespace ikeconform
