"""Hugging Face `tokenizers` as the reference for selftune's token counts.

    python3 js/bench/tokens-hf.py TOKENIZER_JSON TEXTS_JSON [RUNS]

Reads a tokenizer.json and a JSON array of texts, and prints one JSON object: the token count of
each text (`encode(text, add_special_tokens=False)`, one call per text, single-threaded), and the
seconds of each of RUNS timed passes over all texts. js/bench/tokens.mjs runs it; it needs the
`tokenizers` package (`pip install tokenizers`) and exits with status 3 and a message when it is
missing, so the benchmark can go on without this column.
"""

import json
import sys
import time

try:
    import tokenizers
    from tokenizers import Tokenizer
except ImportError:
    sys.stderr.write("tokens-hf.py: the Python package 'tokenizers' is not installed (pip install tokenizers)\n")
    sys.exit(3)


def main() -> None:
    tokenizer_path, texts_path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    tokenizer = Tokenizer.from_file(tokenizer_path)
    with open(texts_path, encoding="utf-8") as f:
        texts = json.load(f)
    counts = [len(tokenizer.encode(text, add_special_tokens=False).ids) for text in texts]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            tokenizer.encode(text, add_special_tokens=False)
        seconds.append(time.perf_counter() - started)
    json.dump({"version": tokenizers.__version__, "counts": counts, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
