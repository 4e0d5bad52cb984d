"""Where the time of one PartialFit search goes: cProfile of 10 trials x 10 epochs, n_jobs=1, beside RandomizedSearchCV.

Usage::

    python benchmarks/profile_partial_fit.py
"""
import sys, time, cProfile, pstats
sys.path.insert(0, __import__("os").path.dirname(__file__))
from bench_early_stopping import diamonds, SGD_SPACE
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold, RandomizedSearchCV
from hdsearch import HyperDriveSearchCV
from hdsearch.resource import PartialFit
X, Xt, y, yt = diamonds()
cv = KFold(3, shuffle=True, random_state=0)
t=time.perf_counter(); RandomizedSearchCV(SGDClassifier(max_iter=10, tol=None, random_state=0), SGD_SPACE, n_iter=10, cv=cv, random_state=0).fit(X,y); print("rscv", time.perf_counter()-t)
s = HyperDriveSearchCV(SGDClassifier(random_state=0), SGD_SPACE, resource=PartialFit(10), max_total_runs=10, cv=cv, random_state=0)
pr = cProfile.Profile(); t=time.perf_counter(); pr.enable(); s.fit(X, y); pr.disable(); print("hd", time.perf_counter()-t)
pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
