#!/usr/bin/python3
"""Reference GeoTIFF decoder (GDAL) for tests: writes pixels as .npy and header facts as JSON.

usage: tiff_ref.py FILE OUT.npy [--window x,y,w,h] [--overview N] [--info OUT.json]

The .npy is [H,W] for one band and [H,W,C] for several, in the file's own data type (what GDAL
reads: YCbCr JPEG comes out as RGB). With --overview N the window is in that overview's pixels.
--info writes size, bands, dtype, geotransform, EPSG, nodata, scale/offset and overview sizes.
"""
import argparse
import json
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--window")
    p.add_argument("--overview", type=int)
    p.add_argument("--info")
    a = p.parse_args()
    ds = gdal.Open(a.file)
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    if a.overview is not None:
        bands = [b.GetOverview(a.overview) for b in bands]
    w, h = bands[0].XSize, bands[0].YSize
    x0, y0, ww, wh = (0, 0, w, h) if not a.window else [int(v) for v in a.window.split(",")]
    arrs = [b.ReadAsArray(x0, y0, ww, wh) for b in bands]
    arr = arrs[0] if len(arrs) == 1 else np.stack(arrs, axis=-1)
    np.save(a.out, np.ascontiguousarray(arr))
    if a.info:
        b1 = ds.GetRasterBand(1)
        srs = ds.GetSpatialRef()
        epsg = None
        if srs is not None:
            srs.AutoIdentifyEPSG()
            code = srs.GetAuthorityCode(None)
            epsg = int(code) if code else None
        info = {
            "width": ds.RasterXSize,
            "height": ds.RasterYSize,
            "bands": ds.RasterCount,
            "dtype": str(arrs[0].dtype),
            "geotransform": list(ds.GetGeoTransform()),
            "epsg": epsg,
            "nodata": b1.GetNoDataValue(),
            "scale": b1.GetScale(),
            "offset": b1.GetOffset(),
            "overviews": [[b1.GetOverview(i).XSize, b1.GetOverview(i).YSize] for i in range(b1.GetOverviewCount())],
            "compression": ds.GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"),
        }
        with open(a.info, "w") as f:
            json.dump(info, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
