// ikeconform.adapter/1 (docs/adapter-protocol.md): the message parser/writer (round trips as
// RapidCheck properties, rejections), serve() over string streams, and the harness side end to
// end: ExecTarget driving bin/ikeconform-adapter-model gives exactly the in-process model's
// observations; an adapter that hangs, exits, writes garbage or speaks another version yields a
// clear INTERNAL_ERROR / AdapterError within its timeout, never a hang. No root needed.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "drivers/adapter/exec_target.hpp"
#include "drivers/adapter/protocol.hpp"
#include "drivers/adapter/server.hpp"
#include "generators/generators.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"
#include "target/target.hpp"

namespace {

namespace fs = std::filesystem;
namespace ad = ikeconform::adapter;
using namespace ikeconform;
using Clock = std::chrono::steady_clock;

const fs::path kSource = IKECONFORM_SOURCE_DIR;
const std::string kModelAdapter = IKECONFORM_ADAPTER_MODEL;

// ---- generators of messages --------------------------------------------------------------------

// Printable and control ASCII (JSON escapes them); no invalid UTF-8, which the writer replaces.
rc::Gen<std::string> text() { return rc::gen::container<std::string>(rc::gen::inRange<char>(1, 127)); }

rc::Gen<std::string> suffix() {
  return rc::gen::map(rc::gen::pair(rc::gen::elementOf(std::string("abcXYZ019_-")),
                                    rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcXYZ019_-.")))),
                      [](const std::pair<char, std::string>& p) {
                        std::string s = std::string(1, p.first) + p.second;
                        while (s.find("..") != std::string::npos) s.erase(s.find(".."), 1);
                        return s.substr(0, 150);
                      });
}

rc::Gen<std::uint64_t> an_id() { return rc::gen::arbitrary<std::uint64_t>(); }
rc::Gen<std::uint8_t> a_peer() { return rc::gen::inRange<std::uint8_t>(0, 2); }

rc::Gen<ad::PkiFiles> pki_files() {
  return rc::gen::build<ad::PkiFiles>(
      rc::gen::set(&ad::PkiFiles::dir, text()),
      rc::gen::set(&ad::PkiFiles::cas,
                   rc::gen::container<std::vector<ad::PkiCa>>(rc::gen::build<ad::PkiCa>(
                       rc::gen::set(&ad::PkiCa::id, text()), rc::gen::set(&ad::PkiCa::dn, text()),
                       rc::gen::set(&ad::PkiCa::cert, text()), rc::gen::set(&ad::PkiCa::key, text())))),
      rc::gen::set(&ad::PkiFiles::certs,
                   rc::gen::container<std::vector<ad::PkiCert>>(rc::gen::build<ad::PkiCert>(
                       rc::gen::set(&ad::PkiCert::peer, text()), rc::gen::set(&ad::PkiCert::trustpoint, text()),
                       rc::gen::set(&ad::PkiCert::ca, text()), rc::gen::set(&ad::PkiCert::subject, text()),
                       rc::gen::set(&ad::PkiCert::cert, text()), rc::gen::set(&ad::PkiCert::key, text()),
                       rc::gen::set(&ad::PkiCert::p12, text())))));
}

rc::Gen<std::vector<std::uint8_t>> plays() {
  return rc::gen::elementOf(std::vector<std::vector<std::uint8_t>>{{0, 1}, {1, 0}, {0}, {1}});
}

rc::Gen<ad::HarnessMessage> harness_message() {
  return rc::gen::oneOf(
      rc::gen::map(text(),
                   [](std::string h) {
                     return ad::HarnessMessage{ad::Hello{ad::kProtocol, std::move(h)}};
                   }),
      rc::gen::map(rc::gen::tuple(an_id(), gen::mixed_scenario(), plays(), rc::gen::maybe(pki_files())),
                   [](std::tuple<std::uint64_t, Scenario, std::vector<std::uint8_t>, rc::Maybe<ad::PkiFiles>> t) {
                     ad::ScenarioRequest r;
                     r.id = std::get<0>(t);
                     r.scenario = std::move(std::get<1>(t));
                     r.plays = std::get<2>(t);
                     if (std::get<3>(t)) r.pki = *std::get<3>(t);
                     return ad::HarnessMessage{std::move(r)};
                   }),
      rc::gen::map(rc::gen::pair(an_id(), a_peer()),
                   [](std::pair<std::uint64_t, std::uint8_t> p) {
                     return ad::HarnessMessage{ad::RunRequest{p.first, p.second}};
                   }),
      rc::gen::map(rc::gen::maybe(text()),
                   [](rc::Maybe<std::string> f) {
                     return ad::HarnessMessage{ad::CaptureRequest{f ? std::optional<std::string>(*f) : std::nullopt}};
                   }),
      rc::gen::map(an_id(), [](std::uint64_t id) { return ad::HarnessMessage{ad::RenderRequest{id}}; }),
      rc::gen::just(ad::HarnessMessage{ad::Bye{}}));
}

// A real observation: the model's run of a generated scenario, as the adapters send it.
rc::Gen<ad::AdapterMessage> observation_message() {
  return rc::gen::map(
      rc::gen::tuple(an_id(), gen::mixed_scenario(), a_peer()),
      [](std::tuple<std::uint64_t, Scenario, std::uint8_t> t) {
        ModelOptions o;
        o.trace = std::get<2>(t) == 0;  // half of them with the IOS debug trace
        ModelTarget m(o);
        const Scenario& s = std::get<1>(t);
        const Observation obs = m.run(s, std::get<2>(t));
        return ad::AdapterMessage{ad::ObservationReply{std::get<0>(t), nlohmann::json(observation_to_json(s, obs))}};
      });
}

rc::Gen<ad::AdapterMessage> adapter_message() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::tuple(text(), text(), text(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
                                  rc::gen::container<std::vector<std::string>>(text()),
                                  rc::gen::container<std::vector<std::string>>(text())),
                   [](std::tuple<std::string, std::string, std::string, bool, bool, std::vector<std::string>,
                                 std::vector<std::string>>
                          t) {
                     ad::AdapterHello h;
                     h.name = std::get<0>(t);
                     h.version = std::get<1>(t);
                     h.personality = std::get<2>(t);
                     h.pki = std::get<3>(t);
                     h.p12 = std::get<4>(t);
                     h.capabilities = std::get<5>(t);
                     h.cannot_express = std::get<6>(t);
                     return ad::AdapterMessage{h};
                   }),
      rc::gen::map(an_id(), [](std::uint64_t id) { return ad::AdapterMessage{ad::Ready{id}}; }),
      rc::gen::map(rc::gen::pair(an_id(), text()),
                   [](std::pair<std::uint64_t, std::string> p) {
                     return ad::AdapterMessage{ad::Unsupported{p.first, p.second}};
                   }),
      observation_message(),
      rc::gen::map(rc::gen::pair(an_id(), rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
                                              rc::gen::pair(suffix(), text()))),
                   [](std::pair<std::uint64_t, std::vector<std::pair<std::string, std::string>>> p) {
                     ad::Rendering r;
                     r.id = p.first;
                     for (auto& [s, t] : p.second) r.files.push_back({s, t});
                     return ad::AdapterMessage{r};
                   }),
      rc::gen::just(ad::AdapterMessage{ad::Ok{}}),
      rc::gen::map(rc::gen::pair(rc::gen::maybe(an_id()), text()),
                   [](std::pair<rc::Maybe<std::uint64_t>, std::string> p) {
                     return ad::AdapterMessage{
                         ad::ErrorReply{p.first ? std::optional<std::uint64_t>(*p.first) : std::nullopt, p.second}};
                   }),
      rc::gen::just(ad::AdapterMessage{ad::Bye{}}));
}

