// Protocol bugs: named switches that make the emulated router (peer/, the `cisco-ios` side of a
// pair) misbehave on purpose, in the manner of BoringSSL's runner `ProtocolBugs`. A scenario
// names them per peer (`"bugs": [...]`, docs/scenario-format.md); the engine carries them out
// (peer/protocol_bugs.hpp); the BUG-* oracles (oracles/universal.cpp) judge the real peer's
// reaction with what these entries say the RFCs require. docs/protocol-bugs.md has the table of
// observed reactions.
//
// Here: the names and what the RFCs require of the receiver, which the model, the scenario
// parser and the oracles need without knowing the engine.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace ikeconform {

// What RFC 4945 / RFC 7296 require of the peer that receives the bugged message.
enum class BugReaction {
  Proceed,  // the exchange goes on as without the bug (same outcome)
  Refuse,   // no IKE SA; an IKEv2 responder answers AUTHENTICATION_FAILED (RFC 7296 §2.21.2)
  Unfixed,  // the RFCs leave it open (MAY / SHOULD the stacks legitimately differ on): hard invariants only
  None,     // the bug does not exist in this IKE version (the emulated peer cannot run it)
};

struct ProtocolBugInfo {
  std::string_view name;
  BugReaction v1, v2;
  // The bugged certificate (or its binding to the ID) cannot be verified: no SA may come up on
  // it, whatever else happens (the hard invariant, BUG-SA).
  bool unverifiable;
  std::string_view rules;  // the clauses the reaction is judged by
  std::string_view what;   // one line, for docs and messages
};

inline constexpr std::array<ProtocolBugInfo, 10> kProtocolBugs = {{
    {"certreq_unknown_ca", BugReaction::Unfixed, BugReaction::Unfixed, false, "RFC 4945 §3.3.6, §3.3.7; RFC 7296 §3.7",
     "the CERT_REQ names only a CA the peer does not hold"},
    {"certreq_empty", BugReaction::Proceed, BugReaction::Proceed, false, "RFC 4945 §3.2.7.2",
     "one CERT_REQ with an empty Certification Authority field"},
    {"certreq_64", BugReaction::Unfixed, BugReaction::Unfixed, false, "RFC 4945 §3.2.7.1, §3.2.8.3; RFC 7296 §2",
     "64 CERT_REQ payloads: the genuine ones first, then CAs nobody holds"},
    {"certreq_1000_hashes", BugReaction::None, BugReaction::Unfixed, false, "RFC 7296 §3.7",
     "one IKEv2 CERTREQ of 1,000 SHA-1 hashes (the genuine ones first)"},
    {"certreq_truncated", BugReaction::Unfixed, BugReaction::Unfixed, false, "RFC 4945 §3.2.8.2",
     "the last CA entry cut short (IKEv2: a 19-octet hash; IKEv1: half a DER Name)"},
    {"cert_unrequested_ca", BugReaction::Refuse, BugReaction::Refuse, true,
     "RFC 4945 §3.2.7.1, §3.2.7.2, §5.1; RFC 7296 §2.21.2, §3.6",
     "our certificate re-issued by a CA nobody requested or trusts"},
    {"cert_chain_reversed", BugReaction::Proceed, BugReaction::Unfixed, false,
     "RFC 4945 §3.3.10.3, §4.3.3; RFC 7296 §3.6", "the chain in reverse order: the CA certificate first, then ours"},
    {"cert_wrong_encoding", BugReaction::Refuse, BugReaction::Refuse, true,
     "RFC 4945 §3.3.10.1; RFC 7296 §2.21.2, §3.6",
     "our certificate in a CERT payload of encoding 7 (Certificate Revocation List)"},
    {"id_not_in_cert", BugReaction::Refuse, BugReaction::Refuse, true, "RFC 4945 §3.1, §5.1.3.6; RFC 7296 §2.21.2",
     "an ID (FQDN not-in-cert.invalid) the certificate does not carry, signed over"},
    {"cert_twice", BugReaction::Proceed, BugReaction::Proceed, false, "RFC 4945 §3.3.10.4",
     "the same CERT payload twice"},
}};

inline const ProtocolBugInfo* find_protocol_bug(std::string_view name) {
  for (const ProtocolBugInfo& b : kProtocolBugs)
    if (b.name == name) return &b;
  return nullptr;
}

// "certreq_unknown_ca, certreq_empty, ..." for messages.
inline std::string protocol_bug_names() {
  std::string out;
  for (const ProtocolBugInfo& b : kProtocolBugs) out += (out.empty() ? "" : ", ") + std::string(b.name);
  return out;
}

}  // namespace ikeconform
