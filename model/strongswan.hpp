// How a scenario peer becomes strongSwan configuration, decided once: drivers/strongswan renders
// exactly this (render.cpp) and the `strongswan-5.9` personality predicts with exactly this
// (personality_strongswan.cpp), so prediction and configuration cannot drift apart (as
// model/libreswan.hpp does for Libreswan). docs/drivers.md ("Scenario -> strongSwan") explains
// each rule.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "model/observation.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

using StrongswanTps = boost::container::small_vector<TpIndex, 12>;  // trustpoint indices of one peer

// The trusted CAs as the renderer loads them (`load-cert flag = CA`): the peer's trustpoints in
// configuration order (`crypto pki trustpoint` / `authenticate` order maps to load order), the
// first trustpoint of each CA. strongSwan's responder requests every trusted CA in reverse
// load order. Trustpoints naming no CA of the scenario are left out.
StrongswanTps strongswan_ca_load_order(const Scenario& s, const Peer& p);

// `local.certs`: the peer's identity certificates (Peer::certificates indices), newest enrollment
// first -- the IOS store order of `show crypto pki certificates`. strongSwan IKEv2 sends the
// first entry chaining to a requested CA, else the first; the certificates themselves are loaded
// oldest first, so IKEv1's "most recently loaded match" is the same first entry.
boost::container::small_vector<std::size_t, 12> strongswan_local_certs(const Peer& p);

// `remote.cacerts` of a connection rendered from profile `f`: the trustpoints of its restriction
// (`ca trust-point`; IKEv2: `pki trustpoint` plain or `verify`, never `sign`), in profile order,
// each CA once; empty: unrestricted (every trusted CA validates, the initiator requests them all),
// or a profile that expects a pre-shared key (`remote.auth = psk` names no CA).
StrongswanTps strongswan_remote_cacerts(const Scenario& s, const Peer& p, const Profile& f);

// Whether the renderer loads the harness's one pre-shared key for this peer: only when one of
// its profiles uses it (`auth = psk` either way).
bool strongswan_loads_psk(const Peer& p);

// `remote.id` of the connection rendered from profile `f` of peer `peer`; nullopt: `%any` (no
// `match identity` line). strongSwan holds one identity where a profile may list several lines;
// in a two-peer scenario only the other peer presents one, so the line that matches the identity
// the other peer's tunnel profile presents decides: an FQDN line as written, an address or subnet
// line as that peer's address (a subnet remote.id would also go out as IDr from an initiator,
// which the responder refuses: "received IDr 192.168.0.0/24, but require 192.168.0.1"); no line
// matches: the first as written (it then matches nothing, as in the scenario). charon checks the
// peer's ID against it in both roles: the responder to pick the connection, the initiator on IDr
// (upstream ikev2/tasks/ike_auth.c and auth_cfg.c complies(): "constraint check failed:
// identity ... required"; ikev1/tasks/main_mode.c: "IDir '...' does not match to '...'").
std::optional<IdentityMatch> strongswan_remote_id(const Scenario& s, std::size_t peer, const Profile& f);

// What of the scenario's identities the mapping does not render: DN and e-mail identities and
// `match identity` lines of kind email or with `domain` (dn_email_identity_use()). Not mapped
// yet: a DN `local.id` also steers which certificate charon sends, where this mapping's choice
// follows the CERTREQs (strongswan_local_certs()), and an e-mail `local.id` or a domain
// `remote.id` needs charon's identity matching and the certificate's rfc822Name checked against
// upstream first. The renderer refuses it and the personality answers UNSUPPORTED, from this one
// function.
std::optional<std::string> strongswan_identity_gap(const Scenario& s);

}  // namespace ikeconform
