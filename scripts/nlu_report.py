"""Summarise `rasa test nlu` on the held-out file and fail when intent recognition falls below the bar.

The bar is for the statistical classifier alone; red flags, crisis and dose questions do not depend on
it (the ClinicalReader component decides those from the clinical core's rules).
"""
import json
import sys
from pathlib import Path

MIN_WEIGHTED_F1 = 0.80

results = Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")
report = json.loads((results / "intent_report.json").read_text())
rows = sorted((name, scores) for name, scores in report.items() if isinstance(scores, dict) and "support" in scores
              and name not in ("macro avg", "weighted avg", "micro avg"))
print(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}")
for name, s in rows:
    print(f"{name:<22}{s['precision']:>10.2f}{s['recall']:>8.2f}{s['f1-score']:>7.2f}{s['support']:>5}")
weighted = report["weighted avg"]["f1-score"]
print(f"held-out intent accuracy {report.get('accuracy', float('nan')):.3f}, "
      f"weighted F1 {weighted:.3f} (bar {MIN_WEIGHTED_F1})")
(results / "summary.txt").write_text(f"accuracy={report.get('accuracy')}\nweighted_f1={weighted}\n")
sys.exit(0 if weighted >= MIN_WEIGHTED_F1 else 1)
