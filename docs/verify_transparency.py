#!/usr/bin/env python3
"""Check the disclosure system's transparency log yourself: needs Python 3.9+ and `cryptography`.

    python verify_transparency.py https://SITE [--key NOTE_VERIFIER_KEY] [--record ID --version N] [--since SIZE]
Verifies the newest signed tree head (Ed25519: JSON form and C2SP checkpoint note); with --record and
--version, that the version's leaf is in that tree (RFC 9162 inclusion proof, leaf bytes hashed here);
with --since, that the tree extends the signed tree of that size (consistency proof). --key pins the
log's note verifier key (noted down earlier, or got elsewhere; else the server's own is used).
Prints "yes" and exits 0 when all verifies, else "no: why" and exits 1."""
import argparse
import base64
import hashlib
import json
import sys
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def node(left, right):  # RFC 9162: an interior node's hash
    return hashlib.sha256(b"\x01" + left + right).digest()


def get(base, path, **query):
    url = base.rstrip("/") + "/api/v1/transparency/" + path + ("?" + urllib.parse.urlencode(query) if query else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    return body.decode("utf-8") if path == "checkpoint" else json.loads(body)


def inclusion_ok(index, size, leaf, path, root):  # RFC 9162 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency_ok(first, second, first_root, second_root, path):  # RFC 9162 2.1.4.2
    if first >= second or not path:
        return first == second and not path and first_root == second_root
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def head_ok(head, keys, base):
    """The JSON signature, and the checkpoint note of the same size signed by the same key."""
    raw = keys.get(head["key_id"])
    if raw is None:
        return False
    signed = json.dumps({k: head[k] for k in ("key_id", "root_hash", "timestamp", "tree_size")},  # the time as
                        sort_keys=True, separators=(",", ":")).encode()  # served: "2026-12-06T21:30:00.123+08:00"
    public = Ed25519PublicKey.from_public_bytes(raw)
    public.verify(base64.b64decode(head["signature"]), signed)  # raises InvalidSignature
    note = get(base, "checkpoint", tree_size=head["tree_size"])
    text, _, signatures = note.partition("\n\n")
    origin, size, root = text.split("\n")[:3]
    if int(size) != head["tree_size"] or root != head["root_hash"]:
        return False
    for line in signatures.splitlines():
        dash, name, sig = line.split(" ")
        blob = base64.b64decode(sig)
        key_hash = hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]
        if dash == "\u2014" and name == origin and blob[:4] == key_hash:
            public.verify(blob[4:], (text + "\n").encode())
            return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("server")
    parser.add_argument("--key", help="pin the log's key: its note verifier key NAME+HASH+BASE64")
    parser.add_argument("--record", type=int)
    parser.add_argument("--version", type=int)
    parser.add_argument("--since", type=int, help="an older tree size to check consistency with")
    args, keys = parser.parse_args(), {}
    for entry in get(args.server, "public-keys/"):
        raw = base64.b64decode(entry["public_key_raw"])
        spki = Ed25519PublicKey.from_public_bytes(raw).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        if base64.b64encode(hashlib.sha256(spki).digest()).decode() != entry["key_id"]:
            return "key id does not match its key"
        if not args.key or args.key.split("+", 2)[2] == base64.b64encode(b"\x01" + raw).decode():
            keys[entry["key_id"]] = raw
    head = get(args.server, "sth/")
    if not head_ok(head, keys, args.server):
        return "the signed tree head does not verify with the log's key"
    size, root = head["tree_size"], base64.b64decode(head["root_hash"])
    print(f"signed tree head: {size} leaves, root {head['root_hash']}, signed {head['timestamp']}")
    if args.record is not None:
        if args.version is None:
            return "--record needs --version (the record page names it)"
        proof = get(args.server, "proof/inclusion/", record=args.record, version=args.version, tree_size=size)
        if proof["leaf"] is None:  # the record left the public view: only its leaf hash is served
            digest, said = base64.b64decode(proof["leaf_hash"]), "content withheld, no longer public"
        else:
            leaf = base64.b64decode(proof["leaf"])
            shown, digest = json.loads(leaf), hashlib.sha256(b"\x00" + leaf).digest()
            if (shown["record"], shown["version"]) != (args.record, args.version):
                return "the leaf is not that record version's"
            said = f"{shown['action']} at {shown['at']}"
        path = [base64.b64decode(h) for h in proof["audit_path"]]
        if not inclusion_ok(proof["leaf_index"], size, digest, path, root):
            return "the inclusion proof does not verify"
        print(f"record {args.record} version {args.version}: leaf {proof['leaf_index']} ({said}) is in the tree")
    if args.since is not None:
        old = get(args.server, "sth/", tree_size=args.since)
        if not head_ok(old, keys, args.server):
            return "the older tree head does not verify"
        proof = get(args.server, "proof/consistency/", first=args.since, second=size)
        path = [base64.b64decode(h) for h in proof["proof"]]
        if not consistency_ok(args.since, size, base64.b64decode(old["root_hash"]), root, path):
            return "the tree is not consistent with the older head: something was altered or removed"
        print(f"the tree of {size} extends the signed tree of {args.since}: nothing was altered or removed")


if __name__ == "__main__":
    try:
        failure = main()
    except Exception as exc:  # noqa: BLE001 - a bad signature, an HTTP error, a malformed answer: all "no"
        failure = f"{type(exc).__name__}: {exc}"
    print("no: " + failure if failure else "yes")
    sys.exit(1 if failure else 0)
