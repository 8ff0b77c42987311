"""wordvec.cli: the ``wordvec`` command (click). Thin: parse options, call the library, print."""
