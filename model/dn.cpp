// IOS / LDAP-order DN strings to attribute lists, and the subject each identity certificate
// carries (certificate_subjects()).
#include "model/dn.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "model/input_error.hpp"

namespace ikeconform {
namespace {

struct AttrName {
  std::string_view spelling;   // as written in IOS configs (compared case-insensitively)
  std::string_view canonical;  // Rdn::type
};

constexpr AttrName kAttrs[] = {
    {"cn", "CN"},
    {"ou", "OU"},
    {"o", "O"},
    {"c", "C"},
    {"l", "L"},
    {"st", "ST"},
    {"dc", "DC"},
    {"serialnumber", "serialNumber"},
    {"emailaddress", "emailAddress"},
    {"e", "emailAddress"},
    {"email", "emailAddress"},
    {"unstructuredname", "unstructuredName"},
    {"hostname", "unstructuredName"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> canonical_type(std::string_view spelled) {
  std::string lower(trim(spelled));
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const AttrName& a : kAttrs)
    if (a.spelling == lower) return a.canonical;
  return std::nullopt;
}

// True when `rest` (the text after a comma) starts with a known "type=": the comma separates.
bool starts_attribute(std::string_view rest) {
  const auto eq = rest.find('=');
  return eq != std::string_view::npos && canonical_type(rest.substr(0, eq)).has_value();
}

// Splits on separating commas; keeps escapes for unescape().
std::vector<std::string_view> split_attributes(std::string_view dn) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;  // escaped character, never a separator
    } else if (dn[i] == ',' && starts_attribute(dn.substr(i + 1))) {
      parts.push_back(dn.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(dn.substr(start));
  return parts;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

[[noreturn]] void bad(std::string_view dn, const std::string& why) {
  throw InputError("dn", 0, "'" + std::string(dn) + "': " + why);
}

}  // namespace

std::vector<Rdn> parse_ios_dn(std::string_view dn) {
  if (trim(dn).empty()) bad(dn, "empty distinguished name");
  std::vector<Rdn> rdns;
  for (std::string_view part : split_attributes(dn)) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) bad(dn, "'" + std::string(trim(part)) + "' is not type=value");
    const auto type = canonical_type(part.substr(0, eq));
    if (!type) bad(dn, "unknown attribute type '" + std::string(trim(part.substr(0, eq))) + "'");
    std::string value = unescape(trim(part.substr(eq + 1)));
    if (value.empty()) bad(dn, "empty value for " + std::string(*type));
    rdns.push_back(Rdn{std::string(*type), std::move(value)});
  }
  return rdns;
}

namespace {

std::string lower_ascii(std::string v) {
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

// "cn=R1,ou=IT-CA1,o=cisco,o=com" for a CA "cn=CA1,o=cisco,o=com": the CA's organization part
// plus a unit that tells the router's certificates apart in logs and NSS nicknames. A CA DN that
// does not parse contributes nothing (the PKI refuses such a CA before any identity certificate).
std::string synthesize_subject(const Peer& peer, const Ca& ca, const std::string& unit) {
  std::string dn = "cn=" + peer.name + ",ou=" + unit;
  std::vector<Rdn> rdns;
  try {
    rdns = parse_ios_dn(ca.dn);
  } catch (const InputError&) {
    return dn;
  }
  for (const Rdn& r : rdns)
    if (r.type == "O" || r.type == "C" || r.type == "L" || r.type == "ST") {
      std::string value;
      for (char c : r.value) value += (c == ',' ? std::string("\\,") : std::string(1, c));
      dn += "," + lower_ascii(r.type) + "=" + value;  // IOS spells types in lower case
    }
  return dn;
}

}  // namespace

std::vector<std::string> certificate_subjects(const Scenario& s, const Peer& peer) {
  std::vector<std::string> out;
  std::set<std::string> units, subjects;  // OU values and subjects already used on this peer
  for (const IdentityCert& ic : peer.certificates) {
    const Trustpoint* tp = find_trustpoint(peer, ic.trustpoint);
    const Ca* ca = tp ? find_ca(s, tp->ca) : nullptr;
    if (!ca) {
      out.push_back(ic.subject);
      continue;
    }
    std::string unit = "IT-" + ca->id;  // two trustpoints of one CA: fall back to the trustpoint
    if (!units.insert(unit).second) units.insert(unit = "IT-" + ic.trustpoint);
    std::string subject = ic.subject.empty() ? synthesize_subject(peer, *ca, unit) : ic.subject;
    if (!subjects.insert(lower_ascii(subject)).second) {
      subject = "ou=" + unit + "," + subject;
      subjects.insert(lower_ascii(subject));
    }
    out.push_back(std::move(subject));
  }
  return out;
}

}  // namespace ikeconform
