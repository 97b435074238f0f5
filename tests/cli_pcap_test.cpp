// `ikeconform pcap` through the real binary, read back by Wireshark (tshark -V): every frame
// ISAKMP, nothing malformed, and the CERT_REQ / CERTREQ entries are the model's.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/engine.hpp"
#include "model/scenario_json.hpp"
#include "tshark_util.hpp"

namespace ikeconform {
namespace {

std::string src(const std::string& rel) { return std::string(IKECONFORM_SOURCE_DIR) + "/" + rel; }

struct Cli {
  int exit_code;
  std::string out;
};

Cli cli(const std::string& args) {
  int status = -1;
  std::string out = testing::shell(std::string(IKECONFORM_BIN) + " " + args, &status);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::filesystem::path out_dir() {
  return std::filesystem::temp_directory_path() / ("ikeconform-cli-pcap-" + std::to_string(::getpid()));
}

// The folder of this test process's output files, removed when the process ends.
struct OutDirCleanup {
  ~OutDirCleanup() {
    std::error_code ec;
    std::filesystem::remove_all(out_dir(), ec);
  }
} out_dir_cleanup;

std::filesystem::path out_file(const std::string& name) {
  const auto d = out_dir();
  std::filesystem::create_directories(d);
  return d / name;
}

// The CERT_REQ entries Wireshark shows for the responder's list equal the model's observation.
void expect_model_certreqs(const Scenario& s, const Observation& o,
                           const std::map<int, std::vector<std::string>>& seen) {
  std::vector<std::string> model;
  for (const CertReq& c : o.certreq_from_responder) model.push_back(ca_dn(s, c.ca));
  if (s.ike_version == IkeVersion::V1) {  // MM4 is frame 4
    const auto it = seen.find(4);
    EXPECT_EQ(it == seen.end() ? std::vector<std::string>{} : it->second, model);
  } else {  // IKE_SA_INIT response (frame 2) carries hashes: count them
    const auto it = seen.find(2);
    EXPECT_EQ(it == seen.end() ? 0U : it->second.size(), model.size());
  }
}

TEST(PcapCli, ModelLadderDecodesInWiresharkWithTheModelsCertReqs) {
  if (!testing::have_tshark()) GTEST_SKIP() << "\n\n*** SKIPPED: tshark not found at /usr/bin/tshark ***\n";
  for (const auto& [name, initiator] :
       {std::pair{"s1", "R2"}, std::pair{"s1", "R1"}, std::pair{"s4", "R2"}, std::pair{"s2", "R1"}}) {
    SCOPED_TRACE(std::string(name) + " " + initiator);
    const auto file = out_file(std::string(name) + "-" + initiator + ".pcap");
    const Cli r = cli("pcap " + src(std::string("corpus/scenarios/") + name + ".json") + " --out " + file.string() +
                      " --initiator " + initiator);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const Scenario s = load_scenario_file(src(std::string("corpus/scenarios/") + name + ".json"));
    const auto seen = testing::check_with_tshark(file, s, wire::ca_tables(s));
    const std::uint8_t i = std::string(initiator) == s.peers[0].name ? 0 : 1;
    expect_model_certreqs(s, run_direction(s, i, ModelOptions{}), seen);
  }
}

TEST(PcapCli, ModelOptionsAndPersonalitiesApply) {
  const auto file = out_file("s1-swan.pcap");
  const Cli r = cli("pcap " + src("corpus/scenarios/s1.json") + " --out " + file.string() +
                    " --personality R1=libreswan-4.10 --model-option predefined_trustpoints=off");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("R1 -> R2"), std::string::npos) << r.out;
  EXPECT_EQ(cli("pcap " + src("corpus/scenarios/s1.json") + " --out " + file.string() + " --initiator R9").exit_code,
            2);
  EXPECT_EQ(
      cli("pcap " + src("corpus/scenarios/s1.json") + " --out " + file.string() + " --model-option nope=1").exit_code,
      2);
}

}  // namespace
}  // namespace ikeconform