std::string chomp(const std::string& line) { return line.substr(0, line.size() - 1); }

void check_one_line(const std::string& line) {
  RC_ASSERT(!line.empty());
  RC_ASSERT(line.back() == '\n');
  RC_ASSERT(line.find('\n') == line.size() - 1);
}

// ---- round trips -------------------------------------------------------------------------------

RC_GTEST_PROP(AdapterProtocol, HarnessMessagesRoundTrip, ()) {
  const ad::HarnessMessage m = *harness_message();
  const std::string line = ad::to_line(m);
  check_one_line(line);
  const ad::HarnessMessage back = ad::parse_harness_message(chomp(line));
  RC_ASSERT(back == m);
  RC_ASSERT(ad::to_line(back) == line);
}

RC_GTEST_PROP(AdapterProtocol, AdapterMessagesRoundTrip, ()) {
  const ad::AdapterMessage m = *adapter_message();
  const std::string line = ad::to_line(m);
  check_one_line(line);
  const ad::AdapterMessage back = ad::parse_adapter_message(chomp(line));
  RC_ASSERT(back == m);
  RC_ASSERT(ad::to_line(back) == line);
}

// Unknown keys are ignored in both directions (docs/adapter-protocol.md "Versioning").
TEST(AdapterProtocol, UnknownKeysAreIgnored) {
  EXPECT_EQ(ad::parse_adapter_message(R"({"type":"ready","id":7,"future":{"x":[1,2]}})"),
            ad::AdapterMessage{ad::Ready{7}});
  EXPECT_EQ(ad::parse_harness_message(R"({"type":"run","id":3,"initiator":1,"deadline_ms":500})"),
            (ad::HarnessMessage{ad::RunRequest{3, 1}}));
  const auto h = ad::parse_adapter_message(R"({"type":"hello","protocol":"ikeconform.adapter/1.4","color":"blue"})");
  ASSERT_TRUE(std::holds_alternative<ad::AdapterHello>(h));
  EXPECT_EQ(std::get<ad::AdapterHello>(h).protocol, "ikeconform.adapter/1.4");
  EXPECT_FALSE(std::get<ad::AdapterHello>(h).pki);
}

