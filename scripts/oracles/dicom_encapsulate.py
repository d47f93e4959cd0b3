#!/usr/bin/python3
"""Writes a DICOM file whose pixels are given codestreams, one per frame, encapsulated by pydicom.

Usage: /usr/bin/python3 scripts/oracles/dicom_encapsulate.py SRC.dcm TS_UID OUT.dcm FRAME0 [FRAME1 ...]

Takes every attribute from SRC (a native file), sets the Transfer Syntax, and stores the frame
codestreams (files) as encapsulated Pixel Data with a Basic Offset Table. Used to make files in
syntaxes no reference tool here can encode (HTJ2K) from codestreams made by a real encoder.
"""
import sys

import pydicom
from pydicom._uid_dict import UID_dictionary
from pydicom.encaps import encapsulate

# pydicom 2.3 (Debian 12) predates the HTJ2K syntaxes (DICOM 2023): register them as newer
# pydicom releases list them, so the writer treats them as compressed (encapsulated) syntaxes.
for uid, name, keyword in (
    ("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", "HTJ2KLossless"),
    ("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", "HTJ2KLosslessRPCL"),
    ("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", "HTJ2K"),
):
    UID_dictionary.setdefault(uid, (name, "Transfer Syntax", "", "", keyword))


def main():
    src, ts, out, frames = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    ds = pydicom.dcmread(src)
    data = []
    for path in frames:
        with open(path, "rb") as f:
            data.append(f.read())
    ds.file_meta.TransferSyntaxUID = ts
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.PixelData = encapsulate(data, has_bot=True)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.save_as(out, write_like_original=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
