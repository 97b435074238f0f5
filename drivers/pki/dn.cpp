// DN renderings for strongSwan and Libreswan (the parser is model/dn.hpp's).
#include "drivers/pki/pki.hpp"

namespace ikeconform::pki {
namespace {

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

std::string strongswan_dn(std::string_view ios_dn) { return render(ios_dn, false); }
std::string libreswan_dn(std::string_view ios_dn) { return render(ios_dn, true); }

}  // namespace ikeconform::pki
