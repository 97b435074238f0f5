// `ikeconform emulate` (docs/emulate.md): the emulated router of one IOS configuration on a real
// interface, against a real device. The same engine and personality policy as the cisco-ios
// stack (peer.hpp), on plain UDP 500 / 4500 sockets in the caller's network namespace, with the
// trustpoints' certificates, keys and CA certificates read from PKCS#12 files.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "drivers/stack/stack.hpp"
#include "model/observation.hpp"
#include "model/scenario.hpp"
#include "peer/credentials.hpp"
#include "peer/personality_policy.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::cisco_ios {

// One `--credentials TP=FILE.p12[:PASSWORD]`.
struct P12Spec {
  std::string trustpoint, file, password;
};
// Parses "TP=FILE.p12" (password `default_password`) or "TP=FILE.p12:PASSWORD". Throws InputError.
P12Spec parse_credentials_spec(const std::string& spec, const std::string& default_password);

// One trustpoint's PKCS#12 file (pki::read_p12), as PEM: the identity certificate and its key
// (both empty in a file with CA certificates only) and the CA certificate that issued it.
struct P12Contents {
  std::string trustpoint, file;
  std::string cert_pem, key_pem, ca_pem;
  std::string ca_dn;  // ca_pem's subject, the IOS way ("cn=CA1,o=cisco,o=com")
};
// Throws InputError(file, 0, ...) (pki::read_p12).
P12Contents read_p12(const P12Spec& spec);
// The credentials of peer `self` of `s`: every trustpoint of `self` needs one file; a CA of
// `s` that only the other peer's model names gets a placeholder certificate with its DN (it
// can be requested, never validate). The DNs of `s`'s CAs become those of the real CA
// certificates, so CERT_REQs map back to them. Throws InputError.
peer::Credentials emulation_credentials(Scenario& s, std::size_t self, const std::vector<P12Contents>& files);

struct EmulateOptions {
  std::string local_address;  // "" : the address the kernel routes toward the peer from
  bool initiate = true;
  std::chrono::milliseconds timeout{10000};  // the whole exchange; responder: from the start
  const std::atomic<bool>* stop = nullptr;   // set (Ctrl-C): end at the next check, within 50 ms
  bool capture = false;                      // keep every datagram in Emulation::packets
};

struct Emulation {
  Observation observed;    // the direction as it happened, in the scenario's indices
  stack::SideReport self;  // our side
  stack::SideReport peer;  // the real peer, as far as its messages tell
  peer::PersonalityPolicy::Record record;
  std::string notify;  // the notify that ended the exchange (received or sent), "" none
  std::string local_address;
  bool stopped = false;  // ended by `stop`
  std::vector<std::string> trace;
  std::vector<wire::IkePacket> packets;  // with EmulateOptions::capture: for wire::write_pcap
};

// Runs one exchange with the real device at s.peers[1 - self].address as peer `self` of `s`.
// Throws InputError when `s` cannot run on the engine (inexpressible()), peer::TransportError
// when the sockets cannot be opened.
Emulation emulate(const Scenario& s, std::size_t self, const peer::Credentials& creds, const EmulateOptions& o);

}  // namespace ikeconform::cisco_ios
