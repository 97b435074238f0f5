// Targets `ios_config`, `ios_roundtrip` and `show_certs`: the IOS parsers (ios/ios.hpp).
// Properties:
//  - only InputError escapes, located "<file>:<line>: ..." inside the input (line 0 allowed:
//    the IOS parsers have file-level errors such as "no tunnel interface");
//  - every warning is located the same way, every parsed block's line is inside the input;
//  - ios_roundtrip (same inputs): a configuration that imports next to a fixed partner router
//    gives the same scenario after export -> import, and the exported configurations parse
//    without a single warning. Import and export cost ~100x the parse, so the parser keeps a
//    target of its own (ios_config) that runs at parser speed.
#include <exception>
#include <string>

#include "fuzz/targets.hpp"
#include "fuzz/util.hpp"
#include "ios/ios.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kConfigTarget = "ios_config";
constexpr std::string_view kRoundTripTarget = "ios_roundtrip";
constexpr std::string_view kShowTarget = "show_certs";
constexpr const char* kCfgFile = "fuzz.cfg";
constexpr const char* kShowFile = "fuzz.show";

// The other end of the tunnel for import: one partner per IKE version, matching any peer, with a
// hostname no seed uses. Kept inline so the target needs no files at run time (OSS-Fuzz).
constexpr const char* kPartnerV1 =
    "hostname PARTNER\n"
    "crypto pki trustpoint IOSCA1\n enrollment url http://192.168.0.3:80\n revocation-check crl\n"
    "crypto pki trustpoint IOSCA2\n enrollment url http://192.168.0.4:80\n revocation-check crl\n"
    "crypto isakmp policy 10\n encr 3des\n hash md5\n group 2\n"
    "crypto isakmp profile prof1\n self-identity fqdn\n match identity address 0.0.0.0 0.0.0.0\n"
    "crypto ipsec transform-set TS esp-aes esp-sha256-hmac\n mode tunnel\n"
    "crypto ipsec profile prof1\n set transform-set TS\n set isakmp-profile prof1\n"
    "interface Tunnel1\n ip address 10.0.0.2 255.255.255.0\n tunnel source Ethernet0/0\n"
    " tunnel destination 192.168.0.1\n tunnel protection ipsec profile prof1\n"
    "interface Ethernet0/0\n ip address 192.168.0.9 255.255.255.0\n";
constexpr const char* kPartnerV2 =
    "hostname PARTNER\n"
    "crypto pki trustpoint TP1\n enrollment url http://192.168.0.3:80\n revocation-check crl\n"
    "crypto pki trustpoint TP2\n enrollment url http://192.168.0.4:80\n revocation-check crl\n"
    "crypto ikev2 proposal prop-1\n encryption 3des\n integrity md5\n group 2\n"
    "crypto ikev2 policy pol-1\n match fvrf any\n proposal prop-1\n"
    "crypto ikev2 profile profile1\n match identity remote address 0.0.0.0 0.0.0.0\n"
    " identity local address 192.168.0.9\n authentication remote rsa-sig\n authentication local rsa-sig\n"
    " pki trustpoint TP1\n pki trustpoint TP2\n"
    "crypto ipsec transform-set trans esp-3des esp-sha-hmac\n mode tunnel\n"
    "crypto ipsec profile profile1\n set transform-set trans\n set ikev2-profile profile1\n"
    "interface Tunnel1\n ip address 10.0.0.2 255.255.255.0\n tunnel source Ethernet0/0\n"
    " tunnel destination 192.168.0.1\n tunnel protection ipsec profile profile1\n"
    "interface Ethernet0/0\n ip address 192.168.0.9 255.255.255.0\n";

void check_located(std::string_view target, const InputError& e, std::string_view file, std::string_view text) {
  if (auto why = check_error_location(e.what(), file, e.line(), line_count(text), true); !why.empty())
    report_violation(target, "bad error location: " + why, e.what());
}

void check_warnings(std::string_view target, const std::vector<std::string>& warnings, std::string_view file,
                    std::string_view text) {
  const int lines = line_count(text);
  for (const std::string& w : warnings) {
    const std::size_t colon = w.find(':', file.size() + 1);
    const int line = colon == std::string::npos ? -1 : std::atoi(w.c_str() + file.size() + 1);
    if (auto why = check_error_location(w, file, line, lines, false); !why.empty())
      report_violation(target, "badly located warning: " + why, w);
  }
}

void check_line(std::string_view target, int line, int lines, const char* what) {
  if (line < 1 || line > lines)
    report_violation(target, std::string(what) + " has line " + std::to_string(line) + " outside the input");
}

