# f for docs/advise-pathwise-rule-2026-12-07/pathwise-check.py (from a hostile trial): objectives.py KIND [h]
import sys, numpy as np
from mcgrad_objective import serve
kind = sys.argv[1]
if kind == "x6":
    serve(lambda x: np.sum(x**6, axis=1), gradient=lambda x: 6*x**5)
elif kind == "exp":
    serve(lambda x: np.sum(np.exp(x), axis=1), gradient=lambda x: np.exp(x))
elif kind == "exp2":
    serve(lambda x: np.sum(np.exp(2*x), axis=1), gradient=lambda x: 2*np.exp(2*x))
elif kind == "x10":
    serve(lambda x: np.sum(x**10, axis=1), gradient=lambda x: 10*x**9)
elif kind == "rosen":
    def f(x):
        return np.sum(100*(x[:,1:]-x[:,:-1]**2)**2 + (1-x[:,:-1])**2, axis=1)
    def g(x):
        gr = np.zeros_like(x)
        a = x[:,1:]-x[:,:-1]**2
        gr[:,:-1] += -400*x[:,:-1]*a - 2*(1-x[:,:-1])
        gr[:,1:] += 200*a
        return gr
    serve(f, gradient=g)
elif kind == "step":   # small step
    h=float(sys.argv[2])
    serve(lambda x: np.sum(x + h*(x>0), axis=1), gradient=lambda x: np.ones_like(x))
elif kind == "half":   # gradient off by factor 2
    serve(lambda x: np.sum(np.sin(x)+x*x, axis=1), gradient=lambda x: 0.5*(np.cos(x)+2*x))
elif kind == "double":
    serve(lambda x: np.sum(np.sin(x)+x*x, axis=1), gradient=lambda x: 2*(np.cos(x)+2*x))
elif kind == "floor":
    serve(lambda x: np.sum(np.floor(x), axis=1), gradient=lambda x: np.zeros_like(x))
elif kind == "floorx":
    serve(lambda x: np.sum(np.floor(x*float(sys.argv[2])), axis=1), gradient=lambda x: np.zeros_like(x))
elif kind == "indic":
    serve(lambda x: np.sum(x>0, axis=1).astype(float), gradient=lambda x: np.zeros_like(x))
elif kind == "sign":
    serve(lambda x: np.sum(np.sign(x)*x*x, axis=1), gradient=lambda x: 2*np.abs(x))
elif kind == "ok":
    serve(lambda x: np.sum(np.sin(x)+x*x, axis=1), gradient=lambda x: (np.cos(x)+2*x))
