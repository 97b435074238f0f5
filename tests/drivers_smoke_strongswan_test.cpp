// The infrastructure pieces together against a real stack: a 2-CA PKI, a namespace pair, one
// charon-systemd per namespace, a hand-written swanctl.conf, one IKEv2 handshake; afterwards
// no namespace, process or folder may remain. Needs root and strongSwan (label `root`).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers_test_util.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using process::Argv;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// The minimal configuration from spec/real-stacks.md: userspace ESP (the kernel has none),
// no routes, VICI socket and log in the peer's folder.
std::string strongswan_conf(const fs::path& dir) {
  return R"(charon-systemd {
  load_modular = no
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints sha1 sha2 hmac aes gmp kdf socket-default vici kernel-libipsec kernel-netlink
  install_routes = no
  install_virtual_ip = no
  routing_table = 0
  retransmit_tries = 2
  retransmit_timeout = 1.0
  plugins {
    vici { socket = unix://)" +
         (dir / "charon.vici").string() + R"( }
    revocation { enable_ocsp = no
      enable_crl = no }
  }
  filelog {
    charon { path = )" +
         (dir / "charon.log").string() + R"(
      default = 1
      ike = 2
      cfg = 2
      flush_line = yes }
  }
  syslog { daemon { default = -1 } }
  journal { default = -1 }
}
)";
}

constexpr const char* kSubnet[2] = {"10.1.0.0/24", "10.2.0.0/24"};
constexpr const char* kSubnetHost[2] = {"10.1.0.1/32", "10.2.0.1/32"};

// CHILD traffic selectors are subnets "behind" the peers, each with a host address on `lo`:
// kernel-libipsec routes the CHILD SA through its TUN device with a source address inside the
// local selector, and fails ("error installing route with policy") when there is none.
// Host-to-host selectors between the IKE addresses are refused ("conflicts with IKE traffic").
std::string swanctl_conf(const Peer& self, const Peer& other, const pki::IdentityMaterial& cert,
                         const std::string& local_ts, const std::string& remote_ts) {
  return "connections {\n  smoke {\n    version = 2\n    local_addrs = " + self.address +
         "\n    remote_addrs = " + other.address +
         "\n    proposals = aes256-sha256-modp2048\n"
         "    local { auth = pubkey\n      certs = " +
         cert.cert_file.filename().string() + "\n      id = " + self.fqdn +
         " }\n    remote { auth = pubkey\n      id = " + other.fqdn +
         " }\n    children { net { esp_proposals = aes256-sha256\n      local_ts = " + local_ts +
         "\n      remote_ts = " + remote_ts + " } }\n  }\n}\n";
}

// swanctl/{x509,x509ca,private}/ as swanctl --load-all expects them.
fs::path lay_out_swanctl(const fs::path& dir, const pki::Pki& pki, const Peer& self, const Peer& other,
                         std::size_t side) {
  const fs::path sw = dir / "swanctl";
  for (const char* sub : {"x509", "x509ca", "private"}) fs::create_directories(sw / sub);
  for (const auto& ca : pki.cas) fs::copy_file(ca.cert_file, sw / "x509ca" / ca.cert_file.filename());
  for (const auto* c : pki.certs_of(self.name)) {
    fs::copy_file(c->cert_file, sw / "x509" / c->cert_file.filename());
    fs::copy_file(c->key_file, sw / "private" / c->key_file.filename());
  }
  write(sw / "swanctl.conf",
        swanctl_conf(self, other, *pki.certs_of(self.name).front(), kSubnet[side], kSubnet[1 - side]));
  return sw;
}

Argv swanctl(const std::string& command, const fs::path& dir, Argv more = {}) {
  Argv argv{"swanctl", command};  // the command must come before --uri
  argv.insert(argv.end(), more.begin(), more.end());
  argv.insert(argv.end(), {"--uri", "unix://" + (dir / "charon.vici").string()});
  return argv;
}

bool installed(const char* program) { return process::run({"sh", "-c", std::string("command -v ") + program}).ok(); }

