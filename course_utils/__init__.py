"""course_utils: the helpers shared by the bigmodel-course notebooks.

Each module holds one topic and says which chapter introduced it (d2l style):
the notebooks teach the code first, then call the helper in later chapters.

    config       repository URL, Colab badge, data and model folders   (chapter 00)
    env_report   versions against requirements.txt, devices            (chapter 00)
    seeding      seed_everything                                        (chapter 00)
    device       get_device: CUDA, then MPS, then CPU                   (chapter 00)
    checks       ✓ check helpers for notebook check cells               (chapter 00)
    plotting     one plotting style                                     (chapter 00)
    checkpoints  the packaged BERT-family checkpoint or a Hub name      (chapter 00)
    frameworks   quiet_tensorflow: import TensorFlow without its C++ log (chapter 00)
"""
from .checks import CheckFailed, check, check_between, check_close, check_equal, check_shape
from .checkpoints import bert_checkpoint, packaged_checkpoint
from .config import REPO_URL, colab_badge, data_dir, data_path, models_dir
from .device import describe_devices, get_device
from .frameworks import quiet_tensorflow
from .env_report import environment_report, print_versions
from .plotting import COLORS, use_course_style
from .seeding import seed_everything

__version__ = "0.1.0"
