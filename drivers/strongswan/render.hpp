// Scenario -> strongSwan 5.9: the daemon's strongswan.conf, the VICI loads (certificates,
// keys, shared secrets, one connection per profile), and the same connections as swanctl.conf
// text for humans (how a minimal counterexample is shown). docs/drivers.md explains each
// mapping choice; the short version is in the comments below.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "drivers/vici/vici.hpp"
#include "model/expressible.hpp"
#include "model/scenario.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::strongswan {

// ---------------------------------------------------------------------------------------------
// What the renderer needs from the PKI (drivers/pki), by scenario index.

struct CertMaterial {
  std::string name;  // file stem: "CA1", "R1-IOSCA1"
  std::string dn;    // as strongSwan prints it: "O=com, O=cisco, CN=CA1"
  std::filesystem::path file;
  std::string pem;
};

struct KeyMaterial {
  std::filesystem::path file;
  std::string pem;  // PKCS#8
};

struct Material {
  std::vector<CertMaterial> cas;                 // by Scenario::cas index
  std::vector<std::vector<CertMaterial>> certs;  // [peer][Peer::certificates index]
  std::vector<std::vector<KeyMaterial>> keys;    // idem
};

// Picks the scenario's certificates out of a made PKI. Throws std::invalid_argument when one
// is missing.
Material material_from(const pki::Pki& pki, const Scenario& s);
// Names and files only, by drivers/pki's naming ("CA1.crt", "R1-IOSCA1.crt"), no PEM: enough
// for render_swanctl_conf() when a report shows a counterexample without making its PKI.
Material named_material(const Scenario& s);

// ---------------------------------------------------------------------------------------------
// strongswan.conf for one charon-systemd.

struct DaemonOptions {
  std::filesystem::path dir;    // charon.vici and charon.log live here
  bool kernel_libipsec = true;  // userspace ESP: the kernel here has no ESP (real-stacks.md)
  std::optional<int> port;      // IKE port; 0 = any free one (a charon outside a namespace)
  std::optional<int> port_nat_t;
  int retransmit_tries = 2;
  double retransmit_timeout = 0.5;  // seconds; an unanswered exchange gives up after ~2 s
  bool fuzzed = false;              // StackOptions::fuzzed: no DoS protection, short half-open life
};

std::string vici_uri(const std::filesystem::path& dir);            // unix://DIR/charon.vici
std::filesystem::path log_path(const std::filesystem::path& dir);  // DIR/charon.log
std::string render_strongswan_conf(const DaemonOptions& o);

// ---------------------------------------------------------------------------------------------
// Connections and credentials of one peer.

struct RenderOptions {
  std::string prefix = "s0-";          // prepended to every connection name: fresh per scenario
  std::string psk = "ikeconform-psk";  // the scenario format has no secret; both ends share this
};

// Inner networks of the tunnel (the scenario has none): peer i protects 10.<i+1>.0.0/24 and
// needs one address inside it for kernel-libipsec's route ("no local address found in traffic
// selector" otherwise), see tunnel_address().
std::string tunnel_subnet(std::size_t peer);   // "10.1.0.0/24"
std::string tunnel_address(std::size_t peer);  // "10.1.0.1/32"

struct Connection {
  std::string name;     // prefix + profile name
  std::string profile;  // Profile::name
  std::string child;    // CHILD_SA config name: name + "-tun"
  vici::Message conf;   // the body of load-conn's <name> section
};

struct PeerConfig {
  std::vector<Connection> connections;  // one per profile, configuration order
  std::size_t tunnel = 0;               // index of the tunnel profile's connection
  std::vector<vici::Message> certs;     // load-cert requests, in load order (CAs, then own certs)
  std::vector<vici::Message> keys;      // load-key requests
  std::vector<vici::Message> shared;    // load-shared requests (pre-shared keys)

  const Connection& tunnel_connection() const { return connections.at(tunnel); }
};

// Why the scenario cannot be run faithfully on strongSwan (aggressive mode, a revoked
// certificate, a peer that must refuse a certificate feature, a proposal without a strongSwan
// name, a non-contiguous mask), or nullopt. A target reports such a scenario as UNSUPPORTED
// (every oracle skips it) instead of running something else.
std::optional<std::string> inexpressible(const Scenario& s);
// The generator switches for what inexpressible() refuses of generated scenarios: no revoked
// certificate, no refused certificate feature, no IKEv1 profile with two methods.
Expressible expressible();

// Throws InputError when the scenario cannot be rendered (inexpressible(), bad references).
PeerConfig render_peer(const Scenario& s, std::size_t peer, const Material& m, const RenderOptions& o);

// The same connections and secrets as swanctl.conf, certificates named by file (x509/, x509ca/).
std::string render_swanctl_conf(const Scenario& s, std::size_t peer, const Material& m, const RenderOptions& o);

// ---------------------------------------------------------------------------------------------
// Mappings, exposed for tests and docs.

// IOS proposal words -> strongSwan "aes128-sha256-modp2048"; nullopt when a word is unknown.
std::optional<std::string> ike_proposal(const Proposal& p);
inline constexpr const char* kDefaultIkeProposal = "aes128-sha256-modp2048";
inline constexpr const char* kEspProposal = "aes128-sha256";  // supported by kernel-libipsec

// CA indices in the order the peer's CAs are loaded: its trustpoints' order (`crypto pki
// trustpoint` / `authenticate` order maps to load order). strongSwan's responder requests them
// in reverse load order; IOS in store order (V1-4): a difference the target shows, not hides.
// The model's strongswan-5.9 personality assumes this same order.
std::vector<std::size_t> ca_load_order(const Scenario& s, std::size_t peer);
// Peer::certificates indices in the IOS store order (newest enrollment first).
std::vector<std::size_t> store_order(const Peer& p);

}  // namespace ikeconform::strongswan
