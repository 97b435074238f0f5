// The IKEv1 half of the engine (RFC 2409 on RFC 2408 / RFC 2407), initiator side:
//
//   main_mode.cpp       MM1..MM6 with RSA signatures (§5.1), MM5 / MM6 encrypted
//   quick_mode.cpp      HASH(1)..HASH(3), one ESP SA in tunnel mode for IDci / IDcr (§5.5)
//   protect.cpp         the E flag: AES-CBC with IV chaining (Appendix B), informational Delete
//   session.cpp         the initiator on a socket, with retransmission
//
// Names follow RFC 2409 (SKEYID_e, HASH_I, SAi_b, IDii_b, Ni_b).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "peer/cert_policy.hpp"
#include "peer/credentials.hpp"
#include "peer/crypto.hpp"
#include "peer/protocol_bugs.hpp"
#include "peer/transport.hpp"
#include "wire/ike.hpp"

namespace ikeconform::peer::ikev1 {

using wire::Bytes;
using wire::IkeMessage;
using wire::Payload;

// Phase 1 proposal (Appendix A attributes): AES-CBC, a hash (its HMAC is the prf), a MODP / ECP group.
struct Suite {
  std::uint16_t key_bits = 128;
  std::uint16_t hash = wire::ikev1::kHashSha256;
  std::uint16_t group = 14;
  std::uint16_t lifetime = 28800;  // seconds
};
crypto::Hash hash_of(std::uint16_t hash);  // throws for one we do not implement

struct Config {
  Suite suite;
  wire::IdV1 local_id;  // IDii; a responder presents its bound profile's (CertificatePolicy::local_identity)
  std::optional<wire::IdV1> remote_id;        // the IDir the responder must present
  wire::TrafficSelector local_ts, remote_ts;  // IDci / IDcr as IPV4_ADDR_SUBNET (address range -> mask)
  std::chrono::milliseconds retransmit_timeout{500};
  int retransmit_tries = 4;
  const std::atomic<bool>* abandon = nullptr;  // as ikev2::Config::abandon
  bool nat_traversal = true;                   // offer RFC 3947 (kernel-libipsec installs only UDP-encapsulated ESP)
  ProtocolBugs bugs;                           // deliberate misbehavior (peer/protocol_bugs.hpp); none by default
};

struct Outcome {
  bool isakmp_sa = false;
  bool ipsec_sa = false;
  std::string failed_at;               // "MM2", "MM4", "MM6", "QM2"
  std::optional<std::uint16_t> error;  // a received Notify (RFC 2408 §3.14.1)
  std::string reason;
};

struct IsakmpSa {
  Suite suite;
  std::string local_address, remote_address;
  bool nat_t = false;        // both sent the RFC 3947 Vendor ID
  std::uint16_t port = 500;  // 4500 once a NAT was detected (RFC 3947 §4)
  wire::Spi cky_i{}, cky_r{};
  Bytes sai_b;  // the body of our MM1 SA payload
  std::shared_ptr<const crypto::DhKey> dh;
  Bytes gxi, gxr;  // the initiator's and the responder's public values
  Bytes ni, nr;
  crypto::Ikev1Keys keys;
  Bytes iv;           // the CBC state of phase 1: next IV / last ciphertext block
  Received received;  // the peer's CERT_REQs, certificate and ID, for the policy's steps
  Bytes peer_cert;
  std::optional<std::size_t> our_cert, validated_by;
  // Quick Mode
  std::uint32_t qm_id = 0;
  Bytes qm_iv, qm_ni, qm_nr, esp_spi_ours, esp_spi_peer;
  Outcome outcome;
  bool deleted = false;
  std::vector<std::string> trace;
  void log(std::string line) { trace.push_back(std::move(line)); }
};

struct Context {
  const Config& config;
  const Credentials& creds;
  CertificatePolicy& policy;
};

// ---- Protection (protect.cpp) -------------------------------------------------------------------

// Encrypts `payloads` under the E flag with `iv`, which becomes the last ciphertext block.
Bytes seal(const IsakmpSa& sa, const wire::Header& header, const std::vector<Payload>& payloads, Bytes& iv);
// The same for an encoded payload chain (`first`: its first payload's type) that need not
// decode: `fuzz-peer` mutates the chain before it is encrypted.
Bytes seal_chain(const IsakmpSa& sa, const wire::Header& header, std::uint8_t first, Bytes plain, Bytes& iv);
// Decrypts a message with `iv` (updated to its last ciphertext block); the payload chain ends
// where its lengths say (RFC 2408 lets the sender pad); `chain` gets the plaintext chain bytes.
// Throws std::runtime_error when it does not decrypt to a payload chain.
std::vector<Payload> open(const IsakmpSa& sa, const IkeMessage& m, Bytes& iv, Bytes* chain = nullptr);
// Appendix B: the IV of a phase 2 / informational exchange with Message ID `id`.
Bytes phase2_iv(const IsakmpSa& sa, std::uint32_t id);
wire::Header header_for(const IsakmpSa& sa, std::uint8_t exchange, std::uint32_t id, bool encrypted);

// The body of the first payload of `type` in a clear message's payload chain, as it was on
// the wire (RFC 2409's SAi_b is the initiator's bytes, not a re-encoding).
std::optional<Bytes> raw_body(const Bytes& datagram, std::uint8_t type);

// ---- Main Mode (main_mode.cpp) --------------------------------------------------------------------

IkeMessage mm1_build_i(IsakmpSa& sa, const Context& c);
bool mm2_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m);
IkeMessage mm3_build_i(IsakmpSa& sa, const Context& c);
bool mm4_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m);
std::optional<Bytes> mm5_build_i(IsakmpSa& sa, const Context& c);  // the encrypted datagram; nullopt: no certificate
// What mm5_build_i encrypts (IDii, CERT, CERT_REQ, SIG); header_for(sa, MM, 0, true), sa.iv.
std::optional<std::vector<Payload>> mm5_payloads_i(IsakmpSa& sa, const Context& c);
bool mm6_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m);
// Responder: each returns the answer to send, or nullopt when the exchange ends here
// (sa.outcome says why; an error Notify may have been prepared in `notify`).
std::optional<IkeMessage> mm1_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m, const Bytes& raw);
std::optional<IkeMessage> mm3_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m);
std::optional<Bytes> mm5_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m);

