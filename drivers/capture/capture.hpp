// Wire-level observation of real runs: the IKE datagrams on one veth inside a network
// namespace, captured through an AF_PACKET socket (no tcpdump process per run: the socket is
// opened once per pair, drained before each initiate and read after it), kept as classic pcap
// bytes (Ethernet frames as the kernel gave them) and decoded with wire/.
//
// Both stack targets use it the same way:
//   Capture cap(net.ns(0), net.interface(0));   // once per namespace pair
//   cap.begin();  ...initiate, wait...;  Captured c = cap.end();
//   WireCertReqs w = wire_certreqs(s, pki, initiator, c.packets);
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/scenario.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::capture {

struct Captured {
  wire::Bytes pcap;                                    // classic pcap, Ethernet, µs timestamps, IKE frames only
  std::vector<wire::IkePacket> packets;                // its UDP 500/4500 IKE datagrams, decoded
  std::uint64_t frames = 0;                            // every frame read, IKE or not
  std::uint64_t dropped = 0;                           // frames the kernel dropped (PACKET_STATISTICS)
  void save(const std::filesystem::path& file) const;  // throws std::runtime_error
};

class Capture {
 public:
  // Opens the socket inside `netns` (a name under /var/run/netns), bound to `ifname` there.
  // Needs CAP_NET_RAW; throws std::runtime_error with the cause.
  Capture(const std::string& netns, const std::string& ifname, int receive_buffer = 4 << 20);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  void begin();    // discards what queued since the last end()
  Captured end();  // everything since begin()

 private:
  void read_into(Captured* out);
  int fd_ = -1;
};

// The CERTREQ lists one exchange shows on the wire, in model indices: IKEv1 MM3 (initiator) and
// MM4 (responder), IKEv2 IKE_SA_INIT response (responder). IKEv2 hashes map to CAs through the
// PKI's real SHA-1 of each CA's SubjectPublicKeyInfo. A list is nullopt when its message was not
// seen (or is encrypted, like MM5 and IKE_AUTH).
struct WireCertReqs {
  std::optional<CertReqList> from_initiator;
  std::optional<CertReqList> from_responder;
  std::size_t ike_packets = 0;
  std::size_t undecodable = 0;  // datagrams on 500/4500 that wire::decode() refused
};
WireCertReqs wire_certreqs(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator,
                           const std::vector<wire::IkePacket>& packets);

// "[CA1, CA2]" for traces.
std::string describe(const Scenario& s, const CertReqList& l);

}  // namespace ikeconform::capture
