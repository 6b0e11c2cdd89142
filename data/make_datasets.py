"""Writes the datasets MCGrad's experiments ship, from the copies scikit-learn
bundles (no download). Run once; the outputs are committed.

breast_cancer.csv: the Wisconsin Diagnostic Breast Cancer data (W. N. Street,
W. H. Wolberg and O. L. Mangasarian, 1993; UCI Machine Learning Repository,
CC BY 4.0), 569 rows: 30 real features, then the label (1 = benign, 0 =
malignant, as sklearn.datasets.load_breast_cancer gives it). Unstandardised.
"""
import csv
import sys

import sklearn
from sklearn.datasets import load_breast_cancer

out = sys.argv[1] if len(sys.argv) > 1 else "breast_cancer.csv"
data = load_breast_cancer()
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(list(data.feature_names) + ["label"])
    for x, y in zip(data.data, data.target):
        w.writerow([repr(float(v)) for v in x] + [int(y)])
print(f"wrote {out}: {data.data.shape[0]} rows, {data.data.shape[1]} features, scikit-learn {sklearn.__version__}")
