#!/bin/sh
# The synthetic datasets carry learnable, label-dependent signals: an independent
# learner (scikit-learn logistic regression on 32x32 / 58x42 thumbnails made by PIL)
# trained on some patients predicts findings on held-out patients.  Also checks
# prevalences (No Finding ~54%, Infiltration the most common finding).
set -u
L=${LEAPFROG:?}; T=${LF_TMP:?}/synth_learn.$$; PY=${LF_PYTHON:-/usr/bin/python3}
$PY -c 'import sklearn, PIL, numpy' 2>/dev/null || { echo "skip: no sklearn/PIL/numpy"; exit 77; }
"$L" synth chestxray14 --out "$T/chest" --n 900 --seed 11 --size 128 || exit 1
"$L" synth nerve --out "$T/nerve" --n 300 --seed 11 --size 116 --n-test 0 || exit 1
$PY - "$T" <<'PY'
import csv, sys, numpy as np
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
root = sys.argv[1]
L = ['Atelectasis','Cardiomegaly','Consolidation','Edema','Effusion','Emphysema','Fibrosis','Hernia',
     'Infiltration','Mass','Nodule','Pleural_Thickening','Pneumonia','Pneumothorax']
rows = list(csv.reader(open(root + "/chest/Data_Entry_2017.csv")))[1:]
X = np.stack([np.asarray(Image.open(root + "/chest/images/" + r[0]).convert("L").resize((32, 32), Image.BOX),
                         dtype=np.float32).ravel() / 255 for r in rows])
Y = np.array([[l in r[1].split("|") for l in L] for r in rows])
nofind = np.mean([r[1] == "No Finding" for r in rows])
print("No Finding share %.2f" % nofind)
assert 0.42 < nofind < 0.66, nofind
assert L[int(Y.sum(0).argmax())] == "Infiltration", Y.sum(0)
te = np.array([int(r[3]) for r in rows]) % 4 == 0   # held-out patients
auc = {}
for k, l in enumerate(L):
    if Y[~te, k].sum() < 8 or Y[te, k].sum() < 4: continue
    m = LogisticRegression(C=0.05, max_iter=2000).fit(X[~te], Y[~te, k])
    auc[l] = roc_auc_score(Y[te, k], m.predict_proba(X[te])[:, 1])
    print("%-20s AUC %.3f" % (l, auc[l]))
for l in ["Cardiomegaly", "Effusion"]:   # global signatures: even a linear model sees them
    assert auc.get(l, 0) > 0.8, (l, auc.get(l))
# local ones (nodules, lines, patches at random places) need a CNN; on average still > chance
assert len(auc) >= 8 and np.mean(list(auc.values())) > 0.6, auc
rows = list(csv.reader(open(root + "/nerve/train_masks.csv")))[1:]
X = np.stack([np.asarray(Image.open(root + "/nerve/train/%s_%s.tif" % (r[0], r[1])).resize((58, 42), Image.BOX),
                         dtype=np.float32).ravel() / 255 for r in rows])
y = np.array([bool(r[2].strip()) for r in rows])
te = np.array([int(r[0]) for r in rows]) % 3 == 0
a = roc_auc_score(y[te], LogisticRegression(C=0.05, max_iter=3000).fit(X[~te], y[~te]).predict_proba(X[te])[:, 1])
print("nerve present share %.2f AUC %.3f" % (y.mean(), a))
assert 0.35 < y.mean() < 0.65 and a > 0.6
PY
