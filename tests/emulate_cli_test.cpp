// `ikeconform emulate`'s input handling (label `cli`, no root, no daemon): every bad input ends
// with exit 2 and `file: what is wrong` before a socket opens; `--json` then prints one `error`
// object. The PKCS#12 reader and writer round-trip. The exchanges themselves are in
// emulate_real_test.cpp (root + charon).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "drivers/cisco_ios/emulate.hpp"
#include "drivers/pki/p12.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers_test_util.hpp"
#include "ios/ios.hpp"
#include "model/input_error.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;

class EmulateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ikeconform-emulate-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    s_ = testing::s1_scenario(IkeVersion::V2);
    pki::KeyCache keys(testing::test_key_cache());
    pki_ = pki::make_pki(s_, dir_ / "pki", keys);
    std::ofstream(dir_ / "R1.cfg") << ios::export_ios_config(s_, 0);
    for (const Trustpoint& tp : s_.peers[0].trustpoints) write_p12(tp.name, "s3cret");
    std::ofstream(dir_ / "garbage.p12") << "not a PKCS#12 file";
    std::ofstream(dir_ / "noca.p12", std::ios::binary)
        << pki::p12_bytes(pki_.cert("R1", "IOSCA1")->cert_pem, pki_.cert("R1", "IOSCA1")->key_pem, {}, "s3cret");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_p12(const std::string& tp, const std::string& password) {
    const pki::IdentityMaterial* m = pki_.cert("R1", tp);
    std::ofstream(dir_ / (tp + ".p12"), std::ios::binary)
        << pki::p12_bytes(m->cert_pem, m->key_pem, {pki_.ca(find_trustpoint(s_.peers[0], tp)->ca)->cert_pem}, password);
  }

  // emulate R1.cfg toward an address nobody answers, with `extra` appended.
  test::CliRun run(const std::string& extra, bool role = true) {
    std::string a = "emulate " + (dir_ / "R1.cfg").string() + " --peer 192.0.2.1 --timeout 1 --p12-password s3cret";
    if (role) a += " --initiate";
    return test::cli(a + " " + extra);
  }
  std::string creds(const std::string& tp1 = "IOSCA1.p12", const std::string& tp2 = "IOSCA2.p12") {
    return "--credentials IOSCA1=" + (dir_ / tp1).string() + " --credentials IOSCA2=" + (dir_ / tp2).string();
  }

  fs::path dir_;
  Scenario s_;
  pki::Pki pki_;
};

TEST_F(EmulateCli, P12RoundTrip) {
  const cisco_ios::P12Contents c = cisco_ios::read_p12({"IOSCA1", (dir_ / "IOSCA1.p12").string(), "s3cret"});
  EXPECT_EQ(c.cert_pem, pki_.cert("R1", "IOSCA1")->cert_pem);
  EXPECT_EQ(c.ca_pem, pki_.ca("CA1")->cert_pem);
  EXPECT_EQ(c.ca_dn, "cn=CA1,o=cisco,o=com");
  EXPECT_FALSE(c.key_pem.empty());
  // A CA-only file (a trustpoint without an identity certificate).
  std::ofstream(dir_ / "ca.p12", std::ios::binary) << pki::p12_bytes("", "", {pki_.ca("CA2")->cert_pem}, "");
  const cisco_ios::P12Contents ca = cisco_ios::read_p12({"IOSCA2", (dir_ / "ca.p12").string(), ""});
  EXPECT_TRUE(ca.cert_pem.empty());
  EXPECT_EQ(ca.ca_dn, "cn=CA2,o=cisco,o=com");
}

TEST_F(EmulateCli, CredentialsSpecTakesAPasswordAfterTheLastColon) {
  const auto a = cisco_ios::parse_credentials_spec("TP=/x/y.p12:pw", "default");
  EXPECT_EQ(a.trustpoint, "TP");
  EXPECT_EQ(a.file, "/x/y.p12");
  EXPECT_EQ(a.password, "pw");
  const auto b = cisco_ios::parse_credentials_spec("TP=y.p12", "default");
  EXPECT_EQ(b.file, "y.p12");
  EXPECT_EQ(b.password, "default");
  EXPECT_THROW(cisco_ios::parse_credentials_spec("y.p12", ""), InputError);
}

TEST_F(EmulateCli, BadInputsExitTwoWithFileAndReason) {
  struct Case {
    std::string extra, message;
  };
  const std::vector<Case> cases = {
      {creds("missing.p12"), "missing.p12: cannot read file"},
      {creds("garbage.p12"), "garbage.p12: not a PKCS#12 file"},
      {creds("noca.p12"), "noca.p12: holds no CA certificate"},
      {creds("IOSCA1.p12:wrong"), "IOSCA1.p12: wrong password"},
      {"--credentials IOSCA1=" + (dir_ / "IOSCA1.p12").string(), "trustpoint IOSCA2 of R1 has no --credentials"},
      {creds() + " --credentials NOSUCH=" + (dir_ / "IOSCA1.p12").string(), "R1 has no trustpoint 'NOSUCH'"},
      {creds() + " --respond", "excludes"},
      {creds() + " --tunnel Tunnel9", "has no tunnel 'Tunnel9'"},
      {creds() + " --peer-show-certs x", "--peer-show-certs: applies to --peer-config"},
  };
  for (const Case& c : cases) {
    const auto r = run(c.extra);
    EXPECT_EQ(r.exit_code, 2) << c.extra << "\n" << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.extra << "\n" << r.out;
  }
  const auto bad_peer = test::cli("emulate " + (dir_ / "R1.cfg").string() + " --peer 300.1.1.1 --initiate " + creds() +
                                  " --p12-password s3cret");
  EXPECT_EQ(bad_peer.exit_code, 2) << bad_peer.out;
  EXPECT_NE(bad_peer.out.find("300.1.1.1"), std::string::npos) << bad_peer.out;
  const auto no_role = run(creds(), false);
  EXPECT_EQ(no_role.exit_code, 2) << no_role.out;
  EXPECT_NE(no_role.out.find("give --initiate or --respond"), std::string::npos) << no_role.out;
}

TEST_F(EmulateCli, JsonErrorIsOneObject) {
  const auto r = test::cli("emulate " + (dir_ / "R1.cfg").string() + " --peer 192.0.2.1 --initiate --json " +
                               creds("missing.p12"),
                           "/dev/null");
  EXPECT_EQ(r.exit_code, 2);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "ikeconform.emulate/1");
  EXPECT_NE(j["error"]["file"].get<std::string>().find("missing.p12"), std::string::npos) << r.out;
  EXPECT_EQ(j["error"]["line"], 0);
}

}  // namespace
}  // namespace ikeconform
