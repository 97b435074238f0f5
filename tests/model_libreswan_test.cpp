// The libreswan-4.10 personality and its connection mapping (model only, label `unit`). Every
// expectation here was first seen on two real plutos (tests/libreswan_e2e_test.cpp runs the
// same scenarios there); docs/drivers.md "Libreswan" explains the rules.
#include <gtest/gtest.h>

#include "model/libreswan.hpp"
#include "model/personality.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

using V = std::vector<std::string>;

Scenario lsw(const char* name, IkeVersion v) {
  Scenario s = corpus(name);
  s.ike_version = v;
  for (Peer& p : s.peers) p.personality = kLibreswan410;
  return s;
}

Scenario r2_ca2_newest(IkeVersion v) {
  Scenario s = lsw("s1", v);
  std::swap(s.peers[1].certificates[0], s.peers[1].certificates[1]);
  return s;
}

TEST(LibreswanConns, OnePerProfileCertificateAndRightca) {
  const Scenario s = lsw("s1", IkeVersion::V1);
  // R1: prof1 restricted to IOSCA1, certificates IOSCA1 then IOSCA2 (enrollment order).
  const auto r1 = libreswan_conns(s.peers[0], s.ike_version);
  ASSERT_EQ(r1.size(), 2U);
  EXPECT_EQ(r1[0], (LibreswanConn{0, 0, 0, 0}));
  EXPECT_EQ(r1[1], (LibreswanConn{0, 1, 1, 0}));
  EXPECT_EQ(libreswan_initiator_conn(s.peers[0], r1), 1U);  // the newest certificate
  // R2: unrestricted; enrolled IOSCA2 first, so its IOSCA1 connection is added last.
  const auto r2 = libreswan_conns(s.peers[1], s.ike_version);
  ASSERT_EQ(r2.size(), 2U);
  EXPECT_EQ(r2[0].rightca, kNone);
  EXPECT_EQ(r2[1].trustpoint, 0);
  EXPECT_EQ(libreswan_initiator_conn(s.peers[1], r2), 1U);
}

TEST(LibreswanConns, SeveralRestrictedCasSignOnlyAndPsk) {
  Scenario s = lsw("s4", IkeVersion::V2);
  Peer& r2 = s.peers[1];                                      // pki trustpoint TP1 and TP2, two certificates
  EXPECT_EQ(libreswan_conns(r2, IkeVersion::V2).size(), 4U);  // 2 certificates x 2 rightca
  r2.profiles[0].trustpoints[1].use = TrustpointUse::Sign;    // sign-only does not verify (V2-6)
  EXPECT_EQ(libreswan_conns(r2, IkeVersion::V2).size(), 2U);
  r2.profiles[0].auth_local = r2.profiles[0].auth_remote = AuthMethod::PreShare;
  const auto psk = libreswan_conns(r2, IkeVersion::V2);
  ASSERT_EQ(psk.size(), 1U);
  EXPECT_EQ(psk[0].cert, kNone);
  EXPECT_EQ(psk[0].rightca, kNone);
  r2.tunnel_profile = "nope";
  EXPECT_THROW(libreswan_initiator_conn(r2, psk), std::invalid_argument);
}

TEST(Libreswan, S1Ikev1BothDirectionsComeUp) {
  const Scenario s = lsw("s1", IkeVersion::V1);
  const Observation r1 = run(s, 0);
  EXPECT_EQ(r1.ike_sa, SaResult::Established) << r1.trace.back();
  EXPECT_EQ(issuers(s, r1.certreq_from_initiator), V{kCA1});            // R1's rightca, in MM5
  EXPECT_TRUE(r1.certreq_from_responder.empty());                       // R2 has no rightca: no CERT_REQ in MM4
  EXPECT_EQ(trustpoint_name(s, 0, r1.initiator_trustpoint), "IOSCA2");  // its newest: CERTREQs do not choose
  EXPECT_EQ(trustpoint_name(s, 1, r1.responder_trustpoint), "IOSCA1");
  const Observation r2 = run(s, 1);
  EXPECT_EQ(r2.ike_sa, SaResult::Established);
  EXPECT_EQ(issuers(s, r2.certreq_from_responder), V{kCA1});  // R1's first connection's rightca
  EXPECT_EQ(trustpoint_name(s, 1, r2.initiator_trustpoint), "IOSCA1");
}

TEST(Libreswan, Ikev1ResponderSwitchesConnectionByRequestedCa) {
  const Scenario s = r2_ca2_newest(IkeVersion::V1);
  const Observation o = run(s, 0);  // R2 starts on its IOSCA2 connection, R1 requests CA1
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "IOSCA1");
  EXPECT_TRUE(traced(o, "switched to connection prof1-IOSCA1"));
  // R2 initiating uses its newest certificate (CA2); R1 trusts CA1 only: refused at MM5.
  const Observation back = run(s, 1);
  EXPECT_EQ(back.failed_at, Message::MM5);
  EXPECT_EQ(back.reason, Reason::CertValidationFailed);
  EXPECT_EQ(trustpoint_name(s, 1, back.initiator_trustpoint), "IOSCA2");
}

