// IOS configuration parser for the subset the Cisco note uses (docs/ios-import.md).
// One pass, one line at a time, no recursion and no regex: it is fuzzed for throughput.
// Both layouts are accepted: indented the IOS way (one space per sub-mode level) and the
// note's flattened form, where the current mode decides what an unindented line means.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <unordered_map>

#include "ios/ios.hpp"
#include "ios/text.hpp"
#include "model/input_error.hpp"

namespace ikeconform::ios {
namespace {

using namespace detail;
using Index = std::unordered_map<std::string, std::size_t>;

// Block lookups by name: a linear scan while a kind has few blocks (no allocation for
// ordinary configs), a hash index beyond that so that huge fuzzed inputs stay linear-time.
constexpr std::size_t kLinear = 16;
constexpr std::size_t kNpos = static_cast<std::size_t>(-1);
const std::string& key_of(const std::string& s) { return s; }
template <class T>
const std::string& key_of(const T& x) {
  return x.name;
}
const std::string& key_of(const PkiChain& c) { return c.trustpoint.name; }

template <class T>
std::size_t lookup(const std::vector<T>& v, const Index& idx, std::string_view name) {
  if (v.size() <= kLinear) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (key_of(v[i]) == name) return i;
    return kNpos;
  }
  auto it = idx.find(std::string(name));
  return it == idx.end() ? kNpos : it->second;
}

template <class T>
void index_last(const std::vector<T>& v, Index& idx) {
  if (v.size() == kLinear + 1)
    for (std::size_t i = 0; i < v.size(); ++i) idx.emplace(key_of(v[i]), i);
  else if (v.size() > kLinear + 1) idx.emplace(key_of(v.back()), v.size() - 1);
}

enum class Mode {
  Global,
  Unknown,
  Trustpoint,
  Chain,
  CertHex,
  IsakmpPolicy,
  IsakmpProfile,
  TransformSet,
  IpsecProfile,
  Ikev2Proposal,
  Ikev2Policy,
  Ikev2Profile,
  Interface,
  Keyring,
  CryptoMap,
  CertificateMap,
};

constexpr std::array<int, 10> kDhGroups{1, 2, 5, 14, 15, 16, 19, 20, 21, 24};
constexpr std::array<std::string_view, 5> kIsakmpHashes{"md5", "sha", "sha256", "sha384", "sha512"};
constexpr std::array<std::string_view, 8> kIkev2Ciphers{"des",         "3des",        "aes-cbc-128", "aes-cbc-192",
                                                        "aes-cbc-256", "aes-gcm-128", "aes-gcm-192", "aes-gcm-256"};
constexpr std::array<std::string_view, 5> kIkev2Integrity{"md5", "sha1", "sha256", "sha384", "sha512"};
// First words that only start global commands: an unknown unindented line beginning with one
// of them leaves the current block (flattened configs have no indentation to tell).
constexpr std::array<std::string_view, 24> kGlobalWords{
    "crypto",          "interface",  "router",        "line",        "version", "service",    "boot-start-marker",
    "boot-end-marker", "boot",       "enable",        "username",    "aaa",     "logging",    "ntp",
    "snmp-server",     "banner",     "control-plane", "access-list", "license", "redundancy", "vrf",
    "class-map",       "policy-map", "archive"};

// Shortest prefix IOS accepts for the keywords a configuration is written with by hand (in the
// modes we read; IOS resolves against its whole command set, so these are its own minima).
constexpr std::array<std::pair<std::string_view, std::size_t>, 30> kAbbrev{
    {{"interface", 3},      {"configure", 4},
     {"terminal", 1},       {"address", 3},
     {"hostname", 4},       {"crypto", 3},
     {"trustpoint", 5},     {"transform-set", 5},
     {"description", 4},    {"destination", 4},
     {"source", 3},         {"protection", 4},
     {"profile", 4},        {"encryption", 4},
     {"authentication", 4}, {"identity", 5},
     {"trust-point", 5},    {"self-identity", 4},
     {"proposal", 4},       {"integrity", 5},
     {"enrollment", 4},     {"revocation-check", 5},
     {"certificate", 4},    {"isakmp", 3},
     {"policy", 3},         {"exit", 3},
     {"match", 3},          {"show", 2},
     {"running-config", 3}, {"startup-config", 3}}};

// Interface types as IOS names them; `g1`, `gi0/0`, `tu1`, `Tunnel 1` are resolved by unique prefix.
constexpr std::array<std::string_view, 20> kInterfaceTypes{"Ethernet",
                                                           "FastEthernet",
                                                           "GigabitEthernet",
                                                           "TenGigabitEthernet",
                                                           "TwentyFiveGigE",
                                                           "FortyGigabitEthernet",
                                                           "HundredGigE",
                                                           "Tunnel",
                                                           "Loopback",
                                                           "Dialer",
                                                           "Virtual-Template",
                                                           "Virtual-Access",
                                                           "Serial",
                                                           "Vlan",
                                                           "Port-channel",
                                                           "Cellular",
                                                           "BDI",
                                                           "BVI",
                                                           "Multilink",
                                                           "Null"};

std::string canonical_interface(std::string_view name) {
  std::size_t i = 0;
  while (i < name.size() && (has_class(name[i], kLetter) || name[i] == '-')) ++i;
  if (i == 0 || i == name.size() || !has_class(name[i], kDigit)) return std::string(name);
  std::string_view type = name.substr(0, i);
  auto lower_eq = [](char x, char y) { return (x | 0x20) == (y | 0x20); };
  std::string_view found;
  for (std::string_view t : kInterfaceTypes) {
    if (type.size() > t.size() || !std::equal(type.begin(), type.end(), t.begin(), lower_eq)) continue;
    if (type.size() == t.size()) return std::string(t) + std::string(name.substr(i));
    if (!found.empty()) return std::string(name);  // ambiguous: as written
    found = t;
  }
  return found.empty() ? std::string(name) : std::string(found) + std::string(name.substr(i));
}

template <class C, class V>
bool contains(const C& c, const V& v) {
  return std::find(c.begin(), c.end(), v) != c.end();
}

class ConfigParser {
 public:
  ConfigParser(std::string_view text, const std::string& file) : text_(text) { cfg_.file = file; }

  IosConfig run() {
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      ++lineno_;
      line(text_.substr(pos, nl - pos));
      pos = nl + 1;
    }
    if (mode_ == Mode::CertHex) fail_at(cert_.line, "certificate " + cert_.serial + " has no 'quit'");
    check_references();
    return std::move(cfg_);
  }

 private:
  // ---- dispatch ----
  // One scan splits the words; indentation and the trimmed line fall out of it.
  void line(std::string_view raw) {
    const char* b = raw.data();
    const char* e = b + raw.size();
    const char* last = w_.split(b, e);
    if (w_.empty()) return;
    const char* start = w_[0].data();
    if (w_.size() > Words::kMax)
      last = start + trim(std::string_view(start, static_cast<std::size_t>(e - start))).size();
    line_ = std::string_view(start, static_cast<std::size_t>(last - start));
    if (mode_ == Mode::CertHex) return hex_line();
    if (!banner_end_.empty()) return banner_line();
    int indent = static_cast<int>(start - b);
    if (indent == 0 && !prompt()) return;  // a prompt line without a configuration command
    if (exec_) return exec_line();
    if (line_.front() == '!') return comment();
    if (session_text()) return;
    bool deeper = mode_ != Mode::Global && indent > block_indent_;
    if (always_global() || exit_block()) return;
    if (deeper) {
      block_indented_ = true;
      if (mode_ == Mode::Unknown) unknown(unknown_block_matters_);
      else if (!sub_command()) unknown(sub_matters());
      return;
    }
    if (top_level()) {
      block_indent_ = indent;
      block_indented_ = false;
      return;
    }
    // Flattened (the note's layout): an unindented line may still belong to the open block;
    // once a block showed indented sub-commands, an unindented line is never one of them.
    if (mode_ != Mode::Global && mode_ != Mode::Unknown && !block_indented_ && sub_command()) return;
    bool leaves = mode_ == Mode::Global || block_indented_ || contains(kGlobalWords, w_[0]);
    bool matters = mode_ == Mode::Unknown ? unknown_block_matters_ || global_matters()
                   : leaves               ? global_matters()
                                          : sub_matters();
    unknown(matters);
    if (leaves) {
      mode_ = Mode::Unknown;
      unknown_block_matters_ = matters;
      block_indent_ = indent;
      block_indented_ = false;
    }
  }

