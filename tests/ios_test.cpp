// ios/: the note's configurations parse into the scenarios the spec describes (section 4),
// every error class names file:line, section 6 decides CA identity, export round-trips.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ios/ios.hpp"
#include "model/engine.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"

using namespace ikeconform;
using namespace ikeconform::ios;

namespace {

std::string corpus(const std::string& name) {
  std::ifstream in(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/ios/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing corpus file " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RouterInput router(const std::string& cfg, const std::string& show = {}) {
  RouterInput r{cfg, corpus(cfg), {}, {}};
  if (!show.empty()) {
    r.show_file = show;
    r.show_text = corpus(show);
  }
  return r;
}

RouterInput inline_router(const std::string& file, std::string text) {
  return RouterInput{file, std::move(text), {}, {}};
}

std::vector<std::string> cert_order(const Peer& p) {
  std::vector<std::string> out;
  for (const auto& c : p.certificates) out.push_back(c.trustpoint);
  return out;
}

std::vector<std::string> profile_tps(const Profile& f) {
  std::vector<std::string> out;
  for (const auto& t : f.trustpoints) out.push_back(t.trustpoint);
  return out;
}

const CaDecision& decision_for(const ImportResult& r, const std::string& ca) {
  for (const auto& d : r.ca_decisions)
    if (d.ca_id == ca) return d;
  throw std::runtime_error("no decision for " + ca);
}

// The InputError text of `f`, or "" when it does not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A minimal two-router IKEv1 pair; `extra_r1` is appended to R1's configuration.
std::string v1_router(const std::string& host, const std::string& self, const std::string& peer,
                      const std::string& trustpoints, const std::string& profile_extra = "") {
  return "hostname " + host + "\nip domain name cisco.com\n" + trustpoints +
         "crypto isakmp profile prof1\n self-identity fqdn\n match identity host " + peer + ".cisco.com\n" +
         profile_extra +
         "!\ncrypto ipsec profile ip1\n set isakmp-profile prof1\n!\ninterface Tunnel1\n tunnel source Ethernet0/0\n"
         " tunnel destination " +
         (self == "192.168.0.1" ? "192.168.0.2" : "192.168.0.1") +
         "\n tunnel protection ipsec profile ip1\n!\ninterface Ethernet0/0\n ip address " + self +
         " 255.255.255.0\n!\nend\n";
}

// R2's configuration from R1's: the hostname, and 192.168.0.1 and .2 exchanged everywhere.
std::string mirror_r1(std::string cfg) {
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = cfg.find(from); at != std::string::npos; at = cfg.find(from, at + to.size()))
      cfg.replace(at, from.size(), to);
  };
  replace_all("hostname R1", "hostname R2");
  replace_all("192.168.0.1", "\x01");
  replace_all("192.168.0.2", "192.168.0.1");
  replace_all("\x01", "192.168.0.2");
  return cfg;
}

std::string tp(const std::string& name, const std::string& url) {
  return "crypto pki trustpoint " + name + "\n" +
         (url.empty() ? " enrollment terminal\n" : " enrollment url " + url + "\n") + "!\n";
}

}  // namespace

// ---------------------------------------------------------------- the note's scenarios (spec 4)

TEST(IosNote, S1ParsesBothRoutersInBothLayouts) {
  for (const char* suffix : {".cfg", ".flat.cfg"}) {
    IosConfig c = parse_ios_config(corpus(std::string("s1-r1") + suffix), "s1-r1.cfg");
    EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
    EXPECT_EQ(c.hostname, "R1");
    ASSERT_EQ(c.trustpoints.size(), 2u);
    EXPECT_EQ(c.trustpoints[0].name, "IOSCA1");
    EXPECT_EQ(c.trustpoints[0].enrollment_url, "http://192.168.0.3:80");
    EXPECT_EQ(c.trustpoints[1].fqdn, "R1.cisco.com");
    EXPECT_EQ(c.trustpoints[1].subject_name, "CN=R1,OU=IT,O=cisco,O=com");
    EXPECT_EQ(c.trustpoints[1].revocation, Revocation::Crl);
    ASSERT_EQ(c.isakmp_policies.size(), 1u);
    EXPECT_EQ(c.isakmp_policies[0].encryption, "3des");
    EXPECT_EQ(c.isakmp_policies[0].hash, "md5");
    EXPECT_EQ(c.isakmp_policies[0].group, 2);
    ASSERT_EQ(c.isakmp_profiles.size(), 1u);
    EXPECT_EQ(c.isakmp_profiles[0].ca_trustpoints.size(), 1u);
    EXPECT_EQ(c.isakmp_profiles[0].self_identity, IdKind::Fqdn);
    ASSERT_EQ(c.interfaces.size(), 3u);
    EXPECT_EQ(c.interfaces[0].description, "Simulate LAN");
    EXPECT_EQ(c.interfaces[1].tunnel_destination, "192.168.0.2");
    EXPECT_EQ(c.interfaces[2].address, "192.168.0.1");
    ASSERT_EQ(c.routes.size(), 1u);  // `ip route` right after an interface is still global
    EXPECT_EQ(c.routes[0].next_hop, "10.0.0.2");
  }
}

TEST(IosNote, S1ScenarioWithShowOutput) {
  ImportResult r = import_routers(router("s1-r1.cfg", "s1-r1.show"), router("s1-r2.cfg", "s1-r2.show"));
  const Scenario& s = r.scenario;
  EXPECT_EQ(s.ike_version, IkeVersion::V1);
  ASSERT_EQ(s.peers.size(), 2u);
  const Peer& r1 = s.peers[0];
  const Peer& r2 = s.peers[1];
  EXPECT_EQ(r1.name, "R1");
  EXPECT_EQ(r1.fqdn, "R1.cisco.com");  // trustpoint `fqdn` (no ip domain name)
  EXPECT_EQ(r1.address, "192.168.0.1");
  EXPECT_EQ(r2.address, "192.168.0.2");
  EXPECT_EQ(r1.tunnel_profile, "prof1");
  EXPECT_EQ(profile_tps(r1.profiles.at(0)), std::vector<std::string>{"IOSCA1"});  // R1 prof1: ca trust-point IOSCA1
  EXPECT_TRUE(r2.profiles.at(0).trustpoints.empty());                             // R2 prof1: none
  EXPECT_EQ(r1.profiles[0].match.at(0), (IdentityMatch{IdKind::Fqdn, "R2.cisco.com", ""}));
  // Store order: R1 shows its CA2 certificate first, R2 its CA1 certificate (oldest first here).
  EXPECT_EQ(cert_order(r1), (std::vector<std::string>{"IOSCA1", "IOSCA2"}));
  EXPECT_EQ(cert_order(r2), (std::vector<std::string>{"IOSCA2", "IOSCA1"}));
  EXPECT_EQ(r1.certificates[1].subject,
            "serialNumber=100+ipaddress=192.168.0.1+hostname=R1.cisco.com,cn=R1,ou=IT,o=cisco,o=com");
  EXPECT_EQ(r.peers[0].enrollment_source, "show+configuration-order");  // "<output omitted ...>"
  EXPECT_TRUE(r.peers[0].enrollment_assumed);
  ASSERT_EQ(s.cas.size(), 2u);
  EXPECT_EQ(s.cas[0], (Ca{"CA1", "cn=CA1,o=cisco,o=com", "http://192.168.0.3:80"}));
  EXPECT_EQ(s.cas[1], (Ca{"CA2", "cn=CA2,o=cisco,o=com", "http://192.168.0.4:80"}));
  EXPECT_EQ(r1.trustpoints[0].ca, "CA1");
  EXPECT_EQ(r2.trustpoints[1].ca, "CA2");
  // R2's IOSCA1 DN is shown; R1's IOSCA1 joined it through the same enrollment url.
  EXPECT_EQ(decision_for(r, "CA1").rule, "enrollment-url");
  EXPECT_EQ(decision_for(r, "CA1").trustpoints, (std::vector<std::string>{"R1/IOSCA1", "R2/IOSCA1"}));
  EXPECT_EQ(s.peers[0].proposals, (std::vector<Proposal>{{"3des", "md5", 2}}));
  EXPECT_TRUE(validate(s).empty());
}

TEST(IosNote, S1FlattenedEqualsIndented) {
  auto a = import_routers(router("s1-r1.cfg", "s1-r1.show"), router("s1-r2.cfg", "s1-r2.show"));
  auto b = import_routers(router("s1-r1.flat.cfg", "s1-r1.show"), router("s1-r2.flat.cfg", "s1-r2.show"));
  EXPECT_EQ(a.scenario, b.scenario);
  EXPECT_EQ(a.ca_decisions, b.ca_decisions);
}

TEST(IosNote, S1WithoutShowAssumesConfigurationOrder) {
  ImportResult r = import_routers(router("s1-r1.cfg"), router("s1-r2.cfg"));
  EXPECT_EQ(cert_order(r.scenario.peers[0]), (std::vector<std::string>{"IOSCA1", "IOSCA2"}));
  EXPECT_TRUE(r.peers[0].certificates_assumed);
  EXPECT_TRUE(r.peers[1].enrollment_assumed);
  EXPECT_EQ(r.peers[0].enrollment_source, "configuration-order");
  EXPECT_FALSE(r.notes.empty());
  // No DN anywhere: the enrollment urls decide, DNs are synthesized from the trustpoint name.
  ASSERT_EQ(r.scenario.cas.size(), 2u);
  EXPECT_EQ(r.scenario.cas[0].dn, "cn=IOSCA1");
  EXPECT_EQ(decision_for(r, "IOSCA1").rule, "enrollment-url");
  EXPECT_TRUE(decision_for(r, "IOSCA1").dn_synthesized);
}

TEST(IosNote, S1EnrollmentOptionWins) {
  ImportResult r = import_routers(router("s1-r1.cfg", "s1-r1.show"), router("s1-r2.cfg"),
                                  {"R1=IOSCA2,IOSCA1", "s1-r2=IOSCA1"});
  EXPECT_EQ(cert_order(r.scenario.peers[0]), (std::vector<std::string>{"IOSCA2", "IOSCA1"}));
  EXPECT_EQ(cert_order(r.scenario.peers[1]), std::vector<std::string>{"IOSCA1"});
  EXPECT_EQ(r.peers[1].enrollment_source, "enrollment-option");
  EXPECT_FALSE(r.peers[1].enrollment_assumed);
}

