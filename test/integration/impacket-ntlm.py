"""Independent NTLM checks for Patchbay's TypeScript NTLM code, done with Debian's python3-impacket,
python3-ntlm-auth (pywinrm's NTLM engine) and pywinrm's multipart/encrypted framing. One JSON request on stdin, one JSON answer on stdout; bytes
travel as hex. Nothing here comes from Patchbay: only impacket's own structures and functions are used."""
import json
import struct
import sys

from Cryptodome.Cipher import ARC4
from impacket import ntlm

H = bytes.fromhex


def x(data):
    return data.hex() if isinstance(data, (bytes, bytearray)) else data


def handle_for(key):
    return ARC4.new(key).encrypt


def keys(exported, flags, mode):
    return ntlm.SIGNKEY(flags, exported, mode), ntlm.SEALKEY(flags, exported, mode)


def op_v2_response(r):
    # TEST_CASE=True: impacket uses the AV pairs exactly as given and a zero timestamp (MS-NLMP 4.2.4 style);
    # False: its real path, which reuses the server's MsvAvTimestamp and sets MsvAvTargetName to cifs/<host>.
    ntlm.TEST_CASE = r["testCase"]
    nt, lm, base = ntlm.computeResponseNTLMv2(
        r["flags"], H(r["serverChallenge"]), H(r["clientChallenge"]), H(r["serverName"]),
        r["domain"], r["user"], r["password"])
    ntlm.TEST_CASE = False
    return {"nt": x(nt), "lm": x(lm), "sessionBaseKey": x(base),
            "ntowfv2": x(ntlm.NTOWFv2(r["user"], r["password"], r["domain"])),
            "ntHash": x(ntlm.compute_nthash(r["password"]))}


def op_verify_authenticate(r):
    """Checks an AUTHENTICATE the way a server would, with impacket's parser and primitives."""
    neg, chal, auth = H(r["negotiate"]), H(r["challenge"]), H(r["authenticate"])
    challenge = ntlm.NTLMAuthChallenge(chal)
    msg = ntlm.NTLMAuthChallengeResponse()
    msg.fromString(auth)
    user = msg["user_name"].decode("utf-16le")
    domain = msg["domain_name"].decode("utf-16le")
    key = ntlm.NTOWFv2(user, r["password"], domain)
    nt = msg["ntlm"]
    proof = ntlm.hmac_md5(key, challenge["challenge"] + nt[16:])
    base = ntlm.hmac_md5(key, proof)
    kx = ntlm.KXKEY(msg["flags"], base, msg["lanman"], challenge["challenge"], r["password"], "", "")
    exported = ntlm.generateEncryptedSessionKey(kx, msg["session_key"])  # RC4 is its own inverse
    zeroed = auth[:72] + b"\0" * 16 + auth[88:]
    mic = ntlm.hmac_md5(exported, neg + chal + zeroed)
    pairs = ntlm.AV_PAIRS(nt[16 + 28:])
    return {"user": user, "domain": domain, "flags": msg["flags"], "proofOk": proof == nt[:16],
            "micOk": mic == msg["MIC"], "exportedSessionKey": x(exported),
            "avFlags": struct.unpack("<I", pairs[ntlm.NTLMSSP_AV_FLAGS][1])[0] if pairs[ntlm.NTLMSSP_AV_FLAGS] else 0,
            "lm": x(msg["lanman"])}


def op_seal(r):
    flags, exported = r["flags"], H(r["exportedSessionKey"])
    sign_key, seal_key = keys(exported, flags, r["mode"])
    handle = handle_for(seal_key)
    out = []
    for seq, text in enumerate(r["messages"]):
        data = H(text)
        sealed, signature = ntlm.SEAL(flags, sign_key, seal_key, data, data, seq, handle)
        out.append({"sealed": x(sealed), "signature": x(signature.getData())})
    return {"sealed": out}


def op_unseal(r):
    """The receiving side of `mode`'s messages: decrypt with that direction's handle, recompute the MAC."""
    flags, exported = r["flags"], H(r["exportedSessionKey"])
    sign_key, seal_key = keys(exported, flags, r["mode"])
    handle = handle_for(seal_key)
    out = []
    for seq, item in enumerate(r["items"]):
        plain = handle(H(item["sealed"]))
        expected = ntlm.MAC(flags, handle, sign_key, seq, plain).getData()
        out.append({"plaintext": x(plain), "ok": expected == H(item["signature"])})
    return {"items": out}


def op_client_negotiate(r):
    return {"negotiate": x(ntlm.getNTLMSSPType1("", "", signingRequired=True).getData())}


