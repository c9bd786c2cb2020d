"""Upper bounds shared by the options that size work, so that no value a user can type makes a
command run until killed (``words=99999999999999999999``) or overflow what torch and numpy take.

Each bound is far above any sensible setting and below what breaks: a seed is what numpy's
``RandomState`` accepts, threads what ``torch.set_num_threads`` can hold, counts of generated
items what finishes in minutes.
"""

MAX_SEED = 2**32 - 1  # numpy (and Lightning's seed_everything) take 0..2**32-1
MAX_THREADS = 1024  # torch.set_num_threads takes a C int; more threads than this is a typo
MAX_BATCH = 1_000_000  # items, sentences or stream columns per forward call
MAX_PER_CELL = 100_000  # generated pairs per (category, attractors, condition) cell
MAX_ATTRACTORS = 20  # attractor counts 0..N: N+1 cells per category, sentences grow with N
MAX_LINES = 100_000_000  # lines of a generated prediction file
MAX_UNITS = 1_000_000  # units shown, ranked or ablated (more than any model has)
MAX_WINDOW = 10_000_000  # tokens: bptt windows and cache windows
MAX_SENTENCES = 10_000_000  # generated corpus sentences per split (~95M tokens of training text)
MAX_WIDTH = 65_536  # hidden units or embedding size of one layer (weights of 4 x 65,536^2 floats)
MAX_LAYERS = 64  # stacked layers