TEST(IosNote, S2OverlappingProfiles) {
  for (const char* suffix : {".cfg", ".flat.cfg"}) {
    ImportResult r = import_routers(router(std::string("s2-r1") + suffix), router(std::string("s2-r2") + suffix));
    const Scenario& s = r.scenario;
    EXPECT_EQ(s.ike_version, IkeVersion::V2);
    const Peer& resp = s.peers[1];
    ASSERT_EQ(resp.profiles.size(), 3u);
    for (const auto& f : resp.profiles) {
      EXPECT_EQ(f.match, (std::vector<IdentityMatch>{{IdKind::Address, "192.168.0.1", "255.255.255.255"}}));
      EXPECT_EQ(profile_tps(f), std::vector<std::string>{"TP1"});
      EXPECT_EQ(f.self_identity, IdKind::Address);
    }
    EXPECT_EQ(resp.profiles[2].name, "profile3");
    EXPECT_EQ(resp.tunnel_profile, "profile1");  // V2-10: the responder binds profile3, the tunnel uses profile1
    EXPECT_EQ(s.peers[0].proposals, (std::vector<Proposal>{{"3des", "md5", 2}}));
    EXPECT_EQ(s.peers[0].address, "192.168.0.1");
  }
}

TEST(IosNote, S3InitiatorWithoutPkiTrustpoint) {
  ImportResult r = import_routers(router("s3-r1.cfg"), router("s3-r2.flat.cfg"));
  const Profile& init = r.scenario.peers[0].profiles.at(0);
  EXPECT_TRUE(init.trustpoints.empty());
  EXPECT_EQ(init.auth_local, AuthMethod::RsaSig);
  EXPECT_EQ(r.scenario.peers[1].trustpoints.size(), 2u);  // the responder's CERTREQ names TP1 and TP2
  EXPECT_EQ(profile_tps(r.scenario.peers[1].profiles.at(0)), std::vector<std::string>{"TP1"});
}

TEST(IosNote, S4AsymmetricPkiTrustpoint) {
  ImportResult r = import_routers(router("s4-r1.cfg", "s4-r1.show"), router("s4-r2.cfg"));
  const Peer& r1 = r.scenario.peers[0];
  const Peer& r2 = r.scenario.peers[1];
  EXPECT_EQ(profile_tps(r1.profiles.at(0)), std::vector<std::string>{"TP1"});
  EXPECT_EQ(profile_tps(r2.profiles.at(0)), (std::vector<std::string>{"TP1", "TP2"}));
  EXPECT_EQ(cert_order(r1), (std::vector<std::string>{"TP1", "TP2"}));  // TP2 shown first = enrolled last
  // The shown issuer is cut by "....": not a DN, so the enrollment urls decide.
  EXPECT_EQ(decision_for(r, "TP2").rule, "enrollment-url");
  EXPECT_EQ(r.scenario.cas.size(), 2u);
}

// ---------------------------------------------------------------- show output

TEST(IosShow, ParsesTheNotesOutput) {
  ShowCerts s = parse_show_certs(corpus("s1-r1.show"), "s1-r1.show");
  EXPECT_EQ(s.hostname, "R1");
  EXPECT_TRUE(s.omitted);
  ASSERT_EQ(s.certs.size(), 1u);
  EXPECT_FALSE(s.certs[0].ca);
  EXPECT_EQ(s.certs[0].serial, "03");
  EXPECT_EQ(s.certs[0].issuer, "cn=CA2,o=cisco,o=com");
  EXPECT_EQ(s.certs[0].trustpoints, std::vector<std::string>{"IOSCA2"});
  ShowCerts s4 = parse_show_certs(corpus("s4-r1.show"), "s4-r1.show");
  ASSERT_EQ(s4.certs.size(), 1u);
  EXPECT_TRUE(s4.certs[0].issuer_cut);
}

TEST(IosShow, CaCertificateSubjectGivesTheDn) {
  std::string show =
      "Certificate\n  Status: Available\n  Issuer:\n    cn=Issuing\n  Subject:\n    cn=R1\n  Associated Trustpoints: "
      "A\n\n"
      "CA Certificate\n  Status: Available\n  Issuer:\n    cn=Root\n  Subject:\n    cn=Root CA 1\n    o=Example, Inc.\n"
      "  Associated Trustpoints: A B\n";
  ShowCerts s = parse_show_certs(show, "x.show");
  ASSERT_EQ(s.certs.size(), 2u);
  EXPECT_TRUE(s.certs[1].ca);
  EXPECT_EQ(s.certs[1].subject, "cn=Root CA 1,o=Example, Inc.");
  EXPECT_EQ(s.certs[1].trustpoints, (std::vector<std::string>{"A", "B"}));
  EXPECT_FALSE(s.omitted);
}

// A '#' in a DN value is no router prompt: "cn=CORP#CA" stays the CA's subject (fuzz_ios_roundtrip,
// corpus/regressions/ios_roundtrip/hash-in-ca-dn-is-no-prompt.cfg), while "R1#sh ..." is one.
TEST(IosShow, HashInADnIsNoPrompt) {
  const std::string show =
      "R1#show crypto pki certificates\n"
      "CA Certificate\n  Status: Available\n  Issuer:\n    cn=CORP#CA\n  Subject:\n    cn=CORP#CA\n"
      "  Associated Trustpoints: CORP#CA\n";
  const ShowCerts s = parse_show_certs(show, "x.show");
  EXPECT_EQ(s.hostname, "R1");
  ASSERT_EQ(s.certs.size(), 1u);
  EXPECT_EQ(s.certs[0].subject, "cn=CORP#CA");
  EXPECT_EQ(s.certs[0].trustpoints, (std::vector<std::string>{"CORP#CA"}));
}

// ---------------------------------------------------------------- error classes

TEST(IosErrors, BadArguments) {
  EXPECT_EQ(error_of([] { parse_ios_config("crypto isakmp policy 10\n encr aes\n group x\n", "r.cfg"); }),
            "r.cfg:3: 'group x': 'x' is not a Diffie-Hellman group (1, 2, 5, 14, 15, 16, 19, 20, 21, 24)");
  EXPECT_EQ(error_of([] { parse_ios_config("crypto isakmp profile p\nmatch identity address 300.1.1.1\n", "r.cfg"); }),
            "r.cfg:2: 'match identity address 300.1.1.1': '300.1.1.1' is not an IPv4 address");
  EXPECT_EQ(error_of([] {
              parse_ios_config("crypto pki trustpoint TP1\n!\ncrypto ikev2 profile p\n pki trustpoint TP1 bogus\n",
                               "r.cfg");
            }),
            "r.cfg:4: 'pki trustpoint TP1 bogus': 'bogus' is neither 'sign' nor 'verify'");
  EXPECT_EQ(error_of([] { parse_ios_config("hostname\n", "r.cfg"); }), "r.cfg:1: 'hostname': missing a host name");
  EXPECT_EQ(error_of([] { parse_ios_config("interface Tunnel1\n tunnel destination 1.2.3\n", "r.cfg"); }),
            "r.cfg:2: 'tunnel destination 1.2.3': '1.2.3' is not an IPv4 address");
  // An unsupported variant of `match identity` (IKEv1 `group`, IKEv2 `key-id`) names its line.
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto isakmp profile p\n match identity group G\n", "r.cfg");
            }).find("r.cfg:2: "),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto ikev2 profile p\n match identity remote key-id K\n", "r.cfg");
            }).find("r.cfg:2: "),
            std::string::npos);
}

TEST(IosErrors, UndefinedTrustpoint) {
  std::string cfg = corpus("s1-r1.cfg");
  cfg.replace(cfg.find("ca trust-point IOSCA1"), 21, "ca trust-point IOSCA9");
  EXPECT_EQ(error_of([&] { parse_ios_config(cfg, "s1-r1.cfg"); }), "s1-r1.cfg:26: trustpoint 'IOSCA9' is not defined");
}

TEST(IosErrors, UndefinedProfile) {
  std::string cfg = corpus("s1-r1.cfg");
  cfg.replace(cfg.find("set isakmp-profile prof1"), 24, "set isakmp-profile prof2");
  EXPECT_EQ(error_of([&] { parse_ios_config(cfg, "s1-r1.cfg"); }),
            "s1-r1.cfg:34: isakmp profile 'prof2' is not defined");
}

TEST(IosErrors, UndefinedIpsecProfile) {
  std::string cfg = corpus("s2-r1.flat.cfg");
  cfg.replace(cfg.find("tunnel protection ipsec profile profile1"), 40, "tunnel protection ipsec profile nothere");
  EXPECT_EQ(error_of([&] { parse_ios_config(cfg, "s2-r1.flat.cfg"); }),
            "s2-r1.flat.cfg:48: ipsec profile 'nothere' is not defined");
}

TEST(IosErrors, CertificateChainData) {
  EXPECT_EQ(error_of([] {
              parse_ios_config(
                  "crypto pki trustpoint T\ncrypto pki certificate chain T\n certificate ca 01\n  3082ZZ\n", "r.cfg");
            }),
            "r.cfg:4: expected hex data or 'quit' in the certificate started at line 3, got '3082ZZ'");
  EXPECT_EQ(error_of([] {
              parse_ios_config(
                  "crypto pki trustpoint T\ncrypto pki certificate chain T\n certificate ca 01\n  30820102\n", "r.cfg");
            }),
            "r.cfg:3: certificate 01 has no 'quit'");
  EXPECT_EQ(error_of([] {
              parse_ios_config(
                  "crypto pki trustpoint T\ncrypto pki certificate chain T\n certificate ca 01\n  30820102\n  quit\n",
                  "r.cfg");
            }),
            "r.cfg:3: certificate 01: the hex data is not a DER X.509 certificate");
}

