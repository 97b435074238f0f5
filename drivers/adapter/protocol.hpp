// `ikeconform.adapter/1`: the line protocol between the harness and an out-of-process
// implementation under test ("adapter"), in the spirit of BoringSSL's shim. JSON objects, one per
// line, over the adapter's stdin (harness -> adapter) and stdout (adapter -> harness); stderr is
// the adapter's log. docs/adapter-protocol.md is the normative description; this header is the
// parser and writer both sides use (the harness's ExecTarget, the C++ adapters' serve()).
//
// Parsing is strict where a mistake would change a verdict (types, ids, initiator, protocol
// version) and lenient where it would not (unknown keys are ignored, so both sides can grow).
// Every malformed line is a ProtocolError; nothing else escapes the parsers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/scenario.hpp"
#include "target/target.hpp"  // RenderedFile

namespace ikeconform::adapter {

inline constexpr const char* kProtocol = "ikeconform.adapter/1";
// A line longer than this is refused (a runaway adapter must not exhaust the harness).
inline constexpr std::size_t kMaxLine = 16U << 20;
// JSON nesting deeper than this is refused before parsing.
inline constexpr int kMaxDepth = 64;

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- the PKI the harness made, when the adapter asked for one ------------------------------------

struct PkiCa {
  std::string id;    // Ca::id
  std::string dn;    // Ca::dn, IOS order ("cn=CA1,o=cisco,o=com")
  std::string cert;  // PEM file
  std::string key;   // PKCS#8 PEM file
  friend bool operator==(const PkiCa&, const PkiCa&) = default;
};

struct PkiCert {
  std::string peer, trustpoint, ca;  // whose, under which trustpoint, issued by which Ca::id
  std::string subject;               // IOS order, as the certificate carries it (reversed)
  std::string cert, key;             // PEM files (key: PKCS#8)
  std::string p12;                   // PKCS#12 file (password ""), or "" when not asked for
  friend bool operator==(const PkiCert&, const PkiCert&) = default;
};

struct PkiFiles {
  std::string dir;
  std::vector<PkiCa> cas;      // scenario order
  std::vector<PkiCert> certs;  // peers in order, each in enrollment order
  friend bool operator==(const PkiFiles&, const PkiFiles&) = default;
};

// ---- harness -> adapter ---------------------------------------------------------------------------

struct Hello {
  std::string protocol = kProtocol;
  std::string harness;  // "ikeconform 0.1.0"
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct ScenarioRequest {
  std::uint64_t id = 0;
  Scenario scenario;
  std::vector<std::uint8_t> plays{0, 1};  // the peers the adapter plays (version 1: both)
  std::optional<PkiFiles> pki;
  friend bool operator==(const ScenarioRequest&, const ScenarioRequest&) = default;
};

struct RunRequest {
  std::uint64_t id = 0;  // the scenario's id
  std::uint8_t initiator = 0;
  friend bool operator==(const RunRequest&, const RunRequest&) = default;
};

struct CaptureRequest {
  std::optional<std::string> file;  // a pcap path, or nullopt: stop capturing
  friend bool operator==(const CaptureRequest&, const CaptureRequest&) = default;
};

struct RenderRequest {
  std::uint64_t id = 0;
  friend bool operator==(const RenderRequest&, const RenderRequest&) = default;
};

struct Bye {
  friend bool operator==(const Bye&, const Bye&) = default;
};

using HarnessMessage = std::variant<Hello, ScenarioRequest, RunRequest, CaptureRequest, RenderRequest, Bye>;

// ---- adapter -> harness ---------------------------------------------------------------------------

struct AdapterHello {
  std::string protocol = kProtocol;
  std::string name;                       // "strongswan"
  std::string version;                    // "strongSwan 5.9.8"; reports print it as target_version
  std::string personality;                // the model personality its peers follow, or "" (the scenario's own)
  bool pki = false;                       // wants the harness's PKI (files) with every scenario
  bool p12 = false;                       // ... including PKCS#12 files
  std::vector<std::string> capabilities;  // "capture", "render"
  // What of the scenario format it cannot run (names of model/expressible.hpp's fields:
  // "revoked_certificates", "certificate_features", "ikev1_mixed_auth", "pre_shared_keys",
  // "dn_email_identities"); the harness then
  // generates none of it for this adapter (issue 11: scenarios are judged, not skipped).
  std::vector<std::string> cannot_express;
  friend bool operator==(const AdapterHello&, const AdapterHello&) = default;
};

struct Ready {
  std::uint64_t id = 0;
  friend bool operator==(const Ready&, const Ready&) = default;
};

struct Unsupported {  // the adapter cannot express the scenario: every run is UNSUPPORTED
  std::uint64_t id = 0;
  std::string reason;
  friend bool operator==(const Unsupported&, const Unsupported&) = default;
};

struct ObservationReply {
  std::uint64_t id = 0;
  nlohmann::json observation;  // docs/check-json.md "directions" entry; resolved by the caller
  friend bool operator==(const ObservationReply&, const ObservationReply&) = default;
};

struct Rendering {
  std::uint64_t id = 0;
  std::vector<RenderedFile> files;
  friend bool operator==(const Rendering& a, const Rendering& b) {
    if (a.id != b.id || a.files.size() != b.files.size()) return false;
    for (std::size_t i = 0; i < a.files.size(); ++i)
      if (a.files[i].suffix != b.files[i].suffix || a.files[i].text != b.files[i].text) return false;
    return true;
  }
};

struct Ok {
  friend bool operator==(const Ok&, const Ok&) = default;
};

struct ErrorReply {
  std::optional<std::uint64_t> id;
  std::string message;
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};

// The hello's `cannot_express` and model/expressible.hpp's Expressible, one from the other.
// Unknown names are ignored, like unknown capabilities (a newer adapter may know more).
Expressible expressible_from(const std::vector<std::string>& cannot_express);
std::vector<std::string> cannot_express(const Expressible& e);

using AdapterMessage = std::variant<AdapterHello, Ready, Unsupported, ObservationReply, Rendering, Ok, ErrorReply, Bye>;

// ---- parsing and writing ----------------------------------------------------------------------------

// One line (without its newline). Throws ProtocolError naming the problem.
HarnessMessage parse_harness_message(std::string_view line);
AdapterMessage parse_adapter_message(std::string_view line);

// One line, newline-terminated, no other newline inside (JSON escapes them).
std::string to_line(const HarnessMessage& m);
std::string to_line(const AdapterMessage& m);

// "ikeconform.adapter/1" and "ikeconform.adapter/1.3" speak the same major version.
bool compatible(std::string_view protocol);

// Safe file-name suffix for an adapter's rendering: [A-Za-z0-9_.-], no leading dot, no "..".
bool safe_suffix(std::string_view suffix);

}  // namespace ikeconform::adapter
