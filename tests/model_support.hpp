// Helpers shared by the model tests: load corpus scenarios, name the CERT_REQ lists, find trace lines.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model/engine.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::testing {

inline Scenario corpus(const std::string& name) {
  return load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/" + name + ".json");
}

inline std::vector<std::string> issuers(const Scenario& s, const CertReqList& l) {
  std::vector<std::string> out;
  for (const CertReq& c : l) out.push_back(ca_dn(s, c.ca));
  return out;
}

inline std::vector<std::string> requesting_tps(const Scenario& s, std::size_t sender, const CertReqList& l) {
  std::vector<std::string> out;
  for (const CertReq& c : l) out.push_back(trustpoint_name(s, sender, c.trustpoint));
  return out;
}

inline bool traced(const Observation& o, const std::string& needle) {
  return std::any_of(o.trace.begin(), o.trace.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

inline Observation run(const Scenario& s, std::uint8_t initiator, ModelOptions o = {}) {
  return run_direction(s, initiator, o);
}

inline const std::vector<std::string> kPredefinedDns{
    "ou=Class 3 Public Primary Certification Authority,o=VeriSign, Inc.,c=US", "cn=Cisco SSCA2,o=Cisco Systems",
    "cn=Cisco Manufacturing CA,o=Cisco Systems", "cn=Cisco Root CA 2048,o=Cisco Systems",
    "cn=Cisco Root CA M1,o=Cisco"};

inline std::vector<std::string> with_predefined(std::vector<std::string> user) {
  user.insert(user.end(), kPredefinedDns.begin(), kPredefinedDns.end());
  return user;
}

inline const std::string kCA1 = "cn=CA1,o=cisco,o=com";
inline const std::string kCA2 = "cn=CA2,o=cisco,o=com";

}  // namespace ikeconform::testing
