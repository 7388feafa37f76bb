#!/usr/bin/env python3
"""PyTorch reference trajectories for the optimizer kernels (not run in CI; needs python3-torch).

Prints JSON: for each configuration, the float32 parameter after every step, starting from
theta0[i] = cos(0.3 + 0.7 i) and gradients g_t[i] = sin(1 + 0.7 i + 1.3 t), t = 1..STEPS, n = 7
(one SIMD block and a tail of 3). Feeding the same inputs to src/kernels/optim.ts must reproduce
these numbers to float32 rounding (relative ~1e-6); exact bits can differ because ATen's CPU
kernels may fuse multiply-adds and Adam/RMSprop use lerp_ for the averages.

    python3 test/optim.torch-reference.py > /tmp/optim-torch.json
"""
import json
import math

import torch

N, STEPS = 7, 5

CONFIGS = {
    "sgd": (torch.optim.SGD, dict(lr=0.05)),
    "sgd_momentum_dampening_wd": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.25, weight_decay=0.05)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "adam": (torch.optim.Adam, dict(lr=0.01)),
    "adam_amsgrad_wd": (torch.optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    "adamw": (torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1, betas=(0.5, 0.95))),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9)),
    "rmsprop_centered_momentum_wd": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True, momentum=0.8, weight_decay=0.05)),
    "adagrad": (torch.optim.Adagrad, dict(lr=0.1)),
    "adagrad_decay_init_wd": (torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1, weight_decay=0.05)),
}


def trajectory(cls, options):
    theta = torch.tensor([math.cos(0.3 + 0.7 * i) for i in range(N)], dtype=torch.float32, requires_grad=True)
    opt = cls([theta], foreach=False, **options)
    out = []
    for t in range(1, STEPS + 1):
        theta.grad = torch.tensor([math.sin(1 + 0.7 * i + 1.3 * t) for i in range(N)], dtype=torch.float32)
        opt.step()
        out.append(theta.detach().tolist())
    return out


print(json.dumps({"torch": torch.__version__, **{name: trajectory(*cfg) for name, cfg in CONFIGS.items()}}, indent=1))
