#include "model/scenario_json.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/input_error.hpp"
#include "model/json_errors.hpp"
#include "model/protocol_bugs.hpp"

namespace ikeconform {

using nlohmann::json;

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

std::uint32_t hex4(std::string_view text, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = at; k < at + 4 && k < text.size(); ++k) {
    const char h = text[k];
    v = v * 16 + static_cast<std::uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
  }
  return v;
}

// Decodes a JSON string body from `i` (just after the opening quote) as nlohmann does, so keys
// with escapes ("\u0073chema") give the same pointer as the parsed object; returns the index of
// the closing quote. The text was already accepted by nlohmann, so escapes are well formed.
std::size_t scan_json_string(std::string_view text, std::size_t i, std::string& out) {
  for (; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = hex4(text, i + 1);
        i += 4;
        // A high surrogate is followed by "\uDC00".."\uDFFF" (RFC 8259 section 7).
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < text.size() && text[i + 1] == '\\' && text[i + 2] == 'u') {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(text, i + 3) - 0xdc00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e;  // \" \\ \/
    }
  }
  return i;
}

}  // namespace

int json_pointer_line(std::string_view text, std::string_view pointer) {
  // A small scanner over text that nlohmann already accepted: tracks the pointer of each value.
  struct Frame {
    bool array;
    std::string key;
    int index;
  };
  std::vector<Frame> stack;
  int line = 1;
  bool want_key = false;
  auto path = [&] {
    std::string p;
    for (const Frame& f : stack) p += "/" + (f.array ? std::to_string(f.index) : f.key);
    return p;
  };
  auto value_starts = [&] { return path() == pointer; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == ':') continue;
    if (c == ',') {
      if (!stack.empty()) {
        if (stack.back().array) ++stack.back().index;
        else want_key = true;
      }
      continue;
    }
    if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (c == '"') {
      std::string s;
      i = scan_json_string(text, i + 1, s);
      if (want_key) {
        stack.back().key = s;
        want_key = false;
      } else if (value_starts()) {
        return line;
      }
      continue;
    }
    if (value_starts()) return line;
    if (c == '{') {
      stack.push_back({false, "", 0});
      want_key = true;
    } else if (c == '[') {
      stack.push_back({true, "", 0});
    } else {
      while (i + 1 < text.size() && std::string_view(",}] \t\r\n").find(text[i + 1]) == std::string_view::npos) ++i;
    }
  }
  return 0;
}

namespace {

// Reads one scenario; every error names the JSON pointer, turned into a line when text is known.
class Reader {
 public:
  Reader(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  [[noreturn]] void fail(const std::string& ptr, const std::string& msg) const {
    // A key the file lacks (a defaulted tunnel_profile) has no line: name its object's line.
    int line = 0;
    for (std::string p = ptr; !text_.empty() && line == 0; p = p.substr(0, p.rfind('/'))) {
      line = json_pointer_line(text_, p);
      if (p.empty()) break;
    }
    std::string where = ptr.empty() ? "" : ptr.substr(1);
    std::replace(where.begin(), where.end(), '/', '.');
    throw InputError(file_, line, where.empty() ? msg : where + ": " + msg);
  }

  void keys(const json& o, const std::string& ptr, std::initializer_list<const char*> allowed) const {
    if (!o.is_object()) fail(ptr, "expected an object");
    for (auto it = o.begin(); it != o.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok |= it.key() == a;
      if (!ok) fail(ptr + "/" + it.key(), fmt::format("unknown key '{}'", it.key()));
    }
  }

  const json* get(const json& o, const std::string& ptr, const char* key, bool required) const {
    auto it = o.find(key);
    if (it == o.end()) {
      if (required) fail(ptr, fmt::format("missing required key '{}'", key));
      return nullptr;
    }
    return &*it;
  }

  std::string str(const json& o, const std::string& ptr, const char* key, bool required, std::string def = "") const {
    const json* v = get(o, ptr, key, required);
    if (!v) return def;
    if (!v->is_string()) fail(ptr + "/" + key, "expected a string");
    return v->get<std::string>();
  }

  bool boolean(const json& o, const std::string& ptr, const char* key) const {
    const json* v = get(o, ptr, key, false);
    if (!v) return false;
    if (!v->is_boolean()) fail(ptr + "/" + key, "expected true or false");
    return v->get<bool>();
  }

  const json& array(const json& o, const std::string& ptr, const char* key, bool required) const {
    static const json kEmpty = json::array();
    const json* v = get(o, ptr, key, required);
    if (!v) return kEmpty;
    if (!v->is_array()) fail(ptr + "/" + key, "expected a list");
    return *v;
  }

  template <typename E>
  E enumeration(const json& o, const std::string& ptr, const char* key,
                std::initializer_list<std::pair<const char*, E>> values, E def) const {
    std::string s = str(o, ptr, key, false, "");
    if (s.empty() && !o.contains(key)) return def;
    std::string accepted;
    for (const auto& [text, value] : values) {
      if (s == text) return value;
      accepted += (accepted.empty() ? "" : ", ") + std::string(text);
    }
    fail(ptr + "/" + key, fmt::format("unknown value '{}' (accepted: {})", s, accepted));
  }

  std::vector<std::string> strings(const json& o, const std::string& ptr, const char* key) const {
    std::vector<std::string> out;
    const json& a = array(o, ptr, key, false);
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) fail(fmt::format("{}/{}/{}", ptr, key, i), "expected a string");
      out.push_back(a[i].get<std::string>());
    }
    return out;
  }

