"""The MLP of bench/evaluate.ts: FEATURES float inputs -> 1024 -> 800 -> 2 class probabilities
(1,084,770 parameters), seeded, exported to ONNX with a dynamic batch dimension.

    /usr/bin/python3 bench/make-mlp.py OUT.onnx [FEATURES]
"""
import sys

import torch

out = sys.argv[1]
features = int(sys.argv[2]) if len(sys.argv) > 2 else 256
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Linear(features, 1024), torch.nn.ReLU(),
    torch.nn.Linear(1024, 800), torch.nn.ReLU(),
    torch.nn.Linear(800, 2), torch.nn.Softmax(dim=1),
).eval()
print(f'{sum(p.numel() for p in net.parameters())} parameters', file=sys.stderr)
torch.onnx.export(net, torch.zeros(1, features), out, input_names=['input'], output_names=['probabilities'],
                  dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}}, opset_version=13)
