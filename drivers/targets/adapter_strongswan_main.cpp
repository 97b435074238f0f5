// `ikeconform-adapter-strongswan`: the strongSwan target (two charons in network namespaces, the
// same stack::PairTarget as `--target strongswan`) served over ikeconform.adapter/1, so that
// `--target exec:ikeconform-adapter-strongswan` runs exactly what `--target strongswan` runs in
// process, through the protocol alone. It uses the PKI the harness makes (hello says
// "pki": true), renders swanctl.conf and captures the IKE packets of every run.
//
//   ikeconform-adapter-strongswan [--temp-dir DIR] [--keep-dirs]
//
// Needs root (namespaces, charon). SIGTERM / SIGINT remove its namespaces, daemons and folders.
#include <algorithm>
#include <iostream>

#include "drivers/adapter/server.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers/targets/targets.hpp"

namespace ikeconform::adapter {
namespace {

// A certificate and its key from the harness's files: PEM text and the hashes drivers/pki gives.
template <class Material>
void read_pair(Material& m, const std::string& cert, const std::string& key) {
  m.cert_file = cert;
  m.key_file = key;
  m.cert_pem = process::read_file(cert);
  m.key_pem = process::read_file(key);
  m.spki_sha1 = pki::spki_sha1(m.key_pem);
  m.ckaid = pki::ckaid(m.key_pem);
}

// The harness's PKI files as drivers/pki's Pki (DNs in the stacks' forms, PEM text, hashes).
pki::Pki pki_from_files(const Scenario& s, const PkiFiles& f) {
  pki::Pki out;
  out.dir = f.dir;
  for (const Ca& ca : s.cas) {
    auto it = std::find_if(f.cas.begin(), f.cas.end(), [&](const PkiCa& c) { return c.id == ca.id; });
    if (it == f.cas.end()) throw std::runtime_error("the harness's PKI has no CA " + ca.id);
    pki::CaMaterial& m = out.cas.emplace_back();
    m.id = it->id;
    m.ios_dn = it->dn;
    m.dn = pki::strongswan_dn(it->dn);
    m.libreswan_dn = pki::libreswan_dn(it->dn);
    read_pair(m, it->cert, it->key);
  }
  for (const Peer& p : s.peers)
    for (std::size_t k = 0; k < p.certificates.size(); ++k) {
      const IdentityCert& c = p.certificates[k];
      auto it = std::find_if(f.certs.begin(), f.certs.end(),
                             [&](const PkiCert& x) { return x.peer == p.name && x.trustpoint == c.trustpoint; });
      if (it == f.certs.end())
        throw std::runtime_error("the harness's PKI has no certificate " + p.name + "/" + c.trustpoint);
      pki::IdentityMaterial& m = out.certs.emplace_back();
      m.peer = p.name;
      m.trustpoint = c.trustpoint;
      m.ca = it->ca;
      m.enrollment = k;
      m.name = p.name + "-" + c.trustpoint;
      m.ios_subject = it->subject;
      m.dn = pki::strongswan_dn(it->subject);
      m.libreswan_dn = pki::libreswan_dn(it->subject);
      m.p12_file = it->p12;
      read_pair(m, it->cert, it->key);
    }
  return out;
}

class StrongswanBackend final : public Backend {
 public:
  explicit StrongswanBackend(stack::PairOptions o)
      : target_(strongswan::stack_kind(), strongswan::stack_kind(), o, stack::RenderContext{o.key_cache, o.base}) {}

  AdapterHello hello() override {
    AdapterHello h;
    h.name = strongswan::kName;
    if (auto v = target_.version()) h.version = *v;
    else std::cerr << "ikeconform-adapter-strongswan: no strongSwan version known" << std::endl;
    h.personality = strongswan::kPersonality;
    h.pki = true;
    h.capabilities = {"capture", "render"};
    h.cannot_express = cannot_express(target_.expressible());
    return h;
  }

  std::optional<std::string> prepare(const ScenarioRequest& r) override {
    scenario_ = r.scenario;
    pki_.reset();
    if (auto why = strongswan::inexpressible(scenario_)) return why;
    if (!r.pki) throw std::runtime_error("scenario without the PKI this adapter asked for");
    pki_ = pki_from_files(scenario_, *r.pki);
    return std::nullopt;
  }

  Observation run(std::uint8_t initiator) override {
    if (!pki_) throw std::runtime_error("no scenario prepared");
    return target_.run(scenario_, *pki_, initiator);
  }

  std::vector<RenderedFile> render() override { return target_.render(scenario_); }

  bool capture(const std::optional<std::string>& file) override {
    return target_.set_capture(file ? std::optional<std::filesystem::path>(*file) : std::nullopt);
  }

 private:
  stack::PairTarget target_;
  Scenario scenario_;
  std::optional<pki::Pki> pki_;
};

}  // namespace
}  // namespace ikeconform::adapter

int main(int argc, char** argv) {
  using namespace ikeconform;
  stack::PairOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--temp-dir" && i + 1 < argc) {
      o.base = argv[++i];
    } else if (a == "--keep-dirs") {
      o.keep_dirs = true;
    } else {
      std::cerr << "usage: ikeconform-adapter-strongswan [--temp-dir DIR] [--keep-dirs]\n";
      return 2;
    }
  }
  cleanup::install_cleanup_handlers();  // SIGTERM from the harness: namespaces and daemons go first
  adapter::StrongswanBackend backend(std::move(o));
  return adapter::serve(backend, std::cin, std::cout);
}
