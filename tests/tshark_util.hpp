// Wireshark as an independent decoder of our pcap files (the model's ladder and real captures):
// every frame ISAKMP, nothing malformed, no error-level expert info, and the CERT_REQ /
// CERTREQ entries Wireshark shows equal to what wire/ decodes from the same bytes.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "wire/ike.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::testing {

inline constexpr const char* kTshark = "/usr/bin/tshark";
inline bool have_tshark() { return std::filesystem::exists(kTshark); }

inline std::string shell(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), f)) out += buf.data();
  const int st = ::pclose(f);
  if (status) *status = st;
  return out;
}

// `checksums`: verify IP and UDP checksums (files we wrote). Off for captures: frames a veth
// sends are captured before their UDP checksum is filled in (checksum offload).
inline std::string tshark(const std::filesystem::path& file, const std::string& args, bool checksums = true) {
  int status = -1;
  const std::string check = checksums ? " -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE" : "";
  const std::string out = shell("timeout 120 " + std::string(kTshark) + " -n" + check + " -r '" + file.string() + "' " +
                                    args,
                                &status);
  EXPECT_EQ(status, 0) << out;
  return out;
}

// "id-at-commonName=CA1,id-at-organizationName=cisco" -> "cn=CA1,o=cisco"
inline std::string ios_from_wireshark(std::string s) {
  for (auto [from, to] :
       std::initializer_list<std::pair<const char*, const char*>>{{"id-at-commonName=", "cn="},
                                                                  {"id-at-organizationName=", "o="},
                                                                  {"id-at-organizationalUnitName=", "ou="},
                                                                  {"id-at-countryName=", "c="}})
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from)) s.replace(at, std::strlen(from), to);
  return s;
}

// Per frame number, the CERT_REQ DNs (IKEv1) and CERTREQ hashes (IKEv2) Wireshark shows, in order.
inline std::map<int, std::vector<std::string>> wireshark_certreqs(const std::string& verbose) {
  std::map<int, std::vector<std::string>> out;
  std::istringstream in(verbose);
  std::string line;
  int frame = 0;
  bool in_cr = false;
  const std::regex frame_re(R"(^Frame (\d+):)");
  const std::regex rdn_re(R"(^\s+rdnSequence: \d+ items? \((.*)\)$)");
  const std::regex hash_re(R"(^\s+Certificate Authority Data: ([0-9a-f]+)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, frame_re)) frame = std::stoi(m[1]);
    if (line.find("    Payload: ") == 0) in_cr = line.find("Certificate Request") != std::string::npos;
    if (!in_cr) continue;
    if (std::regex_match(line, m, rdn_re)) out[frame].push_back(ios_from_wireshark(m[1]));
    if (std::regex_match(line, m, hash_re)) out[frame].push_back(m[1]);
  }
  return out;
}

inline std::string to_hex(const wire::Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// Checks `file` with tshark against what wire/ decodes from it; returns the per-frame CERTREQ
// entries (IOS DNs for IKEv1, hex hashes for IKEv2) for further checks.
inline std::map<int, std::vector<std::string>> check_with_tshark(const std::filesystem::path& file, const Scenario& s,
                                                                 const wire::CaTables& t, bool checksums = true) {
  const std::vector<wire::IkePacket> packets = wire::read_ike_packets(file);
  EXPECT_FALSE(packets.empty()) << file;
  const std::string verbose = tshark(file, "-V", checksums);
  const std::string summary = tshark(file, "-T fields -e frame.number -e _ws.col.Protocol", checksums);
  std::size_t isakmp = 0, frames = 0;
  std::istringstream in(summary);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
    ++frames;
    if (line.find("ISAKMP") != std::string::npos) ++isakmp;
  }
  EXPECT_EQ(isakmp, frames) << "every frame must decode as ISAKMP:\n" << summary;
  EXPECT_EQ(frames, packets.size()) << summary;
  EXPECT_EQ(verbose.find("Malformed"), std::string::npos) << verbose;
  EXPECT_EQ(verbose.find("Expert Info (Error"), std::string::npos) << verbose;
  const auto seen = wireshark_certreqs(verbose);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_TRUE(packets[i].message.has_value())
        << "frame " << i + 1 << ": " << (packets[i].error ? packets[i].error->what() : "");
    if (!packets[i].message) continue;
    std::vector<std::string> ours;
    for (const wire::WireCertReq& r : wire::certreqs_in(*packets[i].message, t))
      ours.push_back(s.ike_version == IkeVersion::V1 ? wire::ca_dn_string(s, r.ca) : to_hex(r.authority));
    const auto it = seen.find(static_cast<int>(i + 1));
    EXPECT_EQ(it == seen.end() ? std::vector<std::string>{} : it->second, ours) << "frame " << i + 1;
  }
  return seen;
}

}  // namespace ikeconform::testing
