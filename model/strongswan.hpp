// How a scenario peer becomes strongSwan configuration, decided once: drivers/strongswan renders
// exactly this (render.cpp) and the `strongswan-5.9` personality predicts with exactly this
// (personality_strongswan.cpp), so prediction and configuration cannot drift apart (as
// model/libreswan.hpp does for Libreswan). docs/drivers.md ("Scenario -> strongSwan") explains
// each rule.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstddef>

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
// each CA once; empty: unrestricted (every trusted CA validates, the initiator requests them all).
StrongswanTps strongswan_remote_cacerts(const Scenario& s, const Peer& p, const Profile& f);

}  // namespace ikeconform
