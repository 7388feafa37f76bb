"""Golden numbers for Adagrad as the RNTN papers train with it (packages/autograd/fixtures/adagrad-corenlp.json).

torch.optim.Adagrad (and torch.optim.SGD, without the reset) over two parameter groups with their own lr and weight_decay, the L2 penalty
written into the loss instead (the same trajectory: weight_decay is the gradient of λ/2‖θ‖²), and
CoreNLP's per-epoch reset of the accumulators (state['sum'] filled with initial_accumulator_value
at the start of every epoch). Run with a python3 that has torch (1.13 was used):

    /usr/bin/python3 packages/autograd/scripts/make_adagrad_fixture.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

A0 = [0.5, -1.25, 0.75, 2.0]
B0 = [-0.3, 0.05, 1.5]
STEPS_PER_EPOCH = 3
EPOCHS = 2
LR = 0.1
GROUPS = [{"lr": 0.1, "weight_decay": 0.2}, {"lr": 0.05, "weight_decay": 0.01}]
INIT = 0.1


def grad_at(t, n, shift):
    # Varied signs and magnitudes, independent of θ (the TypeScript test computes the same).
    return [math.sin(1.3 * i + 0.7 * t + shift) * (0.5 + i / n) for i in range(n)]


def run(penalty_in_loss, reset, sgd=False):
    a = torch.tensor(A0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    groups = [dict(params=[p], lr=g["lr"], weight_decay=0.0 if penalty_in_loss else g["weight_decay"]) for p, g in zip((a, b), GROUPS)]
    if sgd:
        opt = torch.optim.SGD(groups, lr=LR)
    else:
        opt = torch.optim.Adagrad(groups, lr=LR, initial_accumulator_value=INIT, eps=1e-10)
    trajectory = []
    t = 0
    for epoch in range(EPOCHS):
        if reset and epoch > 0:
            for st in opt.state.values():
                st["sum"].fill_(INIT)
        for _ in range(STEPS_PER_EPOCH):
            t += 1
            opt.zero_grad()
            # A linear loss whose gradient is the fixed sequence, plus the L2 penalty when asked.
            loss = (a * torch.tensor(grad_at(t, len(A0), 0.0))).sum() + (b * torch.tensor(grad_at(t, len(B0), 0.4))).sum()
            if penalty_in_loss:
                for p, g in zip((a, b), GROUPS):
                    loss = loss + g["weight_decay"] / 2 * (p * p).sum()
            loss.backward()
            opt.step()
            trajectory.append({"a": a.tolist(), "b": b.tolist()})
    return trajectory


weight_decay = run(penalty_in_loss=False, reset=True)
sgd = run(penalty_in_loss=False, reset=False, sgd=True)
for mine, in_loss in ((weight_decay, run(penalty_in_loss=True, reset=True)), (sgd, run(penalty_in_loss=True, reset=False, sgd=True))):
    for x, y in zip(mine, in_loss):
        for k in x:
            assert max(abs(u - v) for u, v in zip(x[k], y[k])) < 1e-12, "weight_decay differs from the L2 term in the loss"

out = {
    "torch": torch.__version__,
    "a0": A0, "b0": B0, "lr": LR, "groups": GROUPS, "initialAccumulatorValue": INIT,
    "stepsPerEpoch": STEPS_PER_EPOCH, "epochs": EPOCHS,
    "reset": weight_decay,
    "noReset": run(penalty_in_loss=False, reset=False),
    "sgd": sgd,
}
path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "adagrad-corenlp.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
