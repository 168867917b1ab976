"""Certificates the build machine trusts that Debian's bundle does not (a TLS-inspecting
proxy's CA, given to pip as a build secret): print each one's first base64 line, for
scripts/image_claims.sh to look for in the image. Usage: image_host_cas.py HOST IMAGE."""

from __future__ import annotations

import re
import sys
from pathlib import Path

PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n(.*?)-----END CERTIFICATE-----", re.S)


def certificates(path: Path) -> set[str]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return {"".join(block.split()) for block in PEM.findall(text)}


def main(host: str, image: str) -> int:
    for cert in sorted(certificates(Path(host)) - certificates(Path(image))):
        print(cert[:64])  # one line of the PEM: what grep finds in any copy of it
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