TEST(AdapterProtocol, VersionCompatibility) {
  EXPECT_TRUE(ad::compatible("ikeconform.adapter/1"));
  EXPECT_TRUE(ad::compatible("ikeconform.adapter/1.3"));
  EXPECT_FALSE(ad::compatible("ikeconform.adapter/2"));
  EXPECT_FALSE(ad::compatible("ikeconform.adapter/10"));
  EXPECT_FALSE(ad::compatible("ikeconform.adapter/"));
  EXPECT_FALSE(ad::compatible(""));
  EXPECT_FALSE(ad::compatible("ikeconform.adapter/1x"));
}

TEST(AdapterProtocol, SafeSuffixes) {
  EXPECT_TRUE(ad::safe_suffix("R1.swanctl.conf"));
  EXPECT_TRUE(ad::safe_suffix("R2-ipsec_conf"));
  for (const char* bad : {"", ".hidden", "a/../b", "../x", "a..b", "a/b", "a b", "a\\b", "ä"})
    EXPECT_FALSE(ad::safe_suffix(bad)) << bad;
  EXPECT_FALSE(ad::safe_suffix(std::string(201, 'a')));
}

// ---- rejections: every malformed line is a ProtocolError, nothing else escapes -----------------

void expect_rejected_both(const std::string& line, const std::string& why) {
  EXPECT_THROW(ad::parse_harness_message(line), ad::ProtocolError) << why << ": " << line.substr(0, 120);
  EXPECT_THROW(ad::parse_adapter_message(line), ad::ProtocolError) << why << ": " << line.substr(0, 120);
}

TEST(AdapterProtocol, RejectsMalformedLines) {
  expect_rejected_both("", "empty");
  expect_rejected_both("{", "truncated JSON");
  expect_rejected_both("not json at all", "not JSON");
  expect_rejected_both(R"({"type":"hello","protocol":"ikeconform.adapter/1"} trailing)", "trailing bytes");
  expect_rejected_both("[1,2,3]", "array");
  expect_rejected_both("\"hello\"", "string");
  expect_rejected_both("42", "number");
  expect_rejected_both("{}", "no type");
  expect_rejected_both(R"({"type":7})", "type not a string");
  expect_rejected_both(R"({"type":"launch"})", "unknown type");
  expect_rejected_both(R"({"type":"hello"})", "hello without protocol");
  expect_rejected_both(R"({"type":"hello","protocol":1})", "protocol not a string");
}

TEST(AdapterProtocol, RejectsWrongFieldsHarnessSide) {
  for (const char* line : {
           R"({"type":"run","id":-1,"initiator":0})",
           R"({"type":"run","id":1.5,"initiator":0})",
           R"({"type":"run","id":"1","initiator":0})",
           R"({"type":"run","id":1})",
           R"({"type":"run","id":1,"initiator":2})",
           R"({"type":"run","id":1,"initiator":true})",
           R"({"type":"render"})",
           R"({"type":"capture","file":3})",
           R"({"type":"scenario","id":1})",
           R"({"type":"scenario","id":1,"scenario":{"schema":"ikeconform.scenario/1"}})",
           R"({"type":"scenario","id":1,"scenario":[]})",
       })
    EXPECT_THROW(ad::parse_harness_message(line), ad::ProtocolError) << line;
  // A valid scenario with bad plays / pki.
  const std::string s = scenario_to_json(load_scenario_file(kSource / "corpus/scenarios/s1.json")).dump();
  for (const std::string tail :
       {R"("plays":[0,0])", R"("plays":[])", R"("plays":[0,1,0])", R"("plays":[2])", R"("plays":"both")",
        R"("pki":{"dir":"/x"})", R"("pki":{"dir":"/x","cas":[{"id":"CA1"}],"certs":[]})", R"("pki":7)"})
    EXPECT_THROW(ad::parse_harness_message(R"({"type":"scenario","id":1,"scenario":)" + s + "," + tail + "}"),
                 ad::ProtocolError)
        << tail;
  EXPECT_NO_THROW(ad::parse_harness_message(R"({"type":"scenario","id":1,"scenario":)" + s + "}"));
}

