// UDP for the engine: one socket on port 500 and one on 4500 (RFC 7296 §2.23; datagrams on
// 4500 carry the 4-octet non-ESP marker, RFC 3948 §2.2), optionally opened inside a named
// network namespace (/var/run/netns/NAME) so that the emulated peer sits beside a real daemon
// in its own namespace without a process of its own: a socket keeps the namespace it was made
// in, so only the creating thread switches, and switches back at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "wire/ike.hpp"

namespace ikeconform::peer {

class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Datagram {
  std::string from_address;
  std::uint16_t from_port = 0;
  std::uint16_t local_port = 0;  // 500 or 4500 (the marker is already stripped)
  wire::Bytes data;
};

class UdpTransport {
 public:
  // Binds IPv4 `address` on `port` and `port_nat_t` (0: not opened) inside namespace `netns`
  // ("" = the caller's). Throws TransportError.
  UdpTransport(const std::string& address, const std::string& netns = "", std::uint16_t port = 500,
               std::uint16_t port_nat_t = 4500);
  ~UdpTransport();
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  // Sends from the socket bound to `local_port` (500 or 4500, adding the non-ESP marker there).
  void send(const std::string& to_address, std::uint16_t to_port, const wire::Bytes& data,
            std::uint16_t local_port = 500);
  // Waits up to `timeout` for one datagram on either socket. Non-IKE datagrams on 4500
  // (ESP, NAT keepalives) are dropped.
  std::optional<Datagram> receive(std::chrono::milliseconds timeout);
  // Ends a receive() waiting in another thread now (nullopt) once nothing is left to read, or
  // the next one if none waits: a worker told to stop does not sit out its poll.
  void wake();
  const std::string& address() const { return address_; }
  std::uint64_t datagrams_sent() const { return sent_; }  // tells whether a handle() answered
  // Sees every IKE datagram sent (`sent`) and received (marker stripped), with the peer's address
  // and port and our port: `ikeconform emulate --pcap` writes them out.
  using Tap = std::function<void(bool sent, const std::string& peer, std::uint16_t peer_port, std::uint16_t local_port,
                                 const wire::Bytes& data)>;
  void set_tap(Tap tap) { tap_ = std::move(tap); }

 private:
  std::string address_;
  int fd_ = -1, fd_nat_t_ = -1, wake_fd_ = -1;
  std::uint16_t port_ = 500, port_nat_t_ = 4500;
  Tap tap_;
  std::uint64_t sent_ = 0;
};

// A responder's loop: hands each datagram to `handle` until `done()` holds (checked after each
// datagram and at least every 50 ms) or `duration` passed.
void serve_datagrams(UdpTransport& t, std::chrono::milliseconds duration, const std::function<bool()>& done,
                     const std::function<void(const Datagram&)>& handle);

// An initiator's wait for an answer until `deadline`, in slices of at most 10 ms while an
// `abandon` flag (Config::abandon) can stop it; abandoned(): the flag is set.
std::chrono::milliseconds receive_slice(const std::atomic<bool>* abandon,
                                        std::chrono::steady_clock::time_point deadline);
inline bool abandoned(const std::atomic<bool>* abandon) { return abandon && abandon->load(); }

}  // namespace ikeconform::peer
