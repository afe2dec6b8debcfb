#!/usr/bin/env bash
# Every benchmark on a CUDA machine, anchors on CUDA too; logs go to ${OUT:-gpu_logs}/.
# Needs ncps 1.0.1, mnist1d and pytorch_bio_transformations 0.0.5 importable (wheels in .whl/ are
# installed into /tmp/site when present) and torch with CUDA for the anchors.
#     bash benchmarks/run_gpu.sh [liquid|search|bio ...]
set -u
LOGS=${OUT:-gpu_logs}
mkdir -p "$LOGS"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=.:/tmp/site
else
  export PYTHONPATH=.
fi
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$LOGS/device.txt"
python3 -c "import sys, jax, torch; print(sys.version.split()[0], 'jax', jax.__version__, jax.devices(), 'torch', torch.__version__)" | tee -a "$LOGS/device.txt"
parts=${*:-liquid search bio}
for part in $parts; do
  case $part in
    liquid) timeout 330 python3 benchmarks/liquid_step.py --device cuda --threads 0 --repeats 20 --ncps-max-steps 25 2>&1 | tee "$LOGS/liquid_step.txt" ;;
    search) for epochs in 3 15; do
        timeout 200 python3 benchmarks/search_throughput.py --epochs $epochs --repeats 5 2>&1 | tee "$LOGS/search_throughput_${epochs}ep.txt"
      done ;;
    bio) timeout 150 python3 benchmarks/bio_overhead.py --anchor-python python3 --anchor-device cuda 2>&1 | tee "$LOGS/bio_overhead.txt" ;;
  esac
done