  // `R1#show running-config`, `R1(config)#crypto pki trustpoint T`, `R1#`: the prompt is cut
  // off; an exec prompt's command is not configuration (but `configure terminal` enters it).
  // False when nothing of the line is left to read.
  bool prompt() {
    std::string_view first = w_[0];
    std::size_t i = 0;
    while (i < first.size() && is_host_char(first[i])) ++i;
    if (i == 0 || i == first.size()) return true;
    bool config = false;
    if (first[i] == '(') {
      std::size_t close = first.find(')', i);
      if (close == std::string_view::npos || first.substr(i + 1, 6) != "config") return true;
      config = true;
      i = close + 1;
    }
    if (i >= first.size() || (first[i] != '#' && first[i] != '>')) return true;
    std::string_view rest = trim(line_.substr(i + 1));
    if (rest.empty()) return false;
    line_ = rest;
    w_.split(line_);
    if (config) return !(exec_ = false);
    // `R1#show running-config` / `show startup-config` / `more nvram:startup-config`: the
    // configuration follows; `configure terminal` enters it; any other output is not ours.
    exec_ = !(configure_terminal() || (is(0, "show") && (is(1, "running-config") || is(1, "startup-config"))) ||
              (is(0, "more") && w_.size() > 1 && w_[1].find("startup-config") != std::string_view::npos));
    return false;
  }

  bool configure_terminal() { return is(0, "configure") && (w_.size() == 1 || is(1, "terminal")); }

  // After `end` (or an exec prompt): show output and exec commands until `configure terminal`.
  void exec_line() {
    if (configure_terminal()) exec_ = false;
  }

  // What `show running-config` / `show startup-config` print around the configuration.
  bool session_text() {
    if (mode_ != Mode::Global && mode_ != Mode::Unknown) return false;
    if (configure_terminal() || line_ == "Building configuration..." || is(0, "Current") || line_ == "--More--" ||
        (is(0, "Using") && is(2, "out")) || (is(0, "NVRAM") && is(1, "config")) ||
        (is(0, "Enter") && is(1, "configuration"))) {
      skip();
      return true;
    }
    if (is(0, "banner") && w_.size() >= 3) {  // banner motd ^C ... ^C: skip to the delimiter
      std::string_view open = rest_from(line_, w_, 2);
      std::size_t n = open.substr(0, 2) == "^C" ? 2 : 1;
      std::string delim(open.substr(0, n));
      if (open.substr(n).find(delim) == std::string_view::npos) banner_end_ = delim;
      skip();
      return true;
    }
    return false;
  }

  void banner_line() {
    if (line_.find(banner_end_) != std::string_view::npos) banner_end_.clear();
  }

  // `exit` closes the current block (IOS); at global level it is skipped.
  bool exit_block() {
    if (!is(0, "exit") || w_.size() != 1) return false;
    mode_ = Mode::Global;
    return true;
  }

  // A line starting with `!` is a comment wherever it appears (IOS); ours carry annotations.
  void comment() {
    w_.split(line_.substr(1));
    if (!w_.empty() && w_[0] == "ikeconform") {
      Annotation a{lineno_, w_.size() > 1 ? std::string(w_[1]) : std::string(), std::string(rest_from(line_, w_, 2))};
      cfg_.annotations.push_back(std::move(a));
    }
  }

  // An unknown command outside the blocks we read: only crypto commands can change what is
  // negotiated (minus those that never touch certificates or identities).
  bool global_matters() const {
    if (!is(0, "crypto")) return false;
    if (is(1, "isakmp") && (is(2, "keepalive") || is(2, "nat") || is(2, "invalid-spi-recovery") ||
                            is(2, "aggressive-mode") || is(2, "fragmentation")))
      return false;
    if (is(1, "ikev2") && (is(2, "keyring") || is(2, "dpd") || is(2, "nat") || is(2, "cookie-challenge") ||
                           is(2, "limit") || is(2, "diagnose") || is(2, "fragmentation") || is(2, "authorization") ||
                           is(2, "redirect") || is(2, "http-url")))
      return false;
    if (is(1, "ipsec") && (is(2, "security-association") || is(2, "df-bit") || is(2, "fragmentation") ||
                           is(2, "nat-transparency") || is(2, "client")))
      return false;
    if (is(1, "key") || is(1, "logging") || is(1, "vpn") || is(1, "call") || is(1, "engine")) return false;
    return true;
  }

  // An unknown sub-command of a block we read.
  bool sub_matters() const {
    switch (mode_) {
      case Mode::Interface:
        if (is(0, "crypto")) return true;  // `crypto map NAME`
        if (is(0, "tunnel"))
          return !(is(1, "key") || is(1, "path-mtu-discovery") || is(1, "bandwidth") || is(1, "tos") || is(1, "ttl") ||
                   is(1, "route-via"));
        return false;
      case Mode::Keyring:
      case Mode::Ikev2Policy:
      case Mode::TransformSet: return false;
      default:
        return !(is(0, "lifetime") || is(0, "dpd") || is(0, "nat") || is(0, "aaa") || is(0, "authorization") ||
                 is(0, "accounting") || is(0, "virtual-template") || is(0, "ivrf") || is(0, "config-exchange") ||
                 is(0, "keepalive") || is(0, "password") || is(0, "source") || is(0, "vrf") ||
                 is(0, "subject-alt-name") || is(0, "hash") || is(0, "eku") || is(0, "shutdown") ||
                 (is(0, "set") && (is(1, "security-association") || is(1, "pfs") || is(1, "reverse-route"))));
    }
  }

  void unknown(bool matters) {
    if (matters) warn_unknown();
    else skip();
  }

  void skip() { cfg_.skipped.push_back(cfg_.file + ":" + std::to_string(lineno_) + ": " + quote_for_message(line_)); }

  // `hostname`, `ip domain name`, `ip route` and `end` are global even inside a block.
  bool always_global() {
    char c = w_[0].front();  // most lines start otherwise: skip the keyword tests
    if (c != 'h' && c != 'i' && c != 'e') return false;
    if (is(0, "hostname")) {
      words(2, 2, "a host name");
      // What IOS keeps (it accepts e.g. ':'), minus what could not come back as the `NAME#show`
      // prompt of exported show output (found by fuzz_ios_roundtrip).
      for (char ch : w_[1])
        if (!is_host_char(ch))
          fail("'hostname': " + quote_for_message(w_[1]) + " is not a host name (no '#', '>', '(', ')')");
      cfg_.hostname = w_[1];
      cfg_.hostname_line = lineno_;
    } else if (is(0, "ip") && (is(1, "domain-name") || (is(1, "domain") && is(2, "name")))) {
      std::size_t k = is(1, "domain") ? 3 : 2;
      words(k + 1, k + 1, "a domain name");
      cfg_.domain = w_[k];
    } else if (is(0, "ip") && is(1, "route")) {
      route();
    } else if (is(0, "end") && w_.size() == 1) {
      exec_ = true;  // back to exec: a paste script may `configure terminal` again
    } else {
      return false;
    }
    if (mode_ != Mode::Global) mode_ = Mode::Global;
    return true;
  }