TEST(IosErrors, BadShowOutput) {
  EXPECT_EQ(error_of([] { parse_show_certs("Status: Available\n", "r.show"); }),
            "r.show:1: expected 'Certificate' or 'CA Certificate', got 'Status: Available'");
  EXPECT_EQ(error_of([] { parse_show_certs("Certificate\n  Issuer:\n    cn=CA1\n  what is this\n", "r.show"); }),
            "r.show:4: unexpected line 'what is this'");
  EXPECT_EQ(error_of([] { parse_show_certs("Certificate\n  Status: Available\n  cn=CA1\n", "r.show"); }),
            "r.show:3: 'cn=CA1' is outside an 'Issuer:' or 'Subject:' list");
  EXPECT_EQ(error_of([] {
              parse_show_certs("Certificate\n  Status: Available\nCA Certificate\n  Associated Trustpoints: A\n",
                               "r.show");
            }),
            "r.show:1: certificate has no 'Associated Trustpoints:' line");
  // A trustpoint the configuration does not define.
  RouterInput r1 = router("s1-r1.cfg");
  r1.show_file = "r1.show";
  r1.show_text = "Certificate\n  Issuer:\n    cn=CA1\n  Associated Trustpoints: NOPE\n";
  EXPECT_EQ(error_of([&] { import_routers(r1, router("s1-r2.cfg")); }),
            "r1.show:4: trustpoint 'NOPE' is not defined in s1-r1.cfg");
}

TEST(IosErrors, EnrollmentUnknownRouterOrTrustpoint) {
  auto run = [](std::vector<std::string> spec) { import_routers(router("s1-r1.cfg"), router("s1-r2.cfg"), spec); };
  EXPECT_EQ(error_of([&] { run({"R3=IOSCA1"}); }), "--enrollment: 'R3=IOSCA1': unknown router 'R3' (routers: R1, R2)");
  EXPECT_EQ(error_of([&] { run({"R1=IOSCA1,TPX"}); }),
            "--enrollment: 'R1=IOSCA1,TPX': router 'R1' has no trustpoint 'TPX'");
  EXPECT_EQ(error_of([&] { run({"R1"}); }), "--enrollment: 'R1': expected NAME=TP,TP (oldest first)");
}

// Issue 10 item 5: several ISAKMP profiles and a tunnel that names none is a legal IOS
// configuration (once exit 2): the tunnel uses the global configuration, the profiles stay for
// the responder's binding, and the global profile matches nobody by itself (spec, IOS semantics:
// it is what a responder uses when no profile matches).
TEST(IosImport, SeveralIsakmpProfilesWithoutTunnelBindingUseTheGlobalConfiguration) {
  std::string two =
      "crypto isakmp profile a\n match identity host a.example\n!\ncrypto isakmp profile b\n"
      " match identity address 192.168.0.2 255.255.255.255\n!\ncrypto ipsec profile ip\n!\n"
      "interface Tunnel1\n tunnel destination 192.168.0.2\n tunnel protection ipsec profile ip\n";
  ImportResult r = import_routers(inline_router("a.cfg", two), router("s1-r2.cfg"));
  const Peer& p = r.scenario.peers[0];
  EXPECT_EQ(p.tunnel_profile, "global");
  ASSERT_EQ(p.profiles.size(), 3u);
  EXPECT_EQ(p.profiles[0].name, "a");
  EXPECT_EQ(p.profiles[1].name, "b");
  EXPECT_EQ(p.profiles[2].name, "global");
  EXPECT_TRUE(p.profiles[2].match.empty());
  EXPECT_TRUE(p.profiles[2].trustpoints.empty());
  bool noted = false;
  for (const auto& n : r.notes)
    noted = noted || n.find("peers that match none of its ISAKMP profiles") != std::string::npos;
  EXPECT_TRUE(noted);
  // Without other profiles the global profile still matches any peer (unchanged).
  std::string none =
      "crypto ipsec profile ip\n!\ninterface Tunnel1\n tunnel destination 192.168.0.2\n"
      " tunnel protection ipsec profile ip\n";
  ImportResult g = import_routers(inline_router("g.cfg", none), router("s1-r2.cfg"));
  EXPECT_FALSE(g.scenario.peers[0].profiles.at(0).match.empty());
}

TEST(IosErrors, ImportLevelProblems) {
  EXPECT_EQ(error_of([&] { import_routers(router("s1-r1.cfg"), router("s2-r2.cfg")); }),
            "s2-r2.cfg:52: R2's tunnel uses IKEv2 but R1's uses IKEv1");
}

// ---------------------------------------------------------------- warnings and odd input

TEST(IosWarnings, UnknownCommandsAreCollectedAndIgnored) {
  // Warnings only for commands that might change certificate negotiation; the others are
  // skipped silently (listed by `check --verbose`).
  std::string cfg =
      "version 15.3\nhostname R1\ncrypto isakmp policy 10\n encr aes\n lifetime 3600\n bogus thing\ncrypto isakmp "
      "keepalive 10\n"
      "crypto isakmp identity dn\nrouter ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n";
  IosConfig c = parse_ios_config(cfg, "r.cfg");
  EXPECT_EQ(c.hostname, "R1");
  EXPECT_EQ(c.isakmp_policies.at(0).encryption, "aes");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "r.cfg:6: warning: unknown command 'bogus thing' ignored");
  EXPECT_EQ(c.isakmp_identity_type, "dn");  // the global IKEv1 identity is read
  ASSERT_EQ(c.skipped.size(), 4u);
  EXPECT_EQ(c.skipped[0], "r.cfg:1: 'version 15.3'");
  EXPECT_EQ(c.skipped[1], "r.cfg:7: 'crypto isakmp keepalive 10'");
}

TEST(IosWarnings, FlattenedUnknownBlockDoesNotCaptureItsLines) {
  // A flattened `crypto map`'s `set transform-set` must not land in the ipsec profile.
  std::string cfg =
      "crypto ipsec transform-set A esp-aes\ncrypto ipsec transform-set B esp-aes\n"
      "crypto ipsec profile P\nset transform-set A\ncrypto map M 10 ipsec-isakmp\nset transform-set B\n";
  IosConfig c = parse_ios_config(cfg, "r.cfg");
  EXPECT_EQ(c.ipsec_profiles.at(0).transform_sets.at(0).name, "A");
  EXPECT_EQ(c.crypto_maps.at(0).transform_sets.at(0).name, "B");
  EXPECT_EQ(c.warnings.size(), 0u);
}

TEST(IosSyntax, CommentInsideABlockKeepsItOpenExitClosesIt) {
  // IOS: `!` is a comment wherever it is; `exit` closes the block; after `end` only
  // `configure terminal` enters configuration again.
  IosConfig c = parse_ios_config("crypto pki trustpoint T\n!\nserial-number\nexit\nfqdn x.example\nend\ngarbage\n",
                                 "r.cfg");
  EXPECT_TRUE(c.trustpoints.at(0).serial_number);
  EXPECT_EQ(c.trustpoints.at(0).fqdn, "");
  EXPECT_EQ(c.warnings.size(), 0u);
  EXPECT_EQ(c.skipped.size(), 1u);  // `fqdn` at global level cannot change anything
}

TEST(IosWarnings, PreSharedKeysDoNotCrash) {
  std::string r1 =
      "hostname R1\ncrypto keyring K\n pre-shared-key address 192.168.0.2 key secret\n!\n"
      "crypto isakmp policy 10\n authentication pre-share\n!\n"
      "crypto isakmp profile p\n keyring K\n match identity address 192.168.0.2\n!\n"
      "crypto ipsec profile ip\n set isakmp-profile p\n!\ninterface Tunnel1\n tunnel source 192.168.0.1\n"
      " tunnel destination 192.168.0.2\n tunnel protection ipsec profile ip\n";
  std::string r2 =
      "hostname R2\ncrypto isakmp policy 10\n authentication pre-share\n!\n"
      "crypto isakmp profile p\n match identity address 192.168.0.1\n!\n"
      "crypto ipsec profile ip\n!\ninterface Tunnel1\n tunnel source 192.168.0.2\n"
      " tunnel destination 192.168.0.1\n tunnel protection ipsec profile ip\n";
  ImportResult r = import_routers(inline_router("r1.cfg", r1), inline_router("r2.cfg", r2));
  EXPECT_EQ(r.scenario.peers[0].profiles[0].auth_local, AuthMethod::PreShare);
  EXPECT_EQ(r.scenario.peers[1].profiles[0].auth_remote, AuthMethod::PreShare);
  EXPECT_EQ(r.scenario.peers[1].tunnel_profile, "p");  // the single profile
  EXPECT_TRUE(r.scenario.cas.empty());
  // IKEv2 pre-share too.
  std::string v2 = corpus("s2-r1.cfg");
  v2.replace(v2.find("authentication local rsa-sig"), 28, "authentication local pre-share key abc");
  ImportResult r3 = import_routers(inline_router("s2-r1.cfg", v2), router("s2-r2.cfg"));
  EXPECT_EQ(r3.scenario.peers[0].profiles[0].auth_local, AuthMethod::PreShare);
}

TEST(IosWarnings, ManyBlocksUseTheHashedIndex) {
  // Past 16 blocks of a kind, lookups switch from a scan to a hash index: same answers.
  std::string cfg;
  for (int i = 0; i < 200; ++i)
    cfg += "crypto pki trustpoint TP" + std::to_string(i) + "\n enrollment url http://ca" + std::to_string(i) +
           "/\n!\n";
  for (int i = 0; i < 40; ++i) cfg += "crypto isakmp policy " + std::to_string(i + 1) + "\n group 14\n!\n";
  cfg += "crypto pki trustpoint TP7\n revocation-check none\n!\n";  // re-entered, not added
  cfg += "crypto isakmp policy 3\n hash sha256\n!\n";
  cfg += "crypto isakmp profile p\n ca trust-point TP199\n ca trust-point TP0\n!\n";
  IosConfig c = parse_ios_config(cfg, "big.cfg");
  EXPECT_EQ(c.trustpoints.size(), 200u);
  EXPECT_EQ(c.trustpoints[7].revocation, Revocation::None);
  EXPECT_EQ(c.trustpoints[7].enrollment_url, "http://ca7/");
  EXPECT_EQ(c.isakmp_policies.size(), 40u);
  EXPECT_EQ(c.isakmp_policies[2].hash, "sha256");
  EXPECT_EQ(error_of([&] { parse_ios_config(cfg + "crypto isakmp profile q\n ca trust-point TP200\n", "big.cfg"); }),
            "big.cfg:" + std::to_string(200 * 3 + 40 * 3 + 3 + 3 + 4 + 2) + ": trustpoint 'TP200' is not defined");
}

