#!/usr/bin/python3
"""Writes DICOM variants no committed fixture covers, made by pydicom from fixtures' own pixels.

Usage: /usr/bin/python3 scripts/oracles/dicom_variants.py FIXTURES_DIR OUTDIR

  palette8.dcm    PALETTE COLOR, 8-bit indices, 256-entry LUT with 8-bit entries
  palette16.dcm   PALETTE COLOR, 8-bit indices, LUT with 16-bit entries, first mapped value 16
  rgb_planar.dcm  RGB, PlanarConfiguration 1, native
  ybr_full.dcm    YBR_FULL, PlanarConfiguration 0, native
  raw_dataset.dcm a dataset without preamble/meta header (Implicit VR Little Endian)
  int8.dcm        8-bit signed MONOCHROME2, two window presets with explanations, RescaleType OD
  bits1.dcm       1-bit MONOCHROME2, 3 frames of 37x29 (frames not byte-aligned), bit-packed,
                  ImagerPixelSpacing only
  ybr422_native.dcm native YBR_FULL_422 (two luma + one chroma pair per pixel pair)
  float32.dcm     Float Pixel Data (7FE0,0008), 2 frames; float64.dcm Double Float Pixel Data
  eot_rle.dcm     the 10-frame RLE fixture re-encapsulated with an Extended Offset Table (OV VR)
  deflate_bomb.dcm Deflated Explicit VR LE whose dataset inflates to 24 MB (a 128x160 image plus a
                  24 MB private OB element of zeros): for the inflate size guard, not for decoding
Each is then decoded by dicom_ref.py like any other file.
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.encaps import encapsulate_extended, generate_pixel_data_frame
from pydicom.pixel_data_handlers.numpy_handler import pack_bits
from pydicom.pixel_data_handlers.util import convert_color_space
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


def base(src):
    ds = pydicom.dcmread(src)
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian, ds.is_implicit_VR = True, False
    for kw in ("LossyImageCompression", "LossyImageCompressionRatio", "LossyImageCompressionMethod"):
        if kw in ds:
            delattr(ds, kw)
    return ds


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    gray = pydicom.dcmread(os.path.join(fixtures, "ot512_8bit_deflated.dcm")).pixel_array[:128, :160]
    rgb = pydicom.dcmread(os.path.join(fixtures, "sc100_rgb_jpeg_baseline_ybr422.dcm"))
    rgb_px = convert_color_space(rgb.pixel_array, "YBR_FULL_422", "RGB")

    for name, depth, first in (("palette8", 8, 0), ("palette16", 16, 16)):
        ds = base(os.path.join(fixtures, "ot512_8bit_deflated.dcm"))
        ds.Rows, ds.Columns = gray.shape
        ds.PhotometricInterpretation = "PALETTE COLOR"
        i = np.arange(256, dtype=np.float64)
        scale = 255 if depth == 8 else 65535
        luts = [(i / 255) * scale, ((255 - i) / 255) * scale, (np.abs(128 - i) / 128).clip(0, 1) * scale]
        dt = "<u1" if depth == 8 else "<u2"
        desc = [256, first, depth]
        ds.RedPaletteColorLookupTableDescriptor = desc
        ds.GreenPaletteColorLookupTableDescriptor = desc
        ds.BluePaletteColorLookupTableDescriptor = desc
        ds.RedPaletteColorLookupTableData = luts[0].round().astype(dt).tobytes()
        ds.GreenPaletteColorLookupTableData = luts[1].round().astype(dt).tobytes()
        ds.BluePaletteColorLookupTableData = luts[2].round().astype(dt).tobytes()
        for tag in ("RedPaletteColorLookupTableDescriptor", "GreenPaletteColorLookupTableDescriptor", "BluePaletteColorLookupTableDescriptor"):
            ds[tag].VR = "US"
        for tag in ("RedPaletteColorLookupTableData", "GreenPaletteColorLookupTableData", "BluePaletteColorLookupTableData"):
            ds[tag].VR = "OW"
        ds.PixelData = np.ascontiguousarray(gray).tobytes()
        ds.save_as(os.path.join(out, f"{name}.dcm"), write_like_original=False)

    for name, photometric, planar in (("rgb_planar", "RGB", 1), ("ybr_full", "YBR_FULL", 0)):
        ds = base(os.path.join(fixtures, "sc100_rgb_jpeg_baseline_ybr422.dcm"))
        px = rgb_px if photometric == "RGB" else convert_color_space(rgb_px, "RGB", "YBR_FULL")
        ds.PhotometricInterpretation = photometric
        ds.PlanarConfiguration = planar
        data = np.ascontiguousarray(px.transpose(2, 0, 1) if planar else px)
        ds.PixelData = data.tobytes()
        ds.save_as(os.path.join(out, f"{name}.dcm"), write_like_original=False)

    ds = pydicom.dcmread(os.path.join(fixtures, "mr64_implicit_le.dcm"))
    ds.preamble = None
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.is_little_endian, ds.is_implicit_VR = True, True
    ds.save_as(os.path.join(out, "raw_dataset.dcm"), write_like_original=True)

    ds = base(os.path.join(fixtures, "ot512_8bit_deflated.dcm"))
    ds.Rows, ds.Columns = gray.shape
    ds.PixelRepresentation = 1
    ds.PixelData = (gray.astype(np.int16) - 128).astype(np.int8).tobytes()
    ds.WindowCenter, ds.WindowWidth = [10, -20.5], [100, 250]
    ds.WindowCenterWidthExplanation = ["SOFT", "WIDE"]
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 0.01, 1.5, "OD"
    ds.save_as(os.path.join(out, "int8.dcm"), write_like_original=False)

    ds = base(os.path.join(fixtures, "ot512_8bit_deflated.dcm"))
    bits = np.stack([gray[i * 29 : (i + 1) * 29, :37] > 100 + 20 * i for i in range(3)]).astype(np.uint8)
    ds.Rows, ds.Columns, ds.NumberOfFrames = 29, 37, 3
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 1, 0
    ds.PixelData = pack_bits(bits.ravel())
    if "PixelSpacing" in ds:
        del ds.PixelSpacing
    ds.ImagerPixelSpacing = [0.139, 0.143]
    ds.save_as(os.path.join(out, "bits1.dcm"), write_like_original=False)

    ds = base(os.path.join(fixtures, "sc100_rgb_jpeg_baseline_ybr422.dcm"))
    ybr = convert_color_space(rgb_px, "RGB", "YBR_FULL").astype(np.uint16)
    pairs = ybr.reshape(-1, 2, 3)  # 100 columns: pixel pairs never straddle rows
    y1, y2 = pairs[:, 0, 0], pairs[:, 1, 0]
    cb = (pairs[:, 0, 1] + pairs[:, 1, 1] + 1) // 2
    cr = (pairs[:, 0, 2] + pairs[:, 1, 2] + 1) // 2
    ds.PhotometricInterpretation = "YBR_FULL_422"
    ds.PlanarConfiguration = 0
    ds.PixelData = np.stack([y1, y2, cb, cr], axis=1).astype(np.uint8).tobytes()
    ds.save_as(os.path.join(out, "ybr422_native.dcm"), write_like_original=False)

    for name, dtype, keyword, bits in (
        ("float32", "<f4", "FloatPixelData", 32),
        ("float64", "<f8", "DoubleFloatPixelData", 64),
    ):
        ds = base(os.path.join(fixtures, "ot512_8bit_deflated.dcm"))
        del ds.PixelData
        for kw in ("BitsStored", "HighBit", "PixelRepresentation"):
            if kw in ds:
                delattr(ds, kw)
        ds.Rows, ds.Columns, ds.NumberOfFrames, ds.BitsAllocated = 64, 80, 2, bits
        values = np.stack([gray[:64, :80], gray[64:128, :80]]).astype(np.float64) * 0.37 - 12.5
        values[0, 0, :3] = [np.pi, -0.0, 1e-30]
        setattr(ds, keyword, values.astype(dtype).tobytes())
        ds.save_as(os.path.join(out, f"{name}.dcm"), write_like_original=False)

    ds = pydicom.dcmread(os.path.join(fixtures, "mr64_10frame_12bit_rle.dcm"))
    frames = list(generate_pixel_data_frame(ds.PixelData, int(ds.NumberOfFrames)))
    ds.PixelData, ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths = encapsulate_extended(frames)
    ds.save_as(os.path.join(out, "eot_rle.dcm"), write_like_original=False)

    ds = base(os.path.join(fixtures, "ot512_8bit_deflated.dcm"))
    ds.Rows, ds.Columns = gray.shape
    ds.PixelRepresentation = 1
    ds.PixelData = (gray.astype(np.int16) - 128).astype(np.int8).tobytes()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian
    ds.add_new(0x00091010, "LO", "TILESR")  # private creator
    ds.add_new(0x00091011, "OB", bytes(24 * 2**20))
    ds.save_as(os.path.join(out, "deflate_bomb.dcm"), write_like_original=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