 private:
  std::string_view text_;
  const std::string& file_;
};

constexpr std::initializer_list<std::pair<const char*, AuthMethod>> kAuth{{"rsa-sig", AuthMethod::RsaSig},
                                                                          {"pre-share", AuthMethod::PreShare}};
constexpr std::initializer_list<std::pair<const char*, IdKind>> kIdKind{{"fqdn", IdKind::Fqdn},
                                                                        {"address", IdKind::Address},
                                                                        {"dn", IdKind::Dn},
                                                                        {"email", IdKind::Email}};
constexpr std::initializer_list<std::pair<const char*, TrustpointUse>> kUse{{"both", TrustpointUse::Both},
                                                                            {"sign", TrustpointUse::Sign},
                                                                            {"verify", TrustpointUse::Verify}};
constexpr std::initializer_list<std::pair<const char*, CertField>> kCertField{{"subject-name", CertField::SubjectName},
                                                                              {"issuer-name", CertField::IssuerName}};
constexpr std::initializer_list<std::pair<const char*, CertMatchOp>> kCertOp{{"eq", CertMatchOp::Eq},
                                                                             {"ne", CertMatchOp::Ne},
                                                                             {"co", CertMatchOp::Co},
                                                                             {"nc", CertMatchOp::Nc}};
constexpr std::initializer_list<std::pair<const char*, Revocation>> kRevocation{{"none", Revocation::None},
                                                                                {"crl", Revocation::Crl}};

