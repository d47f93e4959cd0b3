#!/usr/bin/python3
"""Reference DICOM decoding for tilesr's oracle tests: pydicom (+ gdcm for compressed syntaxes).

Usage: /usr/bin/python3 scripts/oracles/dicom_ref.py FILE OUTDIR

Writes OUTDIR/frame_NNN.npy (one per frame, little-endian, the values pydicom's `pixel_array`
delivers, color converted to RGB and PALETTE COLOR expanded through its LUT, as tilesr delivers them)
and OUTDIR/header.json (the header facts tilesr reports, read by pydicom). Exit code 0 on success;
on a decoding failure header.json still gets written with "error" set and the exit code is 2.
"""
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space


def num_list(v):
    """A DICOM number or multi-value as a list of floats (empty when absent)."""
    if v is None:
        return []
    if isinstance(v, (list, tuple, pydicom.multival.MultiValue)):
        return [float(x) for x in v]
    return [float(v)]


def str_list(v):
    if v is None:
        return []
    if isinstance(v, (list, tuple, pydicom.multival.MultiValue)):
        return [str(x) for x in v]
    return [str(v)]


def first_item(ds, seq_kw, sub_kw):
    """Item 0 of a functional-group sub-sequence (Shared, then PerFrame[0])."""
    for groups_kw in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        groups = ds.get(groups_kw)
        if groups:
            seq = groups[0].get(seq_kw)
            if seq:
                return seq[0]
    return None


# The attributes tilesr keeps in ImageInfo.metadata (formats/dicom/metadata.ts), as pydicom reads them.
TEXT_KEYWORDS = (
    "SOPClassUID SOPInstanceUID StudyInstanceUID SeriesInstanceUID FrameOfReferenceUID Modality "
    "PatientName PatientID PatientBirthDate PatientSex PatientAge StudyDate StudyTime StudyDescription "
    "StudyID SeriesDescription SeriesNumber InstanceNumber AccessionNumber ReferringPhysicianName "
    "InstitutionName Manufacturer ManufacturerModelName BodyPartExamined ImageType ContentDate "
    "ContentTime RescaleType LossyImageCompression LossyImageCompressionRatio "
    "LossyImageCompressionMethod SpecificCharacterSet"
).split()
NUMBER_KEYWORDS = "ImagePositionPatient ImageOrientationPatient SliceThickness SliceLocation SpacingBetweenSlices".split()


def metadata(ds):
    out = {}
    for kw in TEXT_KEYWORDS:
        v = ds.get(kw)
        if v is None or v == "" or (isinstance(v, pydicom.multival.MultiValue) and len(v) == 0):
            continue
        if isinstance(v, pydicom.multival.MultiValue):
            out[kw] = "\\".join(str(x) for x in v)
        else:
            out[kw] = str(v)
    for kw in NUMBER_KEYWORDS:
        v = num_list(ds.get(kw))
        if v:
            out[kw] = v[0] if len(v) == 1 else v
    # Enhanced multi-frame: the orientation shared by all frames lives in the functional groups
    plane = first_item(ds, "PlaneOrientationSequence", None)
    if "ImageOrientationPatient" not in out and plane is not None and "ImageOrientationPatient" in plane:
        out["ImageOrientationPatient"] = num_list(plane.ImageOrientationPatient)
    return out


def header(ds):
    mapping = first_item(ds, "PixelValueTransformationSequence", None) or ds
    measures = first_item(ds, "PixelMeasuresSequence", None)
    voi = first_item(ds, "FrameVOILUTSequence", None) or ds
    spacing = None
    if measures is not None and "PixelSpacing" in measures:
        spacing = {"kind": "PixelSpacing", "v": num_list(measures.PixelSpacing)}
    elif "PixelSpacing" in ds:
        spacing = {"kind": "PixelSpacing", "v": num_list(ds.PixelSpacing)}
    elif "ImagerPixelSpacing" in ds:
        spacing = {"kind": "ImagerPixelSpacing", "v": num_list(ds.ImagerPixelSpacing)}
    return {
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "frames": int(ds.get("NumberOfFrames", 1) or 1),
        "samples": int(ds.get("SamplesPerPixel", 1)),
        "bitsAllocated": int(ds.BitsAllocated),
        "bitsStored": int(ds.get("BitsStored", ds.BitsAllocated)),
        "highBit": int(ds.get("HighBit", -1)),
        "pixelRepresentation": int(ds.get("PixelRepresentation", 0)),
        "photometric": str(ds.get("PhotometricInterpretation", "")),
        "planarConfiguration": ds.get("PlanarConfiguration"),
        "transferSyntaxUID": str(ds.file_meta.TransferSyntaxUID),
        "slope": num_list(mapping.get("RescaleSlope")),
        "intercept": num_list(mapping.get("RescaleIntercept")),
        "windowCenter": num_list(voi.get("WindowCenter")),
        "windowWidth": num_list(voi.get("WindowWidth")),
        "windowExplanation": str_list(voi.get("WindowCenterWidthExplanation")),
        "spacing": spacing,
        "modality": str(ds.get("Modality", "")),
        "sopInstanceUID": str(ds.get("SOPInstanceUID", "")),
        "studyInstanceUID": str(ds.get("StudyInstanceUID", "")),
        "seriesInstanceUID": str(ds.get("SeriesInstanceUID", "")),
        "patientName": str(ds.get("PatientName", "")),
        "patientID": str(ds.get("PatientID", "")),
        "lossyImageCompression": str(ds.get("LossyImageCompression", "")),
        "metadata": metadata(ds),
    }


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    ds = pydicom.dcmread(path, force=True)  # force: raw datasets without preamble/meta header
    if "TransferSyntaxUID" not in ds.file_meta:
        # pydicom reads a raw dataset as Implicit or Explicit VR LE by peeking; record which
        ds.file_meta.TransferSyntaxUID = (
            pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR else pydicom.uid.ExplicitVRLittleEndian
        )
    info = header(ds)
    try:
        arr = ds.pixel_array
    except Exception as e:  # report, the caller decides
        info["error"] = f"{type(e).__name__}: {e}"
        with open(os.path.join(outdir, "header.json"), "w") as f:
            json.dump(info, f)
        return 2
    # what the handler left in PhotometricInterpretation (gdcm converts some YBR JPEGs to RGB)
    after = str(ds.PhotometricInterpretation)
    info["photometricAfterDecode"] = after
    if after.startswith("YBR_FULL"):
        arr = convert_color_space(arr, after, "RGB")
        info["convertedToRGB"] = after
    elif after == "PALETTE COLOR":
        arr = apply_color_lut(arr, ds)
        info["paletteApplied"] = True
    if info["frames"] == 1:
        arr = arr[np.newaxis, ...]
    arr = arr.astype(arr.dtype.newbyteorder("<"))
    info["dtype"] = str(arr.dtype.name)
    info["shape"] = list(arr.shape)
    for i in range(arr.shape[0]):
        np.save(os.path.join(outdir, f"frame_{i:03d}.npy"), np.ascontiguousarray(arr[i]))
    with open(os.path.join(outdir, "header.json"), "w") as f:
        json.dump(info, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
