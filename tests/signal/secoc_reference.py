#!/usr/bin/env python3
"""A second implementation of the SecOC secured frame (python3-cryptography's AES-CMAC), to
cross-check cabind's: secoc_reference.py KEYHEX DATA_ID COUNTER AUTHENTIC_HEX [MAC_BITS FV_BITS]
prints the secured payload in hex. The MAC input is Data ID (2 bytes) | authentic payload |
full freshness value (8 bytes), big-endian; the frame is authentic | FV's low bytes | MAC's
first bytes (docs/security.md)."""
import sys

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC


def secure(key: bytes, data_id: int, counter: int, authentic: bytes, mac_bits=24, fv_bits=8):
    mac = CMAC(algorithms.AES(key))
    mac.update(data_id.to_bytes(2, "big") + authentic + counter.to_bytes(8, "big"))
    tag = mac.finalize()
    fv = (counter & ((1 << fv_bits) - 1)).to_bytes(fv_bits // 8, "big")
    return authentic + fv + tag[: mac_bits // 8]


if __name__ == "__main__":
    args = sys.argv[1:]
    bits = [int(a) for a in args[4:6]] or [24, 8]
    print(secure(bytes.fromhex(args[0]), int(args[1], 0), int(args[2], 0),
                 bytes.fromhex(args[3]), *bits).hex().upper())
