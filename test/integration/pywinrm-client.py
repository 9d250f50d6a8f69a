"""pywinrm (Debian python3-winrm) as an independent WinRM client against the Patchbay WinRM simulator.

Reads one JSON request on stdin: {"url", "user", "password", "ops": [{"kind": "cmd", "command", "args"} |
{"kind": "ps", "script"} | {"kind": "ps-raw", "script"}], optional "transport" ("ntlm" or "basic"), "encryption" ("always", "auto", "never")}
and prints one JSON object: per op its stdout/stderr (base64) and exit code, or the error class and message.
Only pywinrm's own public API is used (Session with NTLM and message encryption). Over HTTPS the certificate
is not validated (server_cert_validation='ignore'): the simulator's is self-signed, and pinning is Patchbay's.

With {"certificateHash": "<base64 DER>"} it instead prints requests-ntlm's RFC 5929 certificate hash (hex),
the value requests-ntlm puts in NTLM channel bindings, as an independent check of Patchbay's.
"""
import base64
import json
import sys

import winrm


def b64(data):
    return base64.b64encode(data).decode("ascii")


def main():
    req = json.load(sys.stdin)
    if "certificateHash" in req:
        from requests_ntlm.requests_ntlm import _get_certificate_hash

        json.dump({"hash": _get_certificate_hash(base64.b64decode(req["certificateHash"]))}, sys.stdout)
        return
    session = winrm.Session(
        req["url"],
        auth=(req["user"], req["password"]),
        transport=req.get("transport", "ntlm"),
        server_cert_validation="ignore",
        message_encryption=req.get("encryption", "always"),
        operation_timeout_sec=req.get("operationTimeout", 20),
        read_timeout_sec=req.get("operationTimeout", 20) + 10,
    )
    results = []
    for op in req["ops"]:
        try:
            if op["kind"] == "cmd":
                r = session.run_cmd(op["command"], op.get("args", []))
            elif op["kind"] == "ps-raw":
                # run_ps without its stderr clean-up: pywinrm 0.3's _clean_error_msg compares bytes with a str
                # and raises TypeError on Python 3 whenever stderr holds anything (CLIXML progress does).
                encoded = base64.b64encode(op["script"].encode("utf_16_le")).decode("ascii")
                r = session.run_cmd("powershell -encodedcommand {0}".format(encoded))
            else:
                r = session.run_ps(op["script"])
            results.append({"ok": True, "stdout": b64(r.std_out), "stderr": b64(r.std_err), "exitCode": r.status_code})
        except Exception as e:  # report, do not hide: the test asserts on the class
            results.append({"ok": False, "error": type(e).__name__, "message": str(e)})
    json.dump({"results": results}, sys.stdout)


main()