Profile read_profile(const Reader& r, const json& j, const std::string& ptr) {
  r.keys(j, ptr,
         {"name", "match", "self_identity", "self_identity_value", "trustpoints", "auth_local", "auth_remote",
          "match_certificate"});
  Profile p;
  p.name = r.str(j, ptr, "name", true);
  const json& match = r.array(j, ptr, "match", false);
  for (std::size_t i = 0; i < match.size(); ++i) {
    std::string mp = fmt::format("{}/match/{}", ptr, i);
    r.keys(match[i], mp, {"fqdn", "email", "address", "mask", "domain"});
    IdentityMatch m;
    const int kinds = match[i].contains("fqdn") + match[i].contains("email") + match[i].contains("address");
    if (kinds != 1) r.fail(mp, "give exactly one of fqdn, email or address (with mask)");
    if (match[i].contains("fqdn") || match[i].contains("email")) {
      m.kind = match[i].contains("fqdn") ? IdKind::Fqdn : IdKind::Email;
      m.value = r.str(match[i], mp, m.kind == IdKind::Fqdn ? "fqdn" : "email", true);
      if (match[i].contains("mask")) r.fail(mp, "a mask goes with an address only");
      if (const json* d = r.get(match[i], mp, "domain", false)) {
        if (!d->is_boolean()) r.fail(mp + "/domain", "expected true or false");
        m.domain = d->get<bool>();
      }
    } else {
      m.kind = IdKind::Address;
      m.value = r.str(match[i], mp, "address", true);
      m.mask = r.str(match[i], mp, "mask", false);
      if (match[i].contains("domain")) r.fail(mp + "/domain", "an address has no domain");
    }
    if (m.value.empty()) r.fail(mp, "empty match identity");
    p.match.push_back(std::move(m));
  }
  p.self_identity = r.enumeration(j, ptr, "self_identity", kIdKind, IdKind::Fqdn);
  p.self_identity_value = r.str(j, ptr, "self_identity_value", false);
  if (p.self_identity == IdKind::Email && p.self_identity_value.find('@') == std::string::npos)
    r.fail(ptr + "/self_identity_value", "an email identity needs its address (user@domain)");
  if (p.self_identity != IdKind::Email && j.contains("self_identity_value"))
    r.fail(ptr + "/self_identity_value", "only an email identity takes a value");
  const json& tps = r.array(j, ptr, "trustpoints", false);
  for (std::size_t i = 0; i < tps.size(); ++i) {
    std::string tp = fmt::format("{}/trustpoints/{}", ptr, i);
    ProfileTrustpoint pt;
    if (tps[i].is_string()) {
      pt.trustpoint = tps[i].get<std::string>();
    } else {
      r.keys(tps[i], tp, {"trustpoint", "use"});
      pt.trustpoint = r.str(tps[i], tp, "trustpoint", true);
      pt.use = r.enumeration(tps[i], tp, "use", kUse, TrustpointUse::Both);
    }
    p.trustpoints.push_back(std::move(pt));
  }
  p.auth_local = r.enumeration(j, ptr, "auth_local", kAuth, AuthMethod::RsaSig);
  p.auth_remote = r.enumeration(j, ptr, "auth_remote", kAuth, AuthMethod::RsaSig);
  const json& maps = r.array(j, ptr, "match_certificate", false);
  for (std::size_t i = 0; i < maps.size(); ++i) {
    std::string mp = fmt::format("{}/match_certificate/{}", ptr, i);
    r.keys(maps[i], mp, {"map", "entries"});
    CertificateMap m;
    m.name = r.str(maps[i], mp, "map", true);
    if (m.name.empty()) r.fail(mp + "/map", "empty certificate map name");
    const json& entries = r.array(maps[i], mp, "entries", true);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      std::string ep = fmt::format("{}/entries/{}", mp, k);
      r.keys(entries[k], ep, {"seq", "rules"});
      CertMapEntry e;
      const json* seq = r.get(entries[k], ep, "seq", true);
      if (!seq->is_number_integer() || seq->get<long long>() < 1 || seq->get<long long>() > 65535)
        r.fail(ep + "/seq", "expected a sequence number (1-65535)");
      e.seq = seq->get<int>();
      const json& rules = r.array(entries[k], ep, "rules", false);
      for (std::size_t q = 0; q < rules.size(); ++q) {
        std::string rp = fmt::format("{}/rules/{}", ep, q);
        r.keys(rules[q], rp, {"field", "op", "value"});
        CertMapRule rule{r.enumeration(rules[q], rp, "field", kCertField, CertField::SubjectName),
                         r.enumeration(rules[q], rp, "op", kCertOp, CertMatchOp::Eq),
                         r.str(rules[q], rp, "value", true)};
        e.rules.push_back(std::move(rule));
      }
      m.entries.push_back(std::move(e));
    }
    p.match_certificate.push_back(std::move(m));
  }
  return p;
}

