// Cisco IOS in and out of the vendor-neutral scenario: a parser for the configuration subset
// the Cisco note uses, a parser for `show crypto pki certificates`, the import of two routers
// into one Scenario (spec section 6 decides which trustpoints are the same CA), and the export
// back. docs/ios-import.md describes the subset and every rule.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform::ios {

// ---- parsed configuration: IOS vocabulary, references checked, not yet a scenario ----

struct NameRef {  // a reference to another block, with the line that made it
  std::string name;
  int line = 0;
};

struct PkiTrustpoint {  // crypto pki trustpoint NAME
  std::string name;
  int line = 0;
  std::string enrollment_url;  // empty: `enrollment terminal` or none
  bool serial_number = false;
  std::string fqdn, ip_address, subject_name;
  Revocation revocation = Revocation::Crl;  // IOS default when the line is absent
};

struct ChainCert {  // `certificate [ca] SERIAL` inside a certificate chain, DER decoded
  bool ca = false;
  std::string serial;
  int line = 0;
  std::string subject, issuer;  // as IOS prints DNs: "cn=CA1,o=cisco,o=com"
};

struct PkiChain {  // crypto pki certificate chain TRUSTPOINT
  NameRef trustpoint;
  std::vector<ChainCert> certs;
};

struct IsakmpPolicy {  // crypto isakmp policy N; defaults are IOS's
  int priority = 0;
  int line = 0;
  std::string encryption = "des";
  std::string hash = "sha";
  int group = 1;
  AuthMethod auth = AuthMethod::RsaSig;
};

struct TrustpointRef {  // `ca trust-point TP` / `pki trustpoint TP [sign|verify]`
  std::string name;
  int line = 0;
  TrustpointUse use = TrustpointUse::Both;
};

// `crypto pki certificate map NAME SEQ`, all sequences of one NAME. The lines the model
// evaluates (subject-name / issuer-name with eq, ne, co, nc) are in `map`; any other line is
// kept with its number: a profile that uses the map is UNSUPPORTED there.
struct PkiCertificateMap {
  std::string name;
  int line = 0;
  CertificateMap map;
  std::vector<std::pair<int, std::string>> unsupported;  // line, text
};

struct IsakmpProfile {
  std::string name;
  int line = 0;
  IdKind self_identity = IdKind::Address;      // IOS default
  std::string self_identity_type = "address";  // as written: address, fqdn, user-fqdn, dn
  std::string self_identity_value;             // `self-identity fqdn NAME` / `user-fqdn NAME`
  std::string vrf;                             // `vrf NAME`: the front-door VRF it matches
  std::vector<IdentityMatch> match;
  std::vector<TrustpointRef> ca_trustpoints;
  NameRef keyring;
  bool aggressive = false;                // `initiate mode aggressive`
  std::vector<NameRef> certificate_maps;  // `match certificate MAP`
};

struct TransformSet {
  std::string name;
  int line = 0;
  std::vector<std::string> transforms;
  std::string mode = "tunnel";
};

struct IpsecProfile {
  std::string name;
  int line = 0;
  std::vector<NameRef> transform_sets;
  NameRef isakmp_profile, ikev2_profile;
};

struct Ikev2Proposal {
  std::string name;
  int line = 0;
  std::vector<std::string> encryption, integrity;
  std::vector<int> groups;
};

struct Ikev2Policy {
  std::string name;
  int line = 0;
  bool match_fvrf_any = false;
  std::vector<NameRef> proposals;
};

struct Ikev2Profile {
  std::string name;
  int line = 0;
  std::vector<IdentityMatch> match;
  bool match_any = false;                       // `match identity remote any`
  IdKind identity_local = IdKind::Address;      // IOS default
  std::string identity_local_type = "address";  // as written: address, fqdn, dn, email
  std::string identity_local_value;
  std::string match_fvrf;  // `match fvrf NAME|any`; empty: global table
  AuthMethod auth_local = AuthMethod::RsaSig;
  AuthMethod auth_remote = AuthMethod::RsaSig;
  std::vector<TrustpointRef> trustpoints;
  std::vector<NameRef> certificate_maps;  // `match certificate MAP`
};

