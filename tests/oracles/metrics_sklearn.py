#!/usr/bin/env python3
"""Oracle for tests/test_metrics_sklearn.c: reads cases written by the C test,
prints scikit-learn's (and numpy's) answers.

Input (text):
  auc NAME N      then N lines "score label"   (scores printed with %.17g)
  mask NAME N     then 2 lines of N chars '0'/'1': truth, prediction
Output, per auc case:
  auc NAME VALUE                      (roc_auc_score, nan with one class)
  roc NAME DROP M  then M lines "fpr tpr threshold"   (roc_curve, DROP 0/1)
  op NAME TP FP TN FN                 (confusion_matrix at score >= 0.5)
  thr90 NAME THRESHOLD                (highest roc threshold with tpr >= 0.9)
per mask case:
  mask NAME DICE IOU                  (numpy, both empty = 1)
"""
import sys
import warnings

try:
    import numpy as np
    from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve
except ImportError as e:  # the C test turns this into a skip
    print("oracle missing:", e, file=sys.stderr)
    sys.exit(77)

warnings.simplefilter("ignore")


def main(path):
    lines = open(path).read().split("\n")
    i = 0
    out = []
    while i < len(lines):
        head = lines[i].split()
        i += 1
        if not head:
            continue
        kind, name, n = head[0], head[1], int(head[2])
        if kind == "auc":
            rows = [lines[i + k].split() for k in range(n)]
            i += n
            s = np.array([float(r[0]) for r in rows], dtype=np.float64)
            y = np.array([int(r[1]) for r in rows])
            if len(set(y.tolist())) < 2:
                out.append(f"auc {name} nan")
            else:
                out.append(f"auc {name} {roc_auc_score(y, s)!r}")
            for drop in (0, 1):
                fpr, tpr, thr = roc_curve(y, s, drop_intermediate=bool(drop))
                out.append(f"roc {name} {drop} {len(fpr)}")
                out.extend(f"{a!r} {b!r} {c!r}" for a, b, c in zip(fpr, tpr, thr))
            tn, fp, fn, tp = confusion_matrix(y, (s >= 0.5).astype(int), labels=[0, 1]).ravel()
            out.append(f"op {name} {tp} {fp} {tn} {fn}")
            if y.sum() > 0:
                fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
                k = int(np.argmax(tpr >= 0.9))
                out.append(f"thr90 {name} {thr[k]!r}")
        elif kind == "mask":
            t = np.frombuffer(lines[i].encode(), dtype=np.uint8) == ord("1")
            p = np.frombuffer(lines[i + 1].encode(), dtype=np.uint8) == ord("1")
            i += 2
            assert t.size == n and p.size == n
            inter = np.logical_and(t, p).sum()
            union = np.logical_or(t, p).sum()
            tot = t.sum() + p.sum()
            dice = 1.0 if tot == 0 else 2.0 * inter / tot
            iou = 1.0 if union == 0 else inter / union
            out.append(f"mask {name} {float(dice)!r} {float(iou)!r}")
        else:
            sys.exit(f"{path}: unknown case kind {kind}")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
