"""Replays rules for the last comparison of `advise`'s halving on dumped advices (dump.py) against the
study's cached references: replay.py ADVICES.json ...  Prints, per rule, the advices within 1.25x and above 2x."""
import json, sys
refs=json.load(open("docs/advise-study-references.json"))
def truth_for(p,d,s,m):
    for k,v in refs.items():
        f=k.split("|")
        if f[:4]==[p,d,s,m] and f[4]=="20000" and f[5]=="evaluations" and f[8]=="":
            return v
def rules():
    def current(c, final): return None
    def ucb(c, final):
        return min(final, key=lambda x: x["interval"][1])
    def rel(c, final):
        a,b=final
        if a["interval"][1] < b["interval"][0] or b["interval"][1] < a["interval"][0]:
            return min(final,key=lambda x:x["varianceTimesEvaluations"])
        return min(final, key=lambda x:(x["interval"][1]-x["interval"][0])/max(x["varianceTimesEvaluations"],1e-300))
    def mean_ucb(c, final):  # geometric mean of v and upper
        return min(final, key=lambda x:(x["varianceTimesEvaluations"]*x["interval"][1]))
    return dict(current=current, ucb=ucb, rel=rel, mid=mean_ucb)
for fname in sys.argv[1:]:
    adv=json.load(open(fname))
    for rname, rule in rules().items():
        over=good=n=0; worst=0; overs=[]
        for key,a in adv.items():
            p,d,s,m,seed=key.split("|")
            t=truth_for(p,d,s,m)
            if t is None: continue
            cands=[c for c in a["candidates"] if c.get("varianceTimesEvaluations") is not None and c["applicable"]]
            rounds=[c.get("droppedInRound") for c in cands]
            kept=[c for c in cands if c.get("droppedInRound") is None]
            last=max([r for r in rounds if r is not None], default=None)
            final=kept+[c for c in cands if c.get("droppedInRound")==last] if last is not None else kept
            pick=a["recommended"]
            if len(final)==2 and a.get("recommended") in [c["estimator"] for c in final]:
                alt=rule(a, final)
                if alt is not None: pick=alt["estimator"]
            best=min(t.values())
            mx=max(t.values())
            if pick not in t: continue
            r = 1.0 if (t[pick] <= 1e-12*mx) else t[pick]/max(best,1e-300)
            n+=1; good+= r<=1.25; over+= r>2; worst=max(worst,r)
            if r>2: overs.append((key,pick,round(r,2)))
        print(fname, rname, "n",n,"within1.25",good,"over2",over,"worst %.2f"%worst)
        if rname!="current": pass
