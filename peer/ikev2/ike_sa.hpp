// The IKEv2 half of the engine (RFC 7296): configuration, the state of one IKE SA, and the
// exchange steps, one file per exchange in the manner of strongSwan's tasks:
//
//   ike_sa_init.cpp     build_i / process_r (+ build_r) / process_i of IKE_SA_INIT
//   ike_auth.cpp        the same for IKE_AUTH, with the CHILD SA it carries
//   informational.cpp   INFORMATIONAL: Delete and empty (liveness) exchanges
//   protect.cpp         SK / SKF payloads: encryption, integrity, fragmentation (RFC 7383)
//   session.cpp         the initiator and responder loops: sockets, retransmission, dispatch
//
// Names follow RFC 7296 (SKEYSEED, SK_ei, InitiatorSignedOctets, TSi / TSr).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "peer/cert_policy.hpp"
#include "peer/credentials.hpp"
#include "peer/crypto.hpp"
#include "peer/protocol_bugs.hpp"
#include "wire/ike.hpp"

namespace ikeconform::peer::ikev2 {

using wire::Bytes;
using wire::IkeMessage;
using wire::Payload;

// ---- Algorithms -------------------------------------------------------------------------------------

// One IKE SA proposal: an encryption algorithm (AES-CBC or AES-GCM-16, with its key length),
// an integrity algorithm (none with GCM), a prf and a DH group (RFC 7296 §3.3.2).
struct IkeSuite {
  std::uint16_t encr = wire::ikev2::kEncrAesCbc;
  std::uint16_t key_bits = 128;
  std::uint16_t integ = wire::ikev2::kAuthHmacSha256_128;  // 0 with AES-GCM
  std::uint16_t prf = wire::ikev2::kPrfHmacSha256;
  std::uint16_t dh = 14;
  friend bool operator==(const IkeSuite&, const IkeSuite&) = default;
};
// One ESP proposal of the CHILD SA (no ESN).
struct EspSuite {
  std::uint16_t encr = wire::ikev2::kEncrAesCbc;
  std::uint16_t key_bits = 128;
  std::uint16_t integ = wire::ikev2::kAuthHmacSha256_128;
  friend bool operator==(const EspSuite&, const EspSuite&) = default;
};

bool is_aead(std::uint16_t encr);
crypto::Hash prf_hash(std::uint16_t prf);      // throws for a prf we do not implement
crypto::Hash integ_hash(std::uint16_t integ);  // the HMAC's hash of an integrity algorithm
crypto::Ikev2KeySizes key_sizes(const IkeSuite& s);
std::size_t icv_size(const IkeSuite& s);    // integrity checksum octets (GCM: 16)
std::string suite_name(const IkeSuite& s);  // "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"

wire::ProposalV2 ike_proposal(const IkeSuite& s, std::uint8_t number, const Bytes& spi = {});
wire::ProposalV2 esp_proposal(const EspSuite& s, std::uint8_t number, const Bytes& spi);
// The first proposal of `offer` that one of `ours` matches exactly (RFC 7296 §2.7: the
// responder picks one transform of each type from one proposal), as that suite; nullopt: none.
std::optional<std::pair<IkeSuite, std::uint8_t>> select_ike(const wire::SaV2& offer, const std::vector<IkeSuite>& ours);
std::optional<std::pair<EspSuite, const wire::ProposalV2*>> select_esp(const wire::SaV2& offer,
                                                                       const std::vector<EspSuite>& ours);

// ---- Configuration --------------------------------------------------------------------------------

struct Config {
  std::vector<IkeSuite> ike = {IkeSuite{}};
  std::vector<EspSuite> esp = {EspSuite{}};
  wire::IdV2 local_id;  // IDi; a responder presents its bound profile's (CertificatePolicy::local_identity)
  std::optional<wire::IdV2> remote_id;  // the peer must present this ID (and, as initiator, IDr is sent)
  std::optional<wire::IdV2> idr;        // initiator: the IDr to send instead (Personality::idr)
  // AUTH method we send: RSA signature (1) or RFC 7427 digital signature (14, used only when
  // the peer announced SIGNATURE_HASH_ALGORITHMS; SHA-256 then).
  std::uint8_t auth_method = wire::ikev2::kAuthDigitalSignature;
  wire::TrafficSelector local_ts, remote_ts;          // the tunnel's networks
  bool fragmentation = true;                          // announce IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383)
  std::size_t fragment_size = 1280;                   // send SKF when a message exceeds this (peer willing)
  std::chrono::milliseconds retransmit_timeout{500};  // doubles with each try (RFC 7296 §2.1)
  int retransmit_tries = 4;
  // Set by the owner (another thread) when nobody waits for the exchange any more: an initiator
  // waiting for an answer gives up within 10 ms of nothing arriving, as after its last
  // retransmission, instead of retransmitting to a peer that has concluded. Null: never.
  const std::atomic<bool>* abandon = nullptr;
  bool http_cert_lookup = false;  // announce HTTP_CERT_LOOKUP_SUPPORTED (RFC 7296 §3.10.1)
  // Announce SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4). Off: the peer signs with AUTH method 1
  // (Libreswan would otherwise pick RSASSA-PSS, which we do not verify).
  bool signature_hash_algorithms = true;
  ProtocolBugs bugs;  // deliberate misbehavior (peer/protocol_bugs.hpp); none by default
  // The planted defect of `ikeconform fuzz-peer --target planted` (docs/fuzzing.md), a receiver
  // bug for the daemon fuzzer to find: the responder aborts the process when an IKE_AUTH request
  // carries CERTREQ payloads listing at least this many hashes in all. 0 (always, elsewhere): off.
  std::size_t planted_abort_certreq_hashes = 0;
};

// ---- State ----------------------------------------------------------------------------------------

struct Endpoints {
  std::string local_address, remote_address;
  std::uint16_t local_port = 500, remote_port = 500;
};

// Where an exchange stands. `error` is the notify that ended it (received or sent).
struct Outcome {
  bool ike_sa = false;
  bool child_sa = false;
  std::string failed_at;  // "IKE_SA_INIT", "IKE_AUTH", "" when it did not fail
  std::optional<std::uint16_t> error;
  std::string reason;  // human words
};

struct IkeSa {
  Role role = Role::Initiator;
  Endpoints ends;
  wire::Spi spi_i{}, spi_r{};
  IkeSuite suite;
  Bytes ni, nr;
  std::shared_ptr<const crypto::DhKey> dh;  // shared: an IkeSa is copied into results
  crypto::Ikev2Keys keys;
  Bytes init_request, init_response;  // IKE_SA_INIT messages as sent (RFC 7296 §2.15)
  Bytes cookie;                       // N(COOKIE) to echo (§2.6)
  std::uint32_t next_id = 0;          // our next request's Message ID
  std::uint32_t peer_next_id = 0;     // the peer's next request's Message ID
  bool peer_fragmentation = false;
  std::vector<std::uint16_t> peer_hashes;  // SIGNATURE_HASH_ALGORITHMS received
  Received received;                       // the peer's CERTREQs, certificate and ID, for the policy's steps
  // Results of IKE_AUTH.
  wire::IdV2 peer_id;
  Bytes peer_cert;
  std::optional<std::size_t> our_cert, validated_by;
  Bytes esp_spi_ours, esp_spi_peer;
  Outcome outcome;
  // Outcome says what was established; these say what a Delete ended since.
  bool deleted = false;            // an INFORMATIONAL Delete of the IKE SA went through
  bool child_deleted = false;      // the peer deleted the CHILD SA
  std::vector<std::string> trace;  // what the engine did, line by line
  void log(std::string line) { trace.push_back(std::move(line)); }
};

// What each step needs of the peer's setup.
struct Context {
  const Config& config;
  const Credentials& creds;
  CertificatePolicy& policy;
};

// ---- Message protection (protect.cpp) ---------------------------------------------------------------

// Encrypts `inner` into one SK payload, or SKF fragments when the peer announced fragmentation
// and the message would exceed `fragment_size` (0: never). Returns the datagrams.
std::vector<Bytes> seal(const IkeSa& sa, const wire::Header& header, const std::vector<Payload>& inner,
                        std::size_t fragment_size);
// The same for a payload chain already encoded (`first`: its first payload's type), which need
// not decode: `fuzz-peer` mutates the chain before it is encrypted.
std::vector<Bytes> seal_chain(const IkeSa& sa, const wire::Header& header, std::uint8_t first, const Bytes& plain,
                              std::size_t fragment_size);

// Reassembles and decrypts protected messages. Returns the inner payloads once a whole message
// is there; nullopt while fragments are missing. Throws ProtectionError on a bad ICV, bad
// padding or an inner chain that does not decode.
class ProtectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class Opener {
 public:
  std::optional<std::vector<Payload>> open(const IkeSa& sa, const IkeMessage& m, const Bytes& raw);
  std::size_t fragments_seen() const { return fragments_seen_; }