TEST(IosWarnings, ShowFromAnotherRouterIsAWarning) {
  ImportResult r = import_routers(router("s1-r1.cfg", "s1-r2.show"), router("s1-r2.cfg"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "s1-r2.show:1: warning: show output is from 'R2' but s1-r1.cfg is 'R1'");
}

// ---------------------------------------------------------------- section 6

TEST(IosSection6, DnDecidesFromCertificateChain) {
  ImportResult r = import_routers(router("chain-r1.cfg"), router("chain-r2.cfg"));
  const Scenario& s = r.scenario;
  ASSERT_EQ(s.cas.size(), 2u);
  EXPECT_EQ(s.cas[0].id, "CA1");
  EXPECT_EQ(s.cas[0].dn, "cn=CA1,o=cisco,o=com");
  EXPECT_EQ(s.peers[0].trustpoints[0].ca, "CA1");  // CORP-ROOT
  EXPECT_EQ(s.peers[1].trustpoints[0].ca, "CA1");  // CA1-TP: other name, other url, same DN
  EXPECT_EQ(decision_for(r, "CA1").rule, "dn");
  EXPECT_EQ(decision_for(r, "CA2").rule, "dn");
  EXPECT_EQ(cert_order(s.peers[0]), std::vector<std::string>{"CORP-ROOT"});  // BACKUP holds only the CA certificate
  EXPECT_EQ(s.peers[0].certificates[0].subject, "cn=R1,ou=IT,o=cisco,o=com");
  EXPECT_EQ(r.peers[0].enrollment_source, "certificate-chain");
  EXPECT_FALSE(r.peers[0].certificates_assumed);
  EXPECT_EQ(s.peers[0].fqdn, "R1.cisco.com");
  EXPECT_EQ(s.peers[0].proposals, (std::vector<Proposal>{{"aes 256", "sha256", 14}}));
}

TEST(IosSection6, DnBeatsTheSameEnrollmentUrl) {
  std::string show1 = "CA Certificate\n Subject:\n  cn=Alpha\n Associated Trustpoints: T\n";
  std::string show2 = "CA Certificate\n Subject:\n  cn=Beta\n Associated Trustpoints: T\n";
  RouterInput a = inline_router("a.cfg", v1_router("A", "192.168.0.1", "B", tp("T", "http://ca/")));
  RouterInput b = inline_router("b.cfg", v1_router("B", "192.168.0.2", "A", tp("T", "http://ca/")));
  a.show_text = show1;
  b.show_text = show2;
  ImportResult r = import_routers(a, b);
  ASSERT_EQ(r.scenario.cas.size(), 2u);
  EXPECT_EQ(r.scenario.cas[0].id, "Alpha");
  EXPECT_EQ(r.scenario.cas[1].id, "Beta");
  EXPECT_EQ(decision_for(r, "Alpha").rule, "dn");
  EXPECT_TRUE(r.scenario.peers[0].certificates.empty());  // complete show output, no identity certificate
}

TEST(IosSection6, EnrollmentUrlDecides) {
  ImportResult r = import_routers(
      inline_router("a.cfg", v1_router("A", "192.168.0.1", "B", tp("ROOT", "http://ca/") + tp("X", "http://x/"))),
      inline_router("b.cfg", v1_router("B", "192.168.0.2", "A", tp("CORP", "http://ca/") + tp("X", "http://y/"))));
  ASSERT_EQ(r.scenario.cas.size(), 3u);  // ROOT = CORP; the two X differ by url
  EXPECT_EQ(decision_for(r, "ROOT").rule, "enrollment-url");
  EXPECT_EQ(decision_for(r, "ROOT").trustpoints, (std::vector<std::string>{"A/ROOT", "B/CORP"}));
  EXPECT_EQ(r.scenario.peers[1].trustpoints[0].ca, "ROOT");
  EXPECT_NE(r.scenario.peers[0].trustpoints[1].ca, r.scenario.peers[1].trustpoints[1].ca);
}

TEST(IosSection6, TrustpointNameDecides) {
  ImportResult r = import_routers(
      inline_router("a.cfg", v1_router("A", "192.168.0.1", "B", tp("TP1", "") + tp("TP2", ""))),
      inline_router("b.cfg", v1_router("B", "192.168.0.2", "A", tp("TP2", "") + tp("TP3", "http://z/"))));
  ASSERT_EQ(r.scenario.cas.size(), 3u);
  EXPECT_EQ(decision_for(r, "TP2").rule, "trustpoint-name");
  EXPECT_EQ(decision_for(r, "TP2").trustpoints, (std::vector<std::string>{"A/TP2", "B/TP2"}));
  EXPECT_EQ(decision_for(r, "TP2").dn_synthesized, true);
  EXPECT_EQ(r.scenario.cas[1].dn, "cn=TP2");
  EXPECT_EQ(decision_for(r, "TP3").rule, "enrollment-url");
}

// ---------------------------------------------------------------- export and round trip

TEST(IosExport, NoteScenarioRoundTrips) {
  Scenario s = import_routers(router("s1-r1.cfg", "s1-r1.show"), router("s1-r2.cfg", "s1-r2.show")).scenario;
  std::string cfg = export_ios_config(s, 0);
  EXPECT_NE(cfg.find("crypto isakmp profile prof1\n ca trust-point IOSCA1\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("hostname R1\n"), std::string::npos);
  EXPECT_NE(cfg.find("interface Tunnel1\n"), std::string::npos);
  EXPECT_EQ(cfg.find("certificate chain"), std::string::npos);
  EXPECT_TRUE(parse_ios_config(cfg, "x.cfg").warnings.empty());
  RouterInput a{"r1.cfg", cfg, "r1.show", export_show_certs(s, 0)};
  RouterInput b{"r2.cfg", export_ios_config(s, 1), "r2.show", export_show_certs(s, 1)};
  EXPECT_EQ(import_routers(a, b).scenario, s);
}

namespace {

namespace gen = rc::gen;

std::string ipv4() {
  return "192.168." + std::to_string(*gen::inRange(0, 256)) + "." + std::to_string(*gen::inRange(1, 255));
}

template <class T>
std::vector<T> subset(const std::vector<T>& all) {
  std::vector<T> out;
  for (const auto& x : all)
    if (*gen::arbitrary<bool>()) out.push_back(x);
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[static_cast<std::size_t>(*gen::inRange<std::size_t>(0, i))]);
  return out;
}

std::string dn(std::size_t i) {
  std::string n = std::to_string(i);
  return *gen::element<std::string>("cn=CA" + n + ",o=cisco,o=com", "cn=Root " + n + "+ou=PKI,o=Example, Inc.,c=US",
                                    "ou=Issuing " + n + ",dc=corp,dc=example", "cn=ca" + n);
}

Proposal proposal(IkeVersion v) {
  if (v == IkeVersion::V1)
    return {*gen::element<std::string>("des", "3des", "aes", "aes 256"),
            *gen::element<std::string>("md5", "sha", "sha256"), *gen::element(1, 2, 5, 14)};
  Proposal x{*gen::element<std::string>("3des", "aes-cbc-128", "aes-gcm-128", "aes-gcm-256"),
             *gen::element<std::string>("md5", "sha1", "sha512"), *gen::element(2, 14, 19, 21)};
  if (x.encryption.rfind("aes-gcm", 0) == 0) x.integrity = "none";  // AEAD: no integrity line
  return x;
}

Profile profile(IkeVersion v, const Peer& p, std::size_t k) {
  Profile f;
  f.name = *gen::element<std::string>("prof", "profile", "p-") + std::to_string(k + 1);
  for (int m = *gen::inRange(0, 3); m > 0; --m) {
    switch (*gen::inRange(0, 6)) {
      case 0:
        f.match.push_back({IdKind::Fqdn, *gen::element<std::string>("R2.cisco.com", "peer.example.net", "x"), ""});
        break;
      case 1:
        f.match.push_back({IdKind::Address, ipv4(), *gen::element<std::string>("", "255.255.255.255", "255.255.0.0")});
        break;
      case 2:
        f.match.push_back({IdKind::Address, "0.0.0.0", "0.0.0.0"});
        break;  // `... any` / `address 0.0.0.0`
      // `match identity host|remote fqdn domain`, `user-fqdn|remote email [domain]`
      case 3:
        f.match.push_back({IdKind::Fqdn, *gen::element<std::string>("cisco.com", "example.net"), "", true});
        break;
      case 4:
        f.match.push_back({IdKind::Email, *gen::element<std::string>("r2@cisco.com", "vpn@example.net"), ""});
        break;
      default:
        f.match.push_back({IdKind::Email, *gen::element<std::string>("cisco.com", "example.net"), "", true});
        break;
    }
  }
  // `self-identity fqdn|address|dn|user-fqdn NAME` / `identity local fqdn|address|dn|email NAME`
  f.self_identity = *gen::element(IdKind::Fqdn, IdKind::Address, IdKind::Dn, IdKind::Email);
  if (f.self_identity == IdKind::Email)
    f.self_identity_value = *gen::element<std::string>("r1@cisco.com", "vpn@example.net");
  std::vector<std::string> names;
  for (const auto& t : p.trustpoints) names.push_back(t.name);
  for (const auto& n : subset(names))  // IKEv1 `ca trust-point` has no sign/verify
    f.trustpoints.push_back({n, v == IkeVersion::V1
                                    ? TrustpointUse::Both
                                    : *gen::element(TrustpointUse::Both, TrustpointUse::Sign, TrustpointUse::Verify)});
  f.auth_local = *gen::element(AuthMethod::RsaSig, AuthMethod::PreShare);
  f.auth_remote = v == IkeVersion::V1 ? f.auth_local
                                      : *gen::element(AuthMethod::RsaSig, AuthMethod::PreShare);  // IKEv1: one method
  return f;
}

Peer peer(const Scenario& s, std::size_t i) {
  Peer p;
  p.name = *gen::element<std::string>("R", "hub-", "spoke", "R:") +
           std::to_string(i + 1);  // IOS keeps ':' in a hostname
  p.fqdn = *gen::element(p.name, p.name + ".cisco.com", "vpn" + std::to_string(i) + ".corp.example");
  p.address = ipv4();
  p.personality = *gen::element<std::string>(std::string(kCiscoIos), std::string(kStrongswan59));
  for (int t = *gen::inRange(0, 5), k = 0; k < t; ++k)
    p.trustpoints.push_back({*gen::element<std::string>("TP", "IOSCA", "CORP-") + std::to_string(k + 1),
                             s.cas[*gen::inRange<std::size_t>(0, s.cas.size())].id,
                             *gen::element(Revocation::None, Revocation::Crl)});
  for (const auto& t : subset(p.trustpoints)) {
    IdentityCert c{t.name,
                   *gen::element<std::string>("", "cn=" + p.name + ",o=cisco",
                                              "serialNumber=7+hostname=" + p.fqdn + ",cn=" + p.name),
                   *gen::arbitrary<bool>(), subset(std::vector<std::string>{"x509v1", "sig-md5"})};
    p.certificates.push_back(std::move(c));
  }
  for (int n = *gen::inRange(1, 4), k = 0; k < n; ++k)
    p.profiles.push_back(profile(s.ike_version, p, static_cast<std::size_t>(k)));
  p.tunnel_profile = p.profiles[*gen::inRange<std::size_t>(0, p.profiles.size())].name;
  for (int n = *gen::inRange(0, 3); n > 0; --n) p.proposals.push_back(proposal(s.ike_version));
  p.unsupported_features = subset(std::vector<std::string>{"x509v1", "sig-md5"});
  return p;
}

// Valid scenarios IOS can express: tokens without blanks, IPv4 addresses, distinct CA DNs.
rc::Gen<Scenario> scenarios() {
  return gen::exec([] {
    Scenario s;
    s.name = *gen::element<std::string>("s", "note s1", "fuzz-") + std::to_string(*gen::inRange(0, 100));
    s.ike_version = *gen::element(IkeVersion::V1, IkeVersion::V2);
    s.aggressive_mode = *gen::arbitrary<bool>();
    for (int n = *gen::inRange(1, 5), k = 0; k < n; ++k)
      s.cas.push_back(
          {*gen::element<std::string>("CA", "root-", "TP") + std::to_string(k + 1), dn(static_cast<std::size_t>(k)),
           *gen::element<std::string>("", "http://192.168.0.3:80", "http://ca" + std::to_string(k) + ".example/pki")});
    s.peers.push_back(peer(s, 0));
    s.peers.push_back(peer(s, 1));
    return s;
  });
}

std::string dump(const Scenario& s) {
  std::ostringstream o;
  o << "scenario " << s.name << " v" << static_cast<int>(s.ike_version) << " aggr=" << s.aggressive_mode << "\n";
  for (const auto& c : s.cas) o << " ca " << c.id << " [" << c.dn << "] " << c.enrollment_url << "\n";
  for (const auto& p : s.peers) {
    o << " peer " << p.name << " " << p.fqdn << " " << p.address << " " << p.personality
      << " tunnel=" << p.tunnel_profile << "\n";
    for (const auto& t : p.trustpoints)
      o << "  tp " << t.name << " ca=" << t.ca << " rev=" << static_cast<int>(t.revocation_check) << "\n";
    for (const auto& c : p.certificates)
      o << "  cert " << c.trustpoint << " [" << c.subject << "] revoked=" << c.revoked << " f=" << c.features.size()
        << "\n";
    for (const auto& f : p.profiles) {
      o << "  profile " << f.name << " self=" << static_cast<int>(f.self_identity)
        << " auth=" << static_cast<int>(f.auth_local) << static_cast<int>(f.auth_remote) << " match=" << f.match.size()
        << " tps=";
      for (const auto& t : f.trustpoints) o << t.trustpoint << "/" << static_cast<int>(t.use) << " ";
      o << "\n";
    }
    for (const auto& x : p.proposals)
      o << "  proposal " << x.encryption << " " << x.integrity << " " << x.group << "\n";
    o << "  unsupported=" << p.unsupported_features.size() << "\n";
  }
  return o.str();
}

}  // namespace

RC_GTEST_PROP(IosRoundTrip, ImportOfExportIsIdentity, ()) {
  Scenario s = *scenarios();
  RC_PRE(validate(s).empty());
  RouterInput a{"a.cfg", export_ios_config(s, 0), "a.show", export_show_certs(s, 0)};
  RouterInput b{"b.cfg", export_ios_config(s, 1), "b.show", export_show_certs(s, 1)};
  ImportResult r;
  try {
    r = import_routers(a, b);
  } catch (const InputError& e) {
    RC_LOG() << a.text << a.show_text.value() << b.text << b.show_text.value();
    RC_FAIL(std::string("import failed: ") + e.what());
  }
  if (!(r.scenario == s)) {
    RC_LOG() << a.text << *a.show_text << b.text << *b.show_text;
    RC_FAIL("expected\n" + dump(s) + "got\n" + dump(r.scenario));
  }
  for (const auto& w : r.warnings) RC_FAIL("warning on exported config: " + w);
}

// The parsers are fuzzed: odd input ends in a result or an InputError, never anything else.
RC_GTEST_PROP(IosRobustness, ParsersOnlyThrowInputError, ()) {
  static const std::vector<std::string> pool = [] {
    std::vector<std::string> lines;
    for (const char* f : {"s1-r1.cfg", "s2-r2.flat.cfg", "s1-r2.show", "chain-r1.cfg"}) {
      std::istringstream in(corpus(f));
      for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    return lines;
  }();
  std::string text;
  for (int n = *gen::inRange(0, 40); n > 0; --n) {
    std::string l = *gen::elementOf(pool);
    switch (*gen::inRange(0, 5)) {
      case 0: l = *gen::string<std::string>(); break;
      case 1:
        if (!l.empty()) l.erase(static_cast<std::size_t>(*gen::inRange<std::size_t>(0, l.size())));
        break;
      case 2: l = " " + l; break;
      default: break;
    }
    text += l + "\n";
  }
  try {
    parse_ios_config(text, "f.cfg");
  } catch (const InputError&) {
  }
  try {
    parse_show_certs(text, "f.show");
  } catch (const InputError&) {
  }
}

// ---------------------------------------------------------------- what routers and engineers hold (issue 10)

TEST(IosSyntax, ShowRunningConfigWithPromptBannerAndHeader) {
  std::string cfg =
      "R1#show running-config\r\nBuilding configuration...\r\n\r\nCurrent configuration : 4242 bytes\r\n!\r\n"
      "! Last configuration change at 10:00:00 UTC Mon Mar 1 2021\r\n!\r\nversion 15.4\r\nhostname R1\r\n!\r\n"
      "banner motd ^C\r\n crypto pki trustpoint NOT-A-TRUSTPOINT\r\nAuthorized access only ^C\r\n"
      "banner login #one line#\r\n"
      "crypto pki trustpoint TP1\r\n enrollment url http://10.0.0.5:80\r\n!\r\nline vty 0 4\r\n "
      "login\r\n!\r\nend\r\n\r\nR1#\r\n";
  IosConfig c = parse_ios_config(cfg, "r1.cfg");
  EXPECT_EQ(c.hostname, "R1");
  ASSERT_EQ(c.trustpoints.size(), 1u);  // the banner's text is not configuration
  EXPECT_EQ(c.trustpoints[0].enrollment_url, "http://10.0.0.5:80");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(IosSyntax, SavedChainReferencesNvramFiles) {
  std::string cfg =
      "crypto pki trustpoint CA\n enrollment url http://1.1.1.1\n!\ncrypto pki certificate chain CA\n"
      " certificate 02 nvram:CA#2.cer\n certificate ca 01 nvram:CA#1CA.cer\n!\n";
  IosConfig c = parse_ios_config(cfg, "r1.cfg");
  ASSERT_EQ(c.chains.at(0).certs.size(), 2u);
  EXPECT_FALSE(c.chains[0].certs[0].ca);
  EXPECT_TRUE(c.chains[0].certs[1].ca);
  EXPECT_EQ(c.chains[0].certs[1].subject, "");  // no DN in a file reference
  EXPECT_TRUE(c.warnings.empty());
}

TEST(IosSyntax, ConfTPasteScriptWithAbbreviationsAndEnd) {
  std::string cfg =
      "enable\nconf t\nhost R2\nint g1\nip add 192.168.0.2 255.255.255.0\nno shut\nexit\n"
      "int tu1\nip add 10.0.0.2 255.255.255.0\ntunnel sou g1\ntunnel dest 192.168.0.1\nend\n"
      "wr mem\nconf t\ncry pki trustpoint TP1\nenrollment url http://1.1.1.1\nend\n";
  IosConfig c = parse_ios_config(cfg, "r2.txt");
  EXPECT_EQ(c.hostname, "R2");
  ASSERT_EQ(c.interfaces.size(), 2u);
  EXPECT_EQ(c.interfaces[0].name, "GigabitEthernet1");
  EXPECT_EQ(c.interfaces[0].address, "192.168.0.2");
  EXPECT_EQ(c.interfaces[1].name, "Tunnel1");
  EXPECT_EQ(c.interfaces[1].tunnel_source.name, "GigabitEthernet1");
  EXPECT_EQ(c.interfaces[1].tunnel_destination, "192.168.0.1");
  ASSERT_EQ(c.trustpoints.size(), 1u);  // read after `end` + `conf t`
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(IosSyntax, OneSpaceIndentationLeavesBlocksOnUnindentedLines) {
  // An unknown unindented line after an indented block is global, never the block's.
  std::string cfg = "crypto isakmp profile P\n match identity address 0.0.0.0\nself-identity fqdn\n";
  IosConfig c = parse_ios_config(cfg, "r.cfg");
  EXPECT_EQ(c.isakmp_profiles.at(0).self_identity, IdKind::Address);
  EXPECT_EQ(c.skipped.size(), 1u);
}

TEST(IosSyntax, TransformKeySizesAndGcm) {
  IosConfig c = parse_ios_config(
      "crypto ipsec transform-set A esp-aes 256 esp-sha256-hmac\n"
      "crypto ipsec transform-set B esp-gcm 128\ncrypto ipsec transform-set C esp-aes esp-sha-hmac\n",
      "r.cfg");
  EXPECT_EQ(c.transform_sets.at(0).transforms, (std::vector<std::string>{"esp-aes 256", "esp-sha256-hmac"}));
  EXPECT_EQ(c.transform_sets.at(1).transforms, (std::vector<std::string>{"esp-gcm 128"}));
  EXPECT_EQ(c.transform_sets.at(2).transforms.size(), 2u);
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto ipsec transform-set A esp-sha-hmac 256\n", "r.cfg");
            }).find("r.cfg:1:"),
            std::string::npos);
}

TEST(IosSyntax, Ikev2AeadProposalHasNoIntegrity) {
  // GCM-128/group 19 against GCM-256/group 21: two different proposals, not two empty lists.
  IosConfig c = parse_ios_config("crypto ikev2 proposal G\n encryption aes-gcm-256\n prf sha384\n group 21\n", "r.cfg");
  EXPECT_TRUE(c.ikev2_proposals.at(0).integrity.empty());
  std::string cfg =
      "hostname R1\ncrypto pki trustpoint TP1\n enrollment url http://1.1.1.1\n!\n"
      "crypto ikev2 proposal G\n encryption aes-gcm-256\n prf sha384\n group 21\n!\ncrypto ikev2 policy P\n proposal "
      "G\n!\n"
      "crypto ikev2 profile V2\n match identity remote any\n identity local dn\n authentication local rsa-sig\n"
      " authentication remote rsa-sig\n pki trustpoint TP1\n!\ncrypto ipsec profile IP\n set ikev2-profile V2\n!\n"
      "interface Tunnel1\n tunnel source 192.168.0.1\n tunnel destination 192.168.0.2\n tunnel protection ipsec "
      "profile IP\n";
  ImportResult r = import_routers({"r1.cfg", cfg, {}, {}}, {"r2.cfg", mirror_r1(cfg), {}, {}});
  ASSERT_EQ(r.scenario.peers[0].proposals.size(), 1u);
  EXPECT_EQ(r.scenario.peers[0].proposals[0], (Proposal{"aes-gcm-256", "none", 21}));
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(IosSyntax, MatchIdentityAnyAndAddressWithoutMask) {
  IosConfig c = parse_ios_config(
      "crypto ikev2 profile A\n match identity remote any\n match identity remote address 0.0.0.0\n"
      "crypto isakmp profile B\n match identity address 0.0.0.0\n match identity address 10.1.1.1 255.255.255.255 "
      "VRF1\n",
      "r.cfg");
  IdentityMatch any{IdKind::Address, "0.0.0.0", "0.0.0.0"};
  EXPECT_EQ(c.ikev2_profiles.at(0).match, (std::vector<IdentityMatch>{any, any}));
  EXPECT_EQ(c.isakmp_profiles.at(0).match.at(0), any);
  EXPECT_EQ(c.isakmp_profiles.at(0).match.at(1).mask, "255.255.255.255");
}

TEST(IosSyntax, ConfiguredLocalIdentities) {
  IosConfig c = parse_ios_config(
      "crypto ikev2 profile A\n identity local dn\ncrypto ikev2 profile B\n identity local fqdn vpn.example.com\n"
      "crypto ikev2 profile C\n identity local email a@example.com\ncrypto ikev2 profile D\n identity local address "
      "1.2.3.4\n"
      "crypto isakmp profile E\n self-identity fqdn\ncrypto isakmp profile F\n self-identity user-fqdn u@example.com\n",
      "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).identity_local_type, "dn");
  EXPECT_EQ(c.ikev2_profiles.at(1).identity_local, IdKind::Fqdn);
  EXPECT_EQ(c.ikev2_profiles.at(1).identity_local_value, "vpn.example.com");
  EXPECT_EQ(c.ikev2_profiles.at(2).identity_local_type, "email");
  EXPECT_EQ(c.ikev2_profiles.at(3).identity_local_value, "1.2.3.4");
  EXPECT_EQ(c.isakmp_profiles.at(0).self_identity, IdKind::Fqdn);
  EXPECT_EQ(c.isakmp_profiles.at(1).self_identity_type, "user-fqdn");
}

TEST(IosSyntax, VrfsAndTrackedRoutes) {
  IosConfig c = parse_ios_config(
      "interface Tunnel1\n vrf forwarding INSIDE\n tunnel vrf OUTSIDE\n"
      "crypto ikev2 profile A\n match fvrf OUTSIDE\ncrypto isakmp profile B\n vrf INSIDE\n"
      "ip route vrf OUTSIDE 0.0.0.0 0.0.0.0 GigabitEthernet1 198.51.100.1 track 10\n"
      "ip route 10.0.0.0 255.0.0.0 192.168.1.1 250 name backup\n",
      "r.cfg");
  EXPECT_EQ(c.interfaces.at(0).vrf, "INSIDE");
  EXPECT_EQ(c.interfaces.at(0).tunnel_vrf, "OUTSIDE");
  EXPECT_EQ(c.ikev2_profiles.at(0).match_fvrf, "OUTSIDE");
  EXPECT_EQ(c.isakmp_profiles.at(0).vrf, "INSIDE");
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[0].vrf, "OUTSIDE");
  EXPECT_EQ(c.routes[0].next_hop, "GigabitEthernet1");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(IosSyntax, HostnameKeepsIosCharacters) {
  EXPECT_EQ(parse_ios_config("hostname R1:lab\n", "r.cfg").hostname, "R1:lab");
  EXPECT_NE(error_of([] { parse_ios_config("hostname R#1\n", "r.cfg"); }), "");
}

TEST(IosRules, V2_6SignThenVerifyAddsRoles) {
  // One trustpoint named twice with different roles serves both, in either order.
  IosConfig c = parse_ios_config(
      "crypto pki trustpoint T\ncrypto ikev2 profile A\n pki trustpoint T sign\n pki trustpoint T verify\n"
      "crypto ikev2 profile B\n pki trustpoint T verify\n pki trustpoint T sign\n"
      "crypto ikev2 profile C\n pki trustpoint T\n pki trustpoint T verify\n",
      "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).trustpoints.at(0).use, TrustpointUse::Both);
  EXPECT_EQ(c.ikev2_profiles.at(1).trustpoints.at(0).use, TrustpointUse::Both);
  EXPECT_EQ(c.ikev2_profiles.at(2).trustpoints.at(0).use, TrustpointUse::Both);
}

// ---------------------------------------------------------------- tunnels: crypto maps, global IKEv1, the right tunnel

namespace {
const char* kPki =
    "crypto pki trustpoint CA\n enrollment url http://10.9.9.9\n revocation-check none\n!\n"
    "crypto isakmp policy 10\n encr aes 256\n hash sha256\n group 14\n!\n"
    "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac\n mode tunnel\n!\n";

std::string crypto_map_router(const std::string& host, const std::string& self, const std::string& peer, bool dynamic) {
  std::string map = dynamic ? "crypto dynamic-map DYN 10\n set transform-set TS\n match address 101\n!\ncrypto map "
                              "CMAP 10 ipsec-isakmp dynamic DYN\n!\n"
                            : "crypto map CMAP 10 ipsec-isakmp\n set peer " + peer +
                                  "\n set transform-set TS\n match address 101\n!\n";
  return "hostname " + host + "\n" + kPki + map + "interface GigabitEthernet0/0\n ip address " + self +
         " 255.255.255.0\n crypto map CMAP\n!\naccess-list 101 permit ip 10.1.0.0 0.0.255.255 10.2.0.0 "
         "0.0.255.255\nend\n";
}
}  // namespace

TEST(IosTunnels, CryptoMapWithoutIsakmpProfileUsesTheGlobalConfiguration) {
  ImportResult r = import_routers({"a.cfg", crypto_map_router("A", "198.51.100.1", "198.51.100.2", false), {}, {}},
                                  {"b.cfg", crypto_map_router("B", "198.51.100.2", "198.51.100.1", false), {}, {}});
  const Scenario& s = r.scenario;
  EXPECT_EQ(s.ike_version, IkeVersion::V1);
  EXPECT_EQ(s.peers[0].tunnel_profile, "global");
  ASSERT_EQ(s.peers[0].profiles.size(), 1u);
  EXPECT_TRUE(s.peers[0].profiles[0].trustpoints.empty());  // every global trustpoint (V1-2, V1-9)
  EXPECT_EQ(s.peers[0].address, "198.51.100.1");
  EXPECT_EQ(s.peers[1].address, "198.51.100.2");
  EXPECT_EQ(r.tunnels[0].label, "crypto map CMAP 10 (GigabitEthernet0/0)");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(IosTunnels, DynamicCryptoMapIsNotInitiatedByDesign) {
  ImportResult r = import_routers({"a.cfg", crypto_map_router("A", "198.51.100.1", "198.51.100.2", false), {}, {}},
                                  {"hub.cfg", crypto_map_router("HUB", "198.51.100.2", "", true), {}, {}});
  EXPECT_TRUE(r.tunnels[0].initiates);
  EXPECT_FALSE(r.tunnels[1].initiates);
  EXPECT_NE(r.tunnels[1].why_not.find("dynamic map DYN"), std::string::npos);
}

namespace {
// A DMVPN spoke with two hubs (two protected tunnels) and a hub.
std::string spoke() {
  return std::string("hostname SPOKE\n") + kPki +
         "crypto ipsec profile DMVPN\n set transform-set TS\n!\n"
         "interface Tunnel0\n ip address 10.0.0.11 255.255.255.0\n ip nhrp map 10.0.0.1 192.0.2.1\n ip nhrp nhs "
         "10.0.0.1\n"
         " tunnel source GigabitEthernet0/0\n tunnel mode gre multipoint\n tunnel protection ipsec profile DMVPN "
         "shared\n!\n"
         "interface Tunnel1\n ip address 10.1.0.11 255.255.255.0\n ip nhrp nhs 10.1.0.1 nbma 192.0.2.5 multicast\n"
         " tunnel source GigabitEthernet0/0\n tunnel mode gre multipoint\n tunnel protection ipsec profile DMVPN "
         "shared\n!\n"
         "interface GigabitEthernet0/0\n ip address 203.0.113.11 255.255.255.0\n!\nend\n";
}
std::string hub(const std::string& host, const std::string& addr) {
  return "hostname " + host + "\n" + kPki +
         "crypto ipsec profile DMVPN\n set transform-set TS\n!\n"
         "interface Tunnel0\n ip address 10.0.0.1 255.255.255.0\n ip nhrp network-id 1\n tunnel source "
         "GigabitEthernet1\n"
         " tunnel mode gre multipoint\n tunnel protection ipsec profile DMVPN\n!\ninterface GigabitEthernet1\n ip "
         "address " +
         addr + " 255.255.255.0\n!\nend\n";
}
}  // namespace

TEST(IosTunnels, DmvpnSpokeTakesTheTunnelToThisHubAndTheHubOnlyAnswers) {
  ImportResult r = import_routers({"spoke.cfg", spoke(), {}, {}}, {"hub2.cfg", hub("HUB2", "192.0.2.5"), {}, {}});
  EXPECT_EQ(r.tunnels[0].label, "Tunnel1");  // NHRP NBMA 192.0.2.5 is HUB2's address
  EXPECT_FALSE(r.tunnels[1].initiates);
  EXPECT_NE(r.tunnels[1].why_not.find("multipoint"), std::string::npos);
  EXPECT_EQ(r.scenario.peers[1].address, "192.0.2.5");
  EXPECT_EQ(r.scenario.peers[0].address, "203.0.113.11");
  r = import_routers({"spoke.cfg", spoke(), {}, {}}, {"hub1.cfg", hub("HUB1", "192.0.2.1"), {}, {}});
  EXPECT_EQ(r.tunnels[0].label, "Tunnel0");
}

TEST(IosTunnels, AmbiguousTunnelIsAnErrorListingCandidatesAndTunnelOptionChooses) {
  // Neither hub address is HUB3's: the spoke's two tunnels are both candidates.
  std::string err = error_of([] {
    import_routers({"spoke.cfg", spoke(), {}, {}}, {"hub3.cfg", hub("HUB3", "192.0.2.9"), {}, {}});
  });
  EXPECT_NE(err.find("cannot tell which tunnel of SPOKE"), std::string::npos) << err;
  EXPECT_NE(err.find("Tunnel0, Tunnel1"), std::string::npos) << err;
  EXPECT_NE(err.find("--tunnel SPOKE=INTERFACE"), std::string::npos) << err;
  ImportResult r = import_routers({"spoke.cfg", spoke(), {}, {}}, {"hub3.cfg", hub("HUB3", "192.0.2.9"), {}, {}}, {},
                                  {"SPOKE=tu1"});
  EXPECT_EQ(r.tunnels[0].label, "Tunnel1");
  EXPECT_NE(error_of([] {
              import_routers({"spoke.cfg", spoke(), {}, {}}, {"hub3.cfg", hub("HUB3", "192.0.2.9"), {}, {}}, {},
                             {"SPOKE=Tunnel7"});
            }),
            "");
}

// ---------------------------------------------------------------- honest CA identity (spec 6)

TEST(IosSection6, EnrollmentUrlsComparedNormalized) {
  // One CA router reached as http://1.1.14.14 and http://1.1.14.14:80/: one CA, with an assumption.
  ImportResult r =
      import_routers(inline_router("a.cfg", v1_router("R1", "192.168.0.1", "R2", tp("CA-A", "http://1.1.14.14"))),
                     inline_router("b.cfg", v1_router("R2", "192.168.0.2", "R1", tp("CA-B", "HTTP://1.1.14.14:80/"))));
  ASSERT_EQ(r.scenario.cas.size(), 1u);
  EXPECT_EQ(r.ca_decisions.at(0).rule, "enrollment-url");
  ASSERT_EQ(r.assumptions.size(), 1u);
  EXPECT_NE(r.assumptions[0].find("R1/CA-A = R2/CA-B"), std::string::npos) << r.assumptions[0];
  EXPECT_NE(r.assumptions[0].find("show crypto pki certificates CA-A` on R1"), std::string::npos) << r.assumptions[0];
  // A different port or host is another CA.
  r = import_routers(inline_router("a.cfg", v1_router("R1", "192.168.0.1", "R2", tp("CA-A", "http://1.1.14.14:8080"))),
                     inline_router("b.cfg", v1_router("R2", "192.168.0.2", "R1", tp("CA-B", "http://1.1.14.14"))));
  EXPECT_EQ(r.scenario.cas.size(), 2u);
}

TEST(IosSection6, PkiServerRouterIsItsOwnCa) {
  // R1 runs `crypto pki server ROOT`; R2 enrolls at R1's address: the same CA.
  std::string r1 = v1_router("R1", "192.168.0.1", "R2",
                             "crypto pki server ROOT\n issuer-name cn=ROOT\n grant auto\n!\n" + tp("ROOT", ""));
  std::string r2 = v1_router("R2", "192.168.0.2", "R1", tp("FROM-R1", "http://192.168.0.1:80"));
  ImportResult r = import_routers(inline_router("a.cfg", r1), inline_router("b.cfg", r2));
  ASSERT_EQ(r.scenario.cas.size(), 1u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(IosRules, CertificateMapLinesAreReadAsRulesPerSequence) {
  IosConfig c = parse_ios_config(
      "crypto pki certificate map BRANCHES 20\n issuer-name eq cn = CA1, o = cisco\n!\n"
      "crypto pki certificate map BRANCHES 10\n subject-name co ou = branch\n subject-name nc ou=lab\n!\n"
      "crypto isakmp profile P\n match certificate BRANCHES\n",
      "r.cfg");
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.certificate_maps.size(), 1u);
  const CertificateMap& m = c.certificate_maps[0].map;
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].seq, 10);  // sequence order, whatever the configuration order
  ASSERT_EQ(m.entries[0].rules.size(), 2u);
  EXPECT_EQ(m.entries[0].rules[0], (CertMapRule{CertField::SubjectName, CertMatchOp::Co, "ou = branch"}));
  EXPECT_EQ(m.entries[0].rules[1], (CertMapRule{CertField::SubjectName, CertMatchOp::Nc, "ou=lab"}));
  EXPECT_EQ(m.entries[1].rules.at(0), (CertMapRule{CertField::IssuerName, CertMatchOp::Eq, "cn = CA1, o = cisco"}));
  ASSERT_EQ(c.isakmp_profiles.at(0).certificate_maps.size(), 1u);
  EXPECT_EQ(c.isakmp_profiles[0].certificate_maps[0].line, 9);
}

TEST(IosRules, CertificateMapFieldsNotModeledAreUnsupportedWithTheirLine) {
  // alt-subject-name (and dates, serial numbers, lt/ge) carry data a scenario does not hold.
  std::string cfg =
      "crypto pki certificate map M 10\n subject-name co cn=x\n alt-subject-name eq a.example\n!\n"
      "crypto ikev2 profile P\n match certificate M\n";
  EXPECT_EQ(error_of([&] { parse_ios_config(cfg, "r.cfg"); }),
            "r.cfg:3: 'alt-subject-name eq a.example': UNSUPPORTED: only subject-name and issuer-name with eq, ne, "
            "co, nc are evaluated; profile P selects peers by certificate map 'M' (line 6), so no verdict is given");
  // Unused by any profile: no error.
  EXPECT_TRUE(parse_ios_config(cfg.substr(0, cfg.find("crypto ikev2")), "r.cfg").warnings.empty());
  EXPECT_EQ(error_of([] { parse_ios_config("crypto ikev2 profile P\n match certificate M\n", "r.cfg"); }),
            "r.cfg:2: certificate map 'M' is not defined");
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto pki certificate map M 10\n subject-name is cn=x\n", "r.cfg");
            }).find("r.cfg:2: "),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_ios_config("crypto pki certificate map M 0\n", "r.cfg"); }).find("r.cfg:1: "),
            std::string::npos);
}