Peer read_peer(const Reader& r, const json& j, const std::string& ptr, const Scenario& s) {
  r.keys(j, ptr,
         {"name", "fqdn", "address", "personality", "trustpoints", "certificates", "profiles", "tunnel_profile",
          "proposals", "unsupported_features", "bugs"});
  Peer p;
  p.name = r.str(j, ptr, "name", true);
  if (p.name.empty()) r.fail(ptr + "/name", "empty peer name");
  p.fqdn = r.str(j, ptr, "fqdn", false, p.name);
  p.address = r.str(j, ptr, "address", true);
  p.personality = r.str(j, ptr, "personality", false, std::string(kCiscoIos));
  const json& tps = r.array(j, ptr, "trustpoints", false);
  for (std::size_t i = 0; i < tps.size(); ++i) {
    std::string tp = fmt::format("{}/trustpoints/{}", ptr, i);
    r.keys(tps[i], tp, {"name", "ca", "revocation_check"});
    Trustpoint t{r.str(tps[i], tp, "name", true), r.str(tps[i], tp, "ca", true),
                 r.enumeration(tps[i], tp, "revocation_check", kRevocation, Revocation::None)};
    if (t.name.empty()) r.fail(tp + "/name", "empty trustpoint name");
    if (!find_ca(s, t.ca)) r.fail(tp + "/ca", fmt::format("unknown CA '{}'", t.ca));
    if (find_trustpoint(p, t.name)) r.fail(tp + "/name", fmt::format("trustpoint '{}' is defined twice", t.name));
    p.trustpoints.push_back(std::move(t));
  }
  const json& certs = r.array(j, ptr, "certificates", false);
  for (std::size_t i = 0; i < certs.size(); ++i) {
    std::string cp = fmt::format("{}/certificates/{}", ptr, i);
    r.keys(certs[i], cp, {"trustpoint", "subject", "revoked", "features"});
    IdentityCert c{r.str(certs[i], cp, "trustpoint", true), r.str(certs[i], cp, "subject", false),
                   r.boolean(certs[i], cp, "revoked"), r.strings(certs[i], cp, "features")};
    if (!find_trustpoint(p, c.trustpoint))
      r.fail(cp + "/trustpoint", fmt::format("unknown trustpoint '{}'", c.trustpoint));
    for (const IdentityCert& prior : p.certificates)
      if (prior.trustpoint == c.trustpoint)
        r.fail(cp + "/trustpoint", fmt::format("trustpoint '{}' already holds an identity certificate", c.trustpoint));
    p.certificates.push_back(std::move(c));
  }
  const json& profiles = r.array(j, ptr, "profiles", true);
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    std::string pp = fmt::format("{}/profiles/{}", ptr, i);
    Profile f = read_profile(r, profiles[i], pp);
    if (find_profile(p, f.name)) r.fail(pp + "/name", fmt::format("profile '{}' is defined twice", f.name));
    for (std::size_t k = 0; k < f.trustpoints.size(); ++k)
      if (!find_trustpoint(p, f.trustpoints[k].trustpoint))
        r.fail(fmt::format("{}/trustpoints/{}", pp, k),
               fmt::format("unknown trustpoint '{}'", f.trustpoints[k].trustpoint));
    p.profiles.push_back(std::move(f));
  }
  p.tunnel_profile = r.str(j, ptr, "tunnel_profile", !p.profiles.empty() && p.profiles.size() != 1,
                           p.profiles.size() == 1 ? p.profiles[0].name : "");
  if (!find_profile(p, p.tunnel_profile))
    r.fail(ptr + "/tunnel_profile", fmt::format("tunnel profile '{}' is not defined", p.tunnel_profile));
  const json& props = r.array(j, ptr, "proposals", false);
  for (std::size_t i = 0; i < props.size(); ++i) {
    std::string pp = fmt::format("{}/proposals/{}", ptr, i);
    r.keys(props[i], pp, {"encryption", "integrity", "group"});
    Proposal pr;
    pr.encryption = r.str(props[i], pp, "encryption", true);
    pr.integrity = r.str(props[i], pp, "integrity", true);
    const json* g = r.get(props[i], pp, "group", true);
    if (!g->is_number_integer() || g->get<long long>() < 1 || g->get<long long>() > 65535)
      r.fail(pp + "/group", "expected a DH group number");
    pr.group = g->get<int>();
    p.proposals.push_back(std::move(pr));
  }
  p.unsupported_features = r.strings(j, ptr, "unsupported_features");
  p.bugs = r.strings(j, ptr, "bugs");
  for (std::size_t i = 0; i < p.bugs.size(); ++i) {
    if (!find_protocol_bug(p.bugs[i]))
      r.fail(fmt::format("{}/bugs/{}", ptr, i),
             fmt::format("unknown protocol bug '{}' (known: {})", p.bugs[i], protocol_bug_names()));
    for (std::size_t k = 0; k < i; ++k)
      if (p.bugs[k] == p.bugs[i])
        r.fail(fmt::format("{}/bugs/{}", ptr, i), fmt::format("bug '{}' is named twice", p.bugs[i]));
  }
  return p;
}