struct Interface {
  std::string name;
  int line = 0;
  std::string description;
  std::string address, mask;  // empty without `ip address A M`
  NameRef tunnel_source;      // interface name or IPv4 address
  std::string tunnel_destination;
  NameRef tunnel_protection;           // ipsec profile
  std::vector<std::string> nhrp_nbma;  // NBMA addresses of `ip nhrp map`, `ip nhrp nhs ... nbma`
  bool multipoint = false;             // `tunnel mode gre multipoint` (DMVPN)
  NameRef crypto_map;                  // `crypto map NAME` applied here
  std::string vrf;                     // `vrf forwarding V` / `ip vrf forwarding V`: the inside VRF
  std::string tunnel_vrf;              // `tunnel vrf V`: the VRF the tunnel's outer packets use
};

// `crypto map NAME SEQ ipsec-isakmp [dynamic DYN]` and `crypto dynamic-map NAME SEQ`.
struct CryptoMapEntry {
  std::string name;
  int seq = 0;
  int line = 0;
  bool dynamic_map = false;        // an entry of a `crypto dynamic-map`
  NameRef dynamic_ref;             // `... ipsec-isakmp dynamic DYN`
  std::vector<std::string> peers;  // `set peer IP`
  NameRef isakmp_profile, ikev2_profile;
  std::vector<NameRef> transform_sets;
  std::string acl;  // `match address ACL`
};

struct Route {  // ip route [vrf V] PREFIX MASK NEXTHOP|IF [NEXTHOP] [DIST] [track N] [name N] ...
  int line = 0;
  std::string vrf, prefix, mask, next_hop;
};

// `! ikeconform KEY ARGS`: comment lines the export writes for scenario fields IOS cannot hold.
struct Annotation {
  int line = 0;
  std::string key;
  std::string args;  // the rest of the line, trimmed
};

struct IosConfig {
  std::string file;
  std::string hostname;
  int hostname_line = 0;
  std::string domain;                      // `ip domain name` / `ip domain-name`
  std::vector<PkiTrustpoint> trustpoints;  // configuration order
  std::vector<PkiChain> chains;
  std::vector<std::string> keyrings;  // `crypto keyring NAME` (keys are not kept)
  std::vector<IsakmpPolicy> isakmp_policies;
  std::vector<IsakmpProfile> isakmp_profiles;
  std::vector<TransformSet> transform_sets;
  std::vector<IpsecProfile> ipsec_profiles;
  std::vector<Ikev2Proposal> ikev2_proposals;
  std::vector<Ikev2Policy> ikev2_policies;
  std::vector<Ikev2Profile> ikev2_profiles;
  std::vector<Interface> interfaces;
  std::vector<CryptoMapEntry> crypto_maps;  // static and dynamic entries, configuration order
  std::vector<Route> routes;
  std::vector<std::string> pki_servers;             // `crypto pki server NAME`: this router is that CA
  std::vector<PkiCertificateMap> certificate_maps;  // `crypto pki certificate map NAME SEQ`
  IdKind isakmp_identity = IdKind::Address;         // `crypto isakmp identity address|hostname|dn`
  std::string isakmp_identity_type = "address";
  std::vector<Annotation> annotations;
  std::vector<std::string> warnings;  // "file:line: warning: unknown command '...' ignored"
  // Commands that cannot change certificate negotiation, skipped silently ("file:line: '...'");
  // `check --verbose` lists them.
  std::vector<std::string> skipped;
};

// Parses indented (IOS) or flattened (the note's) configuration text. Throws InputError on a
// known command with bad arguments and on a reference to an undefined block.
IosConfig parse_ios_config(std::string_view text, const std::string& file);

// ---- `show crypto pki certificates` ----

