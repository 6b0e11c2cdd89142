"""Dumps `mcgrad advise --json` at budget 20,000 for the advise-study cases: dump.py SEEDS [PROBLEMS DIMS STDS OUT].

The binary is $MCGRAD (default .build/release/mcgrad, from the repository root)."""
import itertools, json, os, subprocess, sys
B=os.environ.get("MCGRAD", ".build/release/mcgrad")
seeds=range(1,int(sys.argv[1])+1)
problems=sys.argv[2].split(",") if len(sys.argv)>2 else "linear,quadratic,cosine,bump,rosenbrock,rastrigin".split(",")
dims=sys.argv[3].split(",") if len(sys.argv)>3 else ["2","10","100"]
stds=sys.argv[4].split(",") if len(sys.argv)>4 else ["0.1","1"]
out={}
for p,d,s,m in itertools.product(problems,dims,stds,["0.5","-1"]):
    for seed in seeds:
        r=subprocess.run([B,"advise","--budget","20000","--cost","evaluations","--json","--seed",str(seed),"--problem",p,"--dim",d,"--std",s,"--mean",m],capture_output=True,text=True)
        out["|".join([p,d,s,m,str(seed)])]=json.loads(r.stdout)
json.dump(out,open(sys.argv[5] if len(sys.argv)>5 else "advices.json","w"))
