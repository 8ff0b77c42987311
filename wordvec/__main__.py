from wordvec.cli.main import main

main()