  bool top_level() {
    if (char c = w_[0].front(); c != 'i' && c != 'c') return false;
    if (is(0, "interface")) return enter(Mode::Interface, upsert(cfg_.interfaces, if_idx_, interface_name()));
    if (!is(0, "crypto")) return false;
    if (is(1, "pki") && is(2, "trustpoint"))
      return enter(Mode::Trustpoint, upsert(cfg_.trustpoints, tp_idx_, name_arg(3, "a trustpoint name")));
    if (is(1, "pki") && is(2, "certificate") && is(3, "chain"))
      return enter(Mode::Chain, chain(name_arg(4, "a trustpoint name")));
    if (is(1, "isakmp") && is(2, "policy")) return enter(Mode::IsakmpPolicy, isakmp_policy());
    if (is(1, "isakmp") && is(2, "profile"))
      return enter(Mode::IsakmpProfile, upsert(cfg_.isakmp_profiles, isakmp_idx_, name_arg(3, "a profile name")));
    if (is(1, "ipsec") && is(2, "transform-set")) return enter(Mode::TransformSet, transform_set());
    if (is(1, "ipsec") && is(2, "profile"))
      return enter(Mode::IpsecProfile, upsert(cfg_.ipsec_profiles, ipsec_idx_, name_arg(3, "a profile name")));
    if (is(1, "ikev2") && is(2, "proposal"))
      return enter(Mode::Ikev2Proposal, upsert(cfg_.ikev2_proposals, prop_idx_, name_arg(3, "a proposal name")));
    if (is(1, "ikev2") && is(2, "policy"))
      return enter(Mode::Ikev2Policy, upsert(cfg_.ikev2_policies, pol_idx_, name_arg(3, "a policy name")));
    if (is(1, "ikev2") && is(2, "profile"))
      return enter(Mode::Ikev2Profile, upsert(cfg_.ikev2_profiles, ikev2_idx_, name_arg(3, "a profile name")));
    if (is(1, "map") || is(1, "dynamic-map")) return crypto_map();
    if (is(1, "pki") && is(2, "certificate") && is(3, "map")) {
      words(6, 6, "a map name and a sequence number");
      auto seq = to_int(w_[5]);
      if (!seq || *seq < 1 || *seq > 65535) bad(w_[5], "is not a sequence number (1-65535)");
      std::size_t i = upsert(cfg_.certificate_maps, cmap_idx_, w_[4]);
      cfg_.certificate_maps[i].map.name = cfg_.certificate_maps[i].name;
      auto& entries = cfg_.certificate_maps[i].map.entries;
      auto at = std::find_if(entries.begin(), entries.end(), [&](const CertMapEntry& e) { return e.seq >= *seq; });
      if (at == entries.end() || at->seq != *seq) at = entries.insert(at, CertMapEntry{*seq, {}});
      cmap_seq_ = static_cast<std::size_t>(at - entries.begin());
      return enter(Mode::CertificateMap, i);
    }
    if (is(1, "pki") && is(2, "server")) {  // the router is its own CA; its settings do not matter here
      std::string_view name = name_arg(3, "a server name");
      if (!contains(cfg_.pki_servers, name)) cfg_.pki_servers.emplace_back(name);
      mode_ = Mode::Unknown;
      unknown_block_matters_ = false;
      return true;
    }
    if (is(1, "isakmp") && is(2, "identity")) {  // the global IKEv1 identity (no profile sets one)
      words(4, 4, "address, hostname or dn");
      if (w_[3] != "address" && w_[3] != "hostname" && w_[3] != "dn")
        bad(w_[3], "is not an ISAKMP identity (address, hostname, dn)");
      cfg_.isakmp_identity = w_[3] == "hostname" ? IdKind::Fqdn : w_[3] == "dn" ? IdKind::Dn : IdKind::Address;
      cfg_.isakmp_identity_type = w_[3];
      mode_ = Mode::Global;
      return true;
    }
    if (is(1, "keyring")) {
      std::string_view name = name_arg(2, "a keyring name");
      if (lookup(cfg_.keyrings, keyring_idx_, name) == kNpos) {
        cfg_.keyrings.emplace_back(name);
        index_last(cfg_.keyrings, keyring_idx_);
      }
      return enter(Mode::Keyring, 0);
    }
    return false;
  }

  // `interface GigabitEthernet0/0[.10] [point-to-point|multipoint]`, also `int g 0/0`.
  std::string interface_name() {
    words(2, 4, "an interface name");
    std::string name(w_[1]);
    std::size_t k = 2;
    if (k < w_.size() && has_class(w_[k].front(), kDigit)) name += std::string(w_[k++]);
    if (k < w_.size() && w_[k] != "point-to-point" && w_[k] != "multipoint") bad(w_[k], "is not expected here");
    if (k + 1 < w_.size()) bad(w_[k + 1], "is not expected here");
    return canonical_interface(name);
  }

  bool enter(Mode m, std::size_t index) {
    mode_ = m;
    cur_ = index;
    return true;
  }

  bool sub_command() {
    switch (mode_) {
      case Mode::Trustpoint: return trustpoint_cmd(cfg_.trustpoints[cur_]);
      case Mode::Chain: return chain_cmd();
      case Mode::IsakmpPolicy: return isakmp_policy_cmd(cfg_.isakmp_policies[cur_]);
      case Mode::IsakmpProfile: return isakmp_profile_cmd(cfg_.isakmp_profiles[cur_]);
      case Mode::TransformSet: return transform_set_cmd(cfg_.transform_sets[cur_]);
      case Mode::IpsecProfile: return ipsec_profile_cmd(cfg_.ipsec_profiles[cur_]);
      case Mode::Ikev2Proposal: return ikev2_proposal_cmd(cfg_.ikev2_proposals[cur_]);
      case Mode::Ikev2Policy: return ikev2_policy_cmd(cfg_.ikev2_policies[cur_]);
      case Mode::Ikev2Profile: return ikev2_profile_cmd(cfg_.ikev2_profiles[cur_]);
      case Mode::Interface: return interface_cmd(cfg_.interfaces[cur_]);
      case Mode::Keyring: return is(0, "pre-shared-key") || is(0, "description") || is(0, "local-address");
      case Mode::CryptoMap: return crypto_map_cmd(cfg_.crypto_maps[cur_]);
      case Mode::CertificateMap: return certificate_map_cmd(cfg_.certificate_maps[cur_]);
      default: return false;
    }
  }

  // ---- crypto pki ----
  bool trustpoint_cmd(PkiTrustpoint& t) {
    if (is(0, "enrollment")) {
      if (is(1, "url")) {
        words(3, 3, "a URL");
        t.enrollment_url = w_[2];
        return true;
      }
      if (is(1, "terminal") || is(1, "selfsigned") || is(1, "mode") || is(1, "retry") || is(1, "profile")) {
        if (is(1, "terminal")) t.enrollment_url.clear();
        return true;
      }
      words(2, 0, "'url URL' or 'terminal'");
      return false;
    }
    if (is(0, "serial-number")) {
      words(1, 2, "");
      t.serial_number = !is(1, "none");
      return true;
    }
    if (is(0, "fqdn")) {
      words(2, 2, "a name");
      t.fqdn = is(1, "none") ? std::string() : std::string(w_[1]);
      return true;
    }
    if (is(0, "ip-address")) {
      words(2, 2, "an address");
      if (is_ipv4(w_[1])) t.ip_address = w_[1];
      else if (has_class(w_[1].front(), kLetter)) t.ip_address.clear();  // `none` or an interface name
      else bad(w_[1], "is not an IPv4 address");
      return true;
    }
    if (is(0, "subject-name")) {
      words(2, 0, "a DN");
      t.subject_name = rest_from(line_, w_, 1);
      return true;
    }
    if (is(0, "revocation-check")) return revocation(t);
    return is(0, "rsakeypair") || is(0, "auto-enroll") || is(0, "usage");
  }