TEST(SmokeStrongswan, TwoChronsOneHandshakeNothingLeftBehind) {
  if (!testing::is_root()) GTEST_SKIP() << "needs root: network namespaces and charon (run as root)";
  if (!installed("charon-systemd") || !installed("swanctl"))
    GTEST_SKIP() << "needs strongSwan: apt-get install charon-systemd strongswan-swanctl libstrongswan-extra-plugins";

  const Scenario s = testing::two_ca_scenario();
  fs::path base_path;
  std::vector<int> pids;
  std::string ns0;
  {
    process::TempDir base(fs::temp_directory_path(), process::run_prefix() + "-smoke-");
    base_path = base.path();
    pki::KeyCache keys(testing::test_key_cache());
    const pki::Pki pki = pki::make_pki(s, base.path() / "pki", keys);

    netns::NetnsPair pair(s.peers[0].address, s.peers[1].address);
    ns0 = pair.ns(0);
    std::cout << "[ timing ] netns pair setup: " << pair.setup_time().count() << " ms\n";
    std::vector<std::unique_ptr<process::Daemon>> charons;
    for (std::size_t i = 0; i < 2; ++i) {
      // A host inside the protected subnet, so the CHILD SA's route has a source address.
      ASSERT_TRUE(pair.exec(i, {"ip", "addr", "add", kSubnetHost[i], "dev", "lo"}).ok());
      const fs::path dir = base.path() / s.peers[i].name;
      write(dir / "strongswan.conf", strongswan_conf(dir));
      lay_out_swanctl(dir, pki, s.peers[i], s.peers[1 - i], i);
      process::DaemonSpec spec;
      spec.name = "charon " + s.peers[i].name;
      spec.argv = pair.exec_argv(i, {"charon-systemd"});
      spec.env = {{"STRONGSWAN_CONF", (dir / "strongswan.conf").string()}};
      spec.log_file = dir / "charon.out";
      spec.more_logs = {dir / "charon.log"};
      charons.push_back(std::make_unique<process::Daemon>(spec));
      pids.push_back(charons.back()->pid());
    }
    for (std::size_t i = 0; i < 2; ++i) {
      const fs::path dir = base.path() / s.peers[i].name;
      // The socket file appears before charon answers: ask it for its stats.
      const auto ready = charons[i]->wait_ready([&] { return process::run(swanctl("--stats", dir), {}, 2s).ok(); }, 10s,
                                                20ms);
      std::cout << "[ timing ] charon " << s.peers[i].name << " ready after " << ready.count() << " ms\n";
      const auto load = process::run(swanctl("--load-all", dir, {"--noprompt"}),
                                     {{"SWANCTL_DIR", (dir / "swanctl").string()}}, 10s);
      ASSERT_TRUE(load.ok()) << load.describe({"swanctl --load-all"}) << "\n" << load.out;
    }
    const fs::path r1 = base.path() / s.peers[0].name;
    const auto start = std::chrono::steady_clock::now();
    const auto up = process::run(swanctl("--initiate", r1, {"--child", "net", "--timeout", "10"}), {}, 15s);
    std::cout << "[ timing ] initiate: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
    EXPECT_TRUE(up.ok()) << up.describe({"swanctl --initiate"}) << "\n" << up.out << "\n" << charons[0]->report();
    const auto sas = process::run(swanctl("--list-sas", r1), {}, 5s);
    EXPECT_NE(sas.out.find("ESTABLISHED"), std::string::npos) << sas.out;
    EXPECT_NE(sas.out.find("R2.cisco.com"), std::string::npos) << sas.out;
    EXPECT_NE(sas.out.find("INSTALLED"), std::string::npos) << "no CHILD SA:\n" << sas.out;
    for (auto& c : charons) EXPECT_TRUE(c->alive()) << c->report();
    if (HasFailure() && std::getenv("IKECONFORM_KEEP")) {
      base.keep();  // logs and configuration for a post-mortem
      std::cout << "kept " << base.path() << "\n";
      return;
    }
  }
  // Teardown: daemons, namespaces and the folder are gone.
  for (int pid : pids) EXPECT_FALSE(process::pid_alive(pid)) << pid;
  const auto names = netns::list_namespaces();
  EXPECT_EQ(std::find(names.begin(), names.end(), ns0), names.end());
  EXPECT_FALSE(fs::exists(base_path));
}

}  // namespace
}  // namespace ikeconform
