#!/usr/bin/env python3
"""Oracle for tests/test_metrics_sklearn.c: reads cases written by the C test,
prints scikit-learn's (and numpy's) answers.

Input (text):
  auc NAME N      then N lines "score label"   (scores printed with %.17g)
  mask NAME N     then 2 lines of N chars '0'/'1': truth, prediction
  pair NAME N     then N lines "score_a score_b label"
Output, per auc case:
  auc NAME VALUE                      (roc_auc_score, nan with one class)
  roc NAME DROP M  then M lines "fpr tpr threshold"   (roc_curve, DROP 0/1)
  op NAME TP FP TN FN                 (confusion_matrix at score >= 0.5)
  thr90 NAME THRESHOLD                (highest roc threshold with tpr >= 0.9)
  delong NAME VAR                     (DeLong variance, O(n^2) numpy from the definition)
  choose NAME METHOD THRESHOLD|none   (operating point chosen on roc_curve(drop_intermediate=False)'s
                                      finite thresholds: youden = argmax TPR - FPR, the first (highest
                                      threshold) on ties, compared exactly on the integer counts;
                                      sens:X the highest with TPR >= X; spec:X the lowest with 1 - FPR >= X;
                                      none with one class or when no threshold reaches the target)
per mask case:
  mask NAME DICE IOU                  (numpy, both empty = 1)
per pair case:
  pair NAME DIFF VAR P                (DeLong paired test of AUC(a) - AUC(b))
"""
import math
import sys
import warnings

try:
    import numpy as np
    from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve
except ImportError as e:  # the C test turns this into a skip
    print("oracle missing:", e, file=sys.stderr)
    sys.exit(77)

warnings.simplefilter("ignore")


def psi_matrix(s, y):
    """psi[i, j] = 1 / 0.5 / 0 as positive i scores above / equal / below negative j."""
    x, z = s[y == 1][:, None], s[y == 0][None, :]
    return (x > z) + 0.5 * (x == z)


def delong_parts(s, y):
    p = psi_matrix(s, y)
    return p.mean(), p.mean(axis=1), p.mean(axis=0)  # auc, V10 (positives), V01 (negatives)


def delong_cov(a, b, m, n):
    auc_a, v10a, v01a = a
    auc_b, v10b, v01b = b
    s10 = np.sum((v10a - auc_a) * (v10b - auc_b)) / (m - 1)
    s01 = np.sum((v01a - auc_a) * (v01b - auc_b)) / (n - 1)
    return s10 / m + s01 / n


CHOOSE_METHODS = ("youden", "sens:0.8", "sens:1", "spec:0.9", "spec:0.95", "spec:1")


def choose(y, s, method):
    """The threshold `method` picks, or None (see the module docstring)."""
    P, N = int(y.sum()), int(len(y) - y.sum())
    if P == 0 or N == 0:
        return None
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    tps, fps = np.rint(tpr * P).astype(np.int64)[1:], np.rint(fpr * N).astype(np.int64)[1:]
    thr = thr[1:]  # point 0 is (0, 0) at +inf (max + 1 before sklearn 1.3): not a score in the data
    if method == "youden":
        j = tps * N - fps * P  # (TPR - FPR) * P * N, exact
        k = int(np.argmax(j))  # the first maximum: the highest threshold
        assert abs((tpr[1:] - fpr[1:])[k] - np.max(tpr - fpr)) < 1e-12
        return thr[k]
    rule, x = method.split(":")
    x = float(x)
    if rule == "sens":
        return thr[int(np.argmax(tps / P >= x))]  # TPR reaches 1 at the last threshold
    ok = np.nonzero((N - fps) / N >= x)[0]
    return thr[ok[-1]] if len(ok) else None


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
            m_, n_ = int(y.sum()), int((1 - y).sum())
            if m_ >= 2 and n_ >= 2:
                parts = delong_parts(s, y)
                out.append(f"delong {name} {float(delong_cov(parts, parts, m_, n_))!r}")
            for meth in CHOOSE_METHODS:
                t = choose(y, s, meth)
                out.append(f"choose {name} {meth} {'none' if t is None else repr(float(t))}")
            if y.sum() > 0:
                fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
                k = int(np.argmax(tpr >= 0.9))
                out.append(f"thr90 {name} {thr[k]!r}")
        elif kind == "pair":
            rows = [lines[i + k].split() for k in range(n)]
            i += n
            a = np.array([float(r[0]) for r in rows])
            b = np.array([float(r[1]) for r in rows])
            y = np.array([int(r[2]) for r in rows])
            m_, n_ = int(y.sum()), int((1 - y).sum())
            pa, pb = delong_parts(a, y), delong_parts(b, y)
            var = delong_cov(pa, pa, m_, n_) + delong_cov(pb, pb, m_, n_) - 2 * delong_cov(pa, pb, m_, n_)
            diff = pa[0] - pb[0]
            p = math.erfc(abs(diff) / math.sqrt(2 * var)) if var > 0 else float("nan")
            out.append(f"pair {name} {float(diff)!r} {float(var)!r} {p!r}")
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
