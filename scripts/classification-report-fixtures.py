#!/usr/bin/env python3
"""
Writes test/cli/fixtures/classification-report.json: fixed label and
prediction sets (class indices) with what scikit-learn computes for them,
confusion_matrix, classification_report(output_dict=True) and the report's
text (digits=4), which `wasmlp evaluate` must reproduce.

  /usr/bin/python3 scripts/classification-report-fixtures.py    (needs Debian's python3-sklearn)

scikit-learn reports the classes found in the labels or the predictions
(labels=None), so target_names are those classes' names, in index order.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.utils.multiclass import unique_labels

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'cli', 'fixtures', 'classification-report.json')


def case(name, classes, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    present = unique_labels(y_true, y_pred)
    names = [classes[i] for i in present]
    return {
        'name': name,
        'classes': classes,
        'y_true': y_true.tolist(),
        'y_pred': y_pred.tolist(),
        'present': names,
        'confusion_matrix': confusion_matrix(y_true, y_pred).tolist(),
        'report': classification_report(y_true, y_pred, target_names=names, output_dict=True, zero_division=0),
        'text': classification_report(y_true, y_pred, target_names=names, digits=4, zero_division=0),
    }


def main():
    rng = np.random.default_rng(18)
    # Three iris-like classes, mostly right, and a fourth class the model knows that appears nowhere.
    y_true = rng.integers(0, 3, 150)
    y_pred = np.where(rng.random(150) < 0.8, y_true, rng.integers(0, 3, 150))
    cases = [case('three of four classes', ['setosa', 'versicolor', 'virginica', 'absent'], y_true, y_pred)]

    # Two classes, unbalanced.
    y_true = (rng.random(200) < 0.2).astype(np.int64)
    y_pred = np.where(rng.random(200) < 0.85, y_true, 1 - y_true)
    cases.append(case('binary', ['no', 'yes'], y_true, y_pred))

    # A class never predicted (precision 0/0), and one predicted but never a label (recall 0/0).
    y_true = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0]
    y_pred = [0, 3, 0, 1, 1, 0, 1, 0, 1, 3]
    cases.append(case('zero division', ['a', 'b', 'c', 'd'], y_true, y_pred))

    # Scores exactly halfway at the fifth decimal (1/32, 3/32), which Python rounds to even.
    y_true = [0] * 32 + [1] * 32
    y_pred = [0] * 1 + [1] * 31 + [0] * 31 + [1] * 1
    cases.append(case('halfway', ['long class name', 'b'], y_true, y_pred))

    with open(OUT, 'w') as f:
        json.dump({'sklearn': sklearn.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
