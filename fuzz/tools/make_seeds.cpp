// Writes the generated seed inputs of corpus/fuzz/: IKE datagrams the model predicts for the
// note's scenarios (ike_codec), VICI messages / packets like charon's (vici) and model
// observations as JSON (observation_json), and captures of those datagrams (pcap). Deterministic:
// running it again rewrites the same files.
//   fuzz_make_seeds SOURCE_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "drivers/vici/vici.hpp"
#include "fuzz/targets.hpp"
#include "model/engine.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"
#include "wire/ike.hpp"
#include "wire/ladder.hpp"
#include "wire/pcap.hpp"

namespace fs = std::filesystem;
using namespace ikeconform;

namespace {

void write(const fs::path& p, const void* data, std::size_t n) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
}

void ike_seeds(const fs::path& src) {
  for (const char* name : {"s1", "s2", "s3", "s4"}) {
    const Scenario s = load_scenario_file(src / "corpus/scenarios" / (std::string(name) + ".json"));
    for (std::uint8_t d = 0; d < 2; ++d) {
      const auto packets = wire::model_ladder(s, run_direction(s, d, ModelOptions{}));
      for (std::size_t i = 0; i < packets.size(); ++i) {
        const auto& b = packets[i].datagram;
        write(src / "corpus/fuzz/ike_codec" /
                  (std::string(name) + "-init" + std::to_string(d) + "-" + std::to_string(i) + ".bin"),
              b.data(), b.size());
      }
    }
  }
}

// The model's ladders as tcpdump would capture them: Ethernet and raw IPv4, and over NAT-T
// (UDP 4500, behind the non-ESP marker).
void pcap_seeds(const fs::path& src) {
  for (const char* name : {"s1", "s2", "s3", "s4"}) {
    const Scenario s = load_scenario_file(src / "corpus/scenarios" / (std::string(name) + ".json"));
    auto packets = wire::model_ladder(s, run_direction(s, 0, ModelOptions{}));
    const fs::path dir = src / "corpus/fuzz/pcap";
    const auto eth = wire::pcap_bytes(packets, wire::LinkType::Ethernet);
    write(dir / (std::string(name) + "-ethernet.pcap"), eth.data(), eth.size());
    const auto raw = wire::pcap_bytes(packets, wire::LinkType::Raw);
    write(dir / (std::string(name) + "-raw.pcap"), raw.data(), raw.size());
    for (auto& p : packets) p.src.port = p.dst.port = wire::kNatTPort;
    const auto natt = wire::pcap_bytes(packets, wire::LinkType::Ethernet);
    write(dir / (std::string(name) + "-natt.pcap"), natt.data(), natt.size());
  }
}

void vici_seeds(const fs::path& src) {
  const fs::path dir = src / "corpus/fuzz/vici";
  vici::Message version;
  version.set("daemon", "charon").set("version", "5.9.8").set("sysname", "Linux");
  vici::Message conn;
  auto& r1 = conn.section("r1");
  r1.set_list("local_addrs", {"192.168.0.1"}).set_list("remote_addrs", {"192.168.0.2"}).set("version", "2");
  r1.section("local-1").set("auth", "pubkey").set_list("certs", {"r1-ca2.pem", "r1-ca1.pem"});
  r1.section("children").section("net").set_list("local_ts", {"192.168.100.0/24"});
  for (const auto& [name, m] : {std::pair{"version", &version}, std::pair{"load-conn", &conn}}) {
    const std::string enc = vici::encode_message(*m);
    write(dir / (std::string("message-") + name + ".bin"), enc.data(), enc.size());
    const std::string pkt = vici::encode_packet({vici::PacketType::CmdRequest, name, *m});
    write(dir / (std::string("packet-request-") + name + ".bin"), pkt.data(), pkt.size());
    const std::string resp = vici::encode_packet({vici::PacketType::CmdResponse, "", *m});
    write(dir / (std::string("packet-response-") + name + ".bin"), resp.data(), resp.size());
  }
  const std::string reg = vici::encode_packet({vici::PacketType::EventRegister, "control-log", {}});
  write(dir / "packet-event-register.bin", reg.data(), reg.size());
}

// Observations of the fixed scenario fuzz_observation_json reads against: up, and failing.
void observation_seeds(const fs::path& src) {
  const Scenario& s = fuzz::observation_fuzz_scenario();
  ModelOptions restricted, unrestricted;
  unrestricted.initiator_choice_restricted_to_profile = false;
  int n = 0;
  for (const ModelOptions* o : {&restricted, &unrestricted})
    for (std::uint8_t d = 0; d < 2; ++d) {
      const std::string text = observation_to_json(s, run_direction(s, d, *o)).dump(1) + "\n";
      write(src / "corpus/fuzz/observation_json" / ("model-" + std::to_string(n++) + ".json"), text.data(),
            text.size());
    }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds SOURCE_DIR\n");
    return 2;
  }
  ike_seeds(argv[1]);
  pcap_seeds(argv[1]);
  vici_seeds(argv[1]);
  observation_seeds(argv[1]);
  return 0;
}
