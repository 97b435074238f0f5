// The engine's misbehavior switches, in the manner of BoringSSL's runner `ProtocolBugs`
// (ssl/test/runner): every deliberate deviation from RFC 4945 / RFC 7296 the emulated router can
// make is one named field here, off by default, carried out only at the message-building hooks
// below (the CERTREQ / CERT_REQ payloads, the CERT payloads, the ID we claim). A scenario turns
// them on per peer (`"bugs": [...]`) or the command line for every emulated side
// (`--peer-bug NAME`); model/protocol_bugs.hpp has the names and the reaction the RFCs require of
// the receiver, which the BUG-* oracles judge; docs/protocol-bugs.md the observed reactions.
//
// Each comment says what the switch breaks and the clause the receiver's reaction is judged by.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/scenario.hpp"  // IkeVersion
#include "peer/credentials.hpp"
#include "wire/ike.hpp"

namespace ikeconform::peer {

struct ProtocolBugs {
  // CERTREQ: the list the policy chose is replaced by one CA the receiver does not hold (a made-up
  // DN / SPKI hash). RFC 4945 §3.3.6: the receiver MAY terminate the exchange or answer with the
  // certificate it has (§3.3.7); RFC 7296 §3.7 does not fix it either: hard invariants only.
  bool certreq_unknown_ca = false;
  // CERTREQ: one payload with an empty Certification Authority field. RFC 4945 §3.2.7.2: a
  // request for any end-entity certificate; the exchange proceeds as without the bug.
  bool certreq_empty = false;
  // CERTREQ: 64 payloads, the policy's first, then CAs nobody holds, one per payload (IKEv2: one
  // hash per extra payload). RFC 4945 §3.2.7.1 (answer a requested CA with its end-entity
  // certificate) presumes the message is processed; no RFC bounds the number of payloads, and
  // RFC 7296 §2 asks only that messages up to 3000 octets SHOULD be processed: a receiver that
  // caps payloads against denial of service is not forbidden to. Hard invariants only.
  bool certreq_64 = false;
  // IKEv2 only: one CERTREQ of 1,000 SHA-1 hashes (20,000 octets), the policy's first. In
  // IKE_SA_INIT (responder) that is an unfragmentable 20 kB datagram (RFC 7383 §2.5 fragments SK
  // only); RFC 7296 §3.7 sets no limit: hard invariants only.
  bool certreq_1000_hashes = false;
  // CERTREQ: the last CA entry cut short: IKEv2 a 19-octet hash (the field is no longer a
  // multiple of 20), IKEv1 the first half of the DER Name. RFC 4945 §3.2.8.2: the receiver MUST
  // deal with an undecodable field and MAY ignore the payload: hard invariants only.
  bool certreq_truncated = false;
  // CERT: our certificate re-issued (same subject, SAN and key) by a CA nobody requested or
  // trusts, made on the fly. RFC 4945 §3.2.7.2 / §5.1 and RFC 7296 §3.6: it does not validate;
  // no SA (BUG-SA), and an IKEv2 responder answers AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
  bool cert_unrequested_ca = false;
  // CERT: the chain in reverse order, the issuing CA's certificate first, then ours. IKEv1: RFC
  // 4945 §3.3.10.3, the receiver MUST NOT assume an order: proceeds. IKEv2: RFC 7296 §3.6 / RFC
  // 4945 §4.3.3 make the first CERT the one that verifies AUTH; the receiver's answer is open.
  bool cert_chain_reversed = false;
  // CERT: our certificate under encoding 7 (Certificate Revocation List). RFC 4945 §3.3.10.1: the
  // receiver MUST deal with it and MAY discard it; then it has no certificate for our AUTH: no SA,
  // and an IKEv2 responder answers AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
  bool cert_wrong_encoding = false;
  // ID: we claim the FQDN not-in-cert.invalid, which our certificate does not carry, and sign
  // over it. RFC 4945 §3.1 / §5.1.3.6: the ID MUST be in the certificate, else the SA MUST NOT
  // come up; an IKEv2 responder answers AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
  bool id_not_in_cert = false;
  // CERT: the same CERT payload twice. RFC 4945 §3.3.10.4: the receiver MUST accept identical
  // CERTs: proceeds.
  bool cert_twice = false;

  bool any() const;
  // The names that are on (model/protocol_bugs.hpp spelling), for traces.
  std::vector<std::string> names() const;
};

// The switches of `names` (model/protocol_bugs.hpp); throws std::invalid_argument for an unknown
// name (the scenario parser refuses them first).
ProtocolBugs protocol_bugs(const std::vector<std::string>& names);
// Why `bugs` cannot run in IKE version `v` (certreq_1000_hashes on IKEv1); empty: they can.
std::string inexpressible(const std::vector<std::string>& names, IkeVersion v);

// ---- Hooks of the message builders --------------------------------------------------------------

// The CERTREQ payloads to send for the policy's `entries` (IKEv1: DER Names, one per payload, an
// empty list one empty payload; IKEv2: 20-octet hashes in one payload): each inner vector is one
// payload's entries (IKEv2 concatenates them). What a bug changed is logged.
std::vector<std::vector<Bytes>> certreq_payloads(const ProtocolBugs& bugs, IkeVersion v, std::vector<Bytes> entries,
                                                 std::vector<std::string>& log);
// The CERT payloads that carry own certificate `own` (normally one: ours, X.509 signature).
std::vector<wire::Cert> cert_payloads(const ProtocolBugs& bugs, const Credentials& creds, std::size_t own,
                                      std::vector<std::string>& log);
// id_not_in_cert: the FQDN we claim instead of our ID.
inline constexpr std::string_view kIdNotInCert = "not-in-cert.invalid";

// `der` re-issued by a throwaway CA ("CN=ikeconform unrequested CA"; its RSA key made once per
// process), without Authority Key Identifier so that nothing leads back to the real issuer.
Bytes reissued_by_unknown_ca(const Bytes& der);
// The n-th CA nobody holds, as a CERTREQ entry: IKEv1 a DER Name, IKEv2 a 20-octet hash.
Bytes unknown_ca_entry(IkeVersion v, std::size_t n);

}  // namespace ikeconform::peer
