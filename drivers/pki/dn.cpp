// IOS / LDAP-order DN strings to attribute lists and to strongSwan / Libreswan renderings.
#include <algorithm>
#include <cctype>
#include <optional>

#include "drivers/pki/pki.hpp"
#include "model/input_error.hpp"

namespace ikeconform::pki {
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

std::string render(std::string_view ios_dn, bool escape_commas) {
  const std::vector<Rdn> rdns = parse_ios_dn(ios_dn);
  std::string out;
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (!out.empty()) out += ", ";
    // Both stacks print emailAddress as "E"; the other types as their canonical names.
    out += it->type == "emailAddress" ? std::string("E") : it->type;
    out += '=';
    for (char c : it->value) {
      if (escape_commas && c == ',') out += '\\';
      out += c;
    }
  }
  return out;
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

std::string strongswan_dn(std::string_view ios_dn) { return render(ios_dn, false); }
std::string libreswan_dn(std::string_view ios_dn) { return render(ios_dn, true); }

}  // namespace ikeconform::pki
