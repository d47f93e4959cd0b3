#!/usr/bin/python3
"""Re-encodes a DICOM file with GDCM (python3-gdcm), for syntaxes DCMTK cannot write (JPEG 2000).

Usage: /usr/bin/python3 scripts/oracles/gdcm_encode.py SRC OUT j2k-lossless|j2k-lossy [RATE]

j2k-lossless writes 1.2.840.10008.1.2.4.90; j2k-lossy writes .91 with compression ratio RATE
(default 20) through GDCM's OpenJPEG codec.
"""
import sys

import gdcm


def main():
    src, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
    reader = gdcm.ImageReader()
    reader.SetFileName(src)
    if not reader.Read():
        print(f"cannot read {src}", file=sys.stderr)
        return 1
    change = gdcm.ImageChangeTransferSyntax()
    if mode == "j2k-lossless":
        change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEG2000Lossless))
    elif mode == "j2k-lossy":
        codec = gdcm.JPEG2000Codec()
        codec.SetRate(0, rate)
        codec.SetReversible(False)
        change.SetUserCodec(codec)
        change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEG2000))
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 1
    change.SetInput(reader.GetImage())
    if not change.Change():
        print("GDCM could not change the transfer syntax", file=sys.stderr)
        return 1
    writer = gdcm.ImageWriter()
    writer.SetFileName(out)
    writer.SetFile(reader.GetFile())
    writer.SetImage(change.GetOutput())
    return 0 if writer.Write() else 1


if __name__ == "__main__":
    sys.exit(main())
