"""wordvec.word2vec: the gensim bridge (skip-gram with hierarchical softmax trained from our token cache)
and the exact hierarchical-softmax scoring of SPEC c.7. gensim and numba are imported only when used."""
