#!/usr/bin/env python3
"""A second implementation of the SecOC secured frame (python3-cryptography's AES-CMAC), to
cross-check cabind's.

  secoc_reference.py KEYHEX DATA_ID COUNTER AUTHENTIC_HEX [MAC_BITS FV_BITS]
      prints the secured payload in hex (how the vectors of secoc_test.cpp were derived);
  secoc_reference.py --check CABIND
      signs 200 random frames with `CABIND secoc sign` and with this file; exit 1 on any
      difference (ctest SecocReference.CabindSignMatchesPythonCryptography).
 The MAC input is Data ID (2 bytes) | authentic payload |
full freshness value (8 bytes), big-endian; the frame is authentic | FV's low bytes | MAC's
first bytes (docs/security.md)."""
import os
import random
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC


def secure(key: bytes, data_id: int, counter: int, authentic: bytes, mac_bits=24, fv_bits=8):
    mac = CMAC(algorithms.AES(key))
    mac.update(data_id.to_bytes(2, "big") + authentic + counter.to_bytes(8, "big"))
    tag = mac.finalize()
    fv = (counter & ((1 << fv_bits) - 1)).to_bytes(fv_bits // 8, "big")
    return authentic + fv + tag[: mac_bits // 8]


def check(cabind: str) -> int:
    rng = random.Random(4493)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(200):
            key = rng.randbytes(16)
            path = os.path.join(tmp, "k%d.key" % i)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, (key.hex() + "\n").encode())
            os.close(fd)
            mac_bits, fv_bits = rng.choice([(24, 8), (24, 8), (32, 16), (64, 8), (128, 32)])
            room = max(1, 8 - (mac_bits + fv_bits) // 8)
            authentic = rng.randbytes(rng.randint(1, room) if room < 8 else 4)
            data_id = rng.randint(0, 0xFFFF)
            counter = rng.choice([0, 0xFF, 0x100, rng.getrandbits(64)])
            fd_frame = (mac_bits + fv_bits) // 8 + len(authentic) > 8
            if fd_frame:  # pad to a valid CAN FD length
                size = next(n for n in (12, 16, 20, 24, 32) if n >= len(authentic) + (mac_bits + fv_bits) // 8)
                authentic += bytes(size - len(authentic) - (mac_bits + fv_bits) // 8)
            frame = "123" + ("##0" if fd_frame else "#") + authentic.hex().upper()
            got = subprocess.run([cabind, "secoc", "sign", "--key", path, "--data-id", str(data_id),
                                  "--counter", str(counter), "--mac-bits", str(mac_bits),
                                  "--freshness-bits", str(fv_bits), frame],
                                 capture_output=True, text=True)
            want = "123" + ("##0" if fd_frame else "#") + \
                secure(key, data_id, counter, authentic, mac_bits, fv_bits).hex().upper()
            if got.returncode != 0 or got.stdout.strip() != want:
                failures += 1
                print("differs: %s -> %r (want %s) %s" % (frame, got.stdout.strip(), want,
                                                         got.stderr.strip()))
    print("%d of 200 frames differ" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(check(sys.argv[2]))
    args = sys.argv[1:]
    bits = [int(a) for a in args[4:6]] or [24, 8]
    print(secure(bytes.fromhex(args[0]), int(args[1], 0), int(args[2], 0),
                 bytes.fromhex(args[3]), *bits).hex().upper())
