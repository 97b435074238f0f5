// How a scenario peer becomes Libreswan connections. Libreswan holds one certificate per
// connection (`leftckaid=`) and one CA restriction (`rightca=`), so a profile that IOS or
// strongSwan serves with several certificates becomes several connections. drivers/libreswan
// renders exactly this list and the `libreswan-4.10` personality predicts with exactly this
// list: the two cannot drift apart. docs/drivers.md ("Libreswan") explains each rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

struct LibreswanConn {
  std::int16_t profile = kNone;  // Peer::profiles index
  std::int16_t cert = kNone;     // Peer::certificates index (leftckaid=); kNone: no certificate
  TpIndex trustpoint = kNone;    // the certificate's trustpoint, i.e. its issuer
  TpIndex rightca = kNone;       // trustpoint whose CA is `rightca=`; kNone: unset (any trusted CA)
  friend bool operator==(const LibreswanConn&, const LibreswanConn&) = default;
};

// ipsec.conf order: profiles in configuration order; per profile the identity certificates in
// enrollment order (oldest first, so the newest is added last); per certificate one connection
// per CA of the profile's restriction (`ca trust-point`; IKEv2: plain or `verify` trustpoints),
// or one with `rightca` unset. Certificates only when the profile signs (auth_local rsa-sig);
// `rightca` only when it verifies signatures (auth_remote rsa-sig). A profile that signs but has
// no certificate still gets a connection, without `leftckaid` (it then cannot authenticate).
std::vector<LibreswanConn> libreswan_conns(const Peer& p, IkeVersion v);

// `rightid=` of peer `peer`'s profile `f`: of its `match identity` lines the FQDN or host line
// that matches the identity the other peer's tunnel profile presents, else the first line;
// nullptr stands for %any (no line, or a subnet line). One identity per connection, as in
// strongSwan (strongswan_remote_id()). The IKEv2 initiator also sends it as IDr unless %any.
const IdentityMatch* libreswan_rightid(const Scenario& s, std::size_t peer, const Profile& f);

// The connection the initiator starts (`whack --initiate --name`): of its tunnel profile's
// connections, the one holding the newest certificate (the first of `show crypto pki
// certificates`), and of those the first `rightca`. Index into `conns`; throws
// std::invalid_argument when the tunnel profile has none.
std::size_t libreswan_initiator_conn(const Peer& p, const std::vector<LibreswanConn>& conns);

// What of the scenario's identities the mapping does not render (dn_email_identity_use()): not
// mapped yet (`leftid=%fromcert` / a DN or e-mail `rightid=` and their matching in pluto are not
// checked against upstream here). The renderer refuses it and the personality answers
// UNSUPPORTED, from this one function.
std::optional<std::string> libreswan_identity_gap(const Scenario& s);

}  // namespace ikeconform
