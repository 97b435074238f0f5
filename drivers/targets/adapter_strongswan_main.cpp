// `ikeconform-adapter-strongswan`: the strongSwan target (two charons in network namespaces)
// served over ikeconform.adapter/1, so that `--target exec:ikeconform-adapter-strongswan` runs
// exactly what `--target strongswan` runs in process, through the protocol alone. It uses the
// PKI the harness makes (hello says "pki": true), renders swanctl.conf and captures with tcpdump.
//
//   ikeconform-adapter-strongswan [--temp-dir DIR] [--keep-dirs]
//
// Needs root (namespaces, charon). SIGTERM / SIGINT remove its namespaces, daemons and folders.
#include <fstream>
#include <iostream>
#include <sstream>

#include "drivers/adapter/server.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"
#include "drivers/targets/targets.hpp"

namespace ikeconform::adapter {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The harness's PKI as the strongSwan renderer wants it (DNs in strongSwan's form, PEM text).
strongswan::Material material_from_files(const Scenario& s, const PkiFiles& f) {
  strongswan::Material m;
  for (const Ca& ca : s.cas) {
    auto it = std::find_if(f.cas.begin(), f.cas.end(), [&](const PkiCa& c) { return c.id == ca.id; });
    if (it == f.cas.end()) throw std::runtime_error("the harness's PKI has no CA " + ca.id);
    m.cas.push_back({it->id, pki::strongswan_dn(it->dn), it->cert, read_file(it->cert)});
  }
  for (const Peer& p : s.peers) {
    auto& certs = m.certs.emplace_back();
    auto& keys = m.keys.emplace_back();
    for (const IdentityCert& c : p.certificates) {
      auto it = std::find_if(f.certs.begin(), f.certs.end(),
                             [&](const PkiCert& x) { return x.peer == p.name && x.trustpoint == c.trustpoint; });
      if (it == f.certs.end()) throw std::runtime_error("the harness's PKI has no certificate " + p.name + "/" + c.trustpoint);
      certs.push_back({p.name + "-" + c.trustpoint, pki::strongswan_dn(it->subject), it->cert, read_file(it->cert)});
      keys.push_back({it->key, read_file(it->key)});
    }
  }
  return m;
}

class StrongswanBackend final : public Backend {
 public:
  explicit StrongswanBackend(strongswan::TargetOptions o) : target_(std::move(o)) {}

  AdapterHello hello() override {
    AdapterHello h;
    h.name = "strongswan";
    try {
      h.version = target_.daemon_version();
    } catch (const std::exception& e) {  // runs will say why; the harness still learns who we are
      std::cerr << "ikeconform-adapter-strongswan: no daemon version: " << e.what() << std::endl;
    }
    h.personality = targets::kStrongswanPersonality;
    h.pki = true;
    h.capabilities = {"capture", "render"};
    return h;
  }

  std::optional<std::string> prepare(const ScenarioRequest& r) override {
    scenario_ = r.scenario;
    material_.reset();
    if (auto why = strongswan::inexpressible(scenario_)) return why;
    if (!r.pki) throw std::runtime_error("scenario without the PKI this adapter asked for");
    material_ = material_from_files(scenario_, *r.pki);
    return std::nullopt;
  }

  Observation run(std::uint8_t initiator) override {
    if (!material_) throw std::runtime_error("no scenario prepared");
    return target_.run(scenario_, *material_, initiator);
  }

  std::vector<RenderedFile> render() override { return targets::swanctl_renderings(scenario_); }

  bool capture(const std::optional<std::string>& file) override {
    if (file) target_.start_capture(*file);
    else target_.stop_capture();
    return true;
  }

 private:
  strongswan::Target target_;
  Scenario scenario_;
  std::optional<strongswan::Material> material_;
};

}  // namespace
}  // namespace ikeconform::adapter

int main(int argc, char** argv) {
  using namespace ikeconform;
  strongswan::TargetOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--temp-dir" && i + 1 < argc) {
      o.pair.base = argv[++i];
    } else if (a == "--keep-dirs") {
      o.pair.keep_dirs = true;
    } else {
      std::cerr << "usage: ikeconform-adapter-strongswan [--temp-dir DIR] [--keep-dirs]\n";
      return 2;
    }
  }
  cleanup::install_cleanup_handlers();  // SIGTERM from the harness: namespaces and daemons go first
  adapter::StrongswanBackend backend(std::move(o));
  const int status = adapter::serve(backend, std::cin, std::cout);
  return status;
}