TEST(IosRules, CertificateMapIssuerNameWithoutCertificateDataIsUnsupported) {
  // R1 selects R2 by issuer-name; R2's CA is known only by its trustpoint name: a guess.
  std::string r1 = v1_router("R1", "192.168.0.1", "R2",
                             "crypto pki certificate map M 10\n issuer-name co o=cisco\n!\n" + tp("CA", ""),
                             " match certificate M\n");
  std::string r2 = v1_router("R2", "192.168.0.2", "R1", tp("CA", ""));
  std::string err = error_of([&] { import_routers(inline_router("a.cfg", r1), inline_router("b.cfg", r2)); });
  EXPECT_EQ(err.rfind("a.cfg:", 0), 0u) << err;
  EXPECT_NE(err.find("UNSUPPORTED: profile prof1 matches certificate map 'M' by issuer-name"), std::string::npos)
      << err;
  EXPECT_NE(err.find("R2's `show crypto pki certificates`"), std::string::npos) << err;
  // A subject-name map imports: the model decides when it can, UNSUPPORTED when it cannot.
  std::string r1s = v1_router("R1", "192.168.0.1", "R2",
                              "crypto pki certificate map M 10\n subject-name co ou=x\n!\n" + tp("CA", ""),
                              " match certificate M\n");
  ImportResult r = import_routers(inline_router("a.cfg", r1s), inline_router("b.cfg", r2));
  ASSERT_EQ(r.scenario.peers[0].profiles.at(0).match_certificate.size(), 1u);
  EXPECT_EQ(r.scenario.peers[0].profiles[0].match_certificate[0].name, "M");
}