Scenario read_scenario(const Reader& r, const json& j) {
  r.keys(j, "", {"schema", "name", "ike_version", "aggressive_mode", "cas", "peers"});
  std::string schema = r.str(j, "", "schema", true);
  if (schema != kScenarioSchema)
    r.fail("/schema", fmt::format("unsupported schema '{}' (expected '{}')", schema, kScenarioSchema));
  Scenario s;
  s.name = r.str(j, "", "name", false);
  const json* v = r.get(j, "", "ike_version", true);
  if (!v->is_number_integer() || (v->get<long long>() != 1 && v->get<long long>() != 2))
    r.fail("/ike_version", "expected 1 or 2");
  s.ike_version = v->get<int>() == 1 ? IkeVersion::V1 : IkeVersion::V2;
  s.aggressive_mode = r.boolean(j, "", "aggressive_mode");
  const json& cas = r.array(j, "", "cas", true);
  for (std::size_t i = 0; i < cas.size(); ++i) {
    std::string cp = fmt::format("/cas/{}", i);
    r.keys(cas[i], cp, {"id", "dn", "enrollment_url"});
    Ca c{r.str(cas[i], cp, "id", true), r.str(cas[i], cp, "dn", true), r.str(cas[i], cp, "enrollment_url", false)};
    if (c.id.empty()) r.fail(cp + "/id", "empty CA id");
    if (c.dn.empty()) r.fail(cp + "/dn", "empty CA dn");
    if (find_ca(s, c.id)) r.fail(cp + "/id", fmt::format("CA '{}' is defined twice", c.id));
    s.cas.push_back(std::move(c));
  }
  const json& peers = r.array(j, "", "peers", true);
  if (peers.size() != 2) r.fail("/peers", fmt::format("expected exactly two peers, found {}", peers.size()));
  for (std::size_t i = 0; i < peers.size(); ++i)
    s.peers.push_back(read_peer(r, peers[i], fmt::format("/peers/{}", i), s));
  if (s.peers[0].name == s.peers[1].name)
    r.fail("/peers/1/name", fmt::format("both peers are named '{}'", s.peers[1].name));
  auto problems = validate(s);
  if (!problems.empty()) r.fail("", problems.front());
  return s;
}

nlohmann::ordered_json certificate_maps_json(const std::vector<CertificateMap>& maps) {
  using ojson = nlohmann::ordered_json;
  ojson out = ojson::array();
  for (const CertificateMap& m : maps) {
    ojson entries = ojson::array();
    for (const CertMapEntry& e : m.entries) {
      ojson rules = ojson::array();
      for (const CertMapRule& rule : e.rules)
        rules.push_back(
            {{"field", cert_field_name(rule.field)}, {"op", cert_match_op_name(rule.op)}, {"value", rule.value}});
      entries.push_back({{"seq", e.seq}, {"rules", rules}});
    }
    out.push_back({{"map", m.name}, {"entries", entries}});
  }
  return out;
}

const char* text(AuthMethod a) { return a == AuthMethod::RsaSig ? "rsa-sig" : "pre-share"; }
std::string text(IdKind k) { return std::string(id_kind_name(k)); }
const char* text(TrustpointUse u) {
  return u == TrustpointUse::Both ? "both" : u == TrustpointUse::Sign ? "sign" : "verify";
}

}  // namespace

Scenario scenario_from_json(const json& j, const std::string& file) { return read_scenario(Reader({}, file), j); }

