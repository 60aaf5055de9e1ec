#!/usr/bin/env python3
"""Oracle side of tests/test_score.sh: writes tiny datasets in the official NIH
and Kaggle layouts (with PIL), predictions files, and checks leapfrog's
metrics.json against scikit-learn (AUC, ROC, confusion counts) and numpy
(Dice, IoU, run-length encoding written independently here).

  score_sklearn.py chest DIR           NIH folder + DIR/pred.json, DIR/pred_paper.json,
                                       DIR/expected.json
  score_sklearn.py check-chest DIR METRICS.json
  score_sklearn.py nerve DIR           Kaggle folder + DIR/sub.csv
  score_sklearn.py check-nerve DIR METRICS.json
Exit 77 when numpy/sklearn/PIL are missing."""
import json
import math
import os
import sys

try:
    import numpy as np
    from PIL import Image
    from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve
except ImportError as e:
    print("oracle missing:", e)
    sys.exit(77)

LABELS = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Effusion", "Emphysema", "Fibrosis",
          "Hernia", "Infiltration", "Mass", "Nodule", "Pleural_Thickening", "Pneumonia", "Pneumothorax"]
PREV = [0.2, 0.08, 0.1, 0.05, 0.25, 0.05, 0.04, 0.0, 0.3, 0.1, 0.1, 0.06, 0.03, 0.08]


def chest(d):
    rng = np.random.default_rng(5)
    os.makedirs(f"{d}/images", exist_ok=True)
    rows, test, trainval = [], [], []
    n_img = 0
    y_all = {}
    for pid in range(1, 161):
        is_test = pid % 4 == 0
        for fu in range(int(rng.integers(1, 4))):
            name = f"{pid:08d}_{fu:03d}.png"
            y = (rng.random(14) < PREV).astype(int)
            y_all[name] = y
            finding = "|".join(LABELS[i] for i in range(14) if y[i]) or "No Finding"
            rows.append(f"{name},{finding},{fu},{pid},{int(rng.integers(20, 90))},M,PA,2500,2048,0.143,0.143,")
            (test if is_test else trainval).append(name)
            Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(f"{d}/images/{name}")
            n_img += 1
    with open(f"{d}/Data_Entry_2017.csv", "w") as f:
        f.write("Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
                "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n")
        f.write("\n".join(rows) + "\n")
    open(f"{d}/test_list.txt", "w").write("\n".join(test) + "\n")
    open(f"{d}/train_val_list.txt", "w").write("\n".join(trainval) + "\n")
    pred, paper = {}, {}
    for name in test:
        y = y_all[name]
        logit = rng.normal(size=14) + 1.2 * y
        p = 1 / (1 + np.exp(-logit))
        p[1::2] = np.round(p[1::2] * 256) / 256  # int8-like ties on half the classes
        p = np.clip(p, 0, 1)
        pred[f"images/{name}"] = {LABELS[i]: float(p[i]) for i in range(14)}
        paper[f"/data/nih/images_003/images/{name}"] = [[float(v) for v in p]]
    json.dump(pred, open(f"{d}/pred.json", "w"), indent=1)
    json.dump(paper, open(f"{d}/pred_paper.json", "w"))
    exp = {"test": test, "train": trainval[:3], "y": {n: y_all[n].tolist() for n in test}}
    json.dump(exp, open(f"{d}/expected.json", "w"))


def fail(msg):
    print("MISMATCH:", msg)
    sys.exit(1)


def check_chest(d, metrics_path):
    m = json.load(open(metrics_path))
    exp = json.load(open(f"{d}/expected.json"))
    pred = json.load(open(f"{d}/pred.json"))
    names = exp["test"]
    if m["n"] != len(names):
        fail(f"n {m['n']} vs {len(names)}")
    Y = np.array([exp["y"][n] for n in names])
    S = np.array([[pred[f"images/{n}"][lab] for lab in LABELS] for n in names])
    aucs = []
    checked = 0
    for j, lab in enumerate(LABELS):
        y, s = Y[:, j], S[:, j]
        got = m["auc"][lab]
        if len(set(y.tolist())) < 2:
            if got is not None:
                fail(f"{lab}: one label value, AUC should be null, got {got}")
            if lab not in m["auc_undefined"]:
                fail(f"{lab} not listed in auc_undefined")
            continue
        want = roc_auc_score(y, s)
        aucs.append(want)
        if abs(got - want) > 1e-9:
            fail(f"{lab}: AUC {got!r} vs sklearn {want!r}")
        lo, hi = m["auc_ci95"][lab]
        if not (lo <= got <= hi):
            fail(f"{lab}: CI [{lo}, {hi}] does not contain {got}")
        fpr, tpr, thr = roc_curve(y, s)  # drop_intermediate=True, sklearn's default
        r = m["roc"][lab]
        if len(r["fpr"]) != len(fpr) or np.max(np.abs(np.array(r["fpr"]) - fpr)) > 1e-12 \
                or np.max(np.abs(np.array(r["tpr"]) - tpr)) > 1e-12 or r["thresholds"][0] is not None \
                or np.any(np.array(r["thresholds"][1:]) != thr[1:]):
            fail(f"{lab}: ROC points differ from sklearn's roc_curve")
        tn, fp, fn, tp = confusion_matrix(y, (s >= 0.5).astype(int), labels=[0, 1]).ravel()
        a = m["at_threshold"][lab]
        if (a["tp"], a["fp"], a["tn"], a["fn"]) != (tp, fp, tn, fn):
            fail(f"{lab}: confusion at 0.5 {a} vs sklearn {(tp, fp, tn, fn)}")
        if abs(a["sensitivity"] - tp / (tp + fn)) > 1e-12 or abs(a["specificity"] - tn / (tn + fp)) > 1e-12:
            fail(f"{lab}: sensitivity/specificity at 0.5")
        fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
        k = int(np.argmax(tpr >= 0.9))
        b = m["at_sensitivity"][lab]
        if b["threshold"] != thr[k] or abs(b["specificity"] - (1 - fpr[k])) > 1e-12:
            fail(f"{lab}: threshold for 90% sensitivity {b['threshold']} vs {thr[k]}")
        if abs(m["prevalence"][lab] - y.mean()) > 1e-12:
            fail(f"{lab}: prevalence")
        checked += 1
    if abs(m["mean_auc"] - float(np.mean(aucs))) > 1e-9 or m["mean_auc_classes"] != len(aucs):
        fail(f"mean_auc {m['mean_auc']} vs {np.mean(aucs)} over {len(aucs)}")
    print(f"chest metrics agree with scikit-learn on {checked} classes, mean AUC {np.mean(aucs):.6f}")


