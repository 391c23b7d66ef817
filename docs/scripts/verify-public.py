#!/usr/bin/env python3
"""Check a public record's inclusion proof from a city's Steward portal.

    python3 verify-public.py https://records.city.example 42 'city.example/archive+1a2b3c4d+AbC...'

Needs Python 3 (standard library only) and the openssl command (3.0 or
later) for the Ed25519 signature. Prints "ok" per version and exits 0, or
says what failed and exits 2. The key (third argument) must come from
somewhere other than the portal: a newspaper, a council packet, a bag.
"""
import base64, hashlib, json, os, subprocess, sys, tempfile, urllib.request


def fail(msg):
    print("FAILED:", msg)
    sys.exit(2)


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(index, size, leaf, path, root):
    """RFC 9162, section 2.1.3.2: does the audit path lead from leaf to root?"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def signed(note, key):
    """Is the signed note signed by key (Go's signed-note verifier key)?"""
    name, keyhash, keydata = key.split("+", 2)
    raw = base64.b64decode(keydata)
    if raw[0] != 1 or len(raw) != 33:
        fail("the key is not an Ed25519 signed-note key")
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        fail("the checkpoint is not a signed note")
    sig = None
    for line in sigs.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "\u2014" and parts[1] == name:
            b = base64.b64decode(parts[2])
            if b[:4].hex() == keyhash:
                sig = b[4:]
    if sig is None:
        fail("the checkpoint carries no signature by " + name + "+" + keyhash)
    with tempfile.TemporaryDirectory() as d:
        files = {"pub.der": bytes.fromhex("302a300506032b6570032100") + raw[1:], "msg": (text + "\n").encode(), "sig": sig}
        for f, b in files.items():
            with open(os.path.join(d, f), "wb") as w:
                w.write(b)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", os.path.join(d, "pub.der"),
                            "-rawin", "-in", os.path.join(d, "msg"), "-sigfile", os.path.join(d, "sig")], capture_output=True)
        if r.returncode != 0:
            fail("the checkpoint's signature does not verify with the key")
    return text.split("\n")


def main():
    site, item, key = sys.argv[1].rstrip("/"), int(sys.argv[2]), sys.argv[3]
    proof = json.load(urllib.request.urlopen(f"{site}/public/items/{item}/proof"))
    if proof["item_id"] != item:
        fail(f"the proof is for item {proof['item_id']}, not {item}")
    lines = signed(proof["checkpoint"], key)
    size, root = int(lines[1]), base64.b64decode(lines[2])
    if lines[0] != key.split("+")[0] or size != proof["tree_size"]:
        fail("the proof's checkpoint is not the city's, or not the one it claims")
    for v in proof["versions"]:
        if v["pending"] if "pending" in v else False:
            print(f"version {v['version_id']}: newer than the checkpoint, check again later")
            continue
        leaf = hashlib.sha256(b"\x00" + bytes.fromhex(v["sha256"])).digest()
        path = [base64.b64decode(h) for h in v["path"]]
        if v["leaf_index"] != v["version_id"] - 1 or not included(v["leaf_index"], size, leaf, path, root):
            fail(f"version {v['version_id']} ({v['sha256']}) is not in the signed log")
        print(f"ok: version {v['version_id']} sha256 {v['sha256']} is leaf {v['leaf_index']} of the log of {size} records signed by {lines[0]}")


if __name__ == "__main__":
    main()
