// The VICI client against real charons (label `root`): every wrapped command once, events,
// and the warm handshake rate through one VICI connection (initiate + terminate).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <iostream>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "strongswan_test_util.hpp"

namespace ikeconform {
namespace {

namespace ss = strongswan;
using namespace std::chrono_literals;
using vici::Message;

class ViciCharon : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::is_root())
      GTEST_SKIP() << "\n\n*** SKIPPED: the VICI test against real charons needs root (network namespaces, "
                      "charon-systemd). Run it as root. ***\n";
    dir_ = std::make_unique<process::TempDir>(std::filesystem::temp_directory_path(), process::run_prefix() + "-vici-");
    net_ = std::make_unique<netns::NetnsPair>("192.168.0.1", "192.168.0.2");
    for (std::size_t i = 0; i < 2; ++i)  // one charon per namespace, as the strongSwan stack runs it
      peers_[i] = std::make_unique<ss::StrongswanPeer>(*net_, i, dir_->path() / ("peer" + std::to_string(i)));
  }
  vici::Client& v(std::size_t i) { return peers_[i]->control(); }
  // Destroyed in reverse: the charons, then their namespaces, then the folder.
  std::unique_ptr<process::TempDir> dir_;
  std::unique_ptr<netns::NetnsPair> net_;
  std::array<std::unique_ptr<ss::StrongswanPeer>, 2> peers_;
};

TEST_F(ViciCharon, EveryCommandOnce) {
  const Message ver = v(0).version();
  EXPECT_EQ(ver.get("daemon"), "charon-systemd");
  EXPECT_FALSE(ver.get("version").empty());
  const Message st = v(0).stats();
  ASSERT_NE(st.section("ikesas"), nullptr);
  ASSERT_NE(st.list("plugins"), nullptr);
  EXPECT_NE(std::find(st.list("plugins")->begin(), st.list("plugins")->end(), "vici"), st.list("plugins")->end());

  // load-conn / get-conns / unload-conn
  Message conf;
  conf.set("version", "2").set_list("remote_addrs", {"192.168.0.2"});
  conf.section("local").set("auth", "psk").set("id", "a");
  conf.section("remote").set("auth", "psk").set("id", "b");
  conf.section("children").section("c").set_list("local_ts", {"10.1.0.0/24"});
  vici::Client::check(v(0).load_conn("t1", conf), "load-conn");
  EXPECT_EQ(v(0).get_conns(), std::vector<std::string>{"t1"});
  vici::Client::check(v(0).unload_conn("t1"), "unload-conn");
  EXPECT_TRUE(v(0).get_conns().empty());
  EXPECT_FALSE(v(0).unload_conn("t1").success);

  // Credentials: bad data is refused with success = no, not a protocol error.
  const vici::CommandResult bad = v(0).load_cert("X509", "CA", "not a certificate");
  EXPECT_FALSE(bad.success);
  EXPECT_FALSE(bad.errmsg.empty());
  EXPECT_FALSE(v(0).load_key("any", "not a key").success);
  vici::Client::check(v(0).load_shared("IKE", "secret", {"a", "b"}), "load-shared");
  vici::Client::check(v(0).clear_creds(), "clear-creds");

  // Authorities: load-authority takes the CA certificate as data.
  const Scenario s = testing::s1_scenario();
  pki::KeyCache keys(testing::test_key_cache());
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-vicipki-");
  const ss::Material m = ss::material_from(pki::make_pki(s, dir.path(), keys), s);
  vici::Client::check(v(0).load_cert("X509", "CA", m.cas[0].pem), "load-cert");
  vici::Client::check(v(0).load_key("any", m.keys[0][0].pem), "load-key");
  vici::Client::check(v(0).load_authority("ca1", Message().set("cacert", m.cas[0].pem)), "load-authority");
  EXPECT_EQ(v(0).get_authorities(), std::vector<std::string>{"ca1"});
  vici::Client::check(v(0).unload_authority("ca1"), "unload-authority");
  EXPECT_TRUE(v(0).get_authorities().empty());

  // initiate of nothing, terminate of nothing, list-sas of nothing.
  vici::InitiateArgs a;
  a.child = "no-such-child";
  a.timeout = 1000ms;
  const vici::CommandResult r = v(0).initiate(a);
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(r.errmsg.empty());
  vici::TerminateArgs t;
  t.ike = "no-such-ike";
  EXPECT_FALSE(v(0).terminate(t).success);
  EXPECT_TRUE(v(0).list_sas().empty());

  EXPECT_THROW(v(0).request("no-such-command", {}, 1000ms), vici::CommandError);
  EXPECT_THROW(v(0).register_event("no-such-event", 1000ms), vici::CommandError);
}