Scenario scenario_from_json_text(std::string_view text, const std::string& file) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    int line = 1;
    for (std::size_t i = 0; i < e.byte && i < text.size(); ++i) line += text[i] == '\n';
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw InputError(file, line, "invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const json::out_of_range& e) {
    throw_json_out_of_range(e, text, file);
  }
  return read_scenario(Reader(text, file), j);
}

Scenario load_scenario_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "cannot read file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return scenario_from_json_text(buf.str(), path.string());
}

nlohmann::ordered_json scenario_to_json(const Scenario& s) {
  using ojson = nlohmann::ordered_json;
  ojson j = {{"schema", kScenarioSchema}, {"name", s.name}, {"ike_version", static_cast<int>(s.ike_version)}};
  if (s.aggressive_mode) j["aggressive_mode"] = true;
  j["cas"] = ojson::array();
  for (const Ca& c : s.cas) {
    ojson cj = {{"id", c.id}, {"dn", c.dn}};
    if (!c.enrollment_url.empty()) cj["enrollment_url"] = c.enrollment_url;
    j["cas"].push_back(cj);
  }
  j["peers"] = ojson::array();
  for (const Peer& p : s.peers) {
    ojson pj = {{"name", p.name}, {"fqdn", p.fqdn}, {"address", p.address}, {"personality", p.personality}};
    pj["trustpoints"] = ojson::array();
    for (const Trustpoint& t : p.trustpoints) {
      ojson tj = {{"name", t.name}, {"ca", t.ca}};
      if (t.revocation_check == Revocation::Crl) tj["revocation_check"] = "crl";
      pj["trustpoints"].push_back(tj);
    }
    pj["certificates"] = ojson::array();
    for (const IdentityCert& c : p.certificates) {
      ojson cj = {{"trustpoint", c.trustpoint}};
      if (!c.subject.empty()) cj["subject"] = c.subject;
      if (c.revoked) cj["revoked"] = true;
      if (!c.features.empty()) cj["features"] = c.features;
      pj["certificates"].push_back(cj);
    }
    pj["profiles"] = ojson::array();
    for (const Profile& f : p.profiles) {
      ojson fj = {{"name", f.name}, {"match", ojson::array()}, {"self_identity", text(f.self_identity)}};
      if (!f.self_identity_value.empty()) fj["self_identity_value"] = f.self_identity_value;
      for (const IdentityMatch& m : f.match) {
        ojson mj;
        if (m.kind == IdKind::Fqdn || m.kind == IdKind::Email || m.kind == IdKind::Dn) {
          mj[text(m.kind)] = m.value;
          if (m.domain) mj["domain"] = true;
        } else {
          mj["address"] = m.value;
          if (!m.mask.empty()) mj["mask"] = m.mask;
        }
        fj["match"].push_back(mj);
      }
      fj["trustpoints"] = ojson::array();
      for (const ProfileTrustpoint& pt : f.trustpoints) {
        if (pt.use == TrustpointUse::Both) fj["trustpoints"].push_back(pt.trustpoint);
        else fj["trustpoints"].push_back({{"trustpoint", pt.trustpoint}, {"use", text(pt.use)}});
      }
      fj["auth_local"] = text(f.auth_local);
      fj["auth_remote"] = text(f.auth_remote);
      if (!f.match_certificate.empty()) fj["match_certificate"] = certificate_maps_json(f.match_certificate);
      pj["profiles"].push_back(fj);
    }
    pj["tunnel_profile"] = p.tunnel_profile;
    if (!p.proposals.empty()) {
      pj["proposals"] = ojson::array();
      for (const Proposal& pr : p.proposals)
        pj["proposals"].push_back({{"encryption", pr.encryption}, {"integrity", pr.integrity}, {"group", pr.group}});
    }
    if (!p.unsupported_features.empty()) pj["unsupported_features"] = p.unsupported_features;
    if (!p.bugs.empty()) pj["bugs"] = p.bugs;
    j["peers"].push_back(pj);
  }
  return j;
}

// Invalid UTF-8 (e.g. from a router file in another encoding) is replaced, never thrown on.
std::string scenario_to_text(const Scenario& s) {
  return scenario_to_json(s).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace ikeconform
