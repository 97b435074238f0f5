// `ikeconform check` end to end through the real binary: exit codes, JSON schema, IOS input.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.hpp"

namespace {

using ikeconform::test::cli;
using ikeconform::test::CliRun;

std::string src(const std::string& rel) { return std::string(IKECONFORM_SOURCE_DIR) + "/" + rel; }

TEST(CheckCli, S1ScenarioFileExitsOneAndExplains) {
  CliRun r = cli("check " + src("corpus/scenarios/s1.json"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("R1 -> R2: UP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R2 -> R1: DOWN at MM5: CERT_VALIDATION_FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R1 validates against IOSCA1 only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ca trust-point IOSCA2"), std::string::npos) << r.out;  // a verified fix, as IOS
}

TEST(CheckCli, S1ThroughIosConfigsAndShowCertsJson) {
  CliRun r = cli("check --json " + src("corpus/ios/s1-r1.cfg") + " " + src("corpus/ios/s1-r2.cfg") +
                 " --show-certs R1=" + src("corpus/ios/s1-r1.show") +
                 " --show-certs R2=" + src("corpus/ios/s1-r2.show"));
  ASSERT_EQ(r.exit_code, 1) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["directions"].size(), 2u);
  const auto& ok = j["directions"][0];
  EXPECT_EQ(ok["initiator"], "R1");
  EXPECT_EQ(ok["ike_sa"], "established");
  EXPECT_EQ(ok["child_sa"], "established");
  EXPECT_TRUE(ok["failed_at"].is_null());
  EXPECT_EQ(ok["certreq_from_initiator"].size(), 1u);
  EXPECT_EQ(ok["certreq_from_initiator"][0]["issuer"], "cn=CA1,o=cisco,o=com");
  const auto& bad = j["directions"][1];
  EXPECT_EQ(bad["initiator"], "R2");
  EXPECT_EQ(bad["ike_sa"], "failed");
  EXPECT_EQ(bad["child_sa"], "not_attempted");
  EXPECT_EQ(bad["failed_at"], "MM5");
  EXPECT_EQ(bad["reason"], "CERT_VALIDATION_FAILED");
  EXPECT_EQ(bad["initiator_trustpoint"], "IOSCA2");
  EXPECT_EQ(bad["responder_trustpoint"], "IOSCA1");
  EXPECT_EQ(bad["responder_profile"], "prof1");
  EXPECT_EQ(bad["certreq_from_responder"][0]["issuer"], "cn=CA2,o=cisco,o=com");  // from R1's show output
  EXPECT_EQ(bad["certreq_from_responder"].size(), 7u);
  EXPECT_FALSE(j["fixes"].empty());
}

TEST(CheckCli, EnrollmentOptionChangesTheOutcome) {
  // R1 enrolled IOSCA2 first, IOSCA1 last: its CERT_REQs lead with CA1 and both directions work.
  CliRun r = cli("check " + src("corpus/ios/s1-r1.cfg") + " " + src("corpus/ios/s1-r2.cfg") +
                 " --enrollment R1=IOSCA2,IOSCA1 --enrollment R2=IOSCA2,IOSCA1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Both directions come up"), std::string::npos) << r.out;
}

