"""wordvec.train: the trainers (PMI model, PPMI-SVD), their targets and weights, the independence prior,
checkpoints and the numba training kernels. Stands on ``wordvec.io`` and ``wordvec.corpora``."""
