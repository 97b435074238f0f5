// Target `observation_json`: observation records as JSON (model/observation_json.hpp), the
// format external adapters answer in (docs/check-json.md "directions") and journals store.
// It stands in for the adapter-protocol target until the protocol's decoder lands.
// Properties, against a fixed two-router scenario: only InputError escapes the reader;
// accepted => to_json -> from_json gives the same observation and to_json is then stable.
#include <exception>
#include <nlohmann/json.hpp>

#include "fuzz/targets.hpp"
#include "fuzz/util.hpp"
#include "model/input_error.hpp"
#include "model/observation_json.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "observation_json";

bool same(const Observation& a, const Observation& b) {
  return a.initiator == b.initiator && a.ike_version == b.ike_version && a.ike_sa == b.ike_sa &&
         a.child_sa == b.child_sa && a.failed_at == b.failed_at && a.reason == b.reason &&
         a.initiator_trustpoint == b.initiator_trustpoint && a.responder_trustpoint == b.responder_trustpoint &&
         a.responder_profile == b.responder_profile && a.certreq_from_initiator == b.certreq_from_initiator &&
         a.certreq_from_responder == b.certreq_from_responder && a.trace == b.trace;
}

}  // namespace

const Scenario& observation_fuzz_scenario() {
  static const Scenario s = [] {
    Scenario x;
    x.name = "observation-fuzz";
    x.cas = {{"CA1", "cn=CA1,o=cisco,o=com", ""}, {"CA2", "cn=CA2,o=cisco,o=com", ""}};
    for (const char* name : {"R1", "R2"}) {
      Peer p;
      p.name = name;
      p.fqdn = std::string(name) + ".cisco.com";
      p.address = name[1] == '1' ? "192.168.0.1" : "192.168.0.2";
      p.trustpoints = {{"IOSCA1", "CA1", Revocation::Crl}, {"IOSCA2", "CA2", Revocation::Crl}};
      p.certificates = {{"IOSCA1", "", false, {}}, {"IOSCA2", "", false, {}}};
      p.profiles = {Profile{"prof1",
                            {{IdKind::Fqdn, name[1] == '1' ? "R2.cisco.com" : "R1.cisco.com", ""}},
                            IdKind::Fqdn,
                            {{"IOSCA1", TrustpointUse::Both}},
                            AuthMethod::RsaSig,
                            AuthMethod::RsaSig,
                            {}}};
      p.tunnel_profile = "prof1";
      x.peers.push_back(std::move(p));
    }
    return x;
  }();
  return s;
}

int fuzz_observation_json(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return 0;  // not JSON: the transport's problem, not the reader's
  const Scenario& s = observation_fuzz_scenario();
  Observation o;
  try {
    o = observation_from_json(s, j, "adapter");
  } catch (const InputError&) {
    return 0;
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("reader threw something other than InputError: ") + e.what(), j.dump());
  }
  const auto written = observation_to_json(s, o);
  Observation again;
  try {
    again = observation_from_json(s, written, "written");
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("a written observation does not read back: ") + e.what(), written.dump());
  }
  if (!same(o, again)) report_violation(kTarget, "from_json(to_json(o)) != o", j.dump() + "\n" + written.dump());
  if (observation_to_json(s, again) != written) report_violation(kTarget, "to_json is not stable", written.dump());
  return 0;
}

}  // namespace ikeconform::fuzz
