// Distinguished names as IOS writes them, and the subject DN each identity certificate carries:
// what a DN identity (IdKind::Dn, `identity local dn`) sends, and what drivers/pki puts in the
// certificates it makes, from one function so the two cannot differ.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform {

// One attribute of a DN. `type` is canonical: CN, OU, O, C, L, ST, DC, serialNumber,
// emailAddress, unstructuredName.
struct Rdn {
  std::string type;
  std::string value;
  friend bool operator==(const Rdn&, const Rdn&) = default;
};

// Parses a DN written the IOS / LDAP way, most specific first: "cn=CA1,o=cisco,o=com".
// Types are case-insensitive (cn, ou, o, c, l, st, dc, serialNumber, emailAddress / e / email,
// unstructuredName / hostname). A comma separates attributes only when a known `type=` follows
// it, so "o=VeriSign, Inc.,c=US" keeps "VeriSign, Inc." whole; "\," escapes a comma anyway.
// Surrounding blanks are trimmed. Throws InputError on anything else.
std::vector<Rdn> parse_ios_dn(std::string_view dn);

// The subject of each of `peer`'s identity certificates (Peer::certificates order), as the
// certificate carries it: IdentityCert::subject when given, else "cn=<peer name>,ou=<unit>" plus
// the O, C, L and ST parts of the issuer's DN, the unit being "IT-<CA id>" (or "IT-<trustpoint>"
// for a second trustpoint of the same CA). A subject equal (case-insensitively) to an earlier one
// of the same peer gets "ou=<unit>," put in front: stacks log the subject of the certificate they
// send and NSS merges equal nicknames (spec/real-stacks.md). A certificate under a trustpoint or
// CA the scenario does not define keeps its own subject ("" when none).
std::vector<std::string> certificate_subjects(const Scenario& s, const Peer& peer);

}  // namespace ikeconform
