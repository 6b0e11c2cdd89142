#!/usr/bin/env python3
"""Turns one of ARS's published linear policies into an `mcgrad rl` checkpoint.

Usage: scripts/ars-published-policy.py POLICY.npz TEMPLATE.json OUT.json [--drop-world-contacts]

POLICY.npz is a `lin_policy_plus.npz` (or `gait*.npz`) of modestyachts/ARS's
`trained_policies/` (not part of this repository): a pickled object array
[W, mean, std], a = W (x - mean) / std. It is read with an unpickler that
accepts numpy's array reconstruction and nothing else. TEMPLATE.json is any
checkpoint of `mcgrad rl` for the same task (e.g. docs/ars/walker2d/checkpoints/*)
whose weights and observation statistics are replaced. --drop-world-contacts
removes the 6 contact-force entries of the world body that gym's Ant-v1
observes (111 entries) and gymnasium's v5 does not (105). Then:

    mcgrad rollout --env walker2d --policy OUT.json --seed 1
"""
import io
import json
import pickle
import sys
import zipfile

import numpy as np

ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
           ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}


class ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"refused {module}.{name}")
        return getattr(__import__(module, fromlist=[name]), name)


def read_policy(path):
    archive = zipfile.ZipFile(path)
    raw = archive.read(archive.namelist()[0])
    if raw[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy array inside")
    header = int.from_bytes(raw[8:10], "little") + 10 if raw[6] == 1 else int.from_bytes(raw[8:12], "little") + 12
    weights, mean, std = ArraysOnly(io.BytesIO(raw[header:]), encoding="latin1").load()
    return np.asarray(weights, float), np.asarray(mean, float), np.asarray(std, float) - 1e-8  # ARS adds 1e-8


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    weights, mean, std = read_policy(args[0])
    if "--drop-world-contacts" in sys.argv:
        keep = [i for i in range(weights.shape[1]) if not 27 <= i < 33]
        weights, mean, std = weights[:, keep], mean[keep], std[keep]
    checkpoint = json.load(open(args[1]))
    if len(checkpoint["parameters"]) != weights.size or len(checkpoint["statistics"]["mean"]) != mean.size:
        sys.exit(f"{args[0]}: {weights.shape} weights do not fit the template's task")
    count = 10**9  # the statistics' standard deviation is sqrt(squaredDeviations / (count - 1)) to 1e-9
    checkpoint["parameters"] = weights.reshape(-1).tolist()
    checkpoint["statistics"] = {"count": count, "mean": mean.tolist(),
                                "squaredDeviations": (std * std * (count - 1)).tolist()}
    json.dump(checkpoint, open(args[2], "w"))


if __name__ == "__main__":
    main()
