// Scenario -> Libreswan 4.10: ipsec.conf (`config setup` + one `conn` per entry of
// libreswan_conns(), model/libreswan.hpp), ipsec.secrets, and what goes into each peer's NSS
// database. docs/drivers.md ("Libreswan") explains the mapping; the comments here are the
// short version.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/expressible.hpp"
#include "model/libreswan.hpp"
#include "model/scenario.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::libreswan {

struct RenderOptions {
  std::string prefix = "s0-";          // prepended to every connection name: fresh per scenario
  std::string psk = "ikeconform-psk";  // the scenario format has no secret; both ends share this
  int retransmit_timeout_s = 3;        // an unanswered exchange gives up inside the run deadline
};

struct RenderedConn {
  std::string name;    // "s3-prof1-IOSCA1"
  LibreswanConn conn;  // profile, certificate, rightca (model/libreswan.hpp)
};

struct PeerConfig {
  std::vector<RenderedConn> conns;  // ipsec.conf order (pluto searches them newest first)
  std::size_t initiator_conn = 0;   // the one `whack --initiate` starts when this peer initiates
  // `connalias=` of every connection: the prefix without its last character ("s3" for "s3-"),
  // never a connection's name. `whack --delete --name ALIAS` deletes them all in one call
  // (pluto: no connection of that name, so every one with that alias). Empty without a prefix.
  std::string alias;
  std::string ipsec_conf;
  std::string secrets;
  const RenderedConn* find(std::string_view name) const;  // nullptr when not ours
};

// Throws InputError when the scenario cannot be rendered (aggressive mode, a missing
// certificate in the PKI, an IKEv1 profile whose local and remote methods differ).
PeerConfig render_peer(const Scenario& s, std::size_t peer, const pki::Pki& pki, const RenderOptions& o);

// Why peer `peer` of `s` cannot be run faithfully, known before any PKI is made (an IKEv1
// profile whose local and remote methods differ, a revoked peer certificate under a CA it checks
// the CRL of); nullopt: it may.
std::optional<std::string> inexpressible(const Scenario& s, std::size_t peer);
// The generator switches for it: no IKEv1 profile with two methods, no revoked certificate.
Expressible expressible();

// `config setup`: IKEv1 allowed (4.10 drops it by default), no DNSSEC (nothing to resolve).
std::string render_config_setup();

// ---- Mappings, exposed for tests and docs ---------------------------------------------------

// IOS proposal words -> Libreswan "aes128-sha2_256-modp2048"; nullopt when Libreswan 4.10 lacks
// one of them (DES, MODP768/1024, group 24 are not built in).
std::optional<std::string> ike_proposal(const Proposal& p, IkeVersion v);
inline constexpr const char* kDefaultIkeProposal = "aes128-sha2_256-modp2048";
inline constexpr const char* kEspProposal = "aes128-sha2_256";

// `leftid=` / `rightid=` values: "@R1.cisco.com" (FQDN) or "192.168.0.1"; %any for none.
std::string libreswan_id(IdKind kind, const std::string& value);
// "<prefix><profile>[-<certificate's trustpoint>][-<rightca's trustpoint>]", made of
// [A-Za-z0-9._-] only; the rightca part only when the profile restricts to several CAs.
std::string conn_name(const std::string& prefix, const Peer& p, const LibreswanConn& c, bool name_rightca);

}  // namespace ikeconform::libreswan
