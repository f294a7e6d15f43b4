"""course_utils: the helpers shared by the bigmodel-course notebooks.

Each module holds one topic and says which chapter introduced it (d2l style): a chapter
teaches the code first, then later chapters call the helper. Importing the package is
light (NumPy, pandas, matplotlib); PyTorch, TensorFlow and transformers are imported
only by the functions that need them.

    config           repository URL, Colab badge and set-up block, data and model folders  (chapter 00)
    env_report       versions against requirements.txt, devices; `python -m course_utils.env_report` (00)
    seeding          seed_everything: Python, NumPy, PyTorch, TensorFlow                    (chapter 00)
    device           get_device: CUDA, then MPS, then CPU                                   (chapter 00)
    frameworks       quiet_tensorflow: import TensorFlow without its C++ start-up log       (chapter 00)
    checks           ✓ check helpers, NotDoneYet and answer() for exercise checks           (chapter 00)
    plotting         one plotting style for every chapter                                   (chapter 00)
    checkpoints      the packaged BERT-family checkpoint, a local folder or a Hub name      (chapter 00)
    model_zoo        the notable-models table in data/notable_models.csv                    (chapter 01)
    model_size       parameter counts, memory per parameter, 6·N·D compute, GPU-days        (chapter 01)
    optim            GD step, Adam, AdamW, warm-up + cosine LR, global-norm clipping (NumPy) (chapter 02)
    plotting_2d      decision boundaries of two-feature classifiers                         (chapter 03)
    plots            figures taught in chapters 01-04, 06, 07 (sizes, contours, diagrams, curves, attention)
    convolution      conv2d and pooling in NumPy, box IoU, non-maximum suppression          (chapter 05)
    datafiles        SHA256SUMS verification of the data the course ships                  (chapters 06, 11)
    reviews          the course review corpus, (text, label) files, SST-2/IMDB online       (chapter 06)
    lstm_classifier  Article 001's LSTM classifier: build, train, save, load or rebuild     (chapter 06)
    evaluate         `python -m course_utils.evaluate MODEL FILE` / `bigmodel-evaluate`      (chapter 06)
    baselines        majority class, TF-IDF + logistic regression, VADER lexicon            (chapters 06, 08)
    transformer      attention, multi-head attention, BERT/GPT blocks, BERT encoder, loader (chapter 07)
    bert_classifier  fine-tune, save, load or rebuild the BERT sentiment classifier         (chapter 08)
    progress         a progress bar that leaves one clean line in a saved notebook          (chapter 08)
    compression      size on disk, sparsity, latency, int8 quantisation, pruning            (chapter 09)
    lora             LoRA with peft: add, train, cost of a step, save/load adapters, sweeps (chapter 10)
    tokenization     character tokenizer and byte-pair encoding from scratch                (chapter 11)
    gpt              a small GPT on tiny Shakespeare: model, training, sampling, KV cache    (chapter 11)
    distributed      data-parallel training with torch.distributed, a launcher with timeouts (chapter 12)
    scaling          power-law fits and Chinchilla's compute-optimal sizes                  (chapter 12)
"""
from .checks import CheckFailed, NotDoneYet, answer, check, check_between, check_close, check_equal, check_shape
from .checkpoints import bert_checkpoint, packaged_checkpoint
from .config import REPO_URL, colab_badge, data_dir, data_path, models_dir
from .device import describe_devices, get_device
from .env_report import environment_report, print_versions
from .frameworks import quiet_tensorflow
from .plotting import COLORS, use_course_style
from .seeding import seed_everything

__version__ = "0.1.0"
