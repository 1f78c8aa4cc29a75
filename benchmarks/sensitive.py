"""Sensitive-term matching speed: minyi against bare pyahocorasick, a regex alternation and
a str.find loop.

A lexicon of 20,000 terms (written to a file, loaded as an office would) is run
over about 50 MB of generated Chinese submission text. minyi runs with every
normalisation on (width, case, traditional → simplified, noise characters
between characters, whitelist, 密级 mark context, personal-data validators).
The peers match the plain terms only. The nearest peer is bare pyahocorasick (an
automaton of the same terms iterated over the same texts, nothing else done),
run on all of the text; a Python ``re`` alternation of all terms and a loop of
``str.find`` per term are slow, so they run on a slice of the text. Every rate is
per character.

Usage: python benchmarks/sensitive.py [--megabytes 50] [--terms 20000] [--peer-kilobytes 200] [--dense]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import CAUSES, PLACES, TOPICS, Corpus

from ingest.record import Format, Record
from ingest.screening.lexicon import Lexicons
from ingest.screening.sensitive import find_sensitive

COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研县委协议服务村镇乡"


def make_terms(count: int, rng: random.Random, dense: bool) -> list[str]:
    """Random words, plus some that occur in the text so that there are hits.

    Normally a few terms of one topic (hits in about one document in ten);
    ``dense`` adds every topic noun, cause and place name, so that nearly every
    sentence hits — a worst case for the per-hit work.
    """
    terms: set[str] = set(TOPICS["基层医疗"][:2])
    if dense:
        terms |= {n for nouns in TOPICS.values() for n in nouns} | set(CAUSES) | set(PLACES)
    while len(terms) < count:
        terms.add("".join(rng.choices(COMMON, k=rng.randint(3, 6))))
    return sorted(terms)


def make_docs(megabytes: float) -> list[str]:
    corpus = Corpus(seed=11)
    docs, size = [], 0
    while size < megabytes * 1_000_000:
        text = corpus.document().text()
        docs.append(text)
        size += len(text.encode("utf-8"))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--terms", type=int, default=20000)
    parser.add_argument("--peer-kilobytes", type=int, default=200)
    parser.add_argument(
        "--dense", action="store_true", help="terms that hit in nearly every sentence"
    )
    args = parser.parse_args()
    rng = random.Random(5)
    terms = make_terms(args.terms, rng, args.dense)
    docs = make_docs(args.megabytes)
    chars = sum(len(d) for d in docs)
    print(f"{len(terms)} terms; {len(docs)} documents, {chars:,} characters "
          f"({sum(len(d.encode()) for d in docs) / 1e6:.1f} MB UTF-8)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lexicon.txt"
        path.write_text("\n".join(terms), encoding="utf-8")
        started = time.perf_counter()
        matcher = Lexicons((path,)).matcher()
        print(f"  minyi automaton build              {time.perf_counter() - started:8.2f} s")
    hits = 0
    started = time.perf_counter()
    for text in docs:
        record = Record(sha256="", original_name="", format=Format.TEXT, pages=(), text=text)
        hits += len(find_sensitive(record, matcher))
    ours = chars / (time.perf_counter() - started)
    print(f"  minyi (all normalisations)         {ours / 1e6:8.2f} M chars/s   ({hits} hits)")

    try:
        import ahocorasick
    except ImportError:
        print("  （未安装 pyahocorasick：pip install pyahocorasick，或 pip install -e .[bench]）")
        bare = None
    else:
        automaton = ahocorasick.Automaton()
        for term in terms:
            automaton.add_word(term, (len(term), term))
        automaton.make_automaton()
        bare_hits = 0
        started = time.perf_counter()
        for text in docs:
            for _ in automaton.iter(text):
                bare_hits += 1
        bare = chars / (time.perf_counter() - started)
        print(
            f"  bare pyahocorasick (plain terms)   {bare / 1e6:8.2f} M chars/s   ({bare_hits} hits)"
        )

    sample, size = [], 0
    for text in docs:
        if size > args.peer_kilobytes * 1000:
            break
        sample.append(text)
        size += len(text.encode("utf-8"))
    sample_chars = sum(len(t) for t in sample)
    pattern = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
    started = time.perf_counter()
    for text in sample:
        pattern.findall(text)
    regex = sample_chars / (time.perf_counter() - started)
    print(
        f"  re alternation (plain terms)       {regex / 1e6:8.2f} M chars/s   (on {sample_chars:,} chars)"
    )
    started = time.perf_counter()
    for text in sample:
        for term in terms:
            start = text.find(term)
            while start != -1:
                start = text.find(term, start + 1)
    finds = sample_chars / (time.perf_counter() - started)
    print(
        f"  str.find loop (plain terms)        {finds / 1e6:8.4f} M chars/s   (on {sample_chars:,} chars)"
    )
    if bare is not None:
        print(f"  ratio minyi/pyahocorasick          {ours / bare:8.2f}x")
    print(f"  ratio minyi/re                     {ours / regex:8.1f}x")
    print(f"  ratio minyi/str.find               {ours / finds:8.1f}x")


if __name__ == "__main__":
    main()
