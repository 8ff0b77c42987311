"""`wordvec import-gensim`: convert a gensim Word2Vec model (hs=1) into a wordvec model directory.

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
@click.option("--tokenizer", type=click.Choice(["jieba", "whitespace", "char", "tagged"]), default="jieba",
              show_default=True, help="How the model's corpus was tokenized (used to tokenize query text).")
@click.option("--hmm/--no-hmm", default=False, show_default=True, help="jieba's HMM was on for the corpus.")
@json_option
@quiet_option
@output_guard("wordvec-model", inputs=("gensim_model",))
def import_gensim(gensim_model: str, output: str, tokenizer: str, hmm: bool, as_json: bool, quiet: bool) -> None:
    """Convert GENSIM_MODEL (saved by gensim's model.save(), trained with hs=1) into a model directory.

    The result answers the exact word2vec queries (related, keywords, predict: SPEC c.1.3, c.3.1, c.7)
    and cosine `similar`.

    gensim files are Python pickles, which can run code when loaded. wordvec reads them with a restricted
    unpickler that accepts only the numpy and gensim classes a Word2Vec model consists of and refuses
    anything else before it runs; still, import only files you trust.
    """
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.word2vec.bridge import load_gensim_model

    settings = TokenizerSettings(mode=tokenizer, hmm=hmm)
    emb = load_gensim_model(gensim_model, tokenizer=settings.to_dict())
    emb.save(output)
    summary = {
        "model": os.path.abspath(output),
        "kind": emb.kind,
        "words": len(emb),
        "dim": emb.shape[1],
        "max_path": int(emb.extras["hs_points"].shape[1]),
        "counts_available": bool(emb.meta.get("counts_available")),
    }
    if as_json:
        echo_json(summary)
    elif not quiet:
        click.echo(
            f"wrote {output}: word2vec (hs) model, {summary['words']} words × {summary['dim']} dims"
            + ("" if summary["counts_available"] else " (no counts in the gensim model: use --alpha 0)")
        )


COMMANDS: list[click.Command] = [import_gensim]
