// Scenario -> strongSwan configuration. Names follow swanctl.conf(5) and the VICI README.
#include "drivers/strongswan/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "drivers/pki/pki.hpp"
#include "model/input_error.hpp"
#include "model/strongswan.hpp"

namespace ikeconform::strongswan {

using vici::Message;

// ---------------------------------------------------------------------------------------------
// PKI material

Material material_from(const pki::Pki& pki, const Scenario& s) {
  Material m;
  for (const Ca& ca : s.cas) {
    auto it = std::find_if(pki.cas.begin(), pki.cas.end(), [&](const pki::CaMaterial& c) { return c.id == ca.id; });
    if (it == pki.cas.end()) throw std::invalid_argument("PKI has no CA '" + ca.id + "'");
    m.cas.push_back({it->id, it->dn, it->cert_file, it->cert_pem});
  }
  for (const Peer& p : s.peers) {
    auto& certs = m.certs.emplace_back();
    auto& keys = m.keys.emplace_back();
    for (const IdentityCert& c : p.certificates) {
      auto it = std::find_if(pki.certs.begin(), pki.certs.end(), [&](const pki::IdentityMaterial& i) {
        return i.peer == p.name && i.trustpoint == c.trustpoint;
      });
      if (it == pki.certs.end()) throw std::invalid_argument("PKI has no certificate " + p.name + "/" + c.trustpoint);
      certs.push_back({it->name, it->dn, it->cert_file, it->cert_pem});
      keys.push_back({it->key_file, it->key_pem});
    }
  }
  return m;
}

namespace {

std::string file_stem(const std::string& s) {  // the same tame names drivers/pki writes
  std::string out = s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return out;
}

}  // namespace

Material named_material(const Scenario& s) {
  Material m;
  for (const Ca& ca : s.cas) {
    std::string dn;
    try {
      dn = pki::strongswan_dn(ca.dn);
    } catch (const std::exception&) {  // a DN the PKI could not make either: leave it unnamed
    }
    m.cas.push_back({file_stem(ca.id), dn, file_stem(ca.id) + ".crt", {}});
  }
  for (const Peer& p : s.peers) {
    auto& certs = m.certs.emplace_back();
    auto& keys = m.keys.emplace_back();
    for (const IdentityCert& c : p.certificates) {
      const std::string stem = file_stem(p.name + "-" + c.trustpoint);
      certs.push_back({stem, {}, stem + ".crt", {}});
      keys.push_back({stem + ".key", {}});
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// strongswan.conf

std::string vici_uri(const std::filesystem::path& dir) { return "unix://" + (dir / "charon.vici").string(); }
std::filesystem::path log_path(const std::filesystem::path& dir) { return dir / "charon.log"; }

std::string render_strongswan_conf(const DaemonOptions& o) {
  // The plugin list verified in real-stacks.md. Some kernel plugin must be loaded or charon
  // exits; kernel-netlink alone is enough when no CHILD_SA has to come up.
  std::string load =
      "random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints sha1 sha2 hmac aes "
      "gmp kdf socket-default vici";
  load += o.kernel_libipsec ? " kernel-libipsec kernel-netlink" : " kernel-netlink";
  std::string ports;
  if (o.port) ports += fmt::format("  port = {}\n", *o.port);
  if (o.port_nat_t) ports += fmt::format("  port_nat_t = {}\n", *o.port_nat_t);
  // Fuzzed: every message must reach the parsers (cookies after 10 half-open SAs and a block after
  // 5 per address would answer most of them), and failed exchanges must not pile up for 30 s.
  if (o.fuzzed)
    ports += "  dos_protection = no\n  block_threshold = 0\n  cookie_threshold = 0\n  half_open_timeout = 5\n";
  return fmt::format(
      "# Written by ikeconform for one charon-systemd (STRONGSWAN_CONF=this file).\n"
      "charon {{\n"
      "  load_modular = no\n"
      "  load = {load}\n"
      "{ports}"
      "  install_routes = no\n"
      "  install_virtual_ip = no\n"
      "  # charon's certificate cache outlives clear-creds: an IKEv1 initiator would pick a\n"
      "  # certificate of an earlier scenario that shares a subject and a cached key.\n"
      "  cert_cache = no\n"
      "  retransmit_tries = {tries}\n"
      "  retransmit_timeout = {timeout}\n"
      "  plugins {{\n"
      "    vici {{\n"
      "      socket = {uri}\n"
      "    }}\n"
      "    revocation {{\n"
      "      enable_ocsp = no\n"
      "      enable_crl = no\n"
      "    }}\n"
      "  }}\n"
      "  filelog {{\n"
      "    ikeconform {{\n"
      "      path = {log}\n"
      "      append = no\n"
      "      flush_line = yes\n"
      "      log_level = yes\n"
      "      default = 1\n"
      "      ike = 2\n"
      "      cfg = 2\n"
      "    }}\n"
      "  }}\n"
      "  syslog {{\n"
      "    daemon {{\n"
      "      default = -1\n"
      "    }}\n"
      "  }}\n"
      "  journal {{\n"
      "    default = -1\n"
      "  }}\n"
      "}}\n",
      fmt::arg("load", load), fmt::arg("ports", ports), fmt::arg("tries", o.retransmit_tries),
      fmt::arg("timeout", o.retransmit_timeout), fmt::arg("uri", vici_uri(o.dir)),
      fmt::arg("log", log_path(o.dir).string()));
}

// ---------------------------------------------------------------------------------------------
// Proposals: IOS words -> strongSwan algorithm names.

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<std::string> lookup(const std::map<std::string, std::string>& table, const std::string& word) {
  auto it = table.find(lower(word));
  return it == table.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace

std::optional<std::string> ike_proposal(const Proposal& p) {
  // `encryption aes` alone is AES-128 on IOS; IKEv2 proposals spell it aes-cbc-128.
  static const std::map<std::string, std::string> kEncr = {
      {"aes", "aes128"},         {"aes 128", "aes128"}, {"aes-128", "aes128"}, {"aes128", "aes128"},
      {"aes-cbc-128", "aes128"}, {"aes 192", "aes192"}, {"aes-192", "aes192"}, {"aes192", "aes192"},
      {"aes-cbc-192", "aes192"}, {"aes 256", "aes256"}, {"aes-256", "aes256"}, {"aes256", "aes256"},
      {"aes-cbc-256", "aes256"}, {"3des", "3des"},      {"des", "des"},
  };
  static const std::map<std::string, std::string> kInteg = {
      {"sha", "sha1"},       {"sha1", "sha1"},     {"sha256", "sha256"},  {"sha-256", "sha256"}, {"sha384", "sha384"},
      {"sha-384", "sha384"}, {"sha512", "sha512"}, {"sha-512", "sha512"}, {"md5", "md5"},
  };
  static const std::map<int, std::string> kGroup = {
      {1, "modp768"},   {2, "modp1024"}, {5, "modp1536"}, {14, "modp2048"}, {15, "modp3072"},
      {16, "modp4096"}, {19, "ecp256"},  {20, "ecp384"},  {21, "ecp521"},   {24, "modp2048s256"},
  };
  auto e = lookup(kEncr, p.encryption);
  auto i = lookup(kInteg, p.integrity);
  auto g = kGroup.find(p.group);
  if (!e || !i || g == kGroup.end()) return std::nullopt;
  return *e + "-" + *i + "-" + g->second;
}

namespace {

std::vector<std::string> ike_proposals(const Peer& p) {
  std::vector<std::string> out;
  for (const Proposal& prop : p.proposals)
    if (auto name = ike_proposal(prop)) out.push_back(*name);
  if (out.empty()) out.emplace_back(kDefaultIkeProposal);  // none given, or none we can name
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Orders

std::vector<std::size_t> store_order(const Peer& p) {
  const auto certs = strongswan_local_certs(p);  // model/strongswan.hpp: the personality's list too
  return {certs.begin(), certs.end()};
}

namespace {

std::size_t ca_index(const Scenario& s, const std::string& id) {
  for (std::size_t i = 0; i < s.cas.size(); ++i)
    if (s.cas[i].id == id) return i;
  throw InputError(s.name, 0, "unknown CA '" + id + "'");
}

std::size_t ca_of_trustpoint(const Scenario& s, const Peer& p, const std::string& tp) {
  const Trustpoint* t = find_trustpoint(p, tp);
  if (!t) throw InputError(s.name, 0, p.name + ": unknown trustpoint '" + tp + "'");
  return ca_index(s, t->ca);
}

}  // namespace

std::vector<std::size_t> ca_load_order(const Scenario& s, std::size_t peer) {
  const Peer& p = s.peers.at(peer);
  for (const Trustpoint& t : p.trustpoints) ca_index(s, t.ca);  // InputError for a CA the scenario lacks
  std::vector<std::size_t> out;
  for (TpIndex t : strongswan_ca_load_order(s, p))
    out.push_back(ca_index(s, p.trustpoints[static_cast<std::size_t>(t)].ca));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Connections

std::string tunnel_subnet(std::size_t peer) { return fmt::format("10.{}.0.0/24", peer + 1); }
std::string tunnel_address(std::size_t peer) { return fmt::format("10.{}.0.1/32", peer + 1); }

namespace {

// How a certificate is named inside a connection: PEM data for VICI, a file for swanctl.conf.
using CertRef = std::string (*)(const CertMaterial&);
std::string by_data(const CertMaterial& c) { return c.pem; }
std::string by_file(const CertMaterial& c) { return c.file.filename().string(); }

std::string self_id(const Peer& p, const Profile& f) {
  if (f.self_identity == IdKind::Fqdn && !p.fqdn.empty()) return p.fqdn;
  return p.address;
}

// "a.b.c.d" -> 32 bits; nullopt for anything else.
std::optional<std::uint32_t> ipv4(const std::string& text) {
  std::uint32_t v = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    std::uint32_t octet = 0;
    std::size_t digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 3; ++i, ++digits)
      octet = octet * 10 + static_cast<std::uint32_t>(text[i] - '0');
    if (digits == 0 || octet > 255) return std::nullopt;
    v = (v << 8) | octet;
    if (++parts < 4 && (i >= text.size() || text[i++] != '.')) return std::nullopt;
  }
  return i == text.size() ? std::optional(v) : std::nullopt;
}

// Prefix length of a contiguous netmask ("255.255.255.0" -> 24); nullopt when not contiguous.
std::optional<int> prefix_length(const std::string& mask) {
  if (mask.empty()) return 32;
  const auto m = ipv4(mask);
  if (!m) return std::nullopt;
  int bits = 0;
  while (bits < 32 && (*m & (0x80000000U >> bits))) ++bits;
  if (bits < 32 && (*m << bits) != 0) return std::nullopt;
  return bits;
}

// How one `match identity` line reads as a strongSwan identity: an FQDN or host address as is,
// an address with a shorter mask as a subnet identity ("192.168.0.0/24").
std::string identity_text(const IdentityMatch& m) {
  if (m.kind == IdKind::Fqdn) return m.value;
  const auto bits = prefix_length(m.mask);
  return !bits || *bits == 32 ? m.value : fmt::format("{}/{}", m.value, *bits);
}

// `match identity` -> remote.id, decided by model/strongswan.hpp (the personality checks the
// peer's ID against the same identity).
std::string remote_id(const Scenario& s, std::size_t peer, const Profile& f) {
  const auto id = strongswan_remote_id(s, peer, f);
  return id ? identity_text(*id) : "%any";
}

// `ca trust-point` / `pki trustpoint ... verify`: the CAs that may authenticate the peer
// (model/strongswan.hpp: the personality validates with the same list).
std::vector<std::size_t> remote_ca_indices(const Scenario& s, const Peer& p, const Profile& f) {
  for (const ProfileTrustpoint& t : f.trustpoints)
    ca_of_trustpoint(s, p, t.trustpoint);  // InputError for unknown names
  std::vector<std::size_t> out;
  for (TpIndex t : strongswan_remote_cacerts(s, p, f))
    out.push_back(ca_index(s, p.trustpoints[static_cast<std::size_t>(t)].ca));
  return out;
}

Message local_auth(const Scenario& s, std::size_t peer, const Profile& f, const Material& m, CertRef ref) {
  const Peer& p = s.peers[peer];
  Message local;
  local.set("id", self_id(p, f));
  if (f.auth_local == AuthMethod::PreShare) {
    local.set("auth", "psk");
    return local;
  }
  local.set("auth", "pubkey");
  std::vector<std::string> certs;
  for (std::size_t k : store_order(p)) certs.push_back(ref(m.certs.at(peer).at(k)));
  if (!certs.empty()) local.set_list("certs", std::move(certs));
  return local;
}

Message remote_auth(const Scenario& s, std::size_t peer, const Profile& f, const Material& m, CertRef ref) {
  const Peer& p = s.peers[peer];
  Message remote;
  remote.set("id", remote_id(s, peer, f));
  if (f.auth_remote == AuthMethod::PreShare) {
    remote.set("auth", "psk");
    return remote;
  }
  remote.set("auth", "pubkey");
  std::vector<std::string> cacerts;
  for (std::size_t ca : remote_ca_indices(s, p, f)) cacerts.push_back(ref(m.cas.at(ca)));
  if (!cacerts.empty()) remote.set_list("cacerts", std::move(cacerts));
  return remote;
}

Message child_conf(std::size_t peer) {
  Message c;
  c.set_list("local_ts", {tunnel_subnet(peer)});
  c.set_list("remote_ts", {tunnel_subnet(1 - peer)});
  c.set("mode", "tunnel");
  c.set_list("esp_proposals", {kEspProposal});
  c.set("start_action", "none");
  return c;
}

Connection render_connection(const Scenario& s, std::size_t peer, const Profile& f, const Material& m,
                             const RenderOptions& o, CertRef ref) {
  const Peer& p = s.peers[peer];
  const Peer& other = s.peers[1 - peer];
  Connection c;
  c.name = o.prefix + f.name;
  c.profile = f.name;
  // Only the tunnel's profile carries an IPsec policy (`tunnel protection`): a responder bound
  // to another connection finds no CHILD_SA config and refuses the traffic selectors (V2-10,
  // "no matching CHILD_SA config found"), as IOS finds no crypto map.
  const bool tunnel = f.name == p.tunnel_profile;
  if (tunnel) c.child = c.name + "-tun";
  Message& conf = c.conf;
  conf.set("version", s.ike_version == IkeVersion::V1 ? "1" : "2");
  conf.set_list("local_addrs", {p.address});
  conf.set_list("remote_addrs", {other.address});
  conf.set_list("proposals", ike_proposals(p));
  conf.set("send_certreq", "yes");
  conf.add_section("local", local_auth(s, peer, f, m, ref));
  conf.add_section("remote", remote_auth(s, peer, f, m, ref));
  if (tunnel) conf.section("children").add_section(c.child, child_conf(peer));
  return c;
}

void check_renderable(const Scenario& s, std::size_t peer, const Material& m) {
  if (s.peers.size() != 2 || peer > 1) throw InputError(s.name, 0, "strongSwan target: a scenario has two peers");
  if (auto why = inexpressible(s)) throw InputError(s.name, 0, "strongSwan target: " + *why);
  if (m.cas.size() != s.cas.size() || m.certs.size() != 2 || m.certs[peer].size() != s.peers[peer].certificates.size())
    throw InputError(s.name, 0, "strongSwan target: PKI material does not match the scenario");
  if (!find_profile(s.peers[peer], s.peers[peer].tunnel_profile))
    throw InputError(s.name, 0,
                     s.peers[peer].name + ": tunnel profile '" + s.peers[peer].tunnel_profile + "' is not defined");
}

std::vector<Connection> render_connections(const Scenario& s, std::size_t peer, const Material& m,
                                           const RenderOptions& o, CertRef ref) {
  std::vector<Connection> out;
  for (const Profile& f : s.peers[peer].profiles) out.push_back(render_connection(s, peer, f, m, o, ref));
  return out;
}

bool uses_psk(const Peer& p) { return strongswan_loads_psk(p); }  // the personality's rule too

// Both peers' identities own the one secret, whichever profile uses it.
std::vector<std::string> psk_owners(const Scenario& s) {
  std::vector<std::string> owners;
  for (const Peer& p : s.peers)
    for (const std::string& id : {p.fqdn, p.address})
      if (!id.empty() && std::find(owners.begin(), owners.end(), id) == owners.end()) owners.push_back(id);
  return owners;
}

}  // namespace

std::optional<std::string> inexpressible(const Scenario& s) {
  if (s.peers.size() != 2) return "a scenario has two peers";
  if (s.aggressive_mode) return "aggressive mode is not covered";
  if (auto why = strongswan_identity_gap(s)) return *why;  // model/strongswan.hpp
  for (const Peer& p : s.peers) {
    // The PKI makes no CRL and charon runs with revocation checks off (the harness has no CDP).
    for (const IdentityCert& c : p.certificates)
      if (c.revoked) return p.name + " holds a revoked certificate (" + c.trustpoint + "): the PKI makes no CRL";
    // charon verifies what it verifies; it cannot be told to refuse one certificate feature.
    if (!p.unsupported_features.empty())
      return p.name + " cannot verify '" + p.unsupported_features.front() + "': charon has no switch to refuse that";
    for (const Proposal& prop : p.proposals)
      if (!ike_proposal(prop))
        return fmt::format("{}'s proposal {} {} group {} has no strongSwan name", p.name, prop.encryption,
                           prop.integrity, prop.group);
    for (const Profile& f : p.profiles) {
      // IKEv1 negotiates one method for both directions in MM1: charon derives it from the
      // local and remote auth classes together (upstream ikev1/phase1.c calc_auth_method) and
      // refuses to initiate a mixed pair ("configuration uses unsupported authentication").
      if (s.ike_version == IkeVersion::V1 && f.auth_local != f.auth_remote)
        return p.name + "'s profile " + f.name + ": IKEv1 has one authentication method for both directions";
      for (const IdentityMatch& m : f.match)
        if (m.kind == IdKind::Address && !prefix_length(m.mask))
          return p.name + "'s profile " + f.name + " matches " + m.value + " with a non-contiguous mask " + m.mask;
    }
  }
  return std::nullopt;
}

Expressible expressible() {
  Expressible e;
  e.revoked_certificates = false;
  e.certificate_features = false;
  e.ikev1_mixed_auth = false;
  e.dn_email_identities = false;  // strongswan_identity_gap()
  return e;
}

PeerConfig render_peer(const Scenario& s, std::size_t peer, const Material& m, const RenderOptions& o) {
  check_renderable(s, peer, m);
  const Peer& p = s.peers[peer];
  PeerConfig out;
  out.connections = render_connections(s, peer, m, o, by_data);
  for (std::size_t i = 0; i < p.profiles.size(); ++i)
    if (p.profiles[i].name == p.tunnel_profile) out.tunnel = i;
  // Trusted CAs in trustpoint order (ca_load_order), then own certificates oldest first:
  // IKEv1 sends the most recently loaded match (real-stacks.md), i.e. the newest enrollment.
  for (std::size_t ca : ca_load_order(s, peer))
    out.certs.push_back(Message().set("type", "X509").set("flag", "CA").set("data", m.cas.at(ca).pem));
  for (std::size_t k = 0; k < p.certificates.size(); ++k) {
    out.certs.push_back(Message().set("type", "X509").set("flag", "NONE").set("data", m.certs[peer].at(k).pem));
    out.keys.push_back(Message().set("type", "any").set("data", m.keys.at(peer).at(k).pem));
  }
  if (uses_psk(p))
    out.shared.push_back(Message().set("type", "IKE").set("data", o.psk).set_list("owners", psk_owners(s)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// swanctl.conf text

namespace {

// swanctl.conf quotes values that would otherwise end early or start a section.
std::string conf_value(const std::string& v) {
  if (v.find_first_of("{}#\"=\n") == std::string::npos && !v.empty()) return v;
  std::string q = "\"";
  for (char c : v) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return q + "\"";
}

void emit(std::string& out, const Message& m, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const Message::Entry& e : m.entries()) {
    switch (e.kind) {
      case Message::Kind::Value: out += pad + e.name + " = " + conf_value(e.value) + "\n"; break;
      case Message::Kind::List: {
        std::string joined;
        for (const std::string& i : e.items) joined.append(joined.empty() ? "" : ", ").append(conf_value(i));
        out += pad + e.name + " = " + joined + "\n";
        break;
      }
      case Message::Kind::Section:
        out += pad + e.name + " {\n";
        emit(out, e.section, indent + 4);
        out += pad + "}\n";
        break;
    }
  }
}

std::string header(const Scenario& s, std::size_t peer, const Material& m) {
  const Peer& p = s.peers[peer];
  std::string h = fmt::format("# {} ({}), scenario '{}': swanctl.conf rendered by ikeconform.\n", p.name, p.address,
                              s.name);
  h += "# x509ca/ (loaded in this order; strongSwan requests CAs in reverse load order):";
  for (std::size_t ca : ca_load_order(s, peer)) h.append(" ").append(by_file(m.cas.at(ca)));
  h += "\n# x509/ and private/: the identity certificates, oldest enrollment first:";
  for (const CertMaterial& c : m.certs.at(peer)) h.append(" ").append(by_file(c));
  h += "\n# local.certs lists them newest first, like `show crypto pki certificates`.\n";
  return h;
}

}  // namespace

std::string render_swanctl_conf(const Scenario& s, std::size_t peer, const Material& m, const RenderOptions& o) {
  check_renderable(s, peer, m);
  Message root;
  Message& conns = root.section("connections");
  for (const Connection& c : render_connections(s, peer, m, o, by_file)) conns.add_section(c.name, c.conf);
  if (uses_psk(s.peers[peer])) {
    Message ike;
    ike.set("secret", o.psk);
    const auto owners = psk_owners(s);
    for (std::size_t i = 0; i < owners.size(); ++i) ike.set(fmt::format("id-{}", i + 1), owners[i]);
    root.section("secrets").add_section("ike-1", std::move(ike));
  }
  std::string out = header(s, peer, m);
  emit(out, root, 0);
  return out;
}

}  // namespace ikeconform::strongswan
