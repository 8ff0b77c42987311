"""wordvec.io: the bottom floor's files — atomic writes, artifact metadata, the vocabulary table, the model
directory and the word2vec/GloVe vector formats. Imports nothing above ``wordvec.errors``."""