TEST(Libreswan, Ikev2ResponderIgnoresCertReqAndIsRefused) {
  const Scenario s = r2_ca2_newest(IkeVersion::V2);
  const Observation o = run(s, 0);
  // R2's IKE_SA_INIT CERTREQ names no CA (no rightca); R1's IKE_AUTH names CA1, which R2 ignores.
  EXPECT_TRUE(o.certreq_from_responder.empty());
  EXPECT_EQ(issuers(s, o.certreq_from_initiator), V{kCA1});
  EXPECT_EQ(trustpoint_name(s, 1, o.responder_trustpoint), "IOSCA2");
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
}

TEST(Libreswan, Ikev2ResponderSwitchesByIssuerOnlyThroughRightca) {
  Scenario s = lsw("s1", IkeVersion::V2);
  Peer& r2 = s.peers[1];
  // Two profiles for the same peer: pA accepts CA1 only, pB CA2 only; pB is added last.
  Profile pa = r2.profiles[0];
  pa.name = "pA";
  pa.trustpoints = {{"IOSCA1", TrustpointUse::Both}};
  Profile pb = pa;
  pb.name = "pB";
  pb.trustpoints = {{"IOSCA2", TrustpointUse::Both}};
  r2.profiles = {pa, pb};
  r2.tunnel_profile = "pA";
  s.peers[0].profiles[0].trustpoints.clear();  // R1 accepts either
  const Observation o = run(s, 0);             // R1 signs with CA2 (its newest)
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(profile_name(s, 1, o.responder_profile), "pB");
  std::swap(s.peers[0].certificates[0], s.peers[0].certificates[1]);  // now R1 signs with CA1
  const Observation p = run(s, 0);
  EXPECT_EQ(profile_name(s, 1, p.responder_profile), "pA");
  EXPECT_TRUE(traced(p, "switched to connection pA"));
}

TEST(Libreswan, UnknownPeerIdIsAnAuthenticationFailureOnTheFirstConnection) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = lsw("s1", v);
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R3.cisco.com", ""}};
    const Observation o = run(s, 0);
    EXPECT_EQ(o.reason, Reason::CertValidationFailed);
    EXPECT_EQ(o.failed_at, v == IkeVersion::V1 ? Message::MM5 : Message::IKE_AUTH);
    EXPECT_EQ(profile_name(s, 1, o.responder_profile), "prof1");  // it stays on its first connection
  }
}

// Issue 11, seed 3 (tests/data/faithful/ls-v2-rsasig-conn-before-newer-psk.json): IKE_SA_INIT
// names no method, so pluto's IKEv2 responder tries RSASIG connections before PSK ones
// (find_v2_host_pair_connection()); the newer PSK profile never gets the exchange.
TEST(Libreswan, Ikev2ResponderStartsOnItsNewestRsasigConnection) {
  Scenario s = lsw("s1", IkeVersion::V2);
  Profile psk = s.peers[1].profiles[0];
  psk.name = "prof2";
  psk.auth_remote = AuthMethod::PreShare;
  s.peers[1].profiles.push_back(psk);  // added last
  const Observation o = run(s, 0);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_EQ(profile_name(s, 1, o.responder_profile), "prof1");
  EXPECT_TRUE(traced(o, "responding on connection prof1-"));
  // With the RSASIG profile gone the PSK one answers, and refuses the signature.
  s.peers[1].profiles.erase(s.peers[1].profiles.begin());
  s.peers[1].tunnel_profile = "prof2";
  const Observation m = run(s, 0);
  EXPECT_EQ(m.reason, Reason::AuthMethodMismatch);
  EXPECT_EQ(profile_name(s, 1, m.responder_profile), "prof2");
}

// Issue 11 (tests/data/faithful/ls-v1-rightid-in-cert-san.json, ls-v2-rightid-not-in-cert-san.json):
// with a certificate, `rightid` is checked against its subjectAltName (the peer's FQDN and
// address), not against the ID type the peer chose to send.
TEST(Libreswan, RightidIsCheckedAgainstTheCertificatesSubjectAltName) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = lsw("s1", v);
    s.peers[1].profiles[0].match = {{IdKind::Address, "192.168.0.1", "255.255.255.255"}};  // R1 sends ID_FQDN
    EXPECT_EQ(run(s, 0).ike_sa, SaResult::Established);
    EXPECT_TRUE(traced(run(s, 0), "holds rightid"));
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}};
    EXPECT_EQ(run(s, 0).reason, Reason::CertValidationFailed);
  }
}

