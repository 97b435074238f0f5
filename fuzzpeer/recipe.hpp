// What `fuzz-peer` does to one message before it is encrypted: a recipe of structure-aware
// mutations, decoded from bytes that a libFuzzer-style byte mutator evolves (the bytes are the
// corpus; the recipe is what they mean, so any byte string is a valid recipe and shrinking the
// bytes shrinks the recipe).
//
// The message is seen as segments: one per payload, with its type, its flags octet (IKEv2's
// critical bit), its body and an optional lying length. Mutations insert, delete, duplicate,
// move and retype payloads, set body fields to boundary values, lie in lengths, rewrite CERTREQ
// hash lists and CERT_REQ DNs, mutate a CERT's DER (lengths, tags, nodes, chains), and put
// notifies where they do not belong. Encoding the segments back gives the payload chain that the
// engine then encrypts (peer/: seal_chain), so the daemon's parser sees every change.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/scenario.hpp"  // IkeVersion
#include "wire/ike.hpp"

namespace ikeconform::fuzzpeer {

using wire::Bytes;

struct Segment {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;  // the octet after Next Payload: IKEv2's critical bit is 0x80
  Bytes body;
  std::optional<std::uint16_t> length;  // a lie, written instead of 4 + body.size()
  friend bool operator==(const Segment&, const Segment&) = default;
};

// The payloads as segments (each payload encoded on its own, its generic header dropped).
std::vector<Segment> segments(IkeVersion v, const std::vector<wire::Payload>& payloads);
// The payload chain: Next Payload fields from the segments' types, lengths honest unless lying.
Bytes encode_chain(const std::vector<Segment>& s);
inline std::uint8_t first_type(const std::vector<Segment>& s) { return s.empty() ? 0 : s.front().type; }
// A clear message (IKE_SA_INIT, MM1, MM3): `h` (its Next Payload and Length filled in) + chain.
Bytes clear_message(const wire::Header& h, const std::vector<Segment>& s);

// What the mutations may draw on besides the message: the scenario's CA certificates (DER), the
// SHA-1 of their public keys (IKEv2 CERTREQ entries) and their DER subjects (IKEv1 CERT_REQ).
struct Material {
  std::vector<Bytes> ca_certs, ca_hashes, ca_names;
};

enum class Op : std::uint8_t {
  Delete,        // a payload
  Duplicate,     // a payload, inserted after itself
  Move,          // a payload to another position
  Insert,        // a payload of a chosen type with a chosen body
  Retype,        // a payload's type replaced (its body kept)
  SetByte,       // a body octet to a boundary value (0, 1, 0x7f, 0x80, 0xff, ...)
  SetWord,       // a 16-bit body field to a boundary value
  FlipBit,       // one body bit
  Truncate,      // a body cut short
  Append,        // octets appended to a body
  LengthLie,     // a payload's Length field lies
  Critical,      // IKEv2's critical bit flipped
  CertreqList,   // the CERTREQ's hash list (IKEv2) or CERT_REQ's DN (IKEv1) rewritten: N entries
  DerMutate,     // a CERT's DER: a node's length encoding, tag, removal, duplication, truncation
  CertChain,     // the CERT replaced by / followed by a CA certificate (chains, wrong certs)
  NotifyInsert,  // a notify that does not belong in this exchange
  kCount,
};

struct Mutation {
  Op op = Op::Delete;
  std::uint8_t a = 0, b = 0;  // op-specific: payload index, type / value selector
  std::uint16_t c = 0;        // op-specific: offset, count, node
  Bytes data;                 // op-specific: inserted octets
  friend bool operator==(const Mutation&, const Mutation&) = default;
};

struct Recipe {
  std::vector<Mutation> steps;
};

inline constexpr std::size_t kMaxSteps = 8;
// Any bytes: at most kMaxSteps mutations, each an op octet and its parameters (missing octets
// read as zero). Empty input: no mutation (the valid message).
Recipe decode_recipe(std::span<const std::uint8_t> input);
// The bytes that decode to `r` (for minimizing: drop a step, encode, decode gives the rest).
Bytes encode_recipe(const Recipe& r);
std::string describe(const Mutation& m);  // "CertreqList(payload 2, 45 entries, copies)"
nlohmann::json recipe_json(const Recipe& r);

// Applies `r` to `s` in order. A step that names no suitable payload does nothing; one that
// would make the chain longer than kMaxChain octets is skipped (a UDP datagram holds 65,507, and
// an unfragmented IKE_SA_INIT or Main Mode message must fit in one).
inline constexpr std::size_t kMaxChain = 48 * 1024;
void apply(const Recipe& r, IkeVersion v, const Material& m, std::vector<Segment>& s);

// The payload types whose bodies authenticate the sender (IKEv2 IDi and AUTH; IKEv1 ID and SIG):
// true when `mutated` no longer carries, at an honest length, every such body `original` had
// (IKEv2: RESERVED octets 1-3 not compared). A daemon that then establishes the SA let an
// unauthenticated peer in.
bool authentication_broken(IkeVersion v, const std::vector<Segment>& original, const std::vector<Segment>& mutated);

// libFuzzer's byte mutations (flip, set to an interesting value, insert, erase, copy a range,
// cross over with another input), one to a few per call, results at most `max_size` octets.
class ByteMutator {
 public:
  explicit ByteMutator(std::uint64_t seed) : rng_(seed) {}
  Bytes mutate(const Bytes& input, const Bytes& other, std::size_t max_size = 64);
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace ikeconform::fuzzpeer