struct ShownCert {
  int line = 0;  // the `Certificate` / `CA Certificate` header
  bool ca = false;
  std::string status, serial;
  std::string issuer, subject;                   // DNs joined from one-RDN-per-line blocks
  bool issuer_cut = false, subject_cut = false;  // an omission marker interrupted the block
  bool cut = false;                              // the block was interrupted anywhere
  std::vector<std::string> trustpoints;          // `Associated Trustpoints:`
  int trustpoints_line = 0;
};

struct ShowCerts {
  std::string file;
  std::string hostname;  // from a `R1#show ...` prompt line, if any
  int hostname_line = 0;
  std::vector<ShownCert> certs;  // as shown: identity certificates newest first
  bool omitted = false;          // `...` or `<output omitted ...>` seen: the list is partial
  std::vector<std::string> warnings;
};

ShowCerts parse_show_certs(std::string_view text, const std::string& file);

// ---- import of two routers into one scenario ----

struct RouterInput {
  std::string file;
  std::string text;
  std::optional<std::string> show_file, show_text;
};

// Section 6: which rule made these trustpoints one CA ("dn", "enrollment-url",
// "trustpoint-name"). With several trustpoints it is the weakest rule that joined any of them.
struct CaDecision {
  std::string ca_id;
  std::string rule;
  std::vector<std::string> trustpoints;  // "R1/IOSCA1"
  bool dn_synthesized = false;           // no DN known: "cn=<trustpoint>"
  friend bool operator==(const CaDecision&, const CaDecision&) = default;
};

struct PeerImport {
  // "enrollment-option", "show", "show+configuration-order", "certificate-chain",
  // "configuration-order"
  std::string enrollment_source;
  bool enrollment_assumed = false;    // order (partly) assumed from configuration order
  bool certificates_assumed = false;  // no show/chain data: every trustpoint counted as enrolled
};

// The tunnel chosen on one router (issue 10: by destination / crypto-map peer / NHRP mapping).
struct TunnelChoice {
  std::string label;      // "Tunnel1", "crypto map CMAP 10 (GigabitEthernet0/0)"
  bool initiates = true;  // false: it only answers (DMVPN hub, dynamic crypto map)
  std::string why_not;
};

// `g1` -> "GigabitEthernet1", as IOS resolves an abbreviated interface name.
std::string canonical_interface_name(std::string_view name);

struct ImportResult {
  Scenario scenario;
  std::vector<std::string> warnings;  // parser warnings of all inputs, then import warnings
  std::vector<std::string> skipped;   // commands skipped silently (IosConfig::skipped of both)
  std::vector<std::string> notes;     // what was assumed, in words ("R1: no show output ...")
  std::vector<CaDecision> ca_decisions;
  // "CA X: R1/TP = R2/TP taken as one CA by enrollment-url, without certificate data; ..."
  std::vector<std::string> assumptions;
  std::array<PeerImport, 2> peers;
  std::array<TunnelChoice, 2> tunnels;
};

// A router's name when its configuration has no `hostname`: the file name up to its first dot
// (`r1.flat.cfg` -> `r1`), the same for --enrollment and --show-certs.
std::string router_stem(const std::string& file);

// `enrollment_specs`: "NAME=TP,TP" (oldest first), NAME a router's hostname or file stem.
// `tunnel_specs`: "NAME=INTERFACE", the tunnel of router NAME when it has several.
ImportResult import_routers(const RouterInput& a, const RouterInput& b,
                            const std::vector<std::string>& enrollment_specs = {},
                            const std::vector<std::string>& tunnel_specs = {});

// ---- export ----

// One IOS configuration for `peer` (0 or 1), indented as IOS writes it.
std::string export_ios_config(const Scenario& s, std::size_t peer);
// `show crypto pki certificates` of `peer`'s store: identity certificates newest first, then
// one CA certificate per CA its trustpoints anchor.
std::string export_show_certs(const Scenario& s, std::size_t peer);

}  // namespace ikeconform::ios