TEST(IosExport, CertificateMapsRoundTrip) {
  Scenario s = load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/s2.json");
  CertificateMap m{"BR",
                   {{10,
                     {{CertField::SubjectName, CertMatchOp::Co, "ou=branch"},
                      {CertField::IssuerName, CertMatchOp::Ne, "cn=CA9"}}},
                    {20, {{CertField::SubjectName, CertMatchOp::Eq, "cn=R1,o=cisco"}}}}};
  for (Profile& f : s.peers[1].profiles) f.match_certificate = {m};
  std::string cfg = export_ios_config(s, 1);
  EXPECT_NE(cfg.find("crypto pki certificate map BR 10\n subject-name co ou=branch\n issuer-name ne cn=CA9\n"),
            std::string::npos)
      << cfg;
  IosConfig c = parse_ios_config(cfg, "r2.cfg");
  ASSERT_EQ(c.certificate_maps.size(), 1u);  // written once for the profiles that share it
  EXPECT_EQ(c.certificate_maps[0].map, m);
  for (const auto& p : c.ikev2_profiles) EXPECT_EQ(p.certificate_maps.size(), 1u) << p.name;
}

TEST(IosRules, V2_9MatchFvrfLimitsProfileSelection) {
  // Two profiles match the peer's address; only the one whose `match fvrf` is the tunnel's
  // front-door VRF can bind it (IOS: no `match fvrf` = the global table).
  std::string r1 =
      "hostname R1\ncrypto pki trustpoint TP1\n enrollment url http://1.1.1.1\n!\n"
      "crypto ikev2 proposal P\n encryption aes-cbc-256\n integrity sha256\n group 14\n!\n"
      "crypto ikev2 profile INET\n match fvrf INET\n match identity remote any\n pki trustpoint TP1\n!\n"
      "crypto ikev2 profile GLOBAL\n match identity remote any\n pki trustpoint TP1\n!\n"
      "crypto ipsec profile IP\n set ikev2-profile INET\n!\n"
      "interface Tunnel1\n tunnel source GigabitEthernet1\n tunnel vrf INET\n tunnel destination 192.168.0.2\n tunnel "
      "protection ipsec profile IP\n!\n"
      "interface GigabitEthernet1\n vrf forwarding INET\n ip address 192.168.0.1 255.255.255.0\n";
  ImportResult r = import_routers(inline_router("r1.cfg", r1), inline_router("r2.cfg", mirror_r1(r1)));
  const auto& profiles = r.scenario.peers[0].profiles;
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_FALSE(profiles[0].match.empty());  // INET: the tunnel's front-door VRF
  EXPECT_TRUE(profiles[1].match.empty());   // GLOBAL would bind only global-table peers
}