  bool revocation(PkiTrustpoint& t) {
    words(2, 4, "none or crl");
    for (std::size_t i = 1; i < w_.size(); ++i)
      if (w_[i] != "none" && w_[i] != "crl") bad(w_[i], "is not a supported revocation check (none, crl)");
    t.revocation = w_[1] == "crl" ? Revocation::Crl : Revocation::None;  // first method decides
    return true;
  }

  std::size_t chain(std::string_view trustpoint) {
    std::size_t i = lookup(cfg_.chains, chain_idx_, trustpoint);
    if (i != kNpos) return i;
    cfg_.chains.push_back(PkiChain{NameRef{std::string(trustpoint), lineno_}, {}});
    index_last(cfg_.chains, chain_idx_);
    return cfg_.chains.size() - 1;
  }

  bool chain_cmd() {
    if (!is(0, "certificate")) return false;
    if (is(1, "rollover")) return false;
    bool ca = is(1, "ca");
    std::size_t k = (ca || is(1, "self-signed")) ? 2 : 1;
    words(k + 1, k + 2, "a serial number");
    for (char c : w_[k])
      if (!has_class(c, kHex)) bad(w_[k], "is not a hexadecimal serial number");
    cert_ = ChainCert{ca, std::string(w_[k]), lineno_, {}, {}};
    if (w_.size() == k + 2) {  // `certificate ca 01 nvram:IOSCA#1CA.cer`: saved in a file, no DN here
      if (w_[k + 1].find(':') == std::string_view::npos) bad(w_[k + 1], "is not a file (nvram:NAME.cer)");
      cfg_.chains[cur_].certs.push_back(std::move(cert_));
      return true;
    }
    der_.clear();
    mode_ = Mode::CertHex;
    return true;
  }

  // Groups of hex digits, each of even length (IOS writes 8 per group, 8 groups per line).
  void hex_line() {
    if (line_ == "quit") return end_certificate();
    const char* p = line_.data();
    const char* e = p + line_.size();
    while (p != e) {
      if (is_space(*p)) {
        ++p;
        continue;
      }
      if (!has_class(*p, kHex) || p + 1 == e || !has_class(p[1], kHex))
        fail("expected hex data or 'quit' in the certificate started at line " + std::to_string(cert_.line) + ", got " +
             quote_for_message(line_));
      der_.push_back(static_cast<unsigned char>(hex_value(p[0]) * 16 + hex_value(p[1])));
      p += 2;
    }
  }

  void end_certificate() {
    auto names = der_names(der_);
    if (!names) fail_at(cert_.line, "certificate " + cert_.serial + ": the hex data is not a DER X.509 certificate");
    cert_.subject = std::move(names->subject);
    cert_.issuer = std::move(names->issuer);
    cfg_.chains[cur_].certs.push_back(std::move(cert_));
    mode_ = Mode::Chain;
  }

