#!/usr/bin/env python3
"""Closed-loop references from gymnasium's MuJoCo v5 tasks (issue 18 §1).

For each of Swimmer, Hopper, HalfCheetah, Walker2d and Ant (v5, gymnasium's
default keyword arguments except reset_noise_scale=0, so the initial state is
the model's qpos0 and zero velocity) runs a few fixed linear policies
a = W x, W (actions x observations, row-major) drawn from
numpy.random.default_rng(seed).normal(size) * scale, and records the return,
the step count and how the episode ended.

Swimmer's noiseless start observes all zeros, so every linear policy would sit
still; its episodes start instead from the state MCGrad's reset draws with
resetNoise 1 and seed resetSeed (qpos0 + U(-0.1, 0.1) for each qpos, then
U(-0.1, 0.1) for each qvel, from RandomStream: xoshiro256** seeded by
SplitMix64), rebuilt here bit for bit, recorded in the file and set with
set_state after reset. The action is computed as MCGrad's
LinearPolicy does (a sequential sum over j of W[a, j] * (x[j] - 0) / 1, no
clipping), so that both sides step the simulator with bit-identical controls;
env.step passes it through and MuJoCo clamps ctrl to the control range.

Writes Tests/MCGradRLTests/Resources/gymnasium-references.json, read by
Tests/MCGradRLTests/GymnasiumReferenceTests.swift. Not a project dependency:
run it in a scratch virtual environment with the pinned versions,

    python3 -m venv venv
    venv/bin/pip install mujoco==2.3.3 gymnasium==1.0.0 numpy==1.26.4 imageio
    venv/bin/python scripts/gymnasium-references.py

(MuJoCo 3.x changes the Hopper and Ant trajectories; mujoco 2.3.3 needs
numpy < 2; gymnasium's MuJoCo module imports imageio.)

--raw-contact-forces observes Ant's cfrc_ext unclipped (gymnasium clips it to
contact_force_range in the observation) and prints the results instead of
writing the file: a diagnostic for implementations that forget the clip.
"""

import argparse
import json
import os
import platform
import sys

import gymnasium as gym
import mujoco
import numpy as np

TASKS = [("swimmer", "Swimmer-v5"), ("hopper", "Hopper-v5"), ("halfcheetah", "HalfCheetah-v5"),
         ("walker2d", "Walker2d-v5"), ("ant", "Ant-v5")]

# (name, seed, scale): W = default_rng(seed).normal(size=(actions, observations)) * scale.
POLICIES = [("small", 1, 0.05), ("medium", 2, 0.2), ("large", 3, 1.0)]
# Ant only: small weights everywhere, large ones on the cfrc_ext block, whose
# raw entries reach far beyond the clip range [-1, 1] once the feet touch down.
CONTACT_POLICY = ("contact", 4, 0.05, 3.0)


def act(weights, observation, actions):
    """MCGrad's LinearPolicy.act with mean 0 and std 1, summed in its order."""
    n = len(observation)
    out = np.empty(actions)
    for a in range(actions):
        total = 0.0
        for j in range(n):
            total += weights[a * n + j] * ((float(observation[j]) - 0.0) / 1.0)
        out[a] = total
    return out


MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def mcgrad_uniforms(seed, count, scale):
    """MCGrad's RandomStream(seed).nextUniform(in: -scale, scale), count times."""
    s, state = [], seed
    for _ in range(4):
        state, value = splitmix64(state)
        s.append(value)
    rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
    out = []
    for _ in range(count):
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
        out.append(-scale + (scale - -scale) * (float(result >> 11) * 2.0 ** -53))
    return out


def seeded_start(env, seed, scale):
    """MCGrad's LocomotionEnvironment.reset for uniform velocity noise."""
    base = env.unwrapped
    nq, nv = base.model.nq, base.model.nv
    draws = mcgrad_uniforms(seed, nq + nv, scale)
    qpos = np.array([base.init_qpos[i] + draws[i] for i in range(nq)])
    qvel = np.array(draws[nq:])
    base.set_state(qpos, qvel)
    return base._get_obs(), [float(x) for x in qpos], [float(x) for x in qvel]


def episode(env_id, weights, start=None, raw_contact_forces=False):
    env = gym.make(env_id, reset_noise_scale=0.0)
    base = env.unwrapped
    if raw_contact_forces:
        base._contact_force_range = (-np.inf, np.inf)  # observation only; the cost is re-clipped below
        base._contact_cost_weight_raw = base._contact_cost_weight
        base._contact_cost_weight = 0.0
    actions = env.action_space.shape[0]
    observation, _ = env.reset(seed=0)
    initial = None
    if start is not None:
        observation, *initial = seeded_start(env, *start)
    total, steps, terminated, truncated = 0.0, 0, False, False
    while not (terminated or truncated):
        action = act(weights, observation, actions)
        observation, reward, terminated, truncated, _ = env.step(action)
        if raw_contact_forces:
            reward -= base._contact_cost_weight_raw * np.sum(np.square(np.clip(base.data.cfrc_ext, -1.0, 1.0)))
        total += reward
        steps += 1
    env.close()
    return total, steps, bool(terminated), bool(truncated), initial


def policies(task, observations, actions):
    chosen = list(POLICIES)
    if task == "ant":
        chosen.append(CONTACT_POLICY)
    for spec in chosen:
        name, seed, scale = spec[:3]
        w = np.random.default_rng(seed).normal(size=(actions, observations)) * scale
        if len(spec) == 4:
            contact_start = observations - 78  # 13 bodies x 6
            w[:, contact_start:] = np.random.default_rng(seed + 100).normal(size=(actions, 78)) * spec[3]
        yield name, seed, scale, [float(x) for x in w.ravel()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "MCGradRLTests",
                                                      "Resources", "gymnasium-references.json"))
    parser.add_argument("--raw-contact-forces", action="store_true")
    args = parser.parse_args()
    references = []
    for task, env_id in TASKS:
        probe = gym.make(env_id, reset_noise_scale=0.0)
        observations, actions = probe.observation_space.shape[0], probe.action_space.shape[0]
        probe.close()
        for name, seed, scale, weights in policies(task, observations, actions):
            if args.raw_contact_forces and task != "ant":
                continue
            # Swimmer: MCGrad's seeded start (resetNoise 1, task scale 0.1), see above.
            reset_seed, reset_noise = (seed, 1.0) if task == "swimmer" else (1, 0.0)
            start = (reset_seed, 0.1 * reset_noise) if reset_noise else None
            total, steps, terminated, truncated, initial = episode(env_id, weights, start, args.raw_contact_forces)
            print(f"{task:12} {name:8} return {total!r:>24} steps {steps:4} terminated {terminated}", file=sys.stderr)
            references.append({
                "task": task, "gymnasium": env_id, "policy": name, "weightSeed": seed, "scale": scale,
                "resetSeed": reset_seed, "resetNoise": reset_noise,
                "observations": observations, "actions": actions, "weights": weights,
                "return": total, "steps": steps, "terminated": terminated, "truncated": truncated,
            })
            if initial is not None:
                references[-1]["initialQpos"], references[-1]["initialQvel"] = initial
    if args.raw_contact_forces:
        return
    document = {
        "generator": "scripts/gymnasium-references.py",
        "kwargs": {"reset_noise_scale": 0.0},
        "versions": {"gymnasium": gym.__version__, "mujoco": mujoco.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "references": references,
    }
    with open(args.out, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