def rle_encode(mask):
    """Kaggle RLE: column-major, 1-indexed 'start length' pairs (numpy)."""
    flat = np.concatenate([[0], mask.T.flatten(), [0]])
    runs = np.where(flat[1:] != flat[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return " ".join(str(x) for x in runs)


def nerve(d):
    rng = np.random.default_rng(9)
    W, H = 58, 42
    os.makedirs(f"{d}/train", exist_ok=True)
    rows, sub = [], []
    yy, xx = np.mgrid[0:H, 0:W]
    for s in range(1, 5):
        for k in range(1, 6):
            img = rng.integers(0, 255, (H, W), dtype=np.uint8)
            truth = np.zeros((H, W), np.uint8)
            if rng.random() < 0.6:
                cx, cy, r = rng.uniform(10, 48), rng.uniform(10, 32), rng.uniform(4, 9)
                truth = (((xx - cx) / r) ** 2 + ((yy - cy) / (0.7 * r)) ** 2 <= 1).astype(np.uint8)
            # prediction: shifted / grown / empty / spurious variants
            v = rng.integers(0, 4)
            if v == 0:
                pred = np.roll(truth, int(rng.integers(-3, 4)), axis=1)
            elif v == 1:
                pred = np.zeros_like(truth)
            elif v == 2:
                pred = truth.copy()
            else:
                pred = ((xx - 20) ** 2 + (yy - 20) ** 2 <= 25).astype(np.uint8)
            Image.fromarray(img).save(f"{d}/train/{s}_{k}.tif")
            Image.fromarray(truth * 255).save(f"{d}/train/{s}_{k}_mask.tif")
            rows.append(f"{s},{k},{rle_encode(truth)}")
            sub.append(f"{s}_{k},{rle_encode(pred)}")
            np.save(f"{d}/pred_{s}_{k}.npy", pred)
    open(f"{d}/train_masks.csv", "w").write("subject,img,pixels\n" + "\n".join(rows) + "\n")
    open(f"{d}/sub.csv", "w").write("img,pixels\n" + "\n".join(sub) + "\n")


def check_nerve(d, metrics_path):
    m = json.load(open(metrics_path))
    dices, ious = {}, {}
    for f in sorted(os.listdir(f"{d}/train")):
        if f.endswith("_mask.tif"):
            stem = f[:-9]
            t = np.array(Image.open(f"{d}/train/{f}")) > 127
            p = np.load(f"{d}/pred_{stem}.npy") > 0
            inter, tot, uni = (t & p).sum(), t.sum() + p.sum(), (t | p).sum()
            dices[stem] = 1.0 if tot == 0 else 2 * inter / tot
            ious[stem] = 1.0 if uni == 0 else inter / uni
    if m["n"] != len(dices):
        fail(f"n {m['n']} vs {len(dices)}")
    for k in dices:
        if abs(m["dice"][k] - dices[k]) > 1e-12 or abs(m["iou"][k] - ious[k]) > 1e-12:
            fail(f"{k}: dice/iou {m['dice'][k]}/{m['iou'][k]} vs numpy {dices[k]}/{ious[k]}")
    want = float(np.mean(list(dices.values())))
    if abs(m["dice_mean"] - want) > 1e-12:
        fail(f"dice_mean {m['dice_mean']} vs {want}")
    print(f"nerve Dice/IoU agree with numpy on {len(dices)} images, mean Dice {want:.6f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"chest": lambda: chest(sys.argv[2]), "check-chest": lambda: check_chest(sys.argv[2], sys.argv[3]),
     "nerve": lambda: nerve(sys.argv[2]), "check-nerve": lambda: check_nerve(sys.argv[2], sys.argv[3])}[cmd]()
