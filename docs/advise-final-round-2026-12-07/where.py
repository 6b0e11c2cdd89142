"""For each advice above 2x: the round in which the best candidate was dropped (4 = the last comparison).
where.py ADVICES.json, from the repository root."""
import json, os, sys
exec(open(os.path.join(os.path.dirname(__file__), "replay.py")).read().split("def rules")[0])
adv=json.load(open(sys.argv[1]))
from collections import Counter
cnt=Counter()
for key,a in adv.items():
    p,d,s,m,seed=key.split("|"); t=truth_for(p,d,s,m)
    pick=a["recommended"]; best=min(t,key=t.get); r=t[pick]/t[best]
    if r<=2: continue
    c={x["estimator"]:x for x in a["candidates"]}
    b=c[best]
    cnt[b.get("droppedInRound")]+=1
    print(key, "pick",pick,"%.2f"%r,"best",best,"dropped",b.get("droppedInRound"),"bestv %.3g [%.3g,%.3g]"%(b["varianceTimesEvaluations"],*b["interval"]),"true best %.3g pick pilot %.3g true %.3g"%(t[best],c[pick]["varianceTimesEvaluations"],t[pick]), "pilot",b["pilotEvaluations"])
print(cnt)
