// Target `pcap`: the classic-pcap reader of IKE captures (wire/pcap.hpp), which reads whatever
// tcpdump left in a run folder. Properties:
//  - parse_ike_packets() is total: a packet list, or an InputError located in the file (line 0);
//  - every packet carries either a decoded message or a WireError, never both or neither, and
//    the message is decode(datagram) (a WireError offset lies inside the datagram);
//  - what was read writes back (pcap_bytes, Ethernet and raw IPv4) to a capture that reads as
//    the same packets: endpoints, datagrams and timestamps (to the microsecond the writer keeps).
//    Timestamps past the format's 32-bit seconds (a sub-second field >= 10^6 on second
//    0xffffffff reads so) are left out: the writer cannot hold them.
#include <chrono>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "fuzz/targets.hpp"
#include "model/input_error.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "pcap";

std::string describe(const wire::IkePacket& p) {
  return fmt::format("{}:{} -> {}:{} at {} ns, {} bytes", p.src.address.str(), p.src.port, p.dst.address.str(),
                     p.dst.port, p.timestamp.count(), p.datagram.size());
}

void check_packet(const wire::IkePacket& p) {
  if (p.message.has_value() == p.error.has_value())
    report_violation(kTarget, "a packet has both a message and an error, or neither", describe(p));
  const auto again = wire::decode(p.datagram);
  if (p.message && (!again || !(*again == *p.message)))
    report_violation(kTarget, "the packet's message is not decode(datagram)", describe(p));
  if (p.error && (again || p.error->offset > p.datagram.size()))
    report_violation(kTarget, "the packet's error is not decode(datagram)'s, or lies outside it", describe(p));
}

bool writable(const wire::IkePacket& p) {
  return p.timestamp >= std::chrono::nanoseconds::zero() && p.timestamp < std::chrono::seconds(std::int64_t{1} << 32);
}

void check_write_back(std::vector<wire::IkePacket> read, wire::LinkType link) {
  std::erase_if(read, [](const wire::IkePacket& p) { return !writable(p); });
  std::vector<wire::IkePacket> back;
  try {
    back = wire::parse_ike_packets(wire::pcap_bytes(read, link), "written");
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("a written capture does not read back: ") + e.what());
  }
  if (back.size() != read.size())
    report_violation(kTarget, fmt::format("wrote {} packets, read back {}", read.size(), back.size()));
  for (std::size_t i = 0; i < read.size(); ++i) {
    const auto& a = read[i];
    const auto& b = back[i];
    const auto us = [](std::chrono::nanoseconds t) { return std::chrono::floor<std::chrono::microseconds>(t); };
    if (!(a.src == b.src) || !(a.dst == b.dst) || a.datagram != b.datagram || us(a.timestamp) != us(b.timestamp))
      report_violation(kTarget, fmt::format("packet {} does not read back as written", i),
                       describe(a) + "\n" + describe(b));
  }
}

}  // namespace

int fuzz_pcap(const std::uint8_t* data, std::size_t size) {
  std::vector<wire::IkePacket> packets;
  try {
    packets = wire::parse_ike_packets(std::span<const std::uint8_t>(data, size), "fuzz.pcap");
  } catch (const InputError& e) {
    if (e.file() != "fuzz.pcap" || e.line() != 0)
      report_violation(kTarget, std::string("error not about the capture: ") + e.what());
    return 0;
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("the reader threw something other than InputError: ") + e.what());
  }
  for (const auto& p : packets) check_packet(p);
  check_write_back(packets, wire::LinkType::Ethernet);
  check_write_back(packets, wire::LinkType::Raw);
  return 0;
}

}  // namespace ikeconform::fuzz
