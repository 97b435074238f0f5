// Every certificate decision of the engine goes through this interface, so that a model
// personality (model/personality.hpp, once its per-step API lands) can make them: which CAs to
// request and in which order, which own certificate to send for the CAs the peer requested,
// which trust anchors may validate the peer's certificate. The engine only carries out the
// answers; the traces say what was decided.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "peer/credentials.hpp"

namespace ikeconform::peer {

enum class Role { Initiator, Responder };

class CertificatePolicy {
 public:
  virtual ~CertificatePolicy() = default;
  // CAs (indices into Credentials::cas()) to name in our CERTREQ, in payload order. `role` and
  // the IKE version decide the message (IKEv2: IKE_SA_INIT response / first IKE_AUTH request).
  virtual std::vector<std::size_t> certreq(const Credentials& c, Role role) const = 0;
  // Our certificate (index into Credentials::own()) for the CAs the peer requested (indices into
  // Credentials::cas(); hashes we do not know are left out); nullopt: send none.
  virtual std::optional<std::size_t> choose_certificate(const Credentials& c, const std::vector<std::size_t>& requested,
                                                        Role role) const = 0;
  // Trust anchors (indices into Credentials::cas()) that may validate the peer's certificate.
  virtual std::vector<std::size_t> trust_anchors(const Credentials& c, Role role) const = 0;
};

// strongSwan's behaviour (spec/real-stacks.md), the default until a personality drives the
// engine: request every trusted CA in load order; send the first own certificate whose issuer
// was requested, else the first; validate with every trusted CA.
class TrustAllPolicy final : public CertificatePolicy {
 public:
  std::vector<std::size_t> certreq(const Credentials& c, Role role) const override;
  std::optional<std::size_t> choose_certificate(const Credentials& c, const std::vector<std::size_t>& requested,
                                                Role role) const override;
  std::vector<std::size_t> trust_anchors(const Credentials& c, Role role) const override;
};

}  // namespace ikeconform::peer