  // ---- IKEv1 ----
  std::size_t isakmp_policy() {
    words(4, 4, "a priority");
    auto n = to_int(w_[3]);
    if (!n || *n < 1 || *n > 10000) bad(w_[3], "is not a policy priority (1-10000)");
    auto& v = cfg_.isakmp_policies;
    if (v.size() <= kLinear) {
      for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i].priority == *n) return i;
    } else if (auto it = policy_idx_.find(*n); it != policy_idx_.end()) {
      return it->second;
    }
    IsakmpPolicy p;
    p.priority = *n;
    p.line = lineno_;
    v.push_back(p);
    if (v.size() == kLinear + 1)
      for (std::size_t i = 0; i < v.size(); ++i) policy_idx_.emplace(v[i].priority, i);
    else if (v.size() > kLinear + 1) policy_idx_.emplace(*n, v.size() - 1);
    return v.size() - 1;
  }

  bool isakmp_policy_cmd(IsakmpPolicy& p) {
    if (is(0, "encr") || is(0, "encryption")) {
      words(2, 3, "a cipher");
      bool aes = w_[1] == "aes";
      if (!aes && w_[1] != "3des" && w_[1] != "des")
        bad(w_[1], "is not an ISAKMP cipher (des, 3des, aes [128|192|256])");
      if (w_.size() == 3 && (!aes || (w_[2] != "128" && w_[2] != "192" && w_[2] != "256")))
        bad(w_[2], "is not an AES key size (128, 192, 256)");
      p.encryption = w_.size() == 3 ? std::string(w_[1]) + " " + std::string(w_[2]) : std::string(w_[1]);
      return true;
    }
    if (is(0, "hash")) {
      words(2, 2, "a hash");
      if (!contains(kIsakmpHashes, w_[1])) bad(w_[1], "is not an ISAKMP hash (md5, sha, sha256, sha384, sha512)");
      p.hash = w_[1];
      return true;
    }
    if (is(0, "group")) {
      words(2, 2, "a Diffie-Hellman group");
      p.group = dh_group(w_[1]);
      return true;
    }
    if (is(0, "authentication")) {
      words(2, 2, "rsa-sig or pre-share");
      p.auth = auth_method(w_[1]);
      return true;
    }
    if (is(0, "lifetime")) {
      words(2, 2, "seconds");
      if (!to_int(w_[1])) bad(w_[1], "is not a number of seconds");
      return true;
    }
    return false;
  }

  // The kind named by word k of an own-identity line (`self-identity fqdn|user-fqdn|dn|address`,
  // `identity local fqdn|email|dn|address`); an e-mail kind's value, word k + 1, must hold an '@'.
  IdKind identity_kind(std::size_t k) {
    const IdKind kind = w_[k] == "fqdn"                            ? IdKind::Fqdn
                        : w_[k] == "user-fqdn" || w_[k] == "email" ? IdKind::Email
                        : w_[k] == "dn"                            ? IdKind::Dn
                                                                   : IdKind::Address;
    if (kind == IdKind::Email && w_[k + 1].find('@') == std::string_view::npos)
      bad(w_[k + 1], "is not an e-mail address (user@domain)");
    return kind;
  }

  bool isakmp_profile_cmd(IsakmpProfile& p) {
    if (is(0, "self-identity")) {  // V1-11: address | fqdn [NAME] | user-fqdn NAME | dn
      words(2, 3, "fqdn, address, user-fqdn or dn");
      if (w_[1] != "fqdn" && w_[1] != "address" && w_[1] != "user-fqdn" && w_[1] != "dn")
        bad(w_[1], "is not a self-identity (address, fqdn, user-fqdn, dn)");
      if (w_.size() == 3 && (w_[1] == "address" || w_[1] == "dn")) bad(w_[2], "is not expected here");
      if (w_[1] == "user-fqdn") words(3, 3, "a name");
      p.self_identity = identity_kind(1);
      p.self_identity_type = w_[1];
      p.self_identity_value = w_.size() == 3 ? std::string(w_[2]) : std::string();
      return true;
    }
    if (is(0, "ca") && is(1, "trust-point")) {
      words(3, 3, "a trustpoint name");
      add_trustpoint_ref(p.ca_trustpoints, w_[2], TrustpointUse::Both);  // V1-12: several allowed
      return true;
    }
    if (is(0, "match") && is(1, "identity")) return isakmp_match(p);
    if (is(0, "match") && is(1, "certificate")) return certificate_match(p.certificate_maps);
    if (is(0, "keyring")) {
      words(2, 2, "a keyring name");
      p.keyring = NameRef{std::string(w_[1]), lineno_};
      return true;
    }
    if (is(0, "initiate") && is(1, "mode")) {
      words(3, 3, "aggressive");
      if (w_[2] != "aggressive") bad(w_[2], "is not an initiate mode (aggressive)");
      p.aggressive = true;
      return true;
    }
    if (is(0, "vrf")) {
      words(2, 2, "a VRF name");
      p.vrf = w_[1];
      return true;
    }
    return is(0, "description") || is(0, "keepalive") || is(0, "local-address");
  }

  // `host|user-fqdn [domain] NAME` from word `k` on (IOS: `match identity host domain cisco.com`).
  IdentityMatch name_match(IdKind kind, std::size_t k) {
    const bool domain = is(k, "domain");
    const std::size_t at = domain ? k + 1 : k;
    words(at + 1, at + 1, domain ? "a domain" : kind == IdKind::Email ? "an e-mail address" : "a name");
    std::string_view value = w_[at];
    if (kind == IdKind::Email && !domain && value.find('@') == std::string_view::npos)
      bad(value, "is not an e-mail address (user@domain)");
    IdentityMatch m{kind, std::string(value), {}};
    m.domain = domain;
    return m;
  }

  // V1-8: the responder binds a profile by these lines on MM5.
  bool isakmp_match(IsakmpProfile& p) {
    if (is(2, "host")) {
      p.match.push_back(name_match(IdKind::Fqdn, 3));
    } else if (is(2, "user-fqdn")) {
      p.match.push_back(name_match(IdKind::Email, 3));
    } else if (is(2, "address")) {
      words(4, 6, "an IPv4 address");
      p.match.push_back(address_match(3));
    } else {
      fail(quote_for_message(line_) +
           ": only 'match identity host [domain] NAME', 'user-fqdn [domain] NAME' and 'address IP [MASK]' are "
           "supported");
    }
    return true;
  }

  // ---- IPsec ----
  // `esp-aes 256 esp-sha-hmac`: esp-aes, esp-gcm and esp-gmac take a key size (128, 192, 256);
  // the size stays with its transform ("esp-aes 256").
  std::size_t transform_set() {
    words(5, 10, "transforms");
    std::size_t i = upsert(cfg_.transform_sets, ts_idx_, w_[3]);
    auto& ts = cfg_.transform_sets[i];
    ts.transforms.clear();
    for (std::size_t k = 4; k < w_.size(); ++k) {
      if (to_int(w_[k])) {
        bool sized = !ts.transforms.empty() &&
                     (ts.transforms.back() == "esp-aes" || ts.transforms.back() == "esp-gcm" ||
                      ts.transforms.back() == "esp-gmac");
        if (!sized || (w_[k] != "128" && w_[k] != "192" && w_[k] != "256"))
          bad(w_[k], "is not a key size of the transform before it (esp-aes|esp-gcm|esp-gmac 128|192|256)");
        ts.transforms.back() += " " + std::string(w_[k]);
        continue;
      }
      if (w_[k].substr(0, 4) != "esp-" && w_[k].substr(0, 3) != "ah-" && w_[k].substr(0, 5) != "comp-")
        bad(w_[k], "is not a transform (esp-..., ah-..., comp-...)");
      ts.transforms.emplace_back(w_[k]);
    }
    return i;
  }

  bool transform_set_cmd(TransformSet& t) {
    if (!is(0, "mode")) return false;
    words(2, 2, "tunnel or transport");
    if (w_[1] != "tunnel" && w_[1] != "transport") bad(w_[1], "is not a mode (tunnel, transport)");
    t.mode = w_[1];
    return true;
  }

  bool ipsec_profile_cmd(IpsecProfile& p) {
    if (is(0, "description")) return true;
    if (!is(0, "set")) return false;
    if (is(1, "transform-set")) {
      words(3, 8, "a transform-set name");
      p.transform_sets.clear();
      for (std::size_t k = 2; k < w_.size(); ++k) p.transform_sets.push_back(NameRef{std::string(w_[k]), lineno_});
      return true;
    }
    if (is(1, "isakmp-profile") || is(1, "ikev2-profile")) {
      words(3, 3, "a profile name");
      (is(1, "isakmp-profile") ? p.isakmp_profile : p.ikev2_profile) = NameRef{std::string(w_[2]), lineno_};
      return true;
    }
    return false;
  }

  // ---- IKEv2 ----
  bool ikev2_proposal_cmd(Ikev2Proposal& p) {
    if (is(0, "encryption") || is(0, "integrity")) {
      bool enc = is(0, "encryption");
      words(2, 8, enc ? "a cipher" : "an integrity algorithm");
      auto& list = enc ? p.encryption : p.integrity;
      list.clear();
      for (std::size_t k = 1; k < w_.size(); ++k) {
        if (enc ? !contains(kIkev2Ciphers, w_[k]) : !contains(kIkev2Integrity, w_[k]))
          bad(w_[k], enc ? "is not an IKEv2 cipher (des, 3des, aes-cbc-128/192/256, aes-gcm-128/256)"
                         : "is not an IKEv2 integrity algorithm (md5, sha1, sha256, sha384, sha512)");
        list.emplace_back(w_[k]);
      }
      return true;
    }
    if (is(0, "group")) {
      words(2, 11, "a Diffie-Hellman group");
      p.groups.clear();
      for (std::size_t k = 1; k < w_.size(); ++k) p.groups.push_back(dh_group(w_[k]));
      return true;
    }
    return is(0, "prf");  // an AEAD proposal's PRF: not compared (the cipher decides, see import)
  }

  bool ikev2_policy_cmd(Ikev2Policy& p) {
    if (is(0, "match") && is(1, "fvrf")) {
      words(3, 3, "any or a VRF");
      p.match_fvrf_any = w_[2] == "any";
      return true;
    }
    if (is(0, "proposal")) {
      words(2, 2, "a proposal name");
      p.proposals.push_back(NameRef{std::string(w_[1]), lineno_});
      return true;
    }
    return is(0, "match") && is(1, "address");
  }

  bool ikev2_profile_cmd(Ikev2Profile& p) {
    if (is(0, "match") && is(1, "identity")) return ikev2_match(p);
    if (is(0, "match") && is(1, "certificate")) return certificate_match(p.certificate_maps);
    if (is(0, "identity") && is(1, "local")) return ikev2_identity(p);
    if (is(0, "authentication")) return ikev2_authentication(p);
    if (is(0, "pki") && is(1, "trustpoint")) return ikev2_pki_trustpoint(p);
    if (is(0, "match") && is(1, "fvrf")) {
      words(3, 3, "any or a VRF");
      p.match_fvrf = w_[2];
      return true;
    }
    return (is(0, "match") && is(1, "address")) || is(0, "keyring") || is(0, "lifetime") || is(0, "dpd") ||
           is(0, "description");
  }

  // V2-9: the responder binds a profile by these lines.
  bool ikev2_match(Ikev2Profile& p) {
    if (!is(2, "remote"))
      bad(w_.size() > 2 ? w_[2] : std::string_view("(nothing)"), "is not supported after 'match identity' (remote)");
    if (is(3, "any")) {  // every identity: every address here, the peer's FQDN at import
      words(4, 4, "");
      p.match.push_back(IdentityMatch{IdKind::Address, "0.0.0.0", "0.0.0.0"});
      p.match_any = true;
    } else if (is(3, "address")) {
      words(5, 6, "an IPv4 address");
      p.match.push_back(address_match(4));
    } else if (is(3, "fqdn")) {
      p.match.push_back(name_match(IdKind::Fqdn, 4));
    } else if (is(3, "email")) {
      p.match.push_back(name_match(IdKind::Email, 4));
    } else {
      fail(quote_for_message(line_) +
           ": only 'match identity remote any|address IP [MASK]|fqdn [domain] NAME|email [domain] NAME' are "
           "supported");
    }
    return true;
  }

  // identity local address IP | fqdn NAME | email NAME | dn (the certificate's subject DN)
  bool ikev2_identity(Ikev2Profile& p) {
    words(3, 4, "address IP, fqdn NAME, email NAME or dn");
    if (w_[2] == "dn") {
      words(3, 3, "");
    } else if (w_[2] == "address" || w_[2] == "fqdn" || w_[2] == "email") {
      words(4, 4, w_[2] == "address" ? "an IPv4 address" : "a name");
      if (w_[2] == "address" && !is_ipv4(w_[3])) bad(w_[3], "is not an IPv4 address");
    } else {
      bad(w_[2], "is not a local identity (address, fqdn, email, dn)");
    }
    p.identity_local = identity_kind(2);
    p.identity_local_type = w_[2];
    p.identity_local_value = w_.size() == 4 ? std::string(w_[3]) : std::string();
    return true;
  }

  bool ikev2_authentication(Ikev2Profile& p) {
    words(3, 5, "rsa-sig or pre-share");
    if (w_[1] != "local" && w_[1] != "remote") bad(w_[1], "is neither 'local' nor 'remote'");
    if (w_.size() > 3 && !(w_[2] == "pre-share" && w_[3] == "key")) bad(w_[3], "is not expected here");
    (w_[1] == "local" ? p.auth_local : p.auth_remote) = auth_method(w_[2]);  // the key is not kept
    return true;
  }

  bool ikev2_pki_trustpoint(Ikev2Profile& p) {
    words(3, 4, "a trustpoint name");
    TrustpointUse use = TrustpointUse::Both;  // V2-6: a plain line signs and verifies
    if (w_.size() == 4) {
      if (w_[3] == "sign") use = TrustpointUse::Sign;
      else if (w_[3] == "verify") use = TrustpointUse::Verify;
      else bad(w_[3], "is neither 'sign' nor 'verify'");
    }
    add_trustpoint_ref(p.trustpoints, w_[2], use);
    return true;
  }

  // ---- certificate maps: `FIELD eq|ne|co|nc|lt|ge VALUE` lines (the value is the rest of the
  // line: IOS prints `subject-name co ou = green`). subject-name and issuer-name with eq, ne,
  // co, nc are evaluated (CertMapRule); the other fields (no data in a scenario: alternative
  // names, validity dates, serial numbers) are kept as UNSUPPORTED for the profiles using the map.
  bool certificate_map_cmd(PkiCertificateMap& m) {
    if (!(is(0, "subject-name") || is(0, "issuer-name") || is(0, "alt-subject-name") || is(0, "name") ||
          is(0, "unstructured-subject-name") || is(0, "serial-number") || is(0, "expires-on") || is(0, "valid-start") ||
          is(0, "valid-end")))
      return false;
    words(3, 0, "an operator and a value");
    static constexpr std::array<std::pair<std::string_view, CertMatchOp>, 4> kOps{
        {{"eq", CertMatchOp::Eq}, {"ne", CertMatchOp::Ne}, {"co", CertMatchOp::Co}, {"nc", CertMatchOp::Nc}}};
    const auto op = std::find_if(kOps.begin(), kOps.end(), [&](const auto& o) { return o.first == w_[1]; });
    if (op == kOps.end() && w_[1] != "lt" && w_[1] != "ge")
      bad(w_[1], "is not a certificate map operator (eq, ne, co, nc, lt, ge)");
    const bool subject = is(0, "subject-name"), issuer = is(0, "issuer-name");
    if (op == kOps.end() || (!subject && !issuer)) {
      m.unsupported.emplace_back(lineno_, std::string(line_));
      return true;
    }
    std::string_view value = trim(line_.substr(static_cast<std::size_t>(w_[2].data() - line_.data())));
    m.map.entries[cmap_seq_].rules.push_back(
        CertMapRule{subject ? CertField::SubjectName : CertField::IssuerName, op->second, std::string(value)});
    return true;
  }

  // `match certificate MAP` (ISAKMP and IKEv2 profiles): the profile also binds a peer whose
  // certificate the map matches (the map is resolved once the whole file is read).
  bool certificate_match(std::vector<NameRef>& maps) {
    words(3, 3, "a certificate map name");
    maps.push_back(NameRef{std::string(w_[2]), lineno_});
    return true;
  }

  // ---- crypto maps ----
  // `crypto map NAME SEQ ipsec-isakmp [dynamic DYN]`, `crypto dynamic-map NAME SEQ`; other
  // `crypto map NAME ...` forms (local-address, redundancy, client) are skipped.
  bool crypto_map() {
    bool dyn = is(1, "dynamic-map");
    if (w_.size() < 4 || !to_int(w_[3])) {
      unknown(false);
      mode_ = Mode::Unknown;
      unknown_block_matters_ = false;
      return true;
    }
    if (!dyn && (w_.size() < 5 || w_[4] != "ipsec-isakmp"))
      fail(quote_for_message(line_) +
           ": only 'crypto map NAME SEQ ipsec-isakmp [dynamic NAME]' is supported (ipsec-manual and gdoi are not IKE)");
    CryptoMapEntry m;
    m.name = w_[2];
    m.seq = *to_int(w_[3]);
    m.line = lineno_;
    m.dynamic_map = dyn;
    if (!dyn && w_.size() >= 7 && w_[5] == "dynamic") m.dynamic_ref = NameRef{std::string(w_[6]), lineno_};
    for (std::size_t i = 0; i < cfg_.crypto_maps.size(); ++i)
      if (cfg_.crypto_maps[i].name == m.name && cfg_.crypto_maps[i].seq == m.seq &&
          cfg_.crypto_maps[i].dynamic_map == dyn)
        return enter(Mode::CryptoMap, i);
    cfg_.crypto_maps.push_back(std::move(m));
    return enter(Mode::CryptoMap, cfg_.crypto_maps.size() - 1);
  }

  bool crypto_map_cmd(CryptoMapEntry& m) {
    if (is(0, "set") && is(1, "peer")) {
      words(3, 4, "an IPv4 address");
      if (!is_ipv4(w_[2])) bad(w_[2], "is not an IPv4 address (a peer named by host name is not supported)");
      m.peers.emplace_back(w_[2]);
      return true;
    }
    if (is(0, "set") && is(1, "transform-set")) {
      words(3, 8, "a transform-set name");
      m.transform_sets.clear();
      for (std::size_t k = 2; k < w_.size(); ++k) m.transform_sets.push_back(NameRef{std::string(w_[k]), lineno_});
      return true;
    }
    if (is(0, "set") && (is(1, "isakmp-profile") || is(1, "ikev2-profile"))) {
      words(3, 3, "a profile name");
      (is(1, "isakmp-profile") ? m.isakmp_profile : m.ikev2_profile) = NameRef{std::string(w_[2]), lineno_};
      return true;
    }
    if (is(0, "match") && is(1, "address")) {
      words(3, 3, "an access list");
      m.acl = w_[2];
      return true;
    }
    return is(0, "description") || is(0, "reverse-route") ||
           (is(0, "set") && (is(1, "pfs") || is(1, "security-association") || is(1, "reverse-route")));
  }

  // ---- interfaces and routes ----
  bool interface_cmd(Interface& i) {
    if (is(0, "description")) {
      i.description = rest_from(line_, w_, 1);
      return true;
    }
    if ((is(0, "vrf") && is(1, "forwarding")) || (is(0, "ip") && is(1, "vrf") && is(2, "forwarding"))) {
      std::size_t k = is(0, "vrf") ? 2 : 3;
      words(k + 1, k + 1, "a VRF name");
      i.vrf = w_[k];
      return true;
    }
    if (is(0, "ip") && is(1, "address")) {
      if (is(2, "dhcp")) return true;
      words(4, 5, "an address and a mask");
      if (!is_ipv4(w_[2])) bad(w_[2], "is not an IPv4 address");
      if (!is_ipv4(w_[3])) bad(w_[3], "is not an IPv4 mask");
      if (w_.size() == 5 && w_[4] != "secondary") bad(w_[4], "is not expected here");
      if (w_.size() == 4) {
        i.address = w_[2];
        i.mask = w_[3];
      }
      return true;
    }
    if (is(0, "crypto") && is(1, "map")) {
      words(3, 3, "a crypto map name");
      i.crypto_map = NameRef{std::string(w_[2]), lineno_};
      return true;
    }
    if ((is(0, "ip") && is(1, "nhrp")) || is(0, "nhrp")) return nhrp(i);
    if (!is(0, "tunnel")) return false;
    if (is(1, "source")) {
      words(3, 4, "an interface or address");
      std::string src(w_[2]);
      if (w_.size() == 4 && has_class(w_[3].front(), kDigit)) src += std::string(w_[3]);  // `tunnel source g 1`
      else if (w_.size() == 4) bad(w_[3], "is not expected here");
      i.tunnel_source = NameRef{is_ipv4(src) ? src : canonical_interface(src), lineno_};
    } else if (is(1, "vrf")) {
      words(3, 3, "a VRF name");
      i.tunnel_vrf = w_[2];
    } else if (is(1, "destination")) {
      words(3, 3, "an IPv4 address");
      if (!is_ipv4(w_[2])) bad(w_[2], "is not an IPv4 address");
      i.tunnel_destination = w_[2];
    } else if (is(1, "protection")) {
      words(5, 6, "ipsec profile NAME");
      if (w_[2] != "ipsec" || w_[3] != "profile")
        bad(w_[2], "is not expected here (tunnel protection ipsec profile NAME)");
      i.tunnel_protection = NameRef{std::string(w_[4]), lineno_};
    } else if (is(1, "mode")) {
      i.multipoint = is(2, "gre") && is(3, "multipoint");
    } else {
      return false;
    }
    return true;
  }

  // DMVPN: `ip nhrp map TUNNEL-IP NBMA`, `ip nhrp map multicast NBMA`, `ip nhrp nhs TUNNEL-IP [nbma
  // NBMA]` (and IOS-XE's `nhrp ...`); the NBMA addresses are where this tunnel initiates to.
  bool nhrp(Interface& i) {
    std::size_t k = is(0, "ip") ? 2 : 1;
    auto add = [&](std::string_view a) {
      if (is_ipv4(a) && !contains(i.nhrp_nbma, a)) i.nhrp_nbma.emplace_back(a);
    };
    if (is(k, "map") && k + 2 < w_.size()) add(w_[k + 2]);
    else if (is(k, "nhs"))
      for (std::size_t j = k + 1; j + 1 < w_.size(); ++j)
        if (w_[j] == "nbma") add(w_[j + 1]);
    return true;  // other NHRP settings do not change which peer is reached
  }

  // ip route [vrf V] PREFIX MASK {NEXTHOP | IF [NEXTHOP]} [DIST] [tag T] [name N] [permanent]
  // [track N] [global]: only the destination and the first hop are kept.
  void route() {
    std::size_t k = 2;
    std::string vrf;
    if (is(2, "vrf")) {
      words(4, 0, "a VRF name");
      vrf = w_[3];
      k = 4;
    }
    words(k + 3, 0, "a prefix, a mask and a next hop");
    if (!is_ipv4(w_[k])) bad(w_[k], "is not an IPv4 prefix");
    if (!is_ipv4(w_[k + 1])) bad(w_[k + 1], "is not an IPv4 mask");
    std::string_view hop = w_[k + 2];
    if (!is_ipv4(hop) && !has_class(hop.front(), kLetter)) bad(hop, "is neither an IPv4 next hop nor an interface");
    for (std::size_t j = k + 3; j < w_.size(); ++j) {
      if (is_ipv4(w_[j]) || to_int(w_[j]) || w_[j] == "permanent" || w_[j] == "global" || w_[j] == "dhcp" ||
          w_[j] == "multicast")
        continue;
      if ((w_[j] == "track" || w_[j] == "tag" || w_[j] == "name") && j + 1 < w_.size()) {
        ++j;
        continue;
      }
      bad(w_[j], "is not expected in 'ip route'");
    }
    cfg_.routes.push_back(Route{lineno_, vrf, std::string(w_[k]), std::string(w_[k + 1]),
                                is_ipv4(hop) ? std::string(hop) : canonical_interface(hop)});
  }

  // ---- shared argument checks ----
  // IP [MASK] [VRF]; `0.0.0.0` alone is how `show running-config` prints the any-address match
  // (`match identity address 0.0.0.0 0.0.0.0`), so it matches every address.
  IdentityMatch address_match(std::size_t k) {
    if (!is_ipv4(w_[k])) bad(w_[k], "is not an IPv4 address");
    IdentityMatch m{IdKind::Address, std::string(w_[k]), {}};
    if (k + 1 < w_.size() && is_ipv4(w_[k + 1])) m.mask = w_[k + 1];
    else if (k + 1 < w_.size() && has_class(w_[k + 1].front(), kDigit)) bad(w_[k + 1], "is not an IPv4 mask");
    if (m.mask.empty() && m.value == "0.0.0.0") m.mask = "0.0.0.0";
    return m;
  }

  // IOS keeps one line per trustpoint: `pki trustpoint TP sign` then `pki trustpoint TP verify`
  // is `pki trustpoint TP` (the roles add up), in either order.
  void add_trustpoint_ref(std::vector<TrustpointRef>& refs, std::string_view name, TrustpointUse use) {
    for (auto& r : refs)
      if (r.name == name) {
        if (r.use != use) r.use = TrustpointUse::Both;
        return;
      }
    refs.push_back(TrustpointRef{std::string(name), lineno_, use});
  }

  int dh_group(std::string_view s) {
    auto g = to_int(s);
    if (!g || !contains(kDhGroups, *g)) bad(s, "is not a Diffie-Hellman group (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)");
    return *g;
  }

  AuthMethod auth_method(std::string_view s) {
    if (s == "rsa-sig") return AuthMethod::RsaSig;
    if (s == "pre-share") return AuthMethod::PreShare;
    bad(s, "is not a supported authentication method (rsa-sig, pre-share)");
  }

  std::string_view name_arg(std::size_t k, const char* what) {
    words(k + 1, k + 1, what);
    return w_[k];
  }

  // Between `min` and `max` words (max 0: no limit), else a "missing"/"unexpected" error.
  void words(std::size_t min, std::size_t max, const char* what) {
    if (w_.size() < min) fail(quote_for_message(line_) + ": missing " + what);
    if (max != 0 && w_.size() > max) fail(quote_for_message(line_) + ": unexpected " + quote_for_message(w_[max]));
  }

  // IOS re-enters a block of the same name: find it, or add it.
  template <class T>
  std::size_t upsert(std::vector<T>& v, Index& idx, std::string_view name) {
    std::size_t i = lookup(v, idx, name);
    if (i != kNpos) return i;
    T t;
    t.name = std::string(name);
    t.line = lineno_;
    v.push_back(std::move(t));
    index_last(v, idx);
    return v.size() - 1;
  }

  // First character before anything else: most keyword tests fail there, without a memcmp.
  // IOS takes a keyword by a unique prefix (`int`, `ip add`, `conf t`): keywords of kAbbrev match
  // from their shortest unambiguous prefix on, all others only whole.
  bool is(std::size_t i, std::string_view s) const {
    if (i >= w_.size()) return false;
    std::string_view w = w_[i];
    if (w.front() != s.front() || w.size() > s.size() || std::memcmp(w.data(), s.data(), w.size()) != 0) return false;
    return w.size() == s.size() || w.size() >= abbreviation(s);
  }
  static std::size_t abbreviation(std::string_view keyword) {
    for (const auto& [k, n] : kAbbrev)
      if (k == keyword) return n;
    return keyword.size() + 1;
  }
  static int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

  void warn_unknown() {
    cfg_.warnings.push_back(cfg_.file + ":" + std::to_string(lineno_) + ": warning: unknown command " +
                            quote_for_message(line_) + " ignored");
  }
  [[noreturn]] void bad(std::string_view arg, const std::string& why) const {
    fail(quote_for_message(line_) + ": " + quote_for_message(arg) + " " + why);
  }
  [[noreturn]] void fail(const std::string& msg) const { throw InputError(cfg_.file, lineno_, msg); }
  [[noreturn]] void fail_at(int line, const std::string& msg) const { throw InputError(cfg_.file, line, msg); }

  // ---- references, checked once everything is read (IOS allows forward references) ----
  void check_references() const {
    std::vector<std::pair<int, std::string>> bad_refs;
    auto need = [&](const auto& blocks, const Index& idx, const NameRef& r, const char* kind) {
      if (!r.name.empty() && lookup(blocks, idx, r.name) == kNpos)
        bad_refs.emplace_back(r.line, std::string(kind) + " '" + r.name + "' is not defined");
    };
    auto need_tps = [&](const std::vector<TrustpointRef>& refs) {
      for (const auto& r : refs) need(cfg_.trustpoints, tp_idx_, NameRef{r.name, r.line}, "trustpoint");
    };
    for (const auto& c : cfg_.chains) need(cfg_.trustpoints, tp_idx_, c.trustpoint, "trustpoint");
    // A map line the model does not evaluate is UNSUPPORTED where a profile relies on it.
    auto need_maps = [&](const std::vector<NameRef>& refs, const std::string& profile) {
      for (const auto& r : refs) {
        std::size_t i = lookup(cfg_.certificate_maps, cmap_idx_, r.name);
        if (i == kNpos) {
          bad_refs.emplace_back(r.line, "certificate map '" + r.name + "' is not defined");
          continue;
        }
        for (const auto& [line, text] : cfg_.certificate_maps[i].unsupported)
          bad_refs.emplace_back(line, quote_for_message(text) +
                                          ": UNSUPPORTED: only subject-name and issuer-name with eq, ne, co, nc are "
                                          "evaluated; profile " +
                                          profile + " selects peers by certificate map '" + r.name + "' (line " +
                                          std::to_string(r.line) + "), so no verdict is given");
      }
    };
    for (const auto& p : cfg_.isakmp_profiles) {
      need_tps(p.ca_trustpoints);
      need(cfg_.keyrings, keyring_idx_, p.keyring, "keyring");
      need_maps(p.certificate_maps, p.name);
    }
    for (const auto& p : cfg_.ikev2_profiles) {
      need_tps(p.trustpoints);
      need_maps(p.certificate_maps, p.name);
    }
    for (const auto& p : cfg_.ikev2_policies)
      for (const auto& r : p.proposals) need(cfg_.ikev2_proposals, prop_idx_, r, "IKEv2 proposal");
    for (const auto& p : cfg_.ipsec_profiles) {
      for (const auto& r : p.transform_sets) need(cfg_.transform_sets, ts_idx_, r, "transform-set");
      need(cfg_.isakmp_profiles, isakmp_idx_, p.isakmp_profile, "isakmp profile");
      need(cfg_.ikev2_profiles, ikev2_idx_, p.ikev2_profile, "IKEv2 profile");
    }
    for (const auto& m : cfg_.crypto_maps) {
      for (const auto& r : m.transform_sets) need(cfg_.transform_sets, ts_idx_, r, "transform-set");
      need(cfg_.isakmp_profiles, isakmp_idx_, m.isakmp_profile, "isakmp profile");
      need(cfg_.ikev2_profiles, ikev2_idx_, m.ikev2_profile, "IKEv2 profile");
      if (!m.dynamic_ref.name.empty() &&
          std::none_of(cfg_.crypto_maps.begin(), cfg_.crypto_maps.end(),
                       [&](const CryptoMapEntry& d) { return d.dynamic_map && d.name == m.dynamic_ref.name; }))
        bad_refs.emplace_back(m.dynamic_ref.line, "dynamic map '" + m.dynamic_ref.name + "' is not defined");
    }
    for (const auto& i : cfg_.interfaces) {
      if (!i.crypto_map.name.empty() &&
          std::none_of(cfg_.crypto_maps.begin(), cfg_.crypto_maps.end(),
                       [&](const CryptoMapEntry& m) { return !m.dynamic_map && m.name == i.crypto_map.name; }))
        bad_refs.emplace_back(i.crypto_map.line, "crypto map '" + i.crypto_map.name + "' is not defined");
      need(cfg_.ipsec_profiles, ipsec_idx_, i.tunnel_protection, "ipsec profile");
      // A `tunnel source` interface the text does not show (an excerpt) is not an error: the
      // import takes the address from the other router's tunnel destination.
    }
    if (bad_refs.empty()) return;
    auto first = std::min_element(bad_refs.begin(), bad_refs.end(),
                                  [](const auto& x, const auto& y) { return x.first < y.first; });
    fail_at(first->first, first->second);
  }

  std::string_view text_;
  IosConfig cfg_;
  int lineno_ = 0;
  std::string_view line_;  // current line, trimmed
  Words w_;                // its first words
  Mode mode_ = Mode::Global;
  int block_indent_ = 0;                // indentation of the line that opened the current block
  std::size_t cur_ = 0;                 // index of the current block in its vector
  bool exec_ = false;                   // after `end` / an exec prompt: not configuration
  std::string banner_end_;              // inside a banner: its closing delimiter
  bool block_indented_ = false;         // the open block has shown an indented sub-command
  bool unknown_block_matters_ = false;  // the open unknown block's lines are warned about
  ChainCert cert_;
  std::vector<unsigned char> der_;
  Index tp_idx_, chain_idx_, isakmp_idx_, ts_idx_, ipsec_idx_, prop_idx_, pol_idx_, ikev2_idx_, if_idx_, keyring_idx_,
      cmap_idx_;
  std::size_t cmap_seq_ = 0;  // the open certificate map's sequence (index into its entries)
  std::unordered_map<int, std::size_t> policy_idx_;
};

}  // namespace

IosConfig parse_ios_config(std::string_view text, const std::string& file) { return ConfigParser(text, file).run(); }

std::string canonical_interface_name(std::string_view name) { return canonical_interface(name); }

}  // namespace ikeconform::ios