// ---- Quick Mode (quick_mode.cpp) ------------------------------------------------------------------

Bytes qm1_build_i(IsakmpSa& sa, const Context& c);
// What qm1_build_i encrypts (HASH(1), SA, Ni, IDci, IDcr); it sets sa.qm_id and sa.qm_iv.
std::vector<Payload> qm1_payloads_i(IsakmpSa& sa, const Context& c);
bool qm2_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m);
Bytes qm3_build_i(IsakmpSa& sa);
std::optional<Bytes> qm1_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m);
bool qm3_process_r(IsakmpSa& sa, const IkeMessage& m);
// An informational from the peer (encrypted once keys exist): logs its Notifies, honours a
// Delete of the ISAKMP SA.
void informational_process(IsakmpSa& sa, const IkeMessage& m);
// Informational with HASH(1) and a Delete of the ISAKMP SA (RFC 2408 §3.15, RFC 2409 §5.7).
Bytes delete_isakmp_sa_build(IsakmpSa& sa);
// Informational with HASH(1) and a Notify of `type` (RFC 2408 §3.14): how our responder tells
// the initiator why it refused its MM5 or Quick Mode.
Bytes notify_build(IsakmpSa& sa, std::uint16_t type);

// ---- The initiator on a socket (session.cpp) --------------------------------------------------------

class Initiator {
 public:
  Initiator(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport,
            std::string remote_address);
  // Main Mode then Quick Mode; sa().outcome says how far it got.
  const IsakmpSa& establish();
  // Sends the informational Delete (no answer exists in IKEv1).
  void delete_isakmp_sa();
  const IsakmpSa& sa() const { return sa_; }
  std::size_t retransmissions() const { return retransmissions_; }

 private:
  // Sends `request` until a message of `exchange` / `id` from the responder arrives.
  std::optional<IkeMessage> exchange(const Bytes& request, std::uint8_t exchange, std::uint32_t id);
  Context ctx_;
  UdpTransport& transport_;
  std::string remote_;
  IsakmpSa sa_;
  std::size_t retransmissions_ = 0;
};

class Responder {
 public:
  Responder(const Config& config, const Credentials& creds, CertificatePolicy& policy, UdpTransport& transport);
  // Serves requests until `done(*this)` holds or `duration` passed.
  void serve(std::chrono::milliseconds duration, const std::function<bool(const Responder&)>& done = {});
  const std::deque<IsakmpSa>& sas() const { return sas_; }
  // One datagram, as serve() hands it over; tests feed it directly. Never throws for bad input.
  void handle(const Datagram& d);

 private:
  Context ctx_;
  UdpTransport& transport_;
  std::deque<IsakmpSa> sas_;
  std::deque<std::pair<Bytes, Bytes>> last_;  // per SA: last request and our answer to it
};

}  // namespace ikeconform::peer::ikev1