 private:
  struct Pending {
    std::uint16_t total = 0;
    std::uint8_t first_inner = 0;
    std::map<std::uint16_t, Bytes> plain;
  };
  std::map<std::pair<std::uint32_t, bool>, Pending> pending_;  // by (Message ID, response)
  std::size_t fragments_seen_ = 0;
};

// ---- Exchanges ---------------------------------------------------------------------------------------

wire::Header header_for(const IkeSa& sa, std::uint8_t exchange, std::uint32_t id, bool response);

// IKE_SA_INIT (ike_sa_init.cpp).
IkeMessage ike_sa_init_build_i(IkeSa& sa, const Context& c);
// The responder's answer to a request, or an error response (N(NO_PROPOSAL_CHOSEN),
// N(INVALID_KE_PAYLOAD)) with sa.outcome.failed_at set.
IkeMessage ike_sa_init_process_r(IkeSa& sa, const Context& c, const IkeMessage& request, const Bytes& raw);
// Reads the response. Returns a group to retry with when the responder asked for another
// (INVALID_KE_PAYLOAD); otherwise the keys are derived or sa.outcome says why not.
enum class InitStatus { Done, RetryGroup, RetryCookie, Failed };
InitStatus ike_sa_init_process_i(IkeSa& sa, const Context& c, const IkeMessage& response, const Bytes& raw);

// The CERTREQ payloads of `payloads`: their 20-octet entries go to sa.received (ike_sa_init.cpp).
void note_certreqs(IkeSa& sa, const std::vector<Payload>& payloads);
// Our CERTREQ of message `m` as the policy orders it (several with the certreq_64 bug); none:
// the message carries none.
std::vector<Payload> certreq_payloads(IkeSa& sa, const Context& c, Message m);
// Where the policy is asked: message `m` in this SA's role.
CertStep cert_step(IkeSa& sa, Message m);

// IKE_AUTH (ike_auth.cpp): inner payloads of the SK payload.
std::vector<Payload> ike_auth_build_i(IkeSa& sa, const Context& c);
std::vector<Payload> ike_auth_process_r(IkeSa& sa, const Context& c, const std::vector<Payload>& request);
void ike_auth_process_i(IkeSa& sa, const Context& c, const std::vector<Payload>& response);

// INFORMATIONAL (informational.cpp).
std::vector<Payload> delete_ike_sa_build();
// Answers a peer's INFORMATIONAL request; `deleted` is set when it deleted the IKE SA.
std::vector<Payload> informational_process(IkeSa& sa, const std::vector<Payload>& request, bool& deleted);

// AUTH payload helpers shared by both roles (ike_auth.cpp).
Bytes signed_octets(const IkeSa& sa, Role signer, const wire::IdV2& id);
std::string id_text(const wire::IdV2& id);  // "R1.cisco.com", "192.168.0.1", "cn=R1,o=cisco"
// TS `inner` lies within `outer` (type, protocol, ports and address range).
bool ts_within(const wire::TrafficSelector& inner, const wire::TrafficSelector& outer);

}  // namespace ikeconform::peer::ikev2
