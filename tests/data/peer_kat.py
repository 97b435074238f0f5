#!/usr/bin/env python3
"""Independent derivations for tests/peer_crypto_test.cpp (python3's int, hmac and hashlib,
not our C++): MODP-2048 DH (RFC 3526 group 14), RFC 7296 prf+ and the IKEv2 key schedule,
RFC 2409 SKEYID / SKEYID_d / _a / _e with Appendix B key expansion and IV. Run it to
regenerate the constants the test embeds; the inputs are fixed below."""
import hashlib, hmac

P14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)
X = int.from_bytes(bytes(range(1, 33)), "big")
Y = int.from_bytes(bytes(range(101, 133)), "big")

def h(b): return b.hex()

def prf_plus(hashf, key, seed, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(key, t + seed + bytes([i]), hashf).digest()
        out += t
        i += 1
    return out[:n]

gx = pow(2, X, P14).to_bytes(256, "big")
gy = pow(2, Y, P14).to_bytes(256, "big")
gxy = pow(pow(2, X, P14), Y, P14).to_bytes(256, "big")
print("modp x", h(X.to_bytes(32, "big")))
print("modp y", h(Y.to_bytes(32, "big")))
print("modp gx", h(gx)); print("modp gy", h(gy)); print("modp gxy", h(gxy))

# IKEv2 (RFC 7296 §2.14) with PRF_HMAC_SHA2_256, AES-CBC-128, HMAC_SHA2_256_128.
ni = bytes(range(0x10, 0x30)); nr = bytes(range(0x40, 0x60))
spii = bytes.fromhex("0102030405060708"); spir = bytes.fromhex("1112131415161718")
skeyseed = hmac.new(ni + nr, gxy, hashlib.sha256).digest()
stream = prf_plus(hashlib.sha256, skeyseed, ni + nr + spii + spir, 3 * 32 + 2 * 32 + 2 * 16)
print("v2 skeyseed", h(skeyseed))
names = [("sk_d", 32), ("sk_ai", 32), ("sk_ar", 32), ("sk_ei", 16), ("sk_er", 16), ("sk_pi", 32), ("sk_pr", 32)]
at = 0
for n, size in names:
    print("v2", n, h(stream[at:at + size])); at += size
print("prf+ sha1 100", h(prf_plus(hashlib.sha1, b"key", b"seed", 100)))

# IKEv1 (RFC 2409 §5, Appendix B) with signatures, HMAC-SHA1, AES-256 (needs K1 | K2).
cky_i = bytes.fromhex("a1a2a3a4a5a6a7a8"); cky_r = bytes.fromhex("b1b2b3b4b5b6b7b8")
skeyid = hmac.new(ni + nr, gxy, hashlib.sha1).digest()
d = hmac.new(skeyid, gxy + cky_i + cky_r + b"\x00", hashlib.sha1).digest()
a = hmac.new(skeyid, d + gxy + cky_i + cky_r + b"\x01", hashlib.sha1).digest()
e = hmac.new(skeyid, a + gxy + cky_i + cky_r + b"\x02", hashlib.sha1).digest()
k1 = hmac.new(e, b"\x00", hashlib.sha1).digest(); k2 = hmac.new(e, k1, hashlib.sha1).digest()
iv = hashlib.sha1(gx + gy).digest()[:16]
for n, v in [("skeyid", skeyid), ("skeyid_d", d), ("skeyid_a", a), ("skeyid_e", e), ("enc_key", (k1 + k2)[:32]), ("iv", iv)]:
    print("v1", n, h(v))
last = bytes(range(16))
print("v1 phase2 iv", h(hashlib.sha1(last + bytes.fromhex("01020304")).digest()[:16]))