TEST(AdapterProtocol, RejectsWrongFieldsAdapterSide) {
  for (const char* line : {
           R"({"type":"ready"})",
           R"({"type":"ready","id":-3})",
           R"({"type":"unsupported","id":1})",
           R"({"type":"observation","id":1})",
           R"({"type":"observation","id":1,"observation":[]})",
           R"({"type":"rendering","id":1})",
           R"({"type":"rendering","id":1,"files":[{"suffix":"../../etc/passwd","text":"x"}]})",
           R"({"type":"rendering","id":1,"files":[{"suffix":"ok"}]})",
           R"({"type":"error","id":1})",
           R"({"type":"error","id":"x","message":"m"})",
           R"({"type":"hello","protocol":"ikeconform.adapter/1","pki":"yes"})",
           R"({"type":"hello","protocol":"ikeconform.adapter/1","capabilities":"capture"})",
           R"({"type":"hello","protocol":"ikeconform.adapter/1","capabilities":[1]})",
       })
    EXPECT_THROW(ad::parse_adapter_message(line), ad::ProtocolError) << line;
}

TEST(AdapterProtocol, RejectsOversizeAndDeepLines) {
  std::string big = R"({"type":"error","id":null,"message":")" + std::string(ad::kMaxLine, 'x') + "\"}";
  expect_rejected_both(big, "oversize");
  std::string deep = R"({"type":"ok","x":)" + std::string(ad::kMaxDepth + 1, '[') +
                     std::string(ad::kMaxDepth + 1, ']') + "}";
  expect_rejected_both(deep, "too deep");
  // Brackets inside strings do not count; exactly the limit is fine.
  EXPECT_NO_THROW(ad::parse_adapter_message(R"({"type":"ok","x":")" + std::string(1000, '[') + "\"}"));
  std::string at_limit = R"({"type":"ok","x":)" + std::string(ad::kMaxDepth - 1, '[') +
                         std::string(ad::kMaxDepth - 1, ']') + "}";
  EXPECT_NO_THROW(ad::parse_adapter_message(at_limit));
  // Pathological nesting far past the limit is refused before the JSON parser sees it.
  expect_rejected_both(std::string(1 << 20, '['), "1 MiB of [");
}

RC_GTEST_PROP(AdapterProtocol, ArbitraryBytesOnlyThrowProtocolError, (const std::string& bytes)) {
  for (const std::string& line : {bytes, R"({"type":")" + bytes + "\"}", R"({"type":"run","id":)" + bytes + "}"}) {
    try {
      (void)ad::parse_harness_message(line);
    } catch (const ad::ProtocolError&) {
    }
    try {
      (void)ad::parse_adapter_message(line);
    } catch (const ad::ProtocolError&) {
    }
  }
}

// ---- serve() ------------------------------------------------------------------------------------

class EchoBackend final : public ad::Backend {
 public:
  ad::AdapterHello hello() override {
    ad::AdapterHello h;
    h.name = "echo";
    h.version = "echo 1";
    return h;
  }
  std::optional<std::string> prepare(const ad::ScenarioRequest& r) override {
    scenario = r.scenario;
    if (r.scenario.name == "unsupported") return "cannot";
    return std::nullopt;
  }
  Observation run(std::uint8_t initiator) override {
    if (initiator == 1) throw std::runtime_error("backend broke");
    return ModelTarget().run(scenario, initiator);
  }
  Scenario scenario;
};

std::vector<ad::AdapterMessage> serve_lines(const std::string& input, int* status = nullptr) {
  EchoBackend b;
  std::istringstream in(input);
  std::ostringstream out;
  const int st = ad::serve(b, in, out);
  if (status) *status = st;
  std::vector<ad::AdapterMessage> replies;
  std::istringstream lines(out.str());
  for (std::string l; std::getline(lines, l);) replies.push_back(ad::parse_adapter_message(l));
  return replies;
}

