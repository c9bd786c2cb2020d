"""A small synthetic POS-tagged corpus for data=text (text + JSONL annotations)."""

import json
import random
from pathlib import Path

DETS = ["the", "a", "every"]
ADJS = ["big", "small", "red"]
NOUNS = ["dog", "cat", "bird", "teacher", "car"]
VERBS = ["sees", "likes", "chases", "finds"]
AMBIGUOUS = ["watch", "duck", "run", "book"]  # NN after a determiner or adjective, VBZ after a noun


def tagged_sentence(rng: random.Random) -> tuple[list[str], list[str]]:
    words, tags = [], []

    def noun_phrase():
        words.append(rng.choice(DETS))
        tags.append("DT")
        if rng.random() < 0.4:
            words.append(rng.choice(ADJS))
            tags.append("JJ")
        words.append(rng.choice(NOUNS + AMBIGUOUS))
        tags.append("NN")

    noun_phrase()
    words.append(rng.choice(VERBS + AMBIGUOUS))
    tags.append("VBZ")
    noun_phrase()
    words.append(".")
    tags.append(".")
    return words, tags


def write_tagged_corpus(folder: Path, n_train: int = 600, n_eval: int = 100, seed: int = 0) -> Path:
    """A corpus folder for data=text with {split}.jsonl POS annotations; some words need context."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        sents = [tagged_sentence(rng) for _ in range(n)]
        (folder / f"{split}.txt").write_text(
            "".join(" ".join(w) + "\n" for w, _ in sents), encoding="utf-8"
        )
        (folder / f"{split}.jsonl").write_text(
            "".join(json.dumps({"pos": t}) + "\n" for _, t in sents), encoding="utf-8"
        )
    return folder


def unigram_accuracy(folder: Path) -> float:
    """Test accuracy of a context-free tagger: each word's most frequent training tag."""
    from collections import Counter, defaultdict

    def pairs(split):
        texts = (folder / f"{split}.txt").read_text(encoding="utf-8").splitlines()
        records = (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        for line, record in zip(texts, records):
            yield from zip(line.split(), json.loads(record)["pos"])

    seen: defaultdict[str, Counter] = defaultdict(Counter)
    for word, tag in pairs("train"):
        seen[word][tag] += 1
    results = [bool(seen[w]) and seen[w].most_common(1)[0][0] == t for w, t in pairs("test")]
    return sum(results) / len(results)
