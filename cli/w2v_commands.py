"""`wordvec import-gensim`: convert a gensim file (Word2Vec/FastText model or KeyedVectors) into a model directory.

`COMMANDS` lists what `cli.main` registers. Training a w2v model is `wordvec train --method w2v`.
"""
from __future__ import annotations

import os

import click

from .output import echo_json, json_option, output_guard, quiet_option


@click.command("import-gensim")
@click.argument("gensim_model", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=str),
              help="Model directory to write (replaced atomically).")
@click.option("--tokenizer", type=click.Choice(["jieba", "jieba-py", "whitespace", "char", "tagged"]), default="jieba",
              show_default=True, help="How the model's corpus was tokenized (used to tokenize query text).")
@click.option("--hmm/--no-hmm", default=False, show_default=True,
              help="Whether jieba's HMM guessed unknown words in the model's corpus.")
@json_option
@quiet_option
@output_guard("wordvec-model", inputs=("gensim_model",))
def import_gensim(gensim_model: str, output: str, tokenizer: str, hmm: bool, as_json: bool, quiet: bool) -> None:
    """Convert GENSIM_MODEL, a file written by gensim's save(), into a wordvec model directory.

    Reads Word2Vec and FastText models and KeyedVectors (.kv) files without running code from them. A model
    trained with hierarchical softmax (hs=1) keeps its HS weights, so related, keywords and predict give the
    exact word2vec answers; a negative-sampling model (gensim's default) and plain KeyedVectors answer
    similar and analogy (cosine). Word counts are kept when gensim has them.

    gensim files are Python pickles, which can run code when loaded. wordvec reads them with a restricted
    unpickler that accepts only the numpy and gensim classes such files consist of and refuses anything else
    before it runs; still, import only files you trust.
    """
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.word2vec.bridge import load_gensim_model

    settings = TokenizerSettings(mode=tokenizer, hmm=hmm)
    emb = load_gensim_model(gensim_model, tokenizer=settings.to_dict())
    emb.save(output)
    hs_points = emb.extras.get("hs_points")
    summary = {
        "model": os.path.abspath(output),
        "kind": emb.kind,
        "words": len(emb),
        "dim": emb.shape[1],
        "max_path": int(hs_points.shape[1]) if hs_points is not None else None,
        "counts_available": bool(emb.meta.get("counts_available")),
    }
    if as_json:
        echo_json(summary)
    elif not quiet:
        what = {"w2v": "word2vec (hierarchical softmax) model",
                "w2v-ns": "word2vec negative-sampling model (similar/analogy only: no HS weights)",
                }.get(emb.kind, "word vectors (similar/analogy)")
        click.echo(
            f"wrote {output}: {what}, {summary['words']} words × {summary['dim']} dims"
            + ("" if summary["counts_available"] or emb.kind != "w2v" else
               " (no counts in the gensim model: use --alpha 0)")
        )


COMMANDS: list[click.Command] = [import_gensim]
