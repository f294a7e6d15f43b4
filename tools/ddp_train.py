#!/usr/bin/env python3
"""Chapter 12's data-parallel runs, one process per CPU core or GPU: start it with torchrun.

    torchrun --standalone --nproc_per_node=2 tools/ddp_train.py train --out OUT                  # 2 CPU processes
    torchrun --standalone --nproc_per_node=8 tools/ddp_train.py train --out OUT --backend nccl   # 8 GPUs
    torchrun --nnodes=4 --node_rank=K --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 \\
             tools/ddp_train.py train --out OUT --backend nccl                                   # 4 machines

(``python -m torch.distributed.run`` is the same program as ``torchrun``.) Commands: ``allreduce``, ``train``,
``memory``; ``--help`` lists the flags. Rank 0 writes ``OUT/result.json``; a rank that fails writes
``OUT/error-rank<R>.txt`` and torchrun stops the others. The code is ``course_utils/distributed.py``; the notebook
calls it through ``course_utils.distributed.launch``.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))      # the course checkout, wherever it is run from

from course_utils.distributed import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