// Several `match identity` lines: `rightid` is the one naming the other peer (as strongSwan's
// remote.id), not the first as written (cisco-ios,libreswan seed 3: P-1 failed on a symmetric
// pair whose R2 matched "R9.cisco.com" then "R1.cisco.com").
TEST(Libreswan, RightidIsTheMatchLineNamingTheOtherPeer) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = lsw("s1", v);
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}, {IdKind::Fqdn, "R1.cisco.com", ""}};
    const IdentityMatch* m = libreswan_rightid(s, 1, s.peers[1].profiles[0]);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->value, "R1.cisco.com");
    EXPECT_EQ(run(s, 0).ike_sa, SaResult::Established);
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}, {IdKind::Fqdn, "R8.cisco.com", ""}};
    EXPECT_EQ(libreswan_rightid(s, 1, s.peers[1].profiles[0])->value, "R9.cisco.com");  // none names it: the first
    s.peers[1].profiles[0].match = {{IdKind::Address, "192.168.0.0", "255.255.255.0"}};
    EXPECT_EQ(libreswan_rightid(s, 1, s.peers[1].profiles[0]), nullptr);  // a subnet: %any
  }
}

// Issue 11 (tests/data/faithful/ls-*-psk-rightid-mismatch.json, ls-v2-psk-peer-id-before-method.json):
// a peer that authenticates with a PSK has only its ID payload; a `rightid` it does not fit is
// no profile, before the method is looked at.
TEST(Libreswan, PskPeerIdIsCheckedAgainstRightidBeforeTheMethod) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = lsw("s1", v);
    for (Peer& peer : s.peers)
      for (Profile& f : peer.profiles) f.auth_local = f.auth_remote = AuthMethod::PreShare;
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R9.cisco.com", ""}};
    const Observation o = run(s, 0);
    EXPECT_EQ(o.reason, Reason::NoMatchingProfile);
    EXPECT_EQ(o.responder_profile, kNone);
  }
  Scenario s = lsw("s1", IkeVersion::V2);
  s.peers[0].profiles[0].auth_local = AuthMethod::PreShare;  // R2's profile wants a signature
  s.peers[0].profiles[0].self_identity = IdKind::Address;    // and R1's FQDN
  EXPECT_EQ(run(s, 0).reason, Reason::NoMatchingProfile);
  s.peers[0].profiles[0].self_identity = IdKind::Fqdn;
  EXPECT_EQ(run(s, 0).reason, Reason::AuthMethodMismatch);
}

// strongSwan sends a remote.id that is an address range as IDr ID_IPV4_ADDR_SUBNET (4), which
// IKEv2 does not define (RFC 7296 §3.5); pluto's parser refuses the request with INVALID_SYNTAX
// before it looks at anything (seen: tests/data/faithful/mixed-v2-subnet-idr-invalid-syntax.json).
TEST(Libreswan, SubnetIdrFromStrongswanIsInvalidSyntax) {
  Scenario s = lsw("s1", IkeVersion::V2);
  s.peers[0].personality = kStrongswan59;
  s.peers[0].profiles[0].match = {{IdKind::Address, "192.168.0.0", "255.255.255.0"}};  // names no FQDN
  s.peers[0].profiles[0].self_identity = IdKind::Fqdn;
  s.peers[1].profiles[0].self_identity = IdKind::Fqdn;  // R2 presents R2.cisco.com: remote.id stays the range
  Observation o = run(s, 0);
  EXPECT_EQ(o.reason, Reason::InvalidSyntax);
  EXPECT_EQ(o.failed_at, Message::IKE_AUTH);
  EXPECT_EQ(o.responder_profile, kNone);
  s.peers[0].profiles[0].match = {{IdKind::Address, "192.168.0.2", "255.255.255.255"}};  // one address: type 1
  EXPECT_NE(run(s, 0).reason, Reason::InvalidSyntax);
}

TEST(Libreswan, EmptyCertReqsAndStrongswansSendCertIfAsked) {
  const Personality* p = find_personality(kLibreswan410);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->ikev1_initiator_certreq_message(), Message::MM5);
  // Against strongSwan (send_cert = ifasked): Libreswan's IKEv1 responder without rightca sends no
  // CERT_REQ, so strongSwan's MM5 has no CERT and Libreswan refuses it (seen on the real pair).
  Scenario s = lsw("s1", IkeVersion::V1);
  s.peers[0].personality = kStrongswan59;
  const Observation o = run(s, 0);
  EXPECT_EQ(o.failed_at, Message::MM5);
  EXPECT_EQ(o.reason, Reason::CertValidationFailed);
  EXPECT_EQ(o.initiator_trustpoint, kNone);
  // The other way Libreswan's MM5 carries an empty CERT_REQ: strongSwan answers with its certificate.
  EXPECT_EQ(run(s, 1).ike_sa, SaResult::Established);
}

TEST(Libreswan, PreSharedKeysNeedNoCertificates) {
  Scenario s = lsw("s1", IkeVersion::V2);
  for (Peer& peer : s.peers)
    for (Profile& f : peer.profiles) f.auth_local = f.auth_remote = AuthMethod::PreShare;
  const Observation o = run(s, 1);
  EXPECT_EQ(o.ike_sa, SaResult::Established);
  EXPECT_TRUE(o.certreq_from_responder.empty());
  EXPECT_EQ(o.initiator_trustpoint, kNone);
}

}  // namespace
}  // namespace ikeconform::testing
