// The predefined trustpoints IOS ships (spec section 1), in the order IOS lists them.
// They hold a CA certificate but never a router identity certificate.
#pragma once

#include <array>
#include <string_view>

namespace ikeconform {

struct PredefinedTrustpoint {
  std::string_view name;
  std::string_view dn;
};

inline constexpr std::array<PredefinedTrustpoint, 5> kPredefinedTrustpoints{{
    {"VeriSign-Class3-PCA", "ou=Class 3 Public Primary Certification Authority,o=VeriSign, Inc.,c=US"},
    {"Cisco-SSCA2", "cn=Cisco SSCA2,o=Cisco Systems"},
    {"Cisco-Manufacturing-CA", "cn=Cisco Manufacturing CA,o=Cisco Systems"},
    {"Cisco-Root-CA-2048", "cn=Cisco Root CA 2048,o=Cisco Systems"},
    {"Cisco-Root-CA-M1", "cn=Cisco Root CA M1,o=Cisco"},
}};

}  // namespace ikeconform
