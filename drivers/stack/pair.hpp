// Runs one scenario direction on two real stacks, one per network namespace, whatever the two
// stacks are: the stack of each side is chosen by the scenario peer's `personality` among the
// runner's StackKinds. The namespaces, daemons and capture socket are reused between
// scenarios; a harness failure throws them all away (made anew on the next run).
//
// One run: prepare both sides (configuration + credentials under fresh connection names),
// drain the capture socket, initiate, poll both sides' logs until the initiator is up (with the
// CHILD SA when both stacks observe it) or a side failed (or the deadline), read the wire,
// report, tear down, combine() and cross-check the CERTREQ lists against the wire (a mismatch
// is a `finding:` line in the trace).
//
// Infrastructure is never a finding: a run that says nothing about the implementations under
// test -- a harness error (a daemon not ready or dead, a control call or our own timeout, a helper
// crash), a stack that refused the configuration we rendered, the first message unanswered by a
// running responder that logged no refusal (the model never predicts PEER_UNREACHABLE: both
// daemons are ours, on one veth) or an exchange the observers cannot read -- is retried once in a
// fresh pair (new namespaces, daemons and folders). When it persists, the Observation is
// INTERNAL_ERROR, the infrastructure error the campaign journals as `infrastructure_error` and
// never hands to an oracle, its trace the cause, both attempts' causes and the evidence: both
// daemons' status, command line and log tails.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "drivers/capture/capture.hpp"
#include "drivers/stack/stack.hpp"

namespace ikeconform::netns {
class NetnsPair;
}
namespace ikeconform::process {
class TempDir;
}
namespace ikeconform::pki {
class KeyCache;
struct Pki;
}  // namespace ikeconform::pki

namespace ikeconform::stack {

using Millis = std::chrono::milliseconds;

class PairRunner;

struct PairOptions {
  std::filesystem::path base = std::filesystem::temp_directory_path();  // run folders go here
  std::filesystem::path key_cache;  // for run(s, initiator); empty: pki::KeyCache::default_dir()
  Millis exchange_timeout{5000};    // initiate -> verdict; an unanswered exchange gives up earlier
  bool capture = true;              // read the veth (needs CAP_NET_RAW; root anyway)
  bool keep_dirs = false;           // leave configurations and logs on disk
  bool retry = true;                // retry an infrastructure error once in a fresh pair
  // Tests: called after both sides are prepared, right before the initiator starts, with the
  // attempt (0, then 1 for the retry); the place to inject an infrastructure failure.
  std::function<void(PairRunner&, int attempt)> before_initiate;
  std::filesystem::path keep_pcap;  // when set, every run's capture is written there
  StackOptions stack;               // the daemons' timeouts
};

// What the last run saw besides the Observation (tests, benches, reports).
struct RunRecord {
  std::array<SideReport, 2> sides;  // by scenario peer index
  capture::Captured wire;
  capture::WireCertReqs wire_certreqs;
  std::string harness_error;
  // Why the run says nothing about the implementations ("" when it does): pair.hpp's list.
  std::string infrastructure_error;
  std::string first_attempt_error;  // the cause that made the runner retry ("" when it did not)
  std::chrono::microseconds prepare_time{0}, exchange_time{0}, teardown_time{0};
  bool restarted = false;  // a daemon was (re)started for this run
};

class PairRunner {
 public:
  // `kinds`: the stacks it may run, found by the scenario peers' personalities.
  explicit PairRunner(std::vector<StackKind> kinds, PairOptions o = {});
  ~PairRunner();
  PairRunner(const PairRunner&) = delete;
  PairRunner& operator=(const PairRunner&) = delete;

  // Runs `s` with peer `initiator` initiating its tunnel profile; `pki` is the scenario's PKI.
  // Never throws for a failing handshake or a broken harness: INTERNAL_ERROR with the cause in
  // the trace; a scenario the stacks cannot express is UNSUPPORTED (not_attempted()).
  Observation run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator);
  // The same, making the PKI first (keys from the key cache, certificates in a folder of the
  // run; reused while the CAs, peers' names/addresses, trustpoints and certificates stay the same).
  Observation run(const Scenario& s, std::uint8_t initiator);

  const RunRecord& last() const { return last_; }
  std::uint64_t runs() const { return seq_; }
  const PairOptions& options() const { return o_; }
  PairOptions& options() { return o_; }
  // The namespaces of the current pair (nullptr before the first run or after a reset).
  const netns::NetnsPair* net() const { return net_.get(); }
  // The stack of side `i` (nullptr before the first run or after a reset).
  PeerStack* stack(std::size_t i) { return stacks_.at(i).get(); }
  void reset();  // stops everything now (also done by the destructor)

 private:
  const StackKind* kind_of(const Scenario& s, std::size_t peer) const;
  std::optional<std::string> inexpressible(const Scenario& s) const;
  void ensure(const Scenario& s);
  void execute(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator, const std::string& prefix);
  void wait(PeerStack& ini, PeerStack& res, bool child);
  void teardown(std::uint8_t initiator);
  Observation attempt(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator, int n);
  std::string evidence();  // both daemons' reports (status, command, log tails)
  std::vector<StackKind> registry_;
  PairOptions o_;
  std::unique_ptr<process::TempDir> dir_;
  std::unique_ptr<netns::NetnsPair> net_;
  std::array<std::unique_ptr<PeerStack>, 2> stacks_;
  std::array<std::string, 2> kinds_;
  std::unique_ptr<capture::Capture> capture_;
  std::unique_ptr<pki::KeyCache> keys_;
  std::unique_ptr<process::TempDir> pki_dir_;
  std::unique_ptr<pki::Pki> pki_;  // reused while the scenario's PKI inputs stay the same
  Scenario pki_scenario_;          // pki::pki_part() of the scenario pki_ was made for
  bool pki_p12_ = false;           // pki_ has PKCS#12 files
  std::uint64_t seq_ = 0;
  int attempt_ = 0;             // 0, or 1 for the retry in a fresh pair
  bool child_awaited_ = false;  // the last exchange waited for the CHILD SA (teardown may overlap)
  RunRecord last_;
};

// Observation + the wire: the CERTREQ lists visible in clear (IKEv1 MM3 / MM4, IKEv2
// IKE_SA_INIT response) replace the log-derived ones; each disagreement adds a `finding:` line.
void cross_check(const Scenario& s, const capture::WireCertReqs& w, const SideReport& ini, Observation& o);

// Why a combined run says nothing about the implementations under test, or "" when it does
// (the list in this file's header): `o` from combine(), `r` the run's record.
std::string infrastructure_cause(const Scenario& s, const Observation& o, const RunRecord& r, std::uint8_t initiator);

}  // namespace ikeconform::stack
