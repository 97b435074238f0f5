// The IKEv2 engine on a socket: an initiator that runs IKE_SA_INIT, IKE_AUTH and a Delete with
// retransmissions (RFC 7296 §2.1: the initiator retransmits, the responder answers a
// retransmitted request with the same response), and a responder that serves requests.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>

#include "peer/ikev2/ike_sa.hpp"
#include "peer/transport.hpp"

namespace ikeconform::peer::ikev2 {

class Initiator {
 public:
  Initiator(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport,
            Endpoints ends);
  // IKE_SA_INIT (again after INVALID_KE_PAYLOAD or COOKIE), then IKE_AUTH; sa().outcome says
  // how it went. When we reject the responder's AUTH we tell it in an INFORMATIONAL
  // (AUTHENTICATION_FAILED, RFC 7296 §2.21.2).
  const IkeSa& establish();
  // INFORMATIONAL with Delete of the IKE SA; true when the peer answered.
  bool delete_ike_sa();
  // Answers the peer's requests (e.g. its Delete) for `duration` or until the SA is deleted.
  void serve(std::chrono::milliseconds duration);
  const IkeSa& sa() const { return sa_; }
  std::size_t retransmissions() const { return retransmissions_; }
  std::size_t fragments_received() const { return opener_.fragments_seen(); }

 private:
  struct Received {
    IkeMessage message;
    Bytes raw;
    std::vector<Payload> inner;  // SK contents (empty for IKE_SA_INIT)
  };
  std::optional<Received> exchange(const std::vector<Bytes>& request, std::uint32_t id, bool protected_response);
  void answer_request(const IkeMessage& m, const Bytes& raw);

  Context ctx_;
  UdpTransport& transport_;
  IkeSa sa_;
  Opener opener_;
  std::size_t retransmissions_ = 0;
  std::optional<std::pair<std::uint32_t, std::vector<Bytes>>> last_response_;
};

class Responder {
 public:
  Responder(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport);
  // Serves requests until `done(*this)` holds (checked after each datagram and every 50 ms) or
  // `duration` passed.
  void serve(std::chrono::milliseconds duration, const std::function<bool(const Responder&)>& done = {});
  // One per IKE_SA_INIT request that was not a retransmission, oldest first.
  const std::deque<IkeSa>& sas() const { return sas_; }
  // One datagram, as serve() hands it over; tests feed it directly. Never throws for bad input.
  void handle(const Datagram& d);
  std::size_t fragments_received() const;

 private:
  struct Slot {
    Opener opener;
    std::optional<std::pair<std::uint32_t, std::vector<Bytes>>> last_response;
  };
  void send(const IkeSa& sa, const std::vector<Bytes>& datagrams);

  Context ctx_;
  UdpTransport& transport_;
  std::deque<IkeSa> sas_;
  std::deque<Slot> slots_;
};

}  // namespace ikeconform::peer::ikev2
