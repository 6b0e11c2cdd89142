"""Usage: python3 data/make_datasets.py BREAST_CANCER_CSV DIGITS_CSV

Writes the datasets MCGrad's experiments ship, from the copies scikit-learn
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

# digits_binarized.csv: the 8x8 handwritten digits scikit-learn ships (a copy
# of the UCI "Optical Recognition of Handwritten Digits" test set, E. Alpaydin
# and C. Kaynak, 1998; CC BY 4.0), 1797 images, pixels 0-16 binarised at > 7,
# then the digit label.
from sklearn.datasets import load_digits

digits_out = sys.argv[2] if len(sys.argv) > 2 else "digits_binarized.csv"
digits = load_digits()
with open(digits_out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow([f"p{i}" for i in range(64)] + ["label"])
    for x, y in zip(digits.data, digits.target):
        w.writerow([1 if v > 7 else 0 for v in x] + [int(y)])
print(f"wrote {digits_out}: {digits.data.shape[0]} images of 64 binary pixels")
