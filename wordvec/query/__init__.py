"""wordvec.query: ``Embedding`` and its readouts — similarity, relatedness, profile similarity, keywords,
sentences — and evaluation on word-pair and analogy sets. Stands on the trainers' floor and below."""
