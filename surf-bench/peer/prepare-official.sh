#!/usr/bin/env bash
# Builds .peer/ (ignored by git) for the model-level peer runs: the official Wan 2.1 modules the peer
# script imports, copied from a checkout of Wan-Video/Wan2.1 (e.g. one brought by the search tool's
# fetch), plus a stand-in for the two diffusers base classes wan/modules/model.py imports (the GPU image
# has no diffusers). Nothing of the official code is committed to this repository.
#
#   surf-bench/peer/prepare-official.sh PATH_TO_WAN2.1_REPO [REV]     (REV default HEAD; a bare repo works)
set -euo pipefail
repo=${1:?usage: prepare-official.sh PATH_TO_WAN2.1_REPO [REV]}
rev=${2:-HEAD}
top=$(git rev-parse --show-toplevel)
cd "$top"
mkdir -p .git/info && { grep -qx '/.peer/' .git/info/exclude 2>/dev/null || echo '/.peer/' >> .git/info/exclude; }
rm -rf .peer && mkdir -p .peer/wan/modules .peer/diffusers/models
for f in attention model vae t5; do
  git -C "$repo" show "$rev:wan/modules/$f.py" > ".peer/wan/modules/$f.py"
done
touch .peer/wan/__init__.py .peer/wan/modules/__init__.py .peer/diffusers/__init__.py .peer/diffusers/models/__init__.py
cat > .peer/diffusers/configuration_utils.py <<'PY'
# stand-in for the two diffusers names wan/modules/model.py imports (no diffusers on the GPU image)
class ConfigMixin:
    pass


def register_to_config(fn):
    return fn
PY
cat > .peer/diffusers/models/modeling_utils.py <<'PY'
import torch

ModelMixin = torch.nn.Module
PY
echo "prepare-official: .peer/ holds wan/modules/{attention,model,vae,t5}.py at $(git -C "$repo" rev-parse --short "$rev"); carry it with [\".gpu\", \".peer\"]"