TEST(IosSyntax, TunnelSourceInterfaceNotInTheText) {
  // An excerpt without the source interface: the address comes from the other's destination.
  std::string r1 = v1_router("R1", "192.168.0.1", "R2", tp("CA", "http://1.1.1.1"));
  r1.replace(r1.find("interface Ethernet0/0\n ip address 192.168.0.1 255.255.255.0\n!\n"), 58, "");
  ImportResult r = import_routers(inline_router("r1.cfg", r1),
                                  inline_router("r2.cfg",
                                                v1_router("R2", "192.168.0.2", "R1", tp("CA", "http://1.1.1.1"))));
  EXPECT_EQ(r.scenario.peers[0].address, "192.168.0.1");
  EXPECT_EQ(r.scenario.peers[1].address, "192.168.0.2");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

// ---------------------------------------------------------------- DN and e-mail identities (issue 10)

namespace {

IdentityMatch domain_match(IdKind k, std::string v) {
  IdentityMatch m{k, std::move(v), ""};
  m.domain = true;
  return m;
}

TEST(IosSyntax, MatchIdentityHostDomain) {
  IosConfig c = parse_ios_config("crypto isakmp profile A\n match identity host domain cisco.com\n", "r.cfg");
  EXPECT_EQ(c.isakmp_profiles.at(0).match.at(0), domain_match(IdKind::Fqdn, "cisco.com"));
}

TEST(IosSyntax, MatchIdentityUserFqdn) {
  IosConfig c = parse_ios_config("crypto isakmp profile A\n match identity user-fqdn r2@cisco.com\n", "r.cfg");
  EXPECT_EQ(c.isakmp_profiles.at(0).match.at(0), (IdentityMatch{IdKind::Email, "r2@cisco.com", ""}));
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto isakmp profile A\n match identity user-fqdn r2\n", "r.cfg");
            }).find("r.cfg:2:"),
            std::string::npos);
}

