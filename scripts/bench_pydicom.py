#!/usr/bin/env python3
"""pydicom + numpy doing the job of `paraspine info <folder> --hu-stats`, for `npm run bench`.

Reads every file of the folder with pydicom (a one-series folder, as the bench generates), decodes its
pixels (pixel_array), applies its own RescaleSlope / RescaleIntercept, stacks the slices in order along
the slice normal (ImagePositionPatient projected on the cross product of ImageOrientationPatient's rows)
into one HU volume -- int16 when every slope and intercept is an integer and the HU fit, else float32,
as Paraspine does -- and prints the statistics `--hu-stats` prints, as one JSON line:
{"min", "max", "mean", "voxels", "slices"}. The mean is the exact sum over the voxels (int64, or float64
for a float volume) divided by their count.
"""
import json
import os
import sys

import numpy as np
import pydicom


def main(folder: str) -> None:
    names = sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f)))
    ds = [pydicom.dcmread(os.path.join(folder, f)) for f in names]
    if not ds:
        sys.exit("no files")
    iop = np.array([float(v) for v in ds[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    ds.sort(key=lambda x: float(np.dot(normal, [float(v) for v in x.ImagePositionPatient])))
    slopes = [float(x.RescaleSlope) for x in ds]
    intercepts = [float(x.RescaleIntercept) for x in ds]
    integral = all(s.is_integer() and i.is_integer() for s, i in zip(slopes, intercepts))
    rows, columns = int(ds[0].Rows), int(ds[0].Columns)
    vol = np.empty((len(ds), rows, columns), dtype=np.int16 if integral else np.float32)
    for k, (x, s, i) in enumerate(zip(ds, slopes, intercepts)):
        px = x.pixel_array
        if integral:
            hu = px.astype(np.int32) * int(s) + int(i)
            if hu.min() < -32768 or hu.max() > 32767:  # Paraspine then keeps float32 HU
                vol = vol.astype(np.float32)
                integral = False
            vol[k] = hu
        else:
            vol[k] = px.astype(np.float32) * np.float32(s) + np.float32(i)
    total = vol.sum(dtype=np.int64) if vol.dtype == np.int16 else vol.sum(dtype=np.float64)
    print(json.dumps({
        "min": float(vol.min()),
        "max": float(vol.max()),
        "mean": float(total) / vol.size,
        "voxels": int(vol.size),
        "slices": len(ds),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench_pydicom.py <series-folder>")
    main(sys.argv[1])