TEST(AdapterServe, OneReplyPerRequestInOrder) {
  const Scenario s = load_scenario_file(kSource / "corpus/scenarios/s1.json");
  ad::ScenarioRequest r;
  r.id = 5;
  r.scenario = s;
  const std::string input = ad::to_line(ad::HarnessMessage{ad::Hello{}}) + "\n" +  // an empty line is skipped
                            ad::to_line(ad::HarnessMessage{r}) + ad::to_line(ad::HarnessMessage{ad::RunRequest{5, 0}}) +
                            ad::to_line(ad::HarnessMessage{ad::RunRequest{5, 1}}) +  // the backend throws
                            ad::to_line(ad::HarnessMessage{ad::RunRequest{9, 0}}) +  // not held
                            "garbage\n" + ad::to_line(ad::HarnessMessage{ad::CaptureRequest{"/x.pcap"}}) +
                            ad::to_line(ad::HarnessMessage{ad::RenderRequest{5}}) +
                            ad::to_line(ad::HarnessMessage{ad::Bye{}}) +
                            ad::to_line(ad::HarnessMessage{ad::RunRequest{5, 0}});  // after bye: never read
  int status = -1;
  const auto replies = serve_lines(input, &status);
  EXPECT_EQ(status, 0);
  ASSERT_EQ(replies.size(), 9U);
  EXPECT_EQ(std::get<ad::AdapterHello>(replies[0]).name, "echo");
  EXPECT_EQ(replies[1], ad::AdapterMessage{ad::Ready{5}});
  const auto& obs = std::get<ad::ObservationReply>(replies[2]);
  EXPECT_EQ(obs.id, 5U);
  EXPECT_EQ(obs.observation.dump(), nlohmann::json(observation_to_json(s, ModelTarget().run(s, 0))).dump());
  EXPECT_EQ(std::get<ad::ErrorReply>(replies[3]).id, std::optional<std::uint64_t>(5));
  EXPECT_EQ(std::get<ad::ErrorReply>(replies[3]).message, "backend broke");
  EXPECT_NE(std::get<ad::ErrorReply>(replies[4]).message.find("no scenario 9"), std::string::npos);
  EXPECT_EQ(std::get<ad::ErrorReply>(replies[5]).id, std::nullopt);
  EXPECT_NE(std::get<ad::ErrorReply>(replies[5]).message.find("not ikeconform.adapter/1"), std::string::npos);
  EXPECT_NE(std::get<ad::ErrorReply>(replies[6]).message.find("capture"), std::string::npos);
  EXPECT_EQ(replies[7], (ad::AdapterMessage{ad::Rendering{5, {}}}));
  EXPECT_EQ(replies[8], ad::AdapterMessage{ad::Bye{}});
}

TEST(AdapterServe, UnsupportedScenariosGiveUnsupportedRuns) {
  Scenario s = load_scenario_file(kSource / "corpus/scenarios/s2.json");
  s.name = "unsupported";
  ad::ScenarioRequest r;
  r.id = 1;
  r.scenario = s;
  ad::ScenarioRequest half = r;
  half.id = 2;
  half.scenario.name = "other";
  half.plays = {0};
  const auto replies = serve_lines(ad::to_line(ad::HarnessMessage{r}) +
                                   ad::to_line(ad::HarnessMessage{ad::RunRequest{1, 1}}) +
                                   ad::to_line(ad::HarnessMessage{half}));
  ASSERT_EQ(replies.size(), 3U);
  EXPECT_EQ(replies[0], (ad::AdapterMessage{ad::Unsupported{1, "cannot"}}));
  const Observation o = observation_from_json(s, std::get<ad::ObservationReply>(replies[1]).observation, "reply");
  EXPECT_EQ(o.reason, Reason::Unsupported);
  EXPECT_EQ(o.initiator, 1);
  EXPECT_EQ(std::get<ad::Unsupported>(replies[2]).id, 2U);  // version 1 adapters play both peers
}

TEST(AdapterServe, AnotherMajorVersionEndsTheSession) {
  int status = -1;
  const auto replies = serve_lines(ad::to_line(ad::HarnessMessage{ad::Hello{"ikeconform.adapter/2", "h"}}) +
                                       ad::to_line(ad::HarnessMessage{ad::Bye{}}),
                                   &status);
  EXPECT_EQ(status, 2);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_NE(std::get<ad::ErrorReply>(replies[0]).message.find("ikeconform.adapter/2"), std::string::npos);
}

// ---- ExecTarget end to end ------------------------------------------------------------------------