TEST_F(ViciCharon, EventsAndWarmHandshakeRate) {
  const Scenario s = testing::s1_scenario(IkeVersion::V2);
  pki::KeyCache keys(testing::test_key_cache());
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-vicipki-");
  const ss::Material m = ss::material_from(pki::make_pki(s, dir.path(), keys), s);
  std::array<ss::PeerConfig, 2> pc{ss::render_peer(s, 0, m, {}), ss::render_peer(s, 1, m, {})};
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(net_->exec(i, {"ip", "addr", "add", ss::tunnel_address(i), "dev", "lo"}).ok());
    for (const Message& c : pc[i].certs)
      vici::Client::check(v(i).load_cert("X509", c.get("flag"), c.get("data")), "load-cert");
    for (const Message& k : pc[i].keys) vici::Client::check(v(i).load_key("any", k.get("data")), "load-key");
    for (const ss::Connection& c : pc[i].connections) vici::Client::check(v(i).load_conn(c.name, c.conf), "load-conn");
  }
  // A second connection to the responder collects ike-updown / child-updown / log events.
  vici::Client watch = vici::Client::connect(ss::vici_uri(peers_[1]->dir()));
  for (const char* e : {"ike-updown", "child-updown", "log"}) watch.register_event(e, 1000ms);

  vici::InitiateArgs a;
  a.child = pc[0].tunnel_connection().child;
  a.ike = pc[0].tunnel_connection().name;
  a.timeout = 3000ms;
  std::vector<std::string> control_log;
  const vici::CommandResult r = v(0).initiate(a, [&](const Message& e) { control_log.push_back(e.get("msg")); });
  ASSERT_TRUE(r.success) << r.errmsg;
  EXPECT_FALSE(control_log.empty());
  const auto sas = v(1).list_sas();
  ASSERT_EQ(sas.size(), 1U);
  EXPECT_EQ(sas[0].section(a.ike)->get("state"), "ESTABLISHED");

  bool ike_up = false, child_up = false, log = false;
  const auto until = std::chrono::steady_clock::now() + 3s;
  while (!(ike_up && child_up && log) && std::chrono::steady_clock::now() < until) {
    auto e = watch.wait_event(200ms);
    if (!e) continue;
    ike_up |= e->name == "ike-updown" && e->message.get("up") == "yes";
    child_up |= e->name == "child-updown" && e->message.get("up") == "yes";
    log |= e->name == "log";
  }
  EXPECT_TRUE(ike_up);
  EXPECT_TRUE(child_up);
  EXPECT_TRUE(log);
  watch.unregister_event("log", 1000ms);

  vici::TerminateArgs t;
  t.ike = a.ike;
  t.timeout = 2000ms;
  vici::Client::check(v(0).terminate(t), "terminate");

  // Warm handshakes: the configuration stays loaded, initiate + terminate each round.
  constexpr int kRounds = 30;
  const auto begin = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < kRounds; ++i) {
    ok += v(0).initiate(a).success ? 1 : 0;
    v(0).terminate(t);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << "warm IKEv2 handshakes through VICI: " << kRounds << " in " << secs * 1000 << " ms = " << kRounds / secs
            << "/s\n";
  EXPECT_EQ(ok, kRounds);
}

}  // namespace
}  // namespace ikeconform
