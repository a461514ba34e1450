import sys, time, resource, pandas as pd, numpy as np
f = sys.argv[1]
t = time.perf_counter(); df = pd.read_csv(f); t1 = time.perf_counter() - t
a = df.to_numpy(dtype=np.float64); t2 = time.perf_counter() - t
import os
mb = os.path.getsize(f) / 1e6
print(dict(file=f.split('/')[-1], read_csv_s=round(t1,3), with_to_numpy_s=round(t2,3), MBps=round(mb/t1,1), rows=len(df), rss_MB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024, sum=float(a.sum()), pandas=pd.__version__))