class TempFolder {
 public:
  explicit TempFolder(const std::string& name)
      : path_(fs::temp_directory_path() / ("ikc-adapter-test-" + std::to_string(::getpid()) + "-" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempFolder() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

ad::ExecOptions quick_options(const fs::path& temp, std::vector<std::string> args = {}) {
  ad::ExecOptions o;
  o.args = std::move(args);
  o.temp_dir = temp;
  o.hello_timeout = std::chrono::milliseconds(5000);
  o.reply_timeout = std::chrono::milliseconds(5000);
  o.stop_timeout = std::chrono::milliseconds(2000);
  return o;
}

std::string obs_text(const Scenario& s, const Observation& o) { return observation_to_json(s, o).dump(); }

std::string joined_trace(const Observation& o) {
  std::string t;
  for (const std::string& l : o.trace) t += l + "\n";
  return t;
}

// The hello's cannot_express names model/expressible.hpp's fields, both ways; unknown names
// are ignored (a newer adapter may know more).
TEST(AdapterProtocol, CannotExpressNamesExpressibleFields) {
  for (int bits = 0; bits < 8; ++bits) {
    const Expressible e{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
    EXPECT_EQ(ad::expressible_from(ad::cannot_express(e)), e) << bits;
  }
  EXPECT_EQ(ad::cannot_express(Expressible{}), std::vector<std::string>{});
  EXPECT_EQ(ad::cannot_express(Expressible{true, true, false}), std::vector<std::string>{"ikev1_mixed_auth"});
  const Expressible e = ad::expressible_from({"revoked_certificates", "teleportation"});
  EXPECT_FALSE(e.revoked_certificates);
  EXPECT_TRUE(e.certificate_features);
  EXPECT_TRUE(e.ikev1_mixed_auth);
}

TEST(AdapterExec, ModelAdapterHello) {
  TempFolder tmp("hello");
  ad::ExecTarget t(kModelAdapter, quick_options(tmp.path()));
  EXPECT_EQ(t.name(), "exec:" + kModelAdapter);
  EXPECT_EQ(t.hello().name, "model");
  EXPECT_EQ(t.version(), std::optional<std::string>("ikeconform model 0.1.0"));
  EXPECT_EQ(t.personality(), "");
  EXPECT_EQ(t.expressible(), Expressible{});  // the model runs everything
  EXPECT_TRUE(t.slow());
  EXPECT_GT(t.pid(), 0);
  EXPECT_FALSE(t.set_capture(tmp.path() / "x.pcap"));  // no "capture" capability
  EXPECT_TRUE(t.render(load_scenario_file(kSource / "corpus/scenarios/s1.json")).empty());
}

TEST(AdapterExec, ModelAdapterEqualsInProcessModelOnTheCorpus) {
  TempFolder tmp("corpus");
  ad::ExecTarget exec(kModelAdapter, quick_options(tmp.path()));
  ModelOptions o;
  o.trace = false;
  ModelTarget model(o);
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(kSource / "corpus/scenarios")) {
    if (e.path().extension() != ".json") continue;
    const Scenario s = load_scenario_file(e.path());
    for (std::uint8_t d = 0; d < 2; ++d) {
      const Observation want = model.run(s, d);
      const Observation got = exec.run(s, d);
      EXPECT_EQ(obs_text(s, got), obs_text(s, want)) << e.path() << " direction " << int(d);
      ++n;
    }
  }
  EXPECT_GE(n, 8U);
  EXPECT_EQ(exec.restarts(), 0U);
}

TEST(AdapterExec, ModelAdapterEqualsInProcessModelOnGeneratedScenarios) {
  TempFolder tmp("generated");
  ad::ExecTarget exec(kModelAdapter, quick_options(tmp.path()));
  ModelOptions o;
  o.trace = false;
  ModelTarget model(o);
  const auto gen = gen::mixed_scenario();
  const auto start = Clock::now();
  int versions[3] = {0, 0, 0};
  for (std::uint64_t i = 0; i < 300; ++i) {
    const Scenario s = gen::generate(gen, 4242, i).value();
    ++versions[static_cast<int>(s.ike_version)];
    Observation want[2], got[2];
    model.run_both(s, want);
    exec.run_both(s, got);
    for (int d = 0; d < 2; ++d)
      ASSERT_EQ(obs_text(s, got[d]), obs_text(s, want[d])) << "scenario " << i << " direction " << d << "\n"
                                                           << scenario_to_text(s);
  }
  EXPECT_GT(versions[1], 0);
  EXPECT_GT(versions[2], 0);
  EXPECT_EQ(exec.restarts(), 0U);
  std::cout << "300 generated scenarios through the model adapter: "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s\n";
}

// A personality named by the adapter is what the harness applies (for_target).
TEST(AdapterExec, PersonalityFromHello) {
  TempFolder tmp("personality");
  ad::ExecTarget exec(kModelAdapter, quick_options(tmp.path(), {"--personality", "strongswan-5.9"}));
  EXPECT_EQ(exec.personality(), kStrongswan59);
  const Scenario s = for_target(exec, load_scenario_file(kSource / "corpus/scenarios/s1.json"));
  for (const Peer& p : s.peers) EXPECT_EQ(p.personality, kStrongswan59);
  ModelOptions o;
  o.trace = false;
  ModelTarget model(o);
  for (std::uint8_t d = 0; d < 2; ++d) EXPECT_EQ(obs_text(s, exec.run(s, d)), obs_text(s, model.run(s, d)));
}

struct FaultCase {
  const char* fault;
  const char* expect;  // in the INTERNAL_ERROR trace
  bool restarts;       // the adapter is replaced afterwards
};

class AdapterFaults : public ::testing::TestWithParam<FaultCase> {};

TEST_P(AdapterFaults, GiveAClearErrorAndTheNextRunWorks) {
  const FaultCase& c = GetParam();
  TempFolder tmp(std::string("fault-") + c.fault);
  ad::ExecOptions o = quick_options(tmp.path(), {"--fault", std::string(c.fault) + "@2"});
  o.reply_timeout = std::chrono::milliseconds(1500);
  ad::ExecTarget exec(kModelAdapter, o);
  ModelOptions mo;
  mo.trace = false;
  ModelTarget model(mo);
  const Scenario s = load_scenario_file(kSource / "corpus/scenarios/s1.json");
  EXPECT_EQ(obs_text(s, exec.run(s, 0)), obs_text(s, model.run(s, 0)));  // run 1 fine
  const auto t0 = Clock::now();
  const Observation bad = exec.run(s, 1);  // run 2 misbehaves
  const double took = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_LT(took, 8.0) << "the harness waited too long";
  EXPECT_EQ(bad.reason, Reason::InternalError);
  EXPECT_EQ(bad.ike_sa, SaResult::Failed);
  EXPECT_EQ(bad.initiator, 1);
  const std::string trace = joined_trace(bad);
  EXPECT_NE(trace.find(c.expect), std::string::npos) << trace;
  EXPECT_NE(trace.find("fault '" + std::string(c.fault) + "' at run 2"), std::string::npos) << "stderr tail quoted:\n"
                                                                                            << trace;
  // The next run works again, on the same or a fresh adapter (whose run 1 is fine).
  EXPECT_EQ(obs_text(s, exec.run(s, 0)), obs_text(s, model.run(s, 0)));
  EXPECT_EQ(exec.restarts(), c.restarts ? 1U : 0U);
}

INSTANTIATE_TEST_SUITE_P(Kinds, AdapterFaults,
                         ::testing::Values(FaultCase{"hang", "did not answer 'run' in time", true},
                                           FaultCase{"exit", "exited with status 3", true},
                                           FaultCase{"garbage", "not ikeconform.adapter/1", true},
                                           FaultCase{"error", "error: planted fault", false}),
                         [](const ::testing::TestParamInfo<FaultCase>& i) { return std::string(i.param.fault); });

// A slow adapter within the timeout is just slow.
TEST(AdapterExec, SlowButInTime) {
  TempFolder tmp("slow");
  ad::ExecTarget exec(kModelAdapter, quick_options(tmp.path(), {"--fault", "slow@1"}));
  const Scenario s = load_scenario_file(kSource / "corpus/scenarios/s1.json");
  const Observation o = exec.run(s, 0);
  EXPECT_NE(o.reason, Reason::InternalError) << joined_trace(o);
  EXPECT_EQ(exec.restarts(), 0U);
}

// Shell-script adapters for what the model adapter cannot do.
fs::path script(const fs::path& dir, const std::string& name, const std::string& body) {
  const fs::path p = dir / name;
  std::ofstream(p) << "#!/bin/sh\n" << body;
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

constexpr const char* kHelloLine = R"(echo '{"type":"hello","protocol":"ikeconform.adapter/1","name":"sh"}')";

template <class F>
std::string adapter_error_of(F make) {
  try {
    make();
  } catch (const ad::AdapterError& e) {
    return e.what();
  }
  return "(no AdapterError)";
}

TEST(AdapterExec, BrokenStartsAreRefusedInTime) {
  TempFolder tmp("starts");
  ad::ExecOptions o = quick_options(tmp.path());
  o.hello_timeout = std::chrono::milliseconds(1000);
  const auto t0 = Clock::now();
  EXPECT_NE(adapter_error_of([&] {
              ad::ExecTarget((tmp.path() / "missing").string(), o);
            }).find("not an executable file"),
            std::string::npos);
  EXPECT_NE(adapter_error_of([&] {
              ad::ExecTarget(script(tmp.path(), "silent", "exec sleep 600\n").string(), o);
            }).find("did not answer 'hello' in time"),
            std::string::npos);
  const std::string died = adapter_error_of(
      [&] { ad::ExecTarget(script(tmp.path(), "dies", "echo dying words >&2\nexit 7\n").string(), o); });
  EXPECT_NE(died.find("exited with status 7"), std::string::npos) << died;
  EXPECT_NE(died.find("dying words"), std::string::npos) << died;
  EXPECT_NE(adapter_error_of([&] {
              ad::ExecTarget(script(tmp.path(), "v2",
                                    R"(echo '{"type":"hello","protocol":"ikeconform.adapter/2"}'; exec sleep 600)"
                                    "\n")
                                 .string(),
                             o);
            }).find("adapter speaks ikeconform.adapter/2"),
            std::string::npos);
  EXPECT_NE(adapter_error_of([&] {
              ad::ExecTarget(script(tmp.path(), "noise", "echo 'Starting up...'\nexec sleep 600\n").string(), o);
            }).find("not ikeconform.adapter/1"),
            std::string::npos);
  EXPECT_NE(adapter_error_of([&] {
              ad::ExecTarget(
                  script(tmp.path(), "ready", "echo '{\"type\":\"ready\",\"id\":0}'\nexec sleep 600\n").string(), o);
            }).find("answered hello with something else"),
            std::string::npos);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 20.0);
}

// A shell adapter that answers hello and then never answers the scenario: bounded by the reply
// timeout, its whole process group (the sleep too) is gone afterwards.
TEST(AdapterExec, HangingShellAdapterTimesOutAndIsKilled) {
  TempFolder tmp("hang-sh");
  const fs::path marker = tmp.path() / "sleeper.pid";
  ad::ExecOptions o = quick_options(tmp.path());
  o.reply_timeout = std::chrono::milliseconds(800);
  const fs::path p = script(tmp.path(), "hang",
                            std::string("read line\n") + kHelloLine + "\nsleep 600 &\necho $! > " + marker.string() +
                                "\nwait\n");
  ad::ExecTarget exec(p.string(), o);
  const Scenario s = load_scenario_file(kSource / "corpus/scenarios/s1.json");
  const auto t0 = Clock::now();
  const Observation bad = exec.run(s, 0);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 6.0);
  EXPECT_EQ(bad.reason, Reason::InternalError);
  EXPECT_NE(joined_trace(bad).find("did not answer 'scenario' in time"), std::string::npos) << joined_trace(bad);
  EXPECT_EQ(exec.pid(), -1);
  std::ifstream in(marker);
  int sleeper = 0;
  in >> sleeper;
  ASSERT_GT(sleeper, 0);
  // Killed with its group; give init a moment to reap the orphan.
  const auto until = Clock::now() + std::chrono::seconds(3);
  while (::kill(sleeper, 0) == 0 && Clock::now() < until) ::usleep(20000);
  EXPECT_NE(::kill(sleeper, 0), 0) << "the adapter's child survived";
}

// Well-formed lines that do not fit the exchange are errors too.
TEST(AdapterExec, OutOfStepRepliesAreErrors) {
  TempFolder tmp("outofstep");
  const Scenario s = load_scenario_file(kSource / "corpus/scenarios/s1.json");
  struct Case {
    const char* name;
    const char* reply_to_scenario;
    const char* expect;
  } cases[] = {
      {"wrongid", R"({"type":"ready","id":999})", "neither ready nor unsupported"},
      {"ok", R"({"type":"ok"})", "neither ready nor unsupported"},
      {"refuse", R"({"type":"error","id":1,"message":"no thanks"})", "adapter refused the scenario: no thanks"},
      {"badobs",
       R"({"type":"ready","id":1}')"
       "\n"
       R"(read line; echo '{"type":"observation","id":1,"observation":{"initiator":"R9"}})",
       "malformed observation"},
  };
  for (const Case& c : cases) {
    const fs::path p = script(tmp.path(), c.name,
                              std::string("read line\n") + kHelloLine + "\nread line\necho '" + c.reply_to_scenario +
                                  "'\nexec sleep 600\n");
    ad::ExecOptions o = quick_options(tmp.path());
    o.reply_timeout = std::chrono::milliseconds(1500);
    ad::ExecTarget exec(p.string(), o);
    const Observation bad = exec.run(s, 0);
    EXPECT_EQ(bad.reason, Reason::InternalError) << c.name;
    EXPECT_NE(joined_trace(bad).find(c.expect), std::string::npos) << c.name << ": " << joined_trace(bad);
  }
}

}  // namespace