def op_client_authenticate(r):
    type1 = ntlm.NTLMAuthNegotiate()
    type1.fromString(H(r["negotiate"]))
    type3, exported = ntlm.getNTLMSSPType3(type1, H(r["challenge"]), r["user"], r["password"], r["domain"])
    return {"authenticate": x(type3.getData()), "exportedSessionKey": x(exported), "flags": type3["flags"]}


def op_server_challenge(r):
    """A CHALLENGE built with impacket's structure, as impacket's own SMB server builds one."""
    neg = ntlm.NTLMAuthNegotiate()
    neg.fromString(H(r["negotiate"]))
    name = r["computerName"].encode("utf-16le")
    av = ntlm.AV_PAIRS()
    av[ntlm.NTLMSSP_AV_DOMAINNAME] = name
    av[ntlm.NTLMSSP_AV_HOSTNAME] = name
    av[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", r["fileTime"])
    ch = ntlm.NTLMAuthChallenge()
    ch["flags"] = neg["flags"] | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO | ntlm.NTLMSSP_TARGET_TYPE_SERVER | \
        ntlm.NTLMSSP_NEGOTIATE_VERSION
    ch["challenge"] = H(r["serverChallenge"])
    ch["Version"] = b"\x0a\x00\x61\x4a\x00\x00\x00\x0f"
    ch["domain_name"] = name
    ch["domain_offset"] = 56
    ch["TargetInfoFields"] = av
    ch["TargetInfoFields_offset"] = 56 + len(name)
    return {"challenge": x(ch.getData())}


class _Security:
    def __init__(self, r, mode):
        self.flags, exported = r["flags"], H(r["exportedSessionKey"])
        self.sign_key, self.seal_key = keys(exported, self.flags, mode)
        self.handle, self.seq = handle_for(self.seal_key), 0

    def wrap(self, data):
        sealed, sig = ntlm.SEAL(self.flags, self.sign_key, self.seal_key, data, data, self.seq, self.handle)
        self.seq += 1
        return sealed, sig.getData()

    def unwrap(self, sealed, signature):
        plain = self.handle(sealed)
        if ntlm.MAC(self.flags, self.handle, self.sign_key, self.seq, plain).getData() != signature:
            raise ValueError("signature does not verify")
        self.seq += 1
        return plain


def _pywinrm(r, mode):
    from winrm.encryption import Encryption

    class Auth:
        session_security = _Security(r, mode)

    class Session:
        auth = Auth()

    return Encryption(Session(), "ntlm")


def op_pywinrm_frame(r):
    """pywinrm's own request framing, sealed with impacket (client-to-server keys)."""
    enc = _pywinrm(r, "Client")
    body = enc._encrypt_message(H(r["payload"]), "host") + enc.MIME_BOUNDARY + b"--\r\n"
    return {"body": x(body)}


def op_pywinrm_unframe(r):
    """pywinrm's response parsing of a body we framed, unsealed with impacket (server-to-client keys)."""
    enc = _pywinrm(r, "Server")

    class Response:
        content = H(r["body"])

    return {"payload": x(enc._decrypt_response(Response(), "host"))}


def _ntlm_auth_context(r):
    from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct
    from ntlm_auth.ntlm import NtlmContext

    cbt = None
    if r.get("channelBindings"):
        cbt = GssChannelBindingsStruct()
        cbt[cbt.APPLICATION_DATA] = H(r["channelBindings"])
    return NtlmContext(r["user"], r["password"], r["domain"], None, cbt_data=cbt)


def op_ntlm_auth_negotiate(r):
    """python3-ntlm-auth (the NTLM engine of requests-ntlm and so of pywinrm): its NEGOTIATE, which is
    deterministic, so the next call can rebuild the same context."""
    return {"negotiate": x(_ntlm_auth_context(r).step())}


def op_ntlm_auth_authenticate(r):
    """ntlm-auth answers our CHALLENGE (with its MIC and channel bindings) and seals messages to us."""
    ctx = _ntlm_auth_context(r)
    ctx.step()
    auth = ctx.step(H(r["challenge"]))
    wrapped = [ctx.wrap(H(m)) for m in r["messages"]]
    return {"authenticate": x(auth), "exportedSessionKey": x(ctx.session_key),
            "sealed": [{"signature": x(w[:16]), "sealed": x(w[16:])} for w in wrapped]}


def op_ntlm_auth_unwrap(r):
    """ntlm-auth's client session unwraps what our server sealed, in order (fails loudly if one is bad)."""
    from ntlm_auth.session_security import SessionSecurity

    sec = SessionSecurity(r["flags"], H(r["exportedSessionKey"]), source="client")
    return {"plaintexts": [x(sec.unwrap(H(i["sealed"]), H(i["signature"]))) for i in r["items"]]}


OPS = {name[3:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("op_")}

if __name__ == "__main__":
    request = json.load(sys.stdin)
    json.dump(OPS[request["op"]](request), sys.stdout)