TEST(IosSyntax, MatchIdentityUserFqdnDomain) {
  IosConfig c = parse_ios_config("crypto isakmp profile A\n match identity user-fqdn domain cisco.com\n", "r.cfg");
  EXPECT_EQ(c.isakmp_profiles.at(0).match.at(0), domain_match(IdKind::Email, "cisco.com"));
}

TEST(IosSyntax, MatchIdentityRemoteFqdnDomain) {
  IosConfig c = parse_ios_config("crypto ikev2 profile A\n match identity remote fqdn domain cisco.com\n", "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).match.at(0), domain_match(IdKind::Fqdn, "cisco.com"));
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto ikev2 profile A\n match identity remote fqdn domain\n", "r.cfg");
            }).find("r.cfg:2:"),
            std::string::npos);
}

TEST(IosSyntax, MatchIdentityRemoteEmail) {
  IosConfig c = parse_ios_config("crypto ikev2 profile A\n match identity remote email r2@cisco.com\n", "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).match.at(0), (IdentityMatch{IdKind::Email, "r2@cisco.com", ""}));
}

TEST(IosSyntax, MatchIdentityRemoteEmailDomain) {
  IosConfig c = parse_ios_config("crypto ikev2 profile A\n match identity remote email domain cisco.com\n", "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).match.at(0), domain_match(IdKind::Email, "cisco.com"));
}

TEST(IosSyntax, IdentityLocalDnAndEmailAreTheirKinds) {
  IosConfig c = parse_ios_config(
      "crypto ikev2 profile A\n identity local dn\ncrypto ikev2 profile B\n identity local email r1@cisco.com\n"
      "crypto isakmp profile C\n self-identity dn\ncrypto isakmp profile D\n self-identity user-fqdn r1@cisco.com\n"
      "crypto isakmp identity dn\n",
      "r.cfg");
  EXPECT_EQ(c.ikev2_profiles.at(0).identity_local, IdKind::Dn);
  EXPECT_EQ(c.ikev2_profiles.at(1).identity_local, IdKind::Email);
  EXPECT_EQ(c.ikev2_profiles.at(1).identity_local_value, "r1@cisco.com");
  EXPECT_EQ(c.isakmp_profiles.at(0).self_identity, IdKind::Dn);
  EXPECT_EQ(c.isakmp_profiles.at(1).self_identity, IdKind::Email);
  EXPECT_EQ(c.isakmp_identity, IdKind::Dn);
  EXPECT_NE(error_of([] {
              parse_ios_config("crypto ikev2 profile B\n identity local email r1\n", "r.cfg");
            }).find("r.cfg:2:"),
            std::string::npos);
}

// FlexVPN pair: R1 sends its DN, R2 `match identity remote any` or an FQDN line.
std::string flex(const std::string& identity, const std::string& match) {
  return "hostname R1\nip domain name cisco.com\ncrypto pki trustpoint TP1\n enrollment url http://1.1.1.1\n!\n"
         "crypto ikev2 profile V2\n " +
         match + "\n " + identity +
         "\n authentication local rsa-sig\n authentication remote rsa-sig\n pki trustpoint TP1\n!\n"
         "crypto ipsec profile IP\n set ikev2-profile V2\n!\n"
         "interface Tunnel1\n tunnel source 192.168.0.1\n tunnel destination 192.168.0.2\n tunnel protection ipsec "
         "profile IP\n";
}

TEST(IosImport, IdentityLocalDnIsADnIdentityAndMatchAnyAcceptsItsCertificate) {
  const std::string r1 = flex("identity local dn", "match identity remote any");
  ImportResult r = import_routers(inline_router("r1.cfg", r1), inline_router("r2.cfg", mirror_r1(r1)));
  for (const auto& n : r.notes) EXPECT_EQ(n.find("modeled as its address"), std::string::npos) << n;
  const Profile& f = r.scenario.peers[0].profiles.at(0);
  EXPECT_EQ(f.self_identity, IdKind::Dn);
  ASSERT_EQ(f.match_certificate.size(), 1u);  // `any`: the DN sender's certificate, whatever it is
  EXPECT_TRUE(f.match_certificate[0].entries.at(0).rules.empty());
  EXPECT_TRUE(run_direction(r.scenario, 0, {}).up());
  EXPECT_TRUE(run_direction(r.scenario, 1, {}).up());
}

TEST(IosImport, ADnSenderAgainstAnFqdnMatchFailsWhereItUsedToBeModeledAsItsAddress) {
  std::string r1 = flex("identity local dn", "match identity remote fqdn R2.cisco.com");
  std::string r2 = mirror_r1(flex("identity local fqdn R2.cisco.com", "match identity remote fqdn R2.cisco.com"));
  r2.replace(r2.find("match identity remote fqdn R2.cisco.com"), 39, "match identity remote fqdn R1.cisco.com");
  ImportResult r = import_routers(inline_router("r1.cfg", r1), inline_router("r2.cfg", r2));
  EXPECT_EQ(run_direction(r.scenario, 0, {}).reason, Reason::NoMatchingProfile);  // R2 finds no profile for a DN
  EXPECT_TRUE(run_direction(r.scenario, 1, {}).up());                             // R1 matches R2's FQDN
}

TEST(IosImport, IdentityLocalEmailAndMatchIdentityRemoteEmailDomain) {
  const std::string r1 = flex("identity local email r1@cisco.com", "match identity remote email domain cisco.com");
  std::string r2 = mirror_r1(r1);
  r2.replace(r2.find("r1@"), 3, "r2@");
  ImportResult r = import_routers(inline_router("r1.cfg", r1), inline_router("r2.cfg", r2));
  const Profile& f = r.scenario.peers[0].profiles.at(0);
  EXPECT_EQ(f.self_identity, IdKind::Email);
  EXPECT_EQ(f.self_identity_value, "r1@cisco.com");
  EXPECT_EQ(f.match.at(0), domain_match(IdKind::Email, "cisco.com"));
  EXPECT_TRUE(run_direction(r.scenario, 0, {}).up());
  EXPECT_TRUE(run_direction(r.scenario, 1, {}).up());
  const std::string out = export_ios_config(r.scenario, 0);
  EXPECT_NE(out.find(" identity local email r1@cisco.com\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" match identity remote email domain cisco.com\n"), std::string::npos) << out;
}

TEST(IosExport, Ikev1DnAndUserFqdnLines) {
  Scenario s = import_routers(router("s1-r1.cfg", "s1-r1.show"), router("s1-r2.cfg", "s1-r2.show")).scenario;
  s.peers[0].profiles[0].self_identity = IdKind::Dn;
  s.peers[1].profiles[0].self_identity = IdKind::Email;
  s.peers[1].profiles[0].self_identity_value = "r2@cisco.com";
  IdentityMatch host = domain_match(IdKind::Fqdn, "cisco.com");
  s.peers[0].profiles[0].match = {{IdKind::Email, "r2@cisco.com", ""}, domain_match(IdKind::Email, "cisco.com"), host};
  const std::string a = export_ios_config(s, 0), b = export_ios_config(s, 1);
  EXPECT_NE(a.find(" self-identity dn\n"), std::string::npos) << a;
  EXPECT_NE(a.find(" match identity user-fqdn r2@cisco.com\n"), std::string::npos) << a;
  EXPECT_NE(a.find(" match identity user-fqdn domain cisco.com\n"), std::string::npos) << a;
  EXPECT_NE(a.find(" match identity host domain cisco.com\n"), std::string::npos) << a;
  EXPECT_NE(b.find(" self-identity user-fqdn r2@cisco.com\n"), std::string::npos) << b;
  RouterInput ra{"r1.cfg", a, "r1.show", export_show_certs(s, 0)};
  RouterInput rb{"r2.cfg", b, "r2.show", export_show_certs(s, 1)};
  EXPECT_EQ(import_routers(ra, rb).scenario, s);
}

}  // namespace
