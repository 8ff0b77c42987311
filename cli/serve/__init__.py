"""wordvec.cli.serve: ``wordvec serve``, a local web explorer and JSON API over loaded models (Flask).

Only the command line imports this room; it imports the queries (``wordvec.query``) and the CLI's JSON
shapes (``wordvec.cli.query_commands``), so the API answers with the same numbers and shapes as ``--json``.
Flask is imported by ``app`` only, so ``wordvec --help`` does not need it.
"""
