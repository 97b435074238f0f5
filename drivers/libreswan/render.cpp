// Scenario -> Libreswan configuration. Keywords follow ipsec.conf(5) of Libreswan 4.10.
#include "drivers/libreswan/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "drivers/pki/pki.hpp"
#include "model/input_error.hpp"

namespace ikeconform::libreswan {

const RenderedConn* PeerConfig::find(std::string_view name) const {
  for (const RenderedConn& c : conns)
    if (c.name == name) return &c;
  return nullptr;
}

std::string render_config_setup() {
  return "config setup\n"
         "\tikev1-policy=accept\n"  // 4.10 drops IKEv1 unless told (real-stacks.md)
         "\tdnssec-enable=no\n"     // nothing to resolve; saves unbound's start-up
         "\tuniqueids=no\n";        // the harness deletes every connection between scenarios itself
}

// ---------------------------------------------------------------------------------------------
// Mappings

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::optional<std::string> encryption(const std::string& ios) {
  static const std::map<std::string, std::string> m{{"aes", "aes128"},         {"aes 128", "aes128"},
                                                    {"aes-cbc-128", "aes128"}, {"aes128", "aes128"},
                                                    {"aes 192", "aes192"},     {"aes-cbc-192", "aes192"},
                                                    {"aes192", "aes192"},      {"aes 256", "aes256"},
                                                    {"aes-cbc-256", "aes256"}, {"aes256", "aes256"},
                                                    {"3des", "3des"}};  // no DES in 4.10
  auto it = m.find(lower(ios));
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> integrity(const std::string& ios, IkeVersion v) {
  static const std::map<std::string, std::string> m{{"sha", "sha1"},        {"sha1", "sha1"},
                                                    {"sha256", "sha2_256"}, {"sha384", "sha2_384"},
                                                    {"sha512", "sha2_512"}, {"md5", "md5"}};
  auto it = m.find(lower(ios));
  if (it == m.end() || (it->second == "md5" && v == IkeVersion::V2)) return std::nullopt;  // MD5: IKEv1 only
  return it->second;
}

std::optional<std::string> dh_group(int group) {
  static const std::map<int, std::string> m{{5, "modp1536"}, {14, "modp2048"}, {15, "modp3072"}, {16, "modp4096"},
                                            {19, "dh19"},    {20, "dh20"},     {21, "dh21"}};
  auto it = m.find(group);
  if (it == m.end()) return std::nullopt;  // MODP768/1024 and group 24 are not built into 4.10
  return it->second;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

std::optional<std::string> ike_proposal(const Proposal& p, IkeVersion v) {
  auto e = encryption(p.encryption);
  auto i = integrity(p.integrity, v);
  auto g = dh_group(p.group);
  if (!e || !i || !g) return std::nullopt;
  return *e + "-" + *i + "-" + *g;
}

std::string libreswan_id(IdKind kind, const std::string& value) {
  if (value.empty()) return "%any";
  return kind == IdKind::Fqdn ? "@" + value : value;
}

std::string conn_name(const std::string& prefix, const Peer& p, const LibreswanConn& c, bool name_rightca) {
  std::string name = prefix + sanitize(p.profiles.at(static_cast<std::size_t>(c.profile)).name);
  if (c.trustpoint != kNone) name += "-" + sanitize(p.trustpoints.at(static_cast<std::size_t>(c.trustpoint)).name);
  if (name_rightca && c.rightca != kNone)
    name += "-" + sanitize(p.trustpoints.at(static_cast<std::size_t>(c.rightca)).name);
  return name;
}

// ---------------------------------------------------------------------------------------------
// ipsec.conf

namespace {

struct Ctx {
  const Scenario& s;
  std::size_t peer;
  const pki::Pki& pki;
  const RenderOptions& o;
  const Peer& self() const { return s.peers[peer]; }
  const Peer& other() const { return s.peers[1 - peer]; }
};

std::string proposals(const Ctx& c) {
  std::vector<std::string> out;
  for (const Proposal& p : c.self().proposals)
    if (auto r = ike_proposal(p, c.s.ike_version); r && std::find(out.begin(), out.end(), *r) == out.end())
      out.push_back(*r);
  if (out.empty()) return kDefaultIkeProposal;
  return fmt::format("{}", fmt::join(out, ","));
}

// `rightid=`: the profile's `match identity` line that names the other peer, else its first;
// none, or a subnet line, is %any. One Libreswan identity per connection, as in strongSwan.
std::string right_id(const Ctx& c, const Profile& f) {
  const IdentityMatch* m = libreswan_rightid(c.s, c.peer, f);  // model/libreswan.hpp: the personality's too
  return m ? libreswan_id(m->kind, m->value) : "%any";
}

std::string auth_word(AuthMethod m) { return m == AuthMethod::RsaSig ? "rsasig" : "secret"; }

std::optional<std::string> one_method_v1(const Scenario& s, const Profile& f) {
  if (s.ike_version != IkeVersion::V1 || f.auth_local == f.auth_remote) return std::nullopt;
  return "profile '" + f.name + "': IKEv1 has one authentication method per SA (local " + auth_word(f.auth_local) +
         ", remote " + auth_word(f.auth_remote) + ")";
}

std::string auth_lines(const Ctx& c, const Profile& f) {
  if (f.auth_local == f.auth_remote) return "\tauthby=" + auth_word(f.auth_local) + "\n";
  if (auto why = one_method_v1(c.s, f)) throw InputError(c.s.name, 0, *why);
  return "\tleftauth=" + auth_word(f.auth_local) + "\n\trightauth=" + auth_word(f.auth_remote) + "\n";
}

const pki::IdentityMaterial& cert_of(const Ctx& c, const LibreswanConn& conn) {
  const IdentityCert& ic = c.self().certificates.at(static_cast<std::size_t>(conn.cert));
  const pki::IdentityMaterial* m = c.pki.cert(c.self().name, ic.trustpoint);
  if (!m) throw InputError(c.s.name, 0, "PKI has no certificate " + c.self().name + "/" + ic.trustpoint);
  return *m;
}

std::string rightca_dn(const Ctx& c, TpIndex tp) {
  const std::string& ca = c.self().trustpoints.at(static_cast<std::size_t>(tp)).ca;
  const pki::CaMaterial* m = c.pki.ca(ca);
  if (!m) throw InputError(c.s.name, 0, "PKI has no CA '" + ca + "'");
  return m->libreswan_dn;
}

std::string conn_alias(const std::string& prefix) {
  return prefix.size() > 1 ? prefix.substr(0, prefix.size() - 1) : "";
}

std::string render_conn(const Ctx& c, const RenderedConn& rc) {
  const Peer& me = c.self();
  const LibreswanConn& conn = rc.conn;
  const Profile& f = me.profiles.at(static_cast<std::size_t>(conn.profile));
  std::string out = fmt::format("conn {}\n", rc.name);
  out += fmt::format("\t# profile {}", f.name);
  if (conn.cert != kNone)
    out += fmt::format(", certificate {} (enrolled {} of {})", cert_of(c, conn).name, conn.cert + 1,
                       me.certificates.size());
  out += "\n";
  out += fmt::format("\tikev2={}\n", c.s.ike_version == IkeVersion::V2 ? "yes" : "no");
  out += fmt::format("\tleft={}\n", me.address);
  out += fmt::format("\tleftid={}\n",
                     libreswan_id(f.self_identity, f.self_identity == IdKind::Fqdn ? me.fqdn : me.address));
  if (conn.cert != kNone) {
    out += fmt::format("\tleftckaid={}\n", pki::hex(cert_of(c, conn).ckaid));
    out += "\tleftsendcert=always\n";
  }
  out += fmt::format("\tright={}\n", c.other().address);
  out += fmt::format("\trightid={}\n", right_id(c, f));
  if (conn.rightca != kNone) out += fmt::format("\trightca=\"{}\"\n", rightca_dn(c, conn.rightca));
  out += auth_lines(c, f);
  out += fmt::format("\tike={}\n", proposals(c));
  out += fmt::format("\tesp={}\n", kEspProposal);
  out += fmt::format("\tretransmit-timeout={}s\n", c.o.retransmit_timeout_s);
  out += "\tkeyingtries=1\n";  // one attempt: a retry would reach into the next scenario's run
  out += "\tauto=add\n";
  if (const std::string alias = conn_alias(c.o.prefix); !alias.empty()) out += fmt::format("\tconnalias={}\n", alias);
  return out;
}

std::string header(const Ctx& c) {
  std::string cas, ids;
  for (const Trustpoint& t : c.self().trustpoints)
    if (const pki::CaMaterial* m = c.pki.ca(t.ca); m && cas.find(m->cert_file.filename().string()) == std::string::npos)
      cas += " " + m->cert_file.filename().string();
  for (const pki::IdentityMaterial* m : c.pki.certs_of(c.self().name)) ids += " " + m->p12_file.filename().string();
  return fmt::format(
      "# Written by ikeconform for peer {} of scenario '{}' (IKEv{}), Libreswan 4.10.\n"
      "# NSS database first: CA certificates (certutil -A -t \"CT,,\"):{}\n"
      "#                     identity certificates (pk12util -W \"\"):{}\n",
      c.self().name, c.s.name, c.s.ike_version == IkeVersion::V2 ? 2 : 1, cas.empty() ? " none" : cas,
      ids.empty() ? " none" : ids);
}

// Every identity of both peers, and every `rightid` this peer's connections expect: pluto looks
// the PSK up by the IDs of the connection (leftid, rightid), before any ID was received (IKEv1:
// while parsing MM1 / MM2, "Can't authenticate: no preshared key found for `@R2.cisco.com' and
// `@R9.cisco.com'", then "no acceptable Oakley Transform"). The scenario's two peers share a key
// whatever identity a profile expects (as IOS keys it by address); whether the peer's ID fits
// `rightid` is decided later, with the ID ("mismatched on first found connection").
std::string render_secrets(const Ctx& c) {
  std::set<std::string> ids;
  for (const Peer* p : {&c.self(), &c.other()}) {
    ids.insert(libreswan_id(IdKind::Fqdn, p->fqdn));
    ids.insert(p->address);
  }
  for (const Profile& f : c.self().profiles) ids.insert(right_id(c, f));
  ids.erase("%any");
  std::string line;
  for (const std::string& id : ids) line += id + " ";
  return line + ": PSK \"" + c.o.psk + "\"\n";
}

}  // namespace

std::optional<std::string> inexpressible(const Scenario& s, std::size_t peer) {
  if (peer >= s.peers.size()) return "no peer " + std::to_string(peer);
  if (auto why = libreswan_identity_gap(s)) return *why;  // model/libreswan.hpp
  for (const Profile& f : s.peers[peer].profiles)
    if (auto why = one_method_v1(s, f)) return why;
  // Section 7's CRL check: the PKI makes no CRL and pluto gets none in its NSS database, so it
  // accepts a revoked certificate that the model's trustpoint with `revocation-check crl` refuses
  // (seen: "authenticated peer ... using peer certificate '@R2.cisco.com'", seed 3, scenario 821).
  const Peer& self = s.peers[peer];
  const Peer& other = s.peers[1 - peer];
  for (const IdentityCert& c : other.certificates) {
    if (!c.revoked) continue;
    const Trustpoint* issuer = find_trustpoint(other, c.trustpoint);
    if (!issuer) continue;
    for (const Trustpoint& t : self.trustpoints)
      if (t.ca == issuer->ca && t.revocation_check == Revocation::Crl)
        return self.name + " checks the CRL of " + t.ca + " (" + t.name + ") and " + other.name +
               " holds a revoked certificate: the PKI makes no CRL for pluto";
  }
  return std::nullopt;
}

Expressible expressible() {
  Expressible e;
  e.revoked_certificates = false;  // no CRL for pluto (inexpressible())
  e.ikev1_mixed_auth = false;
  e.dn_email_identities = false;  // libreswan_identity_gap()
  return e;
}

PeerConfig render_peer(const Scenario& s, std::size_t peer, const pki::Pki& pki, const RenderOptions& o) {
  if (s.aggressive_mode) throw InputError(s.name, 0, "aggressive mode is not covered (spec section 7)");
  if (peer >= s.peers.size()) throw InputError(s.name, 0, "no peer " + std::to_string(peer));
  const Ctx c{s, peer, pki, o};
  PeerConfig pc;
  const std::vector<LibreswanConn> conns = libreswan_conns(c.self(), s.ike_version);
  std::map<std::pair<std::int16_t, std::int16_t>, int> per_cert;  // (profile, cert) -> rightca count
  for (const LibreswanConn& lc : conns) ++per_cert[{lc.profile, lc.cert}];
  for (const LibreswanConn& lc : conns) {
    std::string name = conn_name(o.prefix, c.self(), lc, per_cert[{lc.profile, lc.cert}] > 1);
    for (int k = 2; pc.find(name); ++k) name = conn_name(o.prefix, c.self(), lc, true) + "-" + std::to_string(k);
    pc.conns.push_back({name, lc});
  }
  try {
    pc.initiator_conn = libreswan_initiator_conn(c.self(), conns);
  } catch (const std::invalid_argument& e) {
    throw InputError(s.name, 0, e.what());
  }
  pc.alias = conn_alias(o.prefix);
  pc.ipsec_conf = header(c) + render_config_setup();
  for (const RenderedConn& rc : pc.conns) pc.ipsec_conf += "\n" + render_conn(c, rc);
  pc.secrets = render_secrets(c);
  return pc;
}

}  // namespace ikeconform::libreswan
