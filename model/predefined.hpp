// The predefined trustpoints IOS ships (spec section 1), in the order IOS lists them.
// They hold a CA certificate but never a router identity certificate.
#pragma once

#include <array>
#include <cctype>
#include <cstdint>
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

// Two spellings of one DN: case-insensitive, blanks around ',' and '=' ignored.
inline bool same_dn(std::string_view a, std::string_view b) {
  // Blanks inside a value matter ("Cisco Systems"): compare value blanks only between non-separators.
  std::size_t i = 0, j = 0;
  for (;;) {
    // Skip blanks that follow a separator or precede one.
    while (i < a.size() && a[i] == ' ' &&
           (i == 0 || a[i - 1] == ',' || a[i - 1] == '=' || i + 1 == a.size() || a[i + 1] == ',' || a[i + 1] == '=' ||
            a[i + 1] == ' '))
      ++i;
    while (j < b.size() && b[j] == ' ' &&
           (j == 0 || b[j - 1] == ',' || b[j - 1] == '=' || j + 1 == b.size() || b[j + 1] == ',' || b[j + 1] == '=' ||
            b[j + 1] == ' '))
      ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[j]))) return false;
    ++i;
    ++j;
  }
}

// Spec, IOS semantics: a predefined CA is a CA like any other. The CA index of predefined
// trustpoint `k`: the scenario CA with its subject DN (the same CA: requested once, matches),
// else its own index after the scenario's CAs. `cas` is the scenario's CA table.
template <class Cas>
std::int16_t predefined_ca_index(const Cas& cas, std::size_t k) {
  for (std::size_t i = 0; i < cas.size(); ++i)
    if (same_dn(cas[i].dn, kPredefinedTrustpoints[k].dn)) return static_cast<std::int16_t>(i);
  return static_cast<std::int16_t>(cas.size() + k);
}

}  // namespace ikeconform