void check_config_lines(const ios::IosConfig& c, std::string_view text) {
  const int n = line_count(text);
  for (const auto& t : c.trustpoints) check_line(kConfigTarget, t.line, n, "a trustpoint");
  for (const auto& p : c.isakmp_profiles) check_line(kConfigTarget, p.line, n, "an isakmp profile");
  for (const auto& p : c.ikev2_profiles) check_line(kConfigTarget, p.line, n, "an ikev2 profile");
  for (const auto& i : c.interfaces) check_line(kConfigTarget, i.line, n, "an interface");
  for (const auto& a : c.annotations) check_line(kConfigTarget, a.line, n, "an annotation");
  for (const auto& m : c.certificate_maps) {
    check_line(kConfigTarget, m.line, n, "a certificate map");
    for (const auto& u : m.unsupported) check_line(kConfigTarget, u.first, n, "a certificate map line");
  }
}

ios::RouterInput exported(const Scenario& s, std::size_t peer, const char* file) {
  return {file, ios::export_ios_config(s, peer), std::string(file) + ".show", ios::export_show_certs(s, peer)};
}

// export -> import must give the imported scenario back, from text the parser fully knows.
void check_round_trip(const Scenario& s) {
  const ios::RouterInput a = exported(s, 0, "exported-a.cfg"), b = exported(s, 1, "exported-b.cfg");
  for (const ios::RouterInput* r : {&a, &b}) {
    std::vector<std::string> warnings;
    try {
      warnings = ios::parse_ios_config(r->text, r->file).warnings;
    } catch (const std::exception& e) {
      report_violation(kRoundTripTarget, std::string("exported configuration does not parse: ") + e.what(), r->text);
    }
    if (!warnings.empty())
      report_violation(kRoundTripTarget, "exported configuration has warnings: " + warnings.front(), r->text);
  }
  Scenario again;
  try {
    again = ios::import_routers(a, b).scenario;
  } catch (const std::exception& e) {
    report_violation(kRoundTripTarget, std::string("exported configurations do not import: ") + e.what(),
                     a.text + "\n" + b.text);
  }
  if (!(again == s))
    report_violation(kRoundTripTarget, "import(export(s)) != s",
                     "--- s ---\n" + scenario_to_text(s) + "--- import(export(s)) ---\n" + scenario_to_text(again));
}

void import_and_round_trip(const ios::IosConfig& c, std::string_view text) {
  const bool v2 = c.isakmp_profiles.empty() && !c.ikev2_profiles.empty();
  const ios::RouterInput self{kCfgFile, std::string(text), std::nullopt, std::nullopt};
  const ios::RouterInput partner{"partner.cfg", v2 ? kPartnerV2 : kPartnerV1, std::nullopt, std::nullopt};
  Scenario s;
  try {
    s = ios::import_routers(self, partner).scenario;
  } catch (const InputError& e) {
    if (e.file() == kCfgFile) check_located(kRoundTripTarget, e, kCfgFile, text);
    return;
  } catch (const std::exception& e) {
    report_violation(kRoundTripTarget, std::string("import threw something other than InputError: ") + e.what());
  }
  check_round_trip(s);
}

// The parser's own properties; false when the text was rejected (correctly).
bool parse_config(std::string_view text, ios::IosConfig& c) {
  try {
    c = ios::parse_ios_config(text, kCfgFile);
  } catch (const InputError& e) {
    check_located(kConfigTarget, e, kCfgFile, text);
    return false;
  } catch (const std::exception& e) {
    report_violation(kConfigTarget, std::string("parser threw something other than InputError: ") + e.what());
  }
  check_warnings(kConfigTarget, c.warnings, kCfgFile, text);
  check_config_lines(c, text);
  return true;
}

}  // namespace

int fuzz_ios_config(const std::uint8_t* data, std::size_t size) {
  ios::IosConfig c;
  parse_config(as_text(data, size), c);
  return 0;
}

int fuzz_ios_roundtrip(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  ios::IosConfig c;
  // Import only what can have a tunnel: the rest would only measure the import's first check.
  if (parse_config(text, c) && !c.interfaces.empty()) import_and_round_trip(c, text);
  return 0;
}

int fuzz_show_certs(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  ios::ShowCerts sc;
  try {
    sc = ios::parse_show_certs(text, kShowFile);
  } catch (const InputError& e) {
    check_located(kShowTarget, e, kShowFile, text);
    return 0;
  } catch (const std::exception& e) {
    report_violation(kShowTarget, std::string("parser threw something other than InputError: ") + e.what());
  }
  check_warnings(kShowTarget, sc.warnings, kShowFile, text);
  const int lines = line_count(text);
  for (const ios::ShownCert& c : sc.certs) {
    check_line(kShowTarget, c.line, lines, "a certificate");
    if (!c.trustpoints.empty()) check_line(kShowTarget, c.trustpoints_line, lines, "an 'Associated Trustpoints:' line");
    // DNs are joined from one-RDN-per-line blocks: a newline inside one is a joining bug.
    if (c.issuer.find('\n') != std::string::npos || c.subject.find('\n') != std::string::npos)
      report_violation(kShowTarget, "a DN contains a newline", c.issuer + " / " + c.subject);
  }
  return 0;
}

}  // namespace ikeconform::fuzz