TEST(CheckCli, BadInputExitsTwoWithFileAndLine) {
  CliRun r = cli("check " + src("corpus/ios/s1-r1.cfg") + " " + src("corpus/ios/s1-r2.cfg") +
                 " --enrollment R9=IOSCA1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("R9"), std::string::npos) << r.out;
  r = cli("check " + src("corpus/ios/s1-r1.cfg") + " " + src("corpus/ios/s1-r2.cfg") + " --enrollment R1=NOPE");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = cli("check /nonexistent.json");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = cli("check --model-option bogus=1 " + src("corpus/scenarios/s1.json"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = cli("check");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = cli("check --personality R1=unknown " + src("corpus/scenarios/s1.json"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(CheckCli, PersonalityOptionMakesAMixedPair) {
  CliRun r = cli("check --json --personality R2=strongswan-5.9 " + src("corpus/scenarios/s1.json"));
  ASSERT_NE(r.exit_code, 2) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["directions"][1]["ike_sa"], "established");
}

}  // namespace

namespace {
CliRun cli_stdout(const std::string& args) { return cli(args, "/dev/null"); }
}  // namespace

TEST(CheckCli, JsonOnExitTwoIsOneErrorObject) {
  for (const std::string& args : {std::string("check --json /nonexistent.json"), std::string("check --json"),
                                  "check --json " + src("corpus/ios/s1-r1.cfg") + " " + src("corpus/ios/s1-r2.cfg") +
                                      " --enrollment R9=IOSCA1"}) {
    CliRun r = cli_stdout(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    auto j = nlohmann::json::parse(r.out);  // exactly one object, nothing else
    EXPECT_EQ(j["schema"], "ikeconform.check/1");
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << r.out;
  }
}

TEST(CheckCli, DirectoryGivenAsAFileIsAClearError) {
  CliRun r = cli("check " + src("corpus/ios") + " " + src("corpus/ios/s1-r2.cfg"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("is a directory, not a file"), std::string::npos) << r.out;
  r = cli("check " + src("corpus"));
  EXPECT_NE(r.out.find("is a directory, not a file"), std::string::npos) << r.out;
}

TEST(CheckCli, FlatFileStemNamesTheRouterForEveryOption) {
  // r1.flat.cfg without `hostname` is router `r1` for --enrollment and --show-certs alike.
  std::string dir = testing::TempDir() + "/ikeconform-stem";
  std::string mk = "mkdir -p " + dir + " && sed '/^hostname/d' " + src("corpus/ios/s1-r1.flat.cfg") + " > " + dir +
                   "/r1.flat.cfg";
  ASSERT_EQ(std::system(mk.c_str()), 0);
  CliRun r = cli("check " + dir + "/r1.flat.cfg " + src("corpus/ios/s1-r2.cfg") +
                 " --show-certs r1=" + src("corpus/ios/s1-r1.show") + " --enrollment r1=IOSCA2,IOSCA1");
  EXPECT_NE(r.exit_code, 2) << r.out;
}

TEST(CheckCli, VerboseListsSkippedCommands) {
  std::string dir = testing::TempDir() + "/ikeconform-verbose";
  std::string mk = "mkdir -p " + dir +
                   " && (echo 'R1#show running-config'; echo 'Building configuration...'; echo 'service timestamps "
                   "debug datetime msec'; cat " +
                   src("corpus/ios/s1-r1.cfg") + ") > " + dir + "/r1.cfg";
  ASSERT_EQ(std::system(mk.c_str()), 0);
  CliRun r = cli("check --verbose " + dir + "/r1.cfg " + src("corpus/ios/s1-r2.cfg"));
  EXPECT_NE(r.out.find("skipped: " + dir + "/r1.cfg:3: 'service timestamps debug datetime msec'"), std::string::npos)
      << r.out;
  r = cli("check " + dir + "/r1.cfg " + src("corpus/ios/s1-r2.cfg"));
  EXPECT_EQ(r.out.find("service timestamps"), std::string::npos) << r.out;
}

TEST(CheckCli, HubDirectionIsNotInitiatedByDesignAndDoesNotCount) {
  std::string f = src("corpus/ios/field/");
  CliRun r = cli_stdout("check --json " + f + "dmvpn2-spoke.cfg " + f + "dmvpn2-hub.cfg");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["directions"][0].contains("not_initiated_by_design"));
  EXPECT_NE(j["directions"][1]["not_initiated_by_design"].get<std::string>().find("multipoint"), std::string::npos);
  r = cli("check " + f + "dmvpn2-spoke.cfg " + f + "dmvpn2-hub.cfg");
  EXPECT_NE(r.out.find("DM2-HUB -> DM2-SPOKE: not initiated by design"), std::string::npos) << r.out;
}

// A responder that matched none of its ISAKMP profiles went on with its global configuration and
// refused quick mode (V2-11): the fix is a `match identity` for what the peer sends, verified.
TEST(CheckCli, GlobalConfigurationFallbackGetsAMatchIdentityFix) {
  std::string f = src("corpus/ios/field/");
  CliRun r = cli("check " + f + "globalfb-hub.cfg " + f + "globalfb-branch.cfg");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("GFB-BR -> GFB-HUB: IKE SA UP, CHILD SA DOWN at QM1: INVALID_ID_INFORMATION"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("on GFB-HUB: add `match identity address 198.51.100.2` to isakmp profile BRANCHES"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("crypto isakmp profile BRANCHES\n        match identity address 198.51.100.2"),
            std::string::npos)
      << r.out;
}

TEST(CheckCli, AssumptionLinesOnlyWhenTheVerdictDependsOnThem) {
  // Both CAs are shared by URL without certificate data; only CORP-CA's decision changes a
  // verdict (evaluated both ways), so LAB-CA's is a plain note (issue 10).
  std::string f = src("corpus/ios/field/");
  CliRun r = cli("check " + f + "twoca-a.cfg " + f + "twoca-b.cfg");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\nassumption: CA CORP-CA: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("assumption: CA LAB-CA"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nnote: CA LAB-CA: TWOCA-A/LAB-CA = TWOCA-B/LAB-CA taken as one CA by enrollment-url"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("; the verdict is the same either way"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(cli_stdout("check --json " + f + "twoca-a.cfg " + f + "twoca-b.cfg").out);
  ASSERT_EQ(j["assumptions"].size(), 1u);
  EXPECT_EQ(j["assumptions"][0].get<std::string>().rfind("CA CORP-CA: ", 0), 0u);
}

TEST(CheckCli, AssumptionLinesInTextAndJson) {
  std::string f = src("corpus/ios/field/");
  CliRun r = cli("check " + f + "gre-a.cfg " + f + "gre-b.cfg");
  EXPECT_NE(r.out.find("\nassumption: CA OFFLINE-CA: GRE-A/OFFLINE-CA = GRE-B/OFFLINE-CA taken as one CA by "
                       "trustpoint-name"),
            std::string::npos)
      << r.out;
  auto j = nlohmann::json::parse(cli_stdout("check --json " + f + "gre-a.cfg " + f + "gre-b.cfg").out);
  ASSERT_EQ(j["assumptions"].size(), 1u);
  EXPECT_NE(j["assumptions"][0].get<std::string>().find("show crypto pki certificates OFFLINE-CA"), std::string::npos);
}
